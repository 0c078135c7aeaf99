/*
 * h_nodes.c - the nodes of the cluster: what each has, uses and is, and
 * adding, draining and removing them.
 *
 *	GET    /api/v1/nodes                   every node (declared or joined)
 *	POST   /api/v1/nodes/token             a join token {"ttl_ms"?}
 *	POST   /api/v1/nodes/{node}/drain      no new replicas; move the ones there
 *	POST   /api/v1/nodes/{node}/activate   take replicas again
 *	DELETE /api/v1/nodes/{node}            revoke the node (?force=1: even
 *	                                       while it still runs replicas)
 */
#include "api/ctx.h"

#include <stdio.h>
#include <string.h>

#include "base/jsonx.h"
#include "cluster/cluster.h"
#include "reconcile/desired.h"
#include "reconcile/nodes.h"
#include "sched/scheduler.h"

/* The cluster config of the current cluster revision, or an empty one. */
static struct config *cluster_config(struct api *a, struct err *e)
{
	struct store *st = api_store(a, e);
	struct config *c = NULL;

	if (st == NULL || desired_cluster(st, &c, e) < 0)
		return NULL;
	return c;
}

/* Records the running replicas of one project, on their nodes. */
static void add_project(struct scheduler *sch, struct store *st, json_t *proj)
{
	const char *name = json_string_value(json_object_get(proj, "name"));
	struct desired d;
	struct err e = { 0 };
	json_t *s, *r;
	size_t i, j;

	if (st == NULL || desired_load(st, name, &d, &e) < 0)
		return;
	json_array_foreach(json_object_get(proj, "services"), i, s) {
		const struct service *spec = desired_find(&d, json_string_value(json_object_get(s, "name")));
		struct scheduler_request req;

		if (spec == NULL)
			continue;
		scheduler_request_from_service(&req, spec);
		json_array_foreach(json_object_get(s, "replicas"), j, r)
			if (strcmp(json_string_value(json_object_get(r, "state")), "running") == 0)
				scheduler_add(sch, &req, json_string_value(json_object_get(r, "node")),
					      0, &e);
	}
	desired_release(&d);
}

static json_t *node_json(const struct scheduler *sch, const struct node_table *t, size_t i)
{
	struct scheduler_usage u;
	const struct node *n = &t->nodes[i];
	json_t *labels = json_object(), *models = json_array();
	json_t *o = json_deep_copy(json_array_get(t->info, i));

	scheduler_node_usage(sch, i, &u);
	for (size_t k = 0; k < n->nlabels; k++)
		json_object_set_new(labels, n->labels[k].key, json_string(n->labels[k].value));
	for (size_t k = 0; k < n->ngpus; k++)
		if (n->gpus[k].model != NULL)
			json_array_append_new(models, json_string(n->gpus[k].model));
	json_t *more = json_pack("{s:I, s:I, s:I, s:I, s:i, s:i, s:o, s:i, s:o}",
					"memory_bytes", (json_int_t)u.memory_bytes,
					"memory_used", (json_int_t)u.memory_used,
					"cpu_millis", (json_int_t)u.cpu_millis,
					"cpu_used", (json_int_t)u.cpu_used, "gpus", u.gpus,
					"gpus_used", u.gpus_used, "gpu_models", models,
					"replicas", u.replicas, "labels", labels);

	json_object_update(o, more);
	json_decref(more);
	return o;
}

static int nodes(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	struct config *cfg = cluster_config(a, e);
	struct scheduler_host host = { 0 };
	struct scheduler *sch = NULL;
	struct node_table t;
	json_t *snap, *list, *p, *members;
	size_t i;
	int rc;

	if (cfg == NULL)
		return e->code ? e->code : ERR_FAIL;
	scheduler_host_detect(&host);
	members = a->cluster ? cluster_members(a->cluster) : NULL;
	rc = node_table_build(&t, cfg, members, control_node(a->control), &host, e);
	json_decref(members);
	if (rc == 0)
		rc = scheduler_new(&sch, t.nodes, t.n, e);
	if (rc < 0) {
		node_table_release(&t);
		config_free(cfg);
		return rc;
	}
	snap = control_status(a->control);
	json_array_foreach(json_object_get(snap, "projects"), i, p)
		add_project(sch, api_store(a, e), p);
	json_decref(snap);
	list = json_array();
	for (i = 0; i < t.n; i++)
		json_array_append_new(list, node_json(sch, &t, i));
	scheduler_free(sch);
	node_table_release(&t);
	snap = json_pack("{s:s, s:o, s:s}", "cluster", cfg->cluster.name, "nodes", list, "join",
			 a->cluster ? cluster_url(a->cluster) : "");
	config_free(cfg);
	return http_reply_json(req, 200, snap);
}

