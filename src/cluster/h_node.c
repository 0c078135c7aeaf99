/*
 * h_node.c - what a joined node sends, authenticated by its certificate.
 *
 *	POST /cluster/v1/heartbeat  {"seq", "version", "inventory"?}
 *	                            -> {"state": "ready"|"draining", "now_ms"}
 *
 * A node is who its certificate says (CN), and only while that certificate
 * is the one the server issued it last (its serial): a removed node, a node
 * that joined again elsewhere, or a certificate of another node presented
 * under this name are all refused (403), as is a request without a verified
 * certificate (401).
 */
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "api/router.h"
#include "base/jsonx.h"
#include "cluster/internal.h"
#include "store/node.h"
#include "store/store.h"

#define STORE_SEEN_EVERY_MS 30000

void cluster_peer_ip(const struct http_peer *p, char *out, size_t n)
{
	const char *a = p->addr, *end = strrchr(a, ':');

	if (a[0] == '[') {
		a++;
		end = strchr(a, ']');
	}
	snprintf(out, n, "%.*s", end ? (int)(end - a) : (int)strlen(a), a);
}

/* A certificate is used where it was issued: from the address the node
 * joined from, or the one it advertises. */
static bool from_its_host(const struct member *m, const struct http_peer *p)
{
	char ip[64];

	cluster_peer_ip(p, ip, sizeof(ip));
	return strcmp(ip, m->source) == 0 || strcmp(ip, m->address) == 0;
}

struct member *cluster_authenticate(struct cluster_srv *cl, struct http_req *req)
{
	const struct http_peer *p = http_req_peer(req);
	const char *claim = http_req_header(req, "x-orca-node");
	struct member *m;
	bool other_host;

	if (p->cert_cn[0] == '\0') {
		http_reply_error(req, 401, "unauthorized", "this route needs a node certificate "
				 "of this cluster (orca agent --join)");
		return NULL;
	}
	if (claim && strcmp(claim, p->cert_cn) != 0) {
		http_reply_error(req, 403, "forbidden", "this agent is node '%.63s' but presents "
				 "the certificate of node '%s'", claim, p->cert_cn);
		return NULL;
	}
	pthread_mutex_lock(&cl->mu);
	m = member_find(cl, p->cert_cn);
	other_host = m && !m->local && strcmp(m->serial, p->cert_serial) == 0 &&
		     !from_its_host(m, p);
	if (m && !m->local && strcmp(m->serial, p->cert_serial) == 0 && !other_host)
		return m;
	pthread_mutex_unlock(&cl->mu);
	if (other_host) {
		char ip[64];

		cluster_peer_ip(p, ip, sizeof(ip));
		http_reply_error(req, 403, "forbidden", "the certificate of node '%s' is used from "
				 "%s, which is not that node's address", p->cert_cn, ip);
		return NULL;
	}
	http_reply_error(req, 403, "forbidden", m && !m->local
			 ? "node '%s' presents a certificate the server no longer accepts for it "
			   "(it joined again, or it was removed): join again with a new token"
			 : "node '%s' is not a member of this cluster (it was removed, or never "
			   "joined): orca node token, then orca agent --join", p->cert_cn);
	return NULL;
}

/* Under mu: a heartbeat's news into the member; persists now and then. */
static void seen(struct cluster_srv *cl, struct member *m, const json_t *inv)
{
	int64_t now = cluster_now_ms();
	struct err e = { 0 };
	char *text = NULL;

	m->seen_ms = now;
	if (!m->heard)
		cluster_event(cl, "node.ready", "node '%s' is connected", m->name);
	m->heard = true;
	if (inv && inventory_from_json(inv, &m->inv, &e) == 0) {
		m->has_inv = true;
		snprintf(m->version, sizeof(m->version), "%s", m->inv.agent_version);
		text = json_dumps(inv, JSON_COMPACT);
	}
	if (text || now - m->stored_seen_ms >= STORE_SEEN_EVERY_MS) {
		if (store_node_seen(cl->st, m->name, text, store_now_ms(), &e) == 0)
			m->stored_seen_ms = now;
	}
	free(text);
}

static int heartbeat(struct http_req *req, void *arg, struct err *e)
{
	struct cluster_srv *cl = arg;
	json_t *body = NULL, *inv = NULL;
	struct member *m;
	bool was_up, draining;
	int rc = http_req_json(req, &body, e);

	if (rc == 0 && (jsonx_expect_object(body, "request body", e) < 0 ||
			jsonx_get_object(body, "inventory", JSONX_OPTIONAL, &inv, e) < 0))
		rc = ERR_INVALID;
	if (rc < 0)
		goto out;
	if ((m = cluster_authenticate(cl, req)) == NULL)
		goto out;
	was_up = m->heard && m->up;
	seen(cl, m, inv);
	swarm_seen(cl, m, json_object_get(body, "swarm"));
	draining = m->draining;
	pthread_mutex_unlock(&cl->mu);
	if (!was_up)
		cluster_changed(cl);
	rc = http_reply_json(req, 200, json_pack("{s:s, s:I}", "state",
						 draining ? "draining" : "ready", "now_ms",
						 (json_int_t)store_now_ms()));
out:
	json_decref(body);
	return rc;
}

int cluster_routes_node(struct router *r, struct cluster_srv *cl, struct err *e)
{
	if (router_add(r, "POST", "/cluster/v1/heartbeat", heartbeat, cl, e) < 0)
		return ERR_FAIL;
	return 0;
}
