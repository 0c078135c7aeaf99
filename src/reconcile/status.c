/*
 * status.c - the observed state as JSON, published for other threads.
 *
 * Built by the control thread after each turn that changed something, then
 * swapped in under snap_mu; readers take a reference and never modify it.
 * Everything in it was observed (Docker, health checks) except "desired"
 * and what the proxy routes by: "domains", "routes", "proxy" per service
 * and the cluster's "proxy" settings.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <string.h>

#include "config/json.h"

static const char *service_state(const struct control *c, const struct svc *s,
				 const struct svc_counts *n, int64_t now)
{
	if (control_engine_down(c))
		return "engine_unreachable";   /* nothing observed can be trusted */
	if (s->spec == NULL)
		return "removing";
	if (s->failed)
		return "failed";
	if (s->rolling)
		return "deploying";
	if (n->desired == 0)
		return n->running ? "stopping" : "stopped";
	if (s->crashes > 1 && n->healthy < n->desired && now - s->last_crash_ms < 60000)
		return "crashloop";
	if (n->healthy < n->desired || n->outdated)
		return "degraded";
	return "running";
}

static json_t *replica_json(const struct control *c, const struct replica *r)
{
	json_t *probe = json_null();

	if (r->last_probe[0])
		probe = json_pack("{s:b, s:s, s:I}", "ok", r->last_probe_ok, "detail", r->last_probe,
				  "at", (json_int_t)r->last_probe_ms);
	return json_pack("{s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:o}",
			 "index", r->index, "container", r->id, "name", r->name,
			 "revision", r->revision, "state", replica_phase_name(r->phase),
			 "health", replica_health_name(r->health), "spec", r->spec_hash,
			 "ip", r->ip, "node", c->node, "started_at", (json_int_t)r->started_at_ms,
			 "last_probe", probe);
}

/* The rule of config/check.c's default_domain(): a service that serves HTTP
 * as far as its config shows. The control loop parses projects one by one,
 * without the cluster, so the name is made here from the cluster it has. */
static bool serves_http(const struct service *sp)
{
	if (sp->runtime == RUNTIME_CONTAINER)
		return sp->port > 0 && sp->health.path != NULL;
	for (size_t i = 0; i < sp->ntriggers; i++)
		if (sp->triggers[i].kind == TRIGGER_HTTP)
			return true;
	return false;
}

size_t svc_domains(const struct control *c, const struct svc *s, const char **out, size_t max,
		   char *buf, size_t bufsz)
{
	const struct service *sp = s->spec;
	const char *cd = c->cluster ? c->cluster->cluster.domain : NULL;
	size_t n = 0;

	if (sp == NULL)
		return 0;
	for (size_t i = 0; i < sp->ndomains && n < max; i++)
		out[n++] = sp->domains[i];
	if (sp->ndomains == 0 && max > 0 && sp->default_domain) {
		out[n++] = sp->default_domain;
	} else if (sp->ndomains == 0 && max > 0 && cd && serves_http(sp)) {
		snprintf(buf, bufsz, "%s.%s.%s", s->name, s->project, cd);
		out[n++] = buf;
	}
	return n;
}

size_t svc_domain_count(const struct control *c, const struct svc *s)
{
	const char *d[1];
	char buf[300];

	return svc_domains(c, s, d, 1, buf, sizeof(buf));
}

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* What the proxy routes by (proxy/table.c reads these). */
static void routing_json(const struct control *c, const struct svc *s, json_t *o)
{
	const char *doms[64];
	char buf[300];
	size_t n = svc_domains(c, s, doms, 64, buf, sizeof(buf));

	json_object_set_new(o, "domains", strings(doms, n));
	json_object_set_new(o, "routes", strings((const char *const *)s->spec->routes,
						 s->spec->nroutes));
	json_object_set_new(o, "proxy", json_pack("{s:I, s:I}", "max_header_bytes",
						  (json_int_t)s->spec->max_header_bytes,
						  "max_body_bytes",
						  (json_int_t)s->spec->max_body_bytes));
}

static json_t *service_json(const struct control *c, const struct svc *s, int64_t now)
{
	struct svc_counts n;
	json_t *reps = json_array();
	json_t *o;

	svc_counts(s, &n);
	for (size_t i = 0; i < s->nreplicas; i++)
		if (!s->replicas[i].gone)
			json_array_append_new(reps, replica_json(c, &s->replicas[i]));
	o = json_pack("{s:s, s:s, s:s, s:s?, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:o}",
		      "project", s->project, "name", s->name,
		      "runtime", s->spec ? runtime_name(s->spec->runtime) : "container",
		      "image", s->spec ? s->spec->image : NULL, "revision", s->revision,
		      "state", service_state(c, s, &n, now), "desired", n.desired,
		      "running", n.running, "healthy", n.healthy, "draining", n.draining,
		      "outdated", n.outdated, "restarts", s->restarts,
		      "last_error", s->last_error, "replicas", reps);
	if (s->spec) {
		json_object_set_new(o, "port", s->spec->port ? json_integer(s->spec->port)
							     : json_null());
		routing_json(c, s, o);
		json_object_set_new(o, "canary", s->canary ? json_pack("{s:i, s:i}", "revision",
				    s->revision, "weight", s->spec->deploy.canary_weight) : json_null());
	}
	return o;
}

static json_t *project_json(const struct control *c, const struct desired *d, int64_t now)
{
	json_t *svcs = json_array();

	for (size_t i = 0; i < c->nsvcs; i++)
		if (strcmp(c->svcs[i]->project, d->project) == 0)
			json_array_append_new(svcs, service_json(c, c->svcs[i], now));
	return json_pack("{s:s, s:I, s:I, s:o}", "name", d->project,
			 "revision", (json_int_t)d->revision,
			 "good_revision", (json_int_t)d->good_revision, "services", svcs);
}

void control_publish(struct control *c)
{
	json_t *projects = json_array();
	json_t *snap, *old;
	int64_t now = mailbox_now_ms();

	for (size_t i = 0; i < c->nprojects; i++)
		if (c->projects[i].revision > 0)
			json_array_append_new(projects, project_json(c, &c->projects[i], now));
	snap = json_pack("{s:o, s:s, s:s, s:o}", "projects", projects, "node", c->node,
			 "instance", c->instance, "proxy",
			 c->cluster ? config_proxy_json(&c->cluster->cluster) : json_object());
	json_object_set_new(snap, "engine", control_engine_json(c));
	pthread_mutex_lock(&c->snap_mu);
	old = c->snapshot;
	c->snapshot = snap;
	pthread_mutex_unlock(&c->snap_mu);
	json_decref(old);
	if (c->publish)
		c->publish(c->publish_arg, snap);
	c->dirty = false;
	control_cache_sync(c);
	if (c->publish != NULL)
		c->publish(c->publish_arg, snap);   /* still held by c->snapshot */
}
