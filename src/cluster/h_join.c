/*
 * h_join.c - how a node gets in: the CA it checks against its token, and
 * the join that trades a token and a certificate request for a node
 * certificate.
 *
 *	GET  /cluster/v1/ca     the cluster CA certificate (PEM), to anyone
 *	POST /cluster/v1/join   {"token", "node", "csr", "address"?, "labels"?,
 *	                         "inventory"?, "version"}
 *	                        -> {"node", "certificate", "server_node",
 *	                            "heartbeat_ms", "node_down_after_ms"}
 *
 * A wrong, unknown or expired token is 401 and changes nothing. A name that
 * a connected node holds is 409; a node whose agent is gone may join again
 * under its name (it gets a new certificate, and its old one stops working).
 */
#include <stdio.h>
#include <string.h>

#include "agent/ident.h"
#include "api/http.h"
#include "api/router.h"
#include "base/jsonx.h"
#include "base/xalloc.h"
#include "cluster/internal.h"
#include "cluster/jointoken.h"
#include "store/node.h"
#include "store/store.h"
#include "tls/ca.h"
#include "tls/node_cert.h"

#define LABELS_MAX 64

static int get_ca(struct http_req *req, void *arg, struct err *e)
{
	struct cluster_srv *cl = arg;
	struct buf pem = BUF_INIT;
	char hash[65];
	int rc = tls_ca_public(cl->ca_dir, &pem, hash, e);

	if (rc == 0)
		rc = http_reply(req, 200, "application/x-pem-file", pem.data, pem.len);
	buf_release(&pem);
	return rc;
}

/* 0 when the token is one of ours, unexpired, and its secret matches. */
static int check_token(struct cluster_srv *cl, const char *text, struct err *e)
{
	struct store_join_token st = { 0 };
	struct buf pem = BUF_INIT;
	struct jointoken t;
	char ca[65];
	int rc = jointoken_parse(text, &t, e);

	if (rc == 0)
		rc = tls_ca_public(cl->ca_dir, &pem, ca, e);
	buf_release(&pem);
	if (rc < 0)
		return rc;
	if (strcmp(ca, t.ca) != 0)
		return err_set(e, ERR_INVALID, "the join token is for another cluster (another CA)");
	pthread_mutex_lock(&cl->mu);
	rc = store_join_token_get(cl->st, t.id, store_now_ms(), &st, e);
	pthread_mutex_unlock(&cl->mu);
	if (rc == 0 && !jointoken_matches(&t, st.hash))
		rc = err_set(e, ERR_INVALID, "wrong join token");
	else if (rc == ERR_NOTFOUND)
		rc = err_set(e, ERR_INVALID, "unknown or expired join token (orca node token "
			     "makes a new one)");
	store_join_token_release(&st);
	return rc;
}

struct join {
	const char *token, *node, *csr, *address;
	json_t *labels, *inventory;
	char addr[64];
	char source[64];
	struct inventory inv;
	bool has_inv;
};

static int parse(struct http_req *req, json_t *body, struct join *j, struct err *e)
{
	static const char *const fields[] = { "token", "node", "csr", "address", "labels",
					      "inventory", "version", NULL };
	const char *k;
	json_t *v;

	memset(j, 0, sizeof(*j));
	if (jsonx_expect_object(body, "request body", e) < 0 ||
	    jsonx_check_fields(body, fields, e) < 0 ||
	    jsonx_get_string(body, "token", JSONX_REQUIRED, &j->token, e) < 0 ||
	    jsonx_get_string(body, "node", JSONX_REQUIRED, &j->node, e) < 0 ||
	    jsonx_get_string(body, "csr", JSONX_REQUIRED, &j->csr, e) < 0 ||
	    jsonx_get_string(body, "address", JSONX_OPTIONAL, &j->address, e) < 0 ||
	    jsonx_get_object(body, "labels", JSONX_OPTIONAL, &j->labels, e) < 0 ||
	    jsonx_get_object(body, "inventory", JSONX_OPTIONAL, &j->inventory, e) < 0 ||
	    agent_check_node_name(j->node, e) < 0)
		return ERR_INVALID;
	if (json_object_size(j->labels) > LABELS_MAX)
		return err_set(e, ERR_INVALID, "more than %d labels", LABELS_MAX);
	json_object_foreach(j->labels, k, v)
		if (!json_is_string(v) || strlen(k) > 63 || strlen(json_string_value(v)) > 255)
			return err_set(e, ERR_INVALID, "label '%.63s' must be a string of at most 255 "
				       "bytes with a key of at most 63", k);
	if (j->inventory && inventory_from_json(j->inventory, &j->inv, e) < 0)
		return ERR_INVALID;
	j->has_inv = j->inventory != NULL;
	if (j->address && (strlen(j->address) == 0 || strlen(j->address) >= sizeof(j->addr)))
		return err_set(e, ERR_INVALID, "field 'address' must be 1 to 63 bytes");
	cluster_peer_ip(http_req_peer(req), j->source, sizeof(j->source));
	snprintf(j->addr, sizeof(j->addr), "%s", j->address ? j->address : j->source);
	return 0;
}

