/*
 * channel.c - the server's instructions to a node, in order, without loss.
 *
 *	GET  /cluster/v1/commands?epoch=E&after=N   NDJSON stream
 *	POST /cluster/v1/report                     {"acked": N, "messages": [...],
 *	                                             "containers": [...]?}
 *
 * Every command gets the next sequence number of its node and stays in the
 * node's outbox until the node acknowledges it (a report's "acked"). A node
 * that (re)connects names the last number it applied; the stream starts with
 * {"op": "hello", "epoch": E, ...} and replays everything after it. E is
 * this server's run: after a restart the numbers start again, a node that
 * names another epoch gets the whole outbox, and the control loop learns
 * what runs there from the node's container list instead.
 *
 * One sender thread writes to every stream without blocking
 * (http_stream_try_write): a node that reads slowly never holds up the
 * control loop or another node. A stream's cancel hook only marks it; the
 * sender ends and releases it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/http.h"
#include "api/router.h"
#include "base/jsonx.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cluster/internal.h"

struct chan_ref {
	struct cluster_srv *cl;
	char node[64];
	uint64_t gen;
};

static void wake(struct cluster_srv *cl)
{
	pthread_cond_broadcast(&cl->send_cv);
}

/* Any thread, mu held or not: a stream's state changed. */
static void on_cancel(void *arg)
{
	struct chan_ref *ref = arg;

	pthread_mutex_lock(&ref->cl->send_mu);
	ref->cl->send_dirty = true;
	wake(ref->cl);
	pthread_mutex_unlock(&ref->cl->send_mu);
}

static void on_drain(void *arg)
{
	on_cancel(arg);
}

/* Under mu: ends m's stream (if any) and forgets it. */
void channel_drop(struct member *m)
{
	if (m->stream == NULL)
		return;
	http_req_on_cancel(m->stream, NULL, NULL);
	http_stream_on_drain(m->stream, NULL, NULL);
	http_stream_end(m->stream);
	http_req_unref(m->stream);
	free(m->stream_ref);
	m->stream = NULL;
	m->stream_ref = NULL;
}

/* Under mu: what m's stream can take now; false when it is full or over. */
static bool flush_member(struct member *m)
{
	json_t *cmd;
	size_t i;

	if (m->stream == NULL)
		return true;
	if (http_req_canceled(m->stream)) {
		channel_drop(m);
		return true;
	}
	json_array_foreach(m->outbox, i, cmd) {
		struct buf b = BUF_INIT;
		int64_t seq = json_integer_value(json_object_get(cmd, "seq"));
		int rc;

		if (seq <= m->sent_seq)
			continue;
		jsonx_dump(cmd, &b);
		buf_putc(&b, '\n');
		rc = http_stream_try_write(m->stream, b.data, b.len);
		sodium_memzero(b.data, b.len);   /* a start command carries secrets */
		buf_release(&b);
		if (rc == 1)
			return false;   /* on_drain wakes us */
		if (rc < 0) {
			channel_drop(m);
			return true;
		}
		m->sent_seq = seq;
	}
	return true;
}

static void *sender_main(void *arg)
{
	struct cluster_srv *cl = arg;

	for (;;) {
		pthread_mutex_lock(&cl->send_mu);
		while (!cl->send_dirty && !atomic_load(&cl->stopping))
			pthread_cond_wait(&cl->send_cv, &cl->send_mu);
		cl->send_dirty = false;
		pthread_mutex_unlock(&cl->send_mu);
		if (atomic_load(&cl->stopping))
			break;
		pthread_mutex_lock(&cl->mu);
		for (size_t i = 0; i < cl->nmembers; i++)
			flush_member(&cl->members[i]);
		pthread_mutex_unlock(&cl->mu);
	}
	return NULL;
}

void cluster_kick(struct cluster_srv *cl)
{
	pthread_mutex_lock(&cl->send_mu);
	cl->send_dirty = true;
	wake(cl);
	pthread_mutex_unlock(&cl->send_mu);
}

int cluster_send(struct cluster_srv *cl, const char *node, json_t *cmd, struct err *e)
{
	struct member *m;
	int rc = 0;

	pthread_mutex_lock(&cl->mu);
	m = member_find(cl, node);
	if (m == NULL || m->local)
		rc = err_set(e, ERR_NOTFOUND, "no remote node named '%s'", node);
	else if (json_array_size(m->outbox) >= CLUSTER_OUTBOX_MAX)
		rc = err_set(e, ERR_TOOBIG, "node '%s' has %d instructions it has not taken yet",
			     node, CLUSTER_OUTBOX_MAX);
	if (rc == 0) {
		json_object_set_new(cmd, "seq", json_integer(++m->next_seq));
		json_array_append(m->outbox, cmd);
	}
	pthread_mutex_unlock(&cl->mu);
	json_decref(cmd);
	if (rc == 0)
		cluster_kick(cl);
	return rc;
}

