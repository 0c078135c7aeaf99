/*
 * h_status.c - observed state: status, projects, services, nodes, health,
 * and Prometheus metrics. All of it comes from the control loop's snapshot.
 */
#include "api/ctx.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "proxy/proxy.h"
#include "reconcile/desired.h"
#include "sched/scheduler.h"

static int status_all(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	json_t *snap = control_status(a->control);
	json_t *out = json_pack("{s:O, s:O}", "projects", json_object_get(snap, "projects"),
				"engine", json_object_get(snap, "engine"));

	(void)e;
	json_decref(snap);
	return http_reply_json(req, 200, out);
}

static int status_project(struct http_req *req, void *arg, struct err *e)
{
	json_t *p = api_find_project(arg, http_req_param(req, "project"), e);

	if (p == NULL)
		return ERR_NOTFOUND;
	return http_reply_json(req, 200, json_pack("{s:o}", "project", p));
}

static int status_service(struct http_req *req, void *arg, struct err *e)
{
	json_t *s = api_find_service(arg, http_req_param(req, "project"),
				     http_req_param(req, "service"), e);

	json_t *out;

	if (s == NULL)
		return ERR_NOTFOUND;
	out = json_copy(s);   /* the snapshot's object is shared: add to a copy */
	json_decref(s);
	json_object_set_new(out, "traffic", proxy_service_stats(((struct api *)arg)->proxy,
								 http_req_param(req, "project"),
								 http_req_param(req, "service")));
	return http_reply_json(req, 200, json_pack("{s:o}", "service", out));
}

static int health(struct http_req *req, void *arg, struct err *e)
{
	struct docker_client *dc = api_docker(arg, e);
	const char *docker = "";

	if (dc && docker_client_negotiate(dc, e) == 0)
		docker = docker_client_server_version(dc);
	return http_reply_json(req, 200, json_pack("{s:s, s:s, s:s, s:s}", "status",
						   docker[0] ? "ok" : "degraded", "version",
						   ORCA_VERSION, "docker", docker,
						   "node", control_node(((struct api *)arg)->control)));
}

/* The cluster config of the current cluster revision (nodes), or an empty one. */
static struct config *cluster_config(struct api *a, struct err *e)
{
	struct store *st = api_store(a, e);
	struct config *c = NULL;

	if (st == NULL || desired_cluster(st, &c, e) < 0)
		return NULL;
	return c;
}

/* Records the running replicas of one project with what their specs ask. */
static void add_project(struct scheduler *sch, struct store *st, json_t *proj,
			const char *node)
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
				scheduler_add(sch, &req, node, 0, &e);
	}
	desired_release(&d);
}

static json_t *node_json(const struct scheduler *sch, size_t i, const struct config *cfg)
{
	struct scheduler_usage u;
	const struct node *n;
	json_t *labels = json_object(), *models = json_array();

	scheduler_node_usage(sch, i, &u);
	n = config_find_node(cfg, u.name);
	for (size_t k = 0; n && k < n->nlabels; k++)
		json_object_set_new(labels, n->labels[k].key, json_string(n->labels[k].value));
	for (size_t k = 0; n && k < n->ngpus; k++)
		if (n->gpus[k].model != NULL)
			json_array_append_new(models, json_string(n->gpus[k].model));
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:i, s:i, s:o, s:i, s:o}", "name", u.name,
			 "memory_bytes", (json_int_t)u.memory_bytes,
			 "memory_used", (json_int_t)u.memory_used,
			 "cpu_millis", (json_int_t)u.cpu_millis, "cpu_used", (json_int_t)u.cpu_used,
			 "gpus", u.gpus, "gpus_used", u.gpus_used, "gpu_models", models,
			 "replicas", u.replicas, "labels", labels);
}

static int nodes(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	struct config *cfg = cluster_config(a, e);
	struct scheduler_host host = { 0 };
	struct scheduler *sch = NULL;
	json_t *snap, *list, *p;
	size_t i;
	int rc;

	if (cfg == NULL)
		return e->code ? e->code : ERR_FAIL;
	list = json_array();
	scheduler_host_detect(&host);
	host.name = control_node(a->control);
	rc = scheduler_new_from_config(&sch, cfg, &host, e);
	if (rc < 0) {
		config_free(cfg);
		json_decref(list);
		return rc;
	}
	snap = control_status(a->control);
	json_array_foreach(json_object_get(snap, "projects"), i, p)
		add_project(sch, api_store(a, e), p, host.name);
	for (i = 0; i < scheduler_node_count(sch); i++)
		json_array_append_new(list, node_json(sch, i, cfg));
	json_decref(snap);
	scheduler_free(sch);
	snap = json_pack("{s:s, s:o}", "cluster", cfg->cluster.name, "nodes", list);
	config_free(cfg);
	return http_reply_json(req, 200, snap);
}

static void metric_service(struct buf *b, json_t *s)
{
	const char *p = json_string_value(json_object_get(s, "project"));
	const char *n = json_string_value(json_object_get(s, "name"));
	static const char *const gauges[] = { "desired", "running", "healthy", "draining", NULL };

	for (int i = 0; gauges[i]; i++)
		buf_printf(b, "orca_service_replicas{project=\"%s\",service=\"%s\",state=\"%s\"} %lld\n",
			   p, n, gauges[i],
			   (long long)json_integer_value(json_object_get(s, gauges[i])));
	buf_printf(b, "orca_service_restarts_total{project=\"%s\",service=\"%s\"} %lld\n", p, n,
		   (long long)json_integer_value(json_object_get(s, "restarts")));
}

static int metrics(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	json_t *snap = control_status(a->control), *p, *s;
	struct buf b = BUF_INIT;
	size_t i, j;
	int rc;

	(void)e;
	buf_puts(&b, "# TYPE orca_service_replicas gauge\n"
		     "# TYPE orca_service_restarts_total counter\n");
	json_array_foreach(json_object_get(snap, "projects"), i, p)
		json_array_foreach(json_object_get(p, "services"), j, s)
			metric_service(&b, s);
	proxy_metrics(a->proxy, &b);
	buf_puts(&b, "# TYPE orca_up gauge\norca_up 1\n");
	json_decref(snap);
	rc = http_reply(req, 200, "text/plain; version=0.0.4", b.data, b.len);
	buf_release(&b);
	return rc;
}

int api_routes_status(struct router *r, struct api *a, struct err *e)
{
	if (router_add(r, "GET", "/api/v1/status", status_all, a, e) < 0 ||
	    router_add(r, "GET", "/api/v1/projects/{project}", status_project, a, e) < 0 ||
	    router_add(r, "GET", "/api/v1/projects/{project}/services/{service}", status_service,
		       a, e) < 0 ||
	    router_add(r, "GET", "/api/v1/nodes", nodes, a, e) < 0 ||
	    router_add(r, "GET", "/api/v1/health", health, a, e) < 0 ||
	    router_add(r, "GET", "/metrics", metrics, a, e) < 0)
		return ERR_FAIL;
	return 0;
}
