/*
 * cluster.c - start and stop, the ticker, and what the API asks of the
 * cluster: join tokens, drains, removals, the member table.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/inventory.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cluster/internal.h"
#include "cluster/jointoken.h"
#include "store/event.h"
#include "store/node.h"
#include "store/store.h"
#include "tls/ca.h"
#include "tls/node_cert.h"

#define TICK_MS 200

int64_t cluster_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cluster_event(struct cluster_srv *cl, const char *kind, const char *fmt, ...)
{
	struct store_event ev = { 0 };
	struct log_field f[1] = { { "kind", kind, 0 } };
	struct err e = { 0 };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_at(strcmp(kind, "node.down") == 0 ? LOG_WARN : LOG_INFO, f, 1, "%s: %s", kind, msg);
	ev.kind = (char *)kind;
	ev.message = msg;
	ev.replica = -1;
	if (cl->st && store_event_append(cl->st, &ev, NULL, &e) < 0)
		log_at(LOG_WARN, NULL, 0, "event log: %s", e.msg);
}

void cluster_changed(struct cluster_srv *cl)
{
	if (cl->o.changed)
		cl->o.changed(cl->o.changed_arg);
}

static void *ticker_main(void *arg)
{
	struct cluster_srv *cl = arg;

	pthread_mutex_lock(&cl->mu);
	while (!atomic_load(&cl->stopping)) {
		struct timespec ts;
		bool changed = members_tick(cl, cluster_now_ms());

		if (changed) {
			pthread_mutex_unlock(&cl->mu);
			cluster_changed(cl);
			pthread_mutex_lock(&cl->mu);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&cl->cv, &cl->mu, &ts);
	}
	pthread_mutex_unlock(&cl->mu);
	return NULL;
}

/* The server's own node: its inventory is detected here, once. */
static void add_local(struct cluster_srv *cl)
{
	struct inventory_opts io = { .root = cl->o.inventory_root };
	struct member *m = member_add(cl, cl->o.node ? cl->o.node : "local");
	struct err e = { 0 };

	m->local = true;
	m->heard = true;
	snprintf(cl->local, sizeof(cl->local), "%s", m->name);
	snprintf(m->address, sizeof(m->address), "%s", cl->advertise);
	snprintf(m->version, sizeof(m->version), "%s", ORCA_VERSION);
	m->has_inv = inventory_detect(&m->inv, &io, &e) == 0;
	m->inv.mtu = inventory_underlay_mtu(cl->advertise);
	if (!m->has_inv)
		log_at(LOG_WARN, NULL, 0, "inventory of node '%s': %s", m->name, e.msg);
}

/* The host of "HOST:PORT" unless it is a wildcard. */
static void advertise_from(const struct cluster_opts *o, char *out, size_t n)
{
	const char *colon;

	out[0] = '\0';
	if (o->advertise) {
		snprintf(out, n, "%s", o->advertise);
		return;
	}
	if (o->listen == NULL || (colon = strrchr(o->listen, ':')) == NULL)
		return;
	if ((size_t)(colon - o->listen) < n)
		snprintf(out, n, "%.*s", (int)(colon - o->listen), o->listen);
	if (strcmp(out, "0.0.0.0") == 0 || strcmp(out, "[::]") == 0 || out[0] == '\0')
		out[0] = '\0';
}

/* No --advertise and a wildcard listener: the first address of an interface
 * that is neither loopback nor a container bridge. */
static void advertise_guess(char *out, size_t n)
{
	static const char *const skip[] = { "lo", "docker", "br-", "veth", "virbr", "cni", "flannel" };
	struct ifaddrs *all, *i;

	if (getifaddrs(&all) < 0)
		return;
	for (i = all; i != NULL && out[0] == '\0'; i = i->ifa_next) {
		bool bad = i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET;

		for (size_t k = 0; !bad && k < sizeof(skip) / sizeof(skip[0]); k++)
			bad = strncmp(i->ifa_name, skip[k], strlen(skip[k])) == 0;
		if (!bad)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)i->ifa_addr)->sin_addr, out,
				  (socklen_t)n);
	}
	freeifaddrs(all);
}

int cluster_start(const struct cluster_opts *o, struct cluster_srv **out, struct err *e)
{
	struct cluster_srv *cl = xcalloc(1, sizeof(*cl));
	int rc;

	cl->o = *o;
	cl->data_dir = xstrdup(o->data_dir);
	cl->ca_dir = xasprintf("%s/ca", o->data_dir);
	cl->node_down_after_ms = CLUSTER_NODE_DOWN_AFTER_MS;
	pthread_mutex_init(&cl->mu, NULL);
	pthread_cond_init(&cl->cv, NULL);
	atomic_init(&cl->stopping, 0);
	advertise_from(o, cl->advertise, sizeof(cl->advertise));
	if (cl->advertise[0] == '\0' && o->listen)
		advertise_guess(cl->advertise, sizeof(cl->advertise));
	rc = store_open_key(o->data_dir, o->key_file, &cl->st, e);
	if (rc == 0) {
		add_local(cl);
		rc = members_load(cl, e);
	}
	if (rc == 0 && o->listen)
		rc = cluster_listen_start(cl, e);
	if (rc == 0 && o->listen)
		rc = swarm_start(cl, e);
	if (rc == 0 && (rc = pthread_create(&cl->ticker, NULL, ticker_main, cl)) != 0)
		rc = err_errno(e, rc, "start the cluster ticker");
	if (rc < 0) {
		cluster_stop(cl);
		return rc;
	}
	cl->ticker_started = true;
	*out = cl;
	return 0;
}

