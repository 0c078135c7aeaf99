/*
 * plan.c - the rollout and self-healing rules of plan.h.
 */
#include "reconcile/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define MAX_INDEX 1000   /* config caps replicas at 1000 */

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
}

void plan_release(struct plan *p)
{
	free(p->items);
	plan_init(p);
}

const char *action_kind_name(enum action_kind k)
{
	switch (k) {
	case ACTION_CREATE: return "create";
	case ACTION_DRAIN: return "drain";
	case ACTION_REMOVE: return "remove";
	case ACTION_FAIL: return "fail";
	}
	return "?";
}

static struct action *add(struct plan *p, enum action_kind kind)
{
	struct action *a;

	XGROW(p->items, p->cap, p->len + 1);
	a = &p->items[p->len++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

static void addf(struct plan *p, enum action_kind kind, size_t replica,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void addf(struct plan *p, enum action_kind kind, size_t replica,
		 const char *fmt, ...)
{
	struct action *a = add(p, kind);
	va_list ap;

	a->replica = replica;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
}

static void wake_at(struct plan *p, int64_t t)
{
	if (t > 0 && (p->wake_ms == 0 || t < p->wake_ms))
		p->wake_ms = t;
}

/* Leaves the service: drained when it serves clients, else removed at once. */
static void retire(struct plan *p, const struct svc *s, size_t i, const char *why)
{
	if (replica_serving(&s->replicas[i]))
		addf(p, ACTION_DRAIN, i, "%s", why);
	else
		addf(p, ACTION_REMOVE, i, "%s", why);
}

static int rank(const struct replica *r)
{
	switch (r->health) {
	case HEALTH_HEALTHY: return 2;
	case HEALTH_STARTING: return 1;
	case HEALTH_UNHEALTHY: return 0;
	}
	return 0;
}

/* Is a better than b as the one replica to keep at an index? */
static bool better(const struct replica *a, const struct replica *b)
{
	if (rank(a) != rank(b))
		return rank(a) > rank(b);
	return a->created_ms > b->created_ms;
}

struct slot {
	long cur;        /* best replica of the desired spec, -1 none */
	long old;        /* an outdated replica, -1 none */
	bool old_healthy;
	int nold;
};

static bool current(const struct svc *s, const struct replica *r)
{
	return s->spec != NULL && strcmp(r->spec_hash, s->spec_hash) == 0;
}

static void exited(struct plan *p, const struct svc *s, size_t i)
{
	const struct replica *r = &s->replicas[i];

	if (s->rolling && current(s, r))
		addf(p, ACTION_FAIL, i, "replica %d exited with code %d%s before becoming healthy",
		     r->index, r->exit_code, r->oom_killed ? " (out of memory)" : "");
	addf(p, ACTION_REMOVE, i, "exited with code %d%s", r->exit_code,
	     r->oom_killed ? " (out of memory)" : "");
}

/* First pass: removals that need no comparison, and the per-index slots. */
static void sort_out(struct plan *p, const struct svc *s, int n, struct slot *slots,
		     int64_t now)
{
	for (size_t i = 0; i < s->nreplicas; i++) {
		const struct replica *r = &s->replicas[i];
		struct slot *sl;

		if (r->gone)
			continue;
		if (r->phase == REPLICA_DRAINING) {
			if (r->drained)
				addf(p, ACTION_REMOVE, i, "drained: no request in flight");
			else if (now >= r->drain_until_ms)
				addf(p, ACTION_REMOVE, i, "drained");
			else if (r->drain_by_proxy && now + RECONCILE_DRAIN_POLL_MS < r->drain_until_ms)
				wake_at(p, now + RECONCILE_DRAIN_POLL_MS);
			else
				wake_at(p, r->drain_until_ms);
			continue;
		}
		if (r->phase == REPLICA_EXITED) {
			exited(p, s, i);
			continue;
		}
		if (r->phase == REPLICA_CREATED) {
			addf(p, ACTION_REMOVE, i, "created but never started");
			continue;
		}
		if (r->index < 0 || r->index >= n) {
			retire(p, s, i, "scaled down");
			continue;
		}
		sl = &slots[r->index];
		if (!current(s, r)) {
			sl->nold++;
			if (sl->old < 0 || better(r, &s->replicas[sl->old]))
				sl->old = (long)i;
			sl->old_healthy |= r->health == HEALTH_HEALTHY;
			continue;
		}
		if (sl->cur < 0) {
			sl->cur = (long)i;
		} else if (better(r, &s->replicas[sl->cur])) {
			retire(p, s, (size_t)sl->cur, "duplicate replica");
			sl->cur = (long)i;
		} else {
			retire(p, s, i, "duplicate replica");
		}
	}
}

static void retire_old(struct plan *p, const struct svc *s, int index, const char *why)
{
	for (size_t i = 0; i < s->nreplicas; i++) {
		const struct replica *r = &s->replicas[i];

		if (!r->gone && r->index == index && r->phase == REPLICA_RUNNING &&
		    !current(s, r))
			retire(p, s, i, why);
	}
}

/* How long a new replica may take to pass: its start period comes on top. */
static int64_t ready_deadline(const struct svc *s)
{
	return RECONCILE_READY_DEADLINE_MS + (s->spec ? s->spec->health.start_period_ms : 0);
}

/* An index whose replica of the desired spec exists. */
static void judge_current(struct plan *p, const struct svc *s, const struct slot *sl,
			  int64_t now)
{
	const struct replica *r = &s->replicas[sl->cur];

	if (r->health == HEALTH_HEALTHY) {
		if (sl->nold && !s->canary)   /* a canary keeps the stable replicas */
			retire_old(p, s, r->index, "replaced");
		return;
	}
	if (r->health == HEALTH_UNHEALTHY) {
		if (s->rolling)
			addf(p, ACTION_FAIL, (size_t)sl->cur, "replica %d did not become healthy: %s",
			     r->index, r->last_probe[0] ? r->last_probe : "health check failed");
		else
			addf(p, ACTION_REMOVE, (size_t)sl->cur, "unhealthy: %s", r->last_probe);
		return;
	}
	if (s->rolling && r->created_ms + ready_deadline(s) <= now) {
		addf(p, ACTION_FAIL, (size_t)sl->cur,
		     "replica %d did not become healthy within %lld s%s%s", r->index,
		     (long long)(ready_deadline(s) / 1000), r->last_probe[0] ? ": " : "",
		     r->last_probe);
		return;
	}
	if (s->rolling)
		wake_at(p, r->created_ms + ready_deadline(s));
}

/* A canary runs canary_weight percent of the replicas, at least one, at the
 * lowest indexes, beside the stable replicas. */
static int canary_replicas(const struct svc *s)
{
	int n = s->spec->replicas * s->spec->deploy.canary_weight;

	return n < 100 ? 1 : (n + 99) / 100;
}

static bool may_create(const struct svc *s, struct plan *p, int64_t now)
{
	if (!s->deps_ready)
		return false;
	if (now < s->backoff_until_ms) {
		wake_at(p, s->backoff_until_ms);
		return false;
	}
	return true;
}

static void create(struct plan *p, int index, const char *why)
{
	struct action *a = add(p, ACTION_CREATE);

	a->index = index;
	snprintf(a->reason, sizeof(a->reason), "%s", why);
}

void plan_service(const struct svc *s, int64_t now, struct plan *p)
{
	int n = s->spec ? s->spec->replicas : 0;
	int surging = 0, unavailable = 0;
	struct slot *slots;

	p->len = 0;
	p->wake_ms = 0;
	if (n > MAX_INDEX)
		n = MAX_INDEX;
	slots = xcalloc((size_t)n + 1, sizeof(*slots));
	for (int i = 0; i < n; i++)
		slots[i].cur = slots[i].old = -1;
	sort_out(p, s, n, slots, now);
	for (int i = 0; i < n; i++) {
		bool cur_ok = slots[i].cur >= 0 &&
			      s->replicas[slots[i].cur].health == HEALTH_HEALTHY;

		if (slots[i].cur >= 0 && !cur_ok && slots[i].old >= 0)
			surging++;
		if (!cur_ok && !slots[i].old_healthy)
			unavailable++;
	}
	for (int i = 0; i < n; i++) {
		struct slot *sl = &slots[i];

		if (sl->cur >= 0) {
			judge_current(p, s, sl, now);
		} else if (sl->old >= 0 && s->canary) {
			if (i < canary_replicas(s) && may_create(s, p, now))
				create(p, i, "canary replica");
		} else if (sl->old >= 0) {
			if (surging < s->spec->deploy.max_surge) {
				if (may_create(s, p, now)) {
					create(p, i, "replace outdated replica");
					surging++;
				}
			} else if (unavailable < s->spec->deploy.max_unavailable) {
				if (sl->old_healthy)
					unavailable++;
				retire_old(p, s, i, "outdated; replaced after it stops");
			}
		} else if (may_create(s, p, now)) {
			create(p, i, "missing replica");
		}
	}
	free(slots);
}