/* Under mu: drops what the node says it applied. */
void channel_acked(struct member *m, int64_t acked)
{
	size_t keep = 0;
	json_t *rest;

	if (acked <= m->acked)
		return;
	m->acked = acked;
	while (keep < json_array_size(m->outbox) &&
	       json_integer_value(json_object_get(json_array_get(m->outbox, keep), "seq")) <= acked)
		keep++;
	if (keep == 0)
		return;
	rest = json_array();
	for (size_t i = keep; i < json_array_size(m->outbox); i++)
		json_array_append(rest, json_array_get(m->outbox, i));
	json_decref(m->outbox);
	m->outbox = rest;
}

static int commands(struct http_req *req, void *arg, struct err *e)
{
	struct cluster_srv *cl = arg;
	const char *epoch = http_req_query(req, "epoch");
	int64_t after = 0;
	struct chan_ref *ref;
	struct member *m;
	json_t *hello;
	int rc = http_req_query_int(req, "after", &after, e);

	if (rc < 0)
		return rc;
	if ((m = cluster_authenticate(cl, req)) == NULL)
		return 0;
	if (epoch == NULL || strcmp(epoch, cl->epoch) != 0)
		after = 0;   /* another run of the server: everything still kept */
	hello = json_pack("{s:s, s:s, s:s, s:I}", "op", "hello", "epoch", cl->epoch,
			  "server_node", cl->local, "after", (json_int_t)after);
	channel_drop(m);
	channel_acked(m, after);
	m->sent_seq = after;
	ref = xcalloc(1, sizeof(*ref));
	ref->cl = cl;
	snprintf(ref->node, sizeof(ref->node), "%s", m->name);
	ref->gen = ++m->stream_gen;
	if (http_stream_begin(req, 200, "application/x-ndjson") == 0 &&
	    http_stream_ndjson(req, hello) == 0) {
		m->stream = http_stream_detach(req);
		m->stream_ref = ref;
		http_stream_heartbeat(m->stream, "\n");
		http_req_on_cancel(m->stream, on_cancel, ref);
		http_stream_on_drain(m->stream, on_drain, ref);
		ref = NULL;
	}
	pthread_mutex_unlock(&cl->mu);
	free(ref);
	json_decref(hello);
	cluster_kick(cl);
	return 0;
}

static int report(struct http_req *req, void *arg, struct err *e)
{
	struct cluster_srv *cl = arg;
	json_t *body = NULL, *msgs = NULL, *list = NULL;
	int64_t acked = 0;
	char node[64];
	struct member *m;
	int rc = http_req_json(req, &body, e);

	if (rc == 0 && (jsonx_expect_object(body, "request body", e) < 0 ||
			jsonx_get_int_range(body, "acked", JSONX_OPTIONAL, 0, INT64_MAX, &acked, e) < 0 ||
			jsonx_get_array(body, "messages", JSONX_OPTIONAL, &msgs, e) < 0 ||
			jsonx_get_array(body, "containers", JSONX_OPTIONAL, &list, e) < 0))
		rc = ERR_INVALID;
	if (rc == 0 && json_array_size(msgs) > CLUSTER_REPORT_MAX)
		rc = err_set(e, ERR_TOOBIG, "more than %d messages in one report", CLUSTER_REPORT_MAX);
	if (rc < 0)
		goto out;
	if ((m = cluster_authenticate(cl, req)) == NULL)
		goto out;
	channel_acked(m, acked);
	snprintf(node, sizeof(node), "%s", m->name);
	pthread_mutex_unlock(&cl->mu);
	if (cl->o.report)
		cl->o.report(cl->o.report_arg, node, body);
	rc = http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
out:
	json_decref(body);
	return rc;
}

int channel_start(struct cluster_srv *cl, struct err *e)
{
	unsigned char raw[8];
	int rc;

	randombytes_buf(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(cl->epoch + 2 * i, 3, "%02x", raw[i]);
	pthread_mutex_init(&cl->send_mu, NULL);
	pthread_cond_init(&cl->send_cv, NULL);
	rc = pthread_create(&cl->sender, NULL, sender_main, cl);
	if (rc != 0)
		return err_errno(e, rc, "start the cluster sender");
	cl->sender_started = true;
	return 0;
}

void channel_stop(struct cluster_srv *cl)
{
	if (cl->sender_started) {
		cluster_kick(cl);   /* stopping is set: the sender ends */
		pthread_join(cl->sender, NULL);
		cl->sender_started = false;
	}
	pthread_mutex_lock(&cl->mu);
	for (size_t i = 0; i < cl->nmembers; i++)
		channel_drop(&cl->members[i]);
	pthread_mutex_unlock(&cl->mu);
}

int cluster_routes_channel(struct router *r, struct cluster_srv *cl, struct err *e)
{
	if (router_add(r, "GET", "/cluster/v1/commands", commands, cl, e) < 0 ||
	    router_add(r, "POST", "/cluster/v1/report", report, cl, e) < 0)
		return ERR_FAIL;
	return 0;
}
