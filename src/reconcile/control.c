/*
 * control.c - the control thread: messages in, plans, actions out.
 *
 * Each turn waits for a message or for the earliest time a plan asked to
 * be woken, handles every queued message, then plans every service and
 * executes the actions. Docker calls made here are short (create, start,
 * inspect); stops and removals go to the reaper thread.
 */
#include "reconcile/loop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "reconcile/plan.h"
#include "store/event.h"
#include "store/observed.h"

void control_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

void control_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vat(LOG_WARN, NULL, 0, fmt, ap);
	va_end(ap);
}

/* Events that say something went wrong are warnings in the log. */
static enum log_level event_level(const char *kind)
{
	static const char *const bad[] = { ".failed", ".crashed", ".lost", ".unhealthy" };
	size_t n = strlen(kind);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (n >= strlen(bad[i]) && strcmp(kind + n - strlen(bad[i]), bad[i]) == 0)
			return LOG_WARN;
	return LOG_INFO;
}

static void log_event(const struct svc *s, int replica, const char *kind, const char *msg)
{
	struct log_field f[4] = { { "kind", kind, 0 } };
	size_t n = 1;

	if (s) {
		f[n++] = (struct log_field){ "project", s->project, 0 };
		f[n++] = (struct log_field){ "service", s->name, 0 };
	}
	if (s && replica >= 0)
		f[n++] = (struct log_field){ "replica", NULL, replica };
	if (s && replica >= 0)
		log_at(event_level(kind), f, n, "%s/%s[%d] %s: %s", s->project, s->name,
		       replica, kind, msg);
	else if (s)
		log_at(event_level(kind), f, n, "%s/%s %s: %s", s->project, s->name, kind, msg);
	else
		log_at(event_level(kind), f, n, "%s: %s", kind, msg);
}

void control_event(struct control *c, const struct svc *s, int replica,
		   const char *kind, const char *fmt, ...)
{
	struct store_event ev = { 0 };
	char msg[512];
	struct err e = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev.project = s ? s->project : "";
	ev.service = s ? s->name : "";
	ev.replica = replica;
	ev.kind = (char *)kind;
	ev.message = msg;
	log_event(s, replica, kind, msg);
	if (store_event_append(c->st, &ev, NULL, &e) < 0)
		control_warn("event log: %s", e.msg);
	c->dirty = true;
}

struct svc *control_find_svc(struct control *c, const char *project, const char *name)
{
	for (size_t i = 0; i < c->nsvcs; i++)
		if (strcmp(c->svcs[i]->project, project) == 0 &&
		    strcmp(c->svcs[i]->name, name) == 0)
			return c->svcs[i];
	return NULL;
}

/* What a previous server counted: restarts and the last error. */
static void load_runtime(struct control *c, struct svc *s)
{
	struct store_service_runtime rt = { 0 };
	struct err e = { 0 };

	if (store_service_runtime_get(c->st, s->project, s->name, &rt, &e) == 0) {
		s->restarts = rt.restart_count;
		snprintf(s->last_error, sizeof(s->last_error), "%s", rt.last_error);
	}
	store_service_runtime_release(&rt);
}

void control_save_runtime(struct control *c, const struct svc *s)
{
	struct store_service_runtime rt = { 0 };
	struct err e = { 0 };

	rt.project = s->project;
	rt.service = s->name;
	rt.restart_count = s->restarts;
	rt.last_error = (char *)s->last_error;
	if (store_service_runtime_put(c->st, &rt, &e) < 0)
		control_warn("%s/%s: save restarts: %s", s->project, s->name, e.msg);
}

struct svc *control_add_svc(struct control *c, const char *project, const char *name)
{
	struct svc *s = control_find_svc(c, project, name);

	if (s)
		return s;
	s = xcalloc(1, sizeof(*s));
	s->project = xstrdup(project);
	s->name = xstrdup(name);
	load_runtime(c, s);
	XGROW(c->svcs, c->svcs_cap, c->nsvcs + 1);
	c->svcs[c->nsvcs++] = s;
	return s;
}

struct replica *svc_find_replica(struct svc *s, const char *id, size_t *pos)
{
	for (size_t i = 0; i < s->nreplicas; i++) {
		if (strcmp(s->replicas[i].id, id) == 0) {
			if (pos)
				*pos = i;
			return &s->replicas[i];
		}
	}
	return NULL;
}

