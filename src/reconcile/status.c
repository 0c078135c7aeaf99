/*
 * status.c - the observed state as JSON, published for other threads.
 *
 * Built by the control thread after each turn that changed something, then
 * swapped in under snap_mu; readers take a reference and never modify it.
 * Everything in it was observed (Docker, health checks) except "desired".
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <string.h>

static const char *service_state(const struct svc *s, const struct svc_counts *n,
				 int64_t now)
{
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
		      "state", service_state(s, &n, now), "desired", n.desired,
		      "running", n.running, "healthy", n.healthy, "draining", n.draining,
		      "outdated", n.outdated, "restarts", s->restarts,
		      "last_error", s->last_error, "replicas", reps);
	if (s->spec)
		json_object_set_new(o, "port", s->spec->port ? json_integer(s->spec->port)
							     : json_null());
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
	snap = json_pack("{s:o, s:s, s:s}", "projects", projects, "node", c->node,
			 "instance", c->instance);
	pthread_mutex_lock(&c->snap_mu);
	old = c->snapshot;
	c->snapshot = snap;
	pthread_mutex_unlock(&c->snap_mu);
	json_decref(old);
	c->dirty = false;
	control_cache_sync(c);
	if (c->publish != NULL)
		c->publish(c->publish_arg, snap);   /* still held by c->snapshot */
}