void cluster_stop(struct cluster_srv *cl)
{
	if (cl == NULL)
		return;
	pthread_mutex_lock(&cl->mu);
	atomic_store(&cl->stopping, 1);
	pthread_cond_broadcast(&cl->cv);
	pthread_mutex_unlock(&cl->mu);
	if (cl->ticker_started)
		pthread_join(cl->ticker, NULL);
	swarm_stop(cl);
	cluster_listen_stop(cl);
	for (size_t i = 0; i < cl->nmembers; i++)
		member_release(&cl->members[i]);
	free(cl->members);
	store_close(cl->st);
	pthread_cond_destroy(&cl->cv);
	pthread_mutex_destroy(&cl->mu);
	free(cl->data_dir);
	free(cl->ca_dir);
	free(cl);
}

bool cluster_listening(const struct cluster_srv *cl)
{
	return cl && cl->srv != NULL;
}

const char *cluster_url(const struct cluster_srv *cl)
{
	return cl ? cl->url : "";
}

int cluster_token(struct cluster_srv *cl, int64_t ttl_ms, json_t **out, struct err *e)
{
	struct buf pem = BUF_INIT;
	char ca[65], hash[65], text[JOINTOKEN_LEN + 1];
	struct jointoken t;
	int64_t expires;
	int rc;

	if (!cluster_listening(cl))
		return err_set(e, ERR_CONFLICT, "this server does not listen for agents: start it "
			       "with --cluster-listen ADDR:PORT");
	if (ttl_ms <= 0)
		ttl_ms = CLUSTER_TOKEN_TTL_MS;
	if (ttl_ms > CLUSTER_TOKEN_TTL_MAX_MS)
		return err_set(e, ERR_INVALID, "a join token lives at most 30 days");
	rc = tls_ca_public(cl->ca_dir, &pem, ca, e);
	buf_release(&pem);
	if (rc < 0)
		return rc;
	jointoken_new(&t, ca);
	jointoken_hash(&t, hash);
	jointoken_format(&t, text, sizeof(text));
	expires = store_now_ms() + ttl_ms;
	pthread_mutex_lock(&cl->mu);
	rc = store_join_token_add(cl->st, t.id, hash, expires, e);
	pthread_mutex_unlock(&cl->mu);
	if (rc == 0)
		*out = json_pack("{s:s, s:I, s:s, s:s+++}", "token", text, "expires_at",
				 (json_int_t)expires, "server", cl->url, "join",
				 "orca agent --join ", cl->url, " --token ", text);
	return rc;
}

int cluster_drain(struct cluster_srv *cl, const char *node, bool draining, struct err *e)
{
	struct member *m;
	int rc = 0;

	pthread_mutex_lock(&cl->mu);
	m = member_find(cl, node);
	if (m == NULL)
		rc = err_set(e, ERR_NOTFOUND, "no node named '%s' (orca nodes lists them)", node);
	else if (m->local)
		rc = err_set(e, ERR_INVALID, "node '%s' runs the server, which cannot be drained",
			     node);
	else if (m->draining != draining)
		rc = store_node_set_state(cl->st, node, draining ? "draining" : "active", e);
	if (rc == 0 && m->draining != draining) {
		m->draining = draining;
		cluster_event(cl, draining ? "node.draining" : "node.active", "node '%s' %s", node,
			      draining ? "is draining: its replicas move to other nodes"
				       : "takes replicas again");
	}
	pthread_mutex_unlock(&cl->mu);
	if (rc == 0)
		cluster_changed(cl);
	return rc;
}

int cluster_remove(struct cluster_srv *cl, const char *node, struct err *e)
{
	struct member *m;
	int rc = 0;

	pthread_mutex_lock(&cl->mu);
	m = member_find(cl, node);
	if (m == NULL)
		rc = err_set(e, ERR_NOTFOUND, "no node named '%s' (orca nodes lists them)", node);
	else if (m->local)
		rc = err_set(e, ERR_INVALID, "node '%s' runs the server and cannot be removed",
			     node);
	else
		rc = store_node_delete(cl->st, node, e);
	if (rc == 0) {
		channel_drop(m);
		member_release(m);
		*m = cl->members[--cl->nmembers];
		cluster_event(cl, "node.removed", "node '%s' was removed; its certificate no "
			      "longer works", node);
	}
	pthread_mutex_unlock(&cl->mu);
	if (rc == 0)
		cluster_changed(cl);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int lx = json_is_true(json_object_get(x, "local")), ly = json_is_true(json_object_get(y, "local"));

	if (lx != ly)
		return ly - lx;
	return strcmp(json_string_value(json_object_get(x, "name")),
		      json_string_value(json_object_get(y, "name")));
}

json_t *cluster_members(struct cluster_srv *cl)
{
	json_t *arr = json_array(), **v;
	int64_t now = cluster_now_ms();
	size_t n;

	pthread_mutex_lock(&cl->mu);
	n = cl->nmembers;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = member_json(cl, &cl->members[i], now);
	pthread_mutex_unlock(&cl->mu);
	qsort(v, n, sizeof(*v), by_name);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
	return arr;
}