struct svc *control_find_by_container(struct control *c, const char *id, size_t *pos)
{
	for (size_t i = 0; i < c->nsvcs; i++)
		if (svc_find_replica(c->svcs[i], id, pos))
			return c->svcs[i];
	return NULL;
}

/* Drops replicas that left Docker, and services with nothing left to do. */
static void compact(struct control *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];
		size_t k = 0;

		for (size_t j = 0; j < s->nreplicas; j++)
			if (!s->replicas[j].gone || s->replicas[j].id[0])
				s->replicas[k++] = s->replicas[j];
		s->nreplicas = k;
		if (s->spec == NULL && s->nreplicas == 0) {
			free(s->project);
			free(s->name);
			free(s->replicas);
			free(s);
			c->dirty = true;
			continue;
		}
		c->svcs[n++] = s;
	}
	c->nsvcs = n;
}

static bool deps_ready(struct control *c, const struct svc *s)
{
	for (size_t i = 0; s->spec && i < s->spec->ndepends_on; i++) {
		struct svc *d = control_find_svc(c, s->project, s->spec->depends_on[i]);
		bool ok = false;

		for (size_t j = 0; d && j < d->nreplicas && !ok; j++)
			ok = replica_serving(&d->replicas[j]);
		if (!ok)
			return false;
	}
	return true;
}

static void reset_crashes(struct svc *s, int64_t now)
{
	struct svc_counts n;

	if (s->crashes == 0 || now - s->last_crash_ms < RECONCILE_STABLE_MS)
		return;
	svc_counts(s, &n);
	if (n.healthy >= n.desired)
		s->crashes = 0;
}

static void apply(struct control *c, struct svc *s, const struct action *a)
{
	struct err e = { 0 };
	int rc;

	switch (a->kind) {
	case ACTION_CREATE:
		/* CONTROL_PULLING: MSG_PULLED will bring the planner back */
		rc = control_create_replica(c, s, a->index, &e);
		if (rc < 0 && docker_client_lost(c->dc)) {
			control_engine_lost(c, e.msg);   /* not the service's fault */
		} else if (rc < 0) {
			/* back off like a crash: a missing image or secret must
			 * not make the loop hammer the engine */
			int64_t wait = control_back_off(s);

			snprintf(s->last_error, sizeof(s->last_error), "%s", e.msg);
			control_event(c, s, a->index, "replica.failed", "%s; next try in %lld ms",
				      e.msg, (long long)wait);
			if (s->rolling)
				control_rollout_failed(c, s, e.msg);
		}
		break;
	case ACTION_DRAIN:
		control_drain_replica(c, s, a->replica);
		break;
	case ACTION_REMOVE:
		control_remove_replica(c, s, a->replica, a->reason);
		break;
	case ACTION_FAIL:
		control_rollout_failed(c, s, a->reason);
		break;
	}
}

static void promote(struct control *c, const char *project, const char *name)
{
	struct svc *s = control_find_svc(c, project, name);

	if (s == NULL || !s->canary)
		return;
	s->canary = false;
	control_event(c, s, -1, "canary.promoted", "revision %d replaces the stable replicas",
		      s->revision);
}

/*
 * A canary whose 5xx rate exceeds the stable revision's by more than
 * canary_error_margin percentage points, over at least canary_min_requests
 * of its own requests, is rolled back.
 */
static void check_canary(struct control *c, struct svc *s)
{
	int64_t n[4];   /* canary requests, canary 5xx, stable requests, stable 5xx */
	double cr, sr;
	char why[224];

	if (!s->canary || c->canary_counts == NULL ||
	    c->canary_counts(c->canary_counts_arg, s->project, s->name, s->revision, n) < 0 ||
	    n[0] < s->spec->deploy.canary_min_requests)
		return;
	cr = 100.0 * (double)n[1] / (double)n[0];
	sr = n[2] ? 100.0 * (double)n[3] / (double)n[2] : 0.0;
	if (cr - sr <= s->spec->deploy.canary_error_margin)
		return;
	snprintf(why, sizeof(why), "canary revision %d answered %.1f%% 5xx over %lld requests, "
		 "stable %.1f%% (margin %d points): aborted", s->revision, cr, (long long)n[0], sr,
		 s->spec->deploy.canary_error_margin);
	control_event(c, s, -1, "canary.aborted", "%s", why);
	control_rollout_failed(c, s, why);
}

/* Plans and acts on one service; returns false when it must be planned
 * again at once (its desired state changed under it). */