static int token(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	json_t *body = NULL, *out = NULL;
	int64_t ttl = 0;
	size_t len = 0;
	int rc = 0;

	http_req_body(req, &len);
	if (len > 0 && (rc = http_req_json(req, &body, e)) == 0 &&
	    (jsonx_expect_object(body, "request body", e) < 0 ||
	     jsonx_get_int_range(body, "ttl_ms", JSONX_OPTIONAL, 1000, CLUSTER_TOKEN_TTL_MAX_MS,
				 &ttl, e) < 0))
		rc = ERR_INVALID;
	if (rc == 0 && a->cluster == NULL)
		rc = err_set(e, ERR_CONFLICT, "this server runs no cluster listener");
	if (rc == 0)
		rc = cluster_token(a->cluster, ttl, &out, e);
	json_decref(body);
	return rc < 0 ? rc : http_reply_json(req, 200, out);
}

static int set_drain(struct http_req *req, struct api *a, bool on, struct err *e)
{
	const char *node = http_req_param(req, "node");
	int rc = a->cluster ? cluster_drain(a->cluster, node, on, e)
			    : err_set(e, ERR_NOTFOUND, "no node named '%s'", node);

	return rc < 0 ? rc : http_reply_json(req, 200, json_pack("{s:s, s:s}", "node", node,
								 "state", on ? "draining" : "ready"));
}

static int drain(struct http_req *req, void *arg, struct err *e)
{
	return set_drain(req, arg, true, e);
}

static int activate(struct http_req *req, void *arg, struct err *e)
{
	return set_drain(req, arg, false, e);
}

/* Replicas the status shows on node. */
static int replicas_on(struct api *a, const char *node)
{
	json_t *snap = control_status(a->control), *p, *s, *r;
	size_t i, j, k;
	int n = 0;

	json_array_foreach(json_object_get(snap, "projects"), i, p)
		json_array_foreach(json_object_get(p, "services"), j, s)
			json_array_foreach(json_object_get(s, "replicas"), k, r)
				n += strcmp(json_string_value(json_object_get(r, "node")), node) == 0;
	json_decref(snap);
	return n;
}

static int remove_node(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	const char *node = http_req_param(req, "node");
	int force = 0, n, rc = http_req_query_bool(req, "force", &force, e);

	if (rc < 0)
		return rc;
	if (a->cluster == NULL)
		return err_set(e, ERR_NOTFOUND, "no node named '%s'", node);
	if (!force && (n = replicas_on(a, node)) > 0)
		return err_set(e, ERR_CONFLICT, "node '%s' still runs %d replica%s: drain it first "
			       "(orca node drain %s), or remove it with --force and its replicas are "
			       "replaced elsewhere", node, n, n == 1 ? "" : "s", node);
	if ((rc = cluster_remove(a->cluster, node, e)) < 0)
		return rc;
	return http_reply_json(req, 200, json_pack("{s:s, s:b}", "node", node, "removed", 1));
}

int api_routes_nodes(struct router *r, struct api *a, struct err *e)
{
	if (router_add(r, "GET", "/api/v1/nodes", nodes, a, e) < 0 ||
	    router_add(r, "POST", "/api/v1/nodes/token", token, a, e) < 0 ||
	    router_add(r, "POST", "/api/v1/nodes/{node}/drain", drain, a, e) < 0 ||
	    router_add(r, "POST", "/api/v1/nodes/{node}/activate", activate, a, e) < 0 ||
	    router_add(r, "DELETE", "/api/v1/nodes/{node}", remove_node, a, e) < 0)
		return ERR_FAIL;
	return 0;
}
