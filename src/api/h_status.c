/*
 * h_status.c - observed state: status, projects, services, health,
 * and Prometheus metrics. All of it comes from the control loop's snapshot.
 */
#include "api/ctx.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "proxy/proxy.h"

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
	    router_add(r, "GET", "/api/v1/health", health, a, e) < 0 ||
	    router_add(r, "GET", "/metrics", metrics, a, e) < 0)
		return ERR_FAIL;
	return 0;
}