static bool reconcile_svc(struct control *c, struct svc *s, struct plan *p, int64_t now)
{
	const struct service *spec = s->spec;
	const char *hash = spec ? s->spec_hash : "";
	char before[SPEC_HASH_LEN + 1];

	snprintf(before, sizeof(before), "%s", hash);
	if (s->canary) {
		check_canary(c, s);
		if (s->spec != spec || strcmp(s->spec_hash, before) != 0)
			return false;
	}
	s->deps_ready = deps_ready(c, s);
	for (size_t i = 0; i < s->nreplicas; i++) {
		struct replica *r = &s->replicas[i];

		if (r->phase == REPLICA_DRAINING && r->drain_by_proxy && !r->gone)
			r->drained = c->inflight(c->inflight_arg, r->id) == 0;
	}
	reset_crashes(s, now);
	plan_service(s, now, p);
	for (size_t i = 0; i < p->len; i++) {
		/* positions stay valid: removal only marks a replica gone */
		apply(c, s, &p->items[i]);
		if (s->spec != spec || strcmp(s->spec_hash, before) != 0)
			return false;
	}
	if (s->backoff_until_ms > now && (p->wake_ms == 0 || s->backoff_until_ms < p->wake_ms))
		p->wake_ms = s->backoff_until_ms;   /* a create that failed just now */
	if (p->wake_ms && (c->wake_ms == 0 || p->wake_ms < c->wake_ms))
		c->wake_ms = p->wake_ms;
	return true;
}

static void reconcile_all(struct control *c)
{
	struct plan p;
	int64_t now = mailbox_now_ms();

	plan_init(&p);
	c->wake_ms = 0;
	for (size_t i = 0; i < c->nsvcs && !control_engine_down(c); i++) {
		if (!reconcile_svc(c, c->svcs[i], &p, now))
			c->wake_ms = now;  /* replan soon with the new desired state */
	}
	plan_release(&p);
	compact(c);
}

static void handle(struct control *c, const struct msg *m, bool *stop)
{
	struct err e = { 0 };

	switch (m->kind) {
	case MSG_DEPLOY:
		control_track_deploy(c, m->arg);
		break;
	case MSG_RELOAD:
		if (control_load_project(c, m->project, NULL, &e) < 0)
			control_warn("reload '%s': %s", m->project, e.msg);
		control_prune_project(c, m->project);
		break;
	case MSG_EVENT:
		control_on_event(c, m);
		break;
	case MSG_PROBE:
		control_on_probe(c, &m->probe);
		break;
	case MSG_REMOVED:
		control_on_removed(c, m);
		break;
	case MSG_RESYNC:
		c->next_resync_ms = 0;
		break;
	case MSG_PULLED:
		control_on_pulled(c, m);
		break;
	case MSG_PROMOTE:
		promote(c, m->project, m->id);
		break;
	case MSG_STOP:
		*stop = true;
		break;
	}
}

static int64_t earliest(int64_t a, int64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

void *control_thread_main(void *arg)
{
	struct control *c = arg;
	bool stop = false;

	while (!stop) {
		int64_t until = control_engine_down(c) ? c->engine_retry_ms
						       : earliest(c->wake_ms, c->next_resync_ms);
		struct msg *list = mailbox_wait(&c->mb, until);
		struct err e = { 0 };

		for (struct msg *m = list; m && !stop; m = m->next)
			handle(c, m, &stop);
		mailbox_free_list(list);
		if (stop)
			break;
		if (c->dirty)
			control_publish(c);   /* what was observed, before acting on it */
		control_engine_check(c);
		if (!control_engine_down(c) && mailbox_now_ms() >= c->next_resync_ms) {
			if (control_engine_resync(c, &e) < 0 && !control_engine_down(c))
				control_warn("resync: %s", e.msg);
			c->next_resync_ms = mailbox_now_ms() + c->resync_ms;
		}
		if (control_engine_down(c)) {
			/* nothing can be done: no plans, no deadlines */
			if (c->dirty)
				control_publish(c);
			continue;
		}
		if (mailbox_now_ms() >= c->next_prune_ms) {
			control_prune_all(c);
			c->next_prune_ms = mailbox_now_ms() + PRUNE_EVERY_MS;
		}
		reconcile_all(c);
		control_check_deploys(c);
		control_check_activation(c);
		if (c->dirty)
			control_publish(c);
	}
	return NULL;
}