/* Under mu: may this name join now? */
static int name_free(struct cluster_srv *cl, const char *node, struct err *e)
{
	struct member *m = member_find(cl, node);

	if (m && m->local)
		return err_set(e, ERR_CONFLICT, "'%s' is the server's own node; choose another "
			       "name (--node)", node);
	if (m && m->heard && m->up)
		return err_set(e, ERR_CONFLICT, "a node named '%s' is connected; remove it first "
			       "(orca node rm %s) or choose another name", node, node);
	return 0;
}

/* Records the node (store, then table) with the serial of its certificate. */
static int admit(struct cluster_srv *cl, const struct join *j, const char *serial, struct err *e)
{
	char *labels = json_dumps(j->labels ? j->labels : json_object(), JSON_COMPACT);
	json_t *invj = j->has_inv ? inventory_to_json(&j->inv) : NULL;
	char *inv = invj ? json_dumps(invj, JSON_COMPACT) : NULL;
	struct store_node sn = { .name = (char *)j->node, .serial = (char *)serial,
				 .address = (char *)j->addr, .source = (char *)j->source,
				 .labels = labels, .inventory = inv };
	struct member *m;
	int rc;

	pthread_mutex_lock(&cl->mu);
	rc = name_free(cl, j->node, e);
	if (rc == 0)
		rc = store_node_put(cl->st, &sn, e);
	if (rc == 0 && (m = member_add(cl, j->node)) == NULL)
		rc = err_set(e, ERR_TOOBIG, "a cluster has at most %d nodes", MEMBERS_MAX);
	if (rc == 0) {
		snprintf(m->serial, sizeof(m->serial), "%s", serial);
		snprintf(m->address, sizeof(m->address), "%s", j->addr);
		snprintf(m->source, sizeof(m->source), "%s", j->source);
		json_decref(m->labels);
		m->labels = j->labels ? json_deep_copy(j->labels) : json_object();
		m->inv = j->inv;
		m->has_inv = j->has_inv;
		snprintf(m->version, sizeof(m->version), "%s", j->inv.agent_version);
		m->draining = false;
		m->joined_at_ms = store_now_ms();
		m->seen_ms = cluster_now_ms();
		m->heard = false;   /* ready at its first heartbeat */
		cluster_event(cl, "node.joined", "node '%s' joined from %s", j->node, j->addr);
	}
	pthread_mutex_unlock(&cl->mu);
	free(labels);
	free(inv);
	json_decref(invj);
	return rc;
}

static int join(struct http_req *req, void *arg, struct err *e)
{
	struct cluster_srv *cl = arg;
	const char *names[1];
	json_t *body = NULL;
	struct buf cert = BUF_INIT;
	char serial[65] = "";
	struct join j;
	int rc = http_req_json(req, &body, e);

	if (rc == 0)
		rc = parse(req, body, &j, e);
	if (rc == 0 && check_token(cl, j.token, e) < 0) {
		rc = http_reply_error(req, 401, "unauthorized", "join refused: %s", e->msg);
		goto out;
	}
	if (rc == 0) {
		pthread_mutex_lock(&cl->mu);
		rc = name_free(cl, j.node, e);
		pthread_mutex_unlock(&cl->mu);
	}
	names[0] = j.addr;
	if (rc == 0)
		rc = tls_ca_sign_csr(cl->ca_dir, j.csr, strlen(j.csr), j.node, names, 1, &cert,
				     serial, e);
	if (rc == 0)
		rc = admit(cl, &j, serial, e);
	if (rc == 0)
		rc = http_reply_json(req, 200, json_pack("{s:s, s:s, s:s, s:i, s:I}", "node", j.node,
							 "certificate", buf_str(&cert), "server_node",
							 cl->local, "heartbeat_ms", 1000,
							 "node_down_after_ms",
							 (json_int_t)cl->node_down_after_ms));
	if (rc == 0)
		cluster_changed(cl);
out:
	buf_release(&cert);
	json_decref(body);
	return rc;
}

int cluster_routes_join(struct router *r, struct cluster_srv *cl, struct err *e)
{
	if (router_add(r, "GET", "/cluster/v1/ca", get_ca, cl, e) < 0 ||
	    router_add(r, "POST", "/cluster/v1/join", join, cl, e) < 0)
		return ERR_FAIL;
	return 0;
}
