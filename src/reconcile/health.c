/*
 * health.c - from probe results to a replica's health verdict.
 *
 * The prober (probe.h) reports every check; this file owns the verdict:
 * healthy after healthy_threshold passes in a row, unhealthy after
 * unhealthy_threshold counted failures in a row once the start period is
 * over. A replica without a check is healthy while it runs.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void control_watch_health(struct control *c, struct svc *s, struct replica *r)
{
	const struct service *spec = s->spec;
	struct probe_target t = { 0 };

	if (spec == NULL || !spec->health.enabled || spec->port <= 0) {
		r->health = HEALTH_HEALTHY;
		return;
	}
	if (r->ip[0] == '\0') {
		snprintf(r->last_probe, sizeof(r->last_probe),
			 "no address on network 'orca-%s' to check", s->project);
		return;
	}
	if (r->probe_key == 0)
		r->probe_key = ++c->probe_keys;
	t.key = r->probe_key;
	snprintf(t.addr, sizeof(t.addr), "%s", r->ip);
	t.port = spec->port;
	snprintf(t.path, sizeof(t.path), "%s", spec->health.path ? spec->health.path : "");
	t.interval_ms = spec->health.interval_ms;
	t.timeout_ms = spec->health.timeout_ms;
	if (prober_set(c->prober, &t) < 0)
		snprintf(r->last_probe, sizeof(r->last_probe), "too many health checks");
}

void control_unwatch_health(struct control *c, struct replica *r)
{
	if (r->probe_key) {
		prober_remove(c->prober, r->probe_key);
		r->probe_key = 0;
	}
}

static struct replica *by_key(struct control *c, uint64_t key, struct svc **sp)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];

		for (size_t j = 0; j < s->nreplicas; j++) {
			if (s->replicas[j].probe_key == key && !s->replicas[j].gone) {
				*sp = s;
				return &s->replicas[j];
			}
		}
	}
	return NULL;
}

static void verdict(struct control *c, struct svc *s, struct replica *r,
		    enum replica_health h)
{
	if (r->health == h)
		return;
	r->health = h;
	if (h == HEALTH_HEALTHY)
		control_event(c, s, r->index, "replica.healthy", "%s", r->last_probe);
	else
		control_event(c, s, r->index, "replica.unhealthy", "%s", r->last_probe);
}

void control_on_probe(struct control *c, const struct probe_result *res)
{
	struct svc *s = NULL;
	struct replica *r = by_key(c, res->key, &s);
	const struct healthcheck *h;

	if (r == NULL || r->phase != REPLICA_RUNNING || s->spec == NULL)
		return;
	h = &s->spec->health;
	snprintf(r->last_probe, sizeof(r->last_probe), "%s", res->detail);
	r->last_probe_ok = res->ok;
	r->last_probe_ms = wall_ms();
	c->dirty = true;
	if (res->ok) {
		r->fail_streak = 0;
		if (++r->ok_streak >= h->healthy_threshold)
			verdict(c, s, r, HEALTH_HEALTHY);
		return;
	}
	if (!res->counted || mailbox_now_ms() - r->created_ms < h->start_period_ms)
		return;
	r->ok_streak = 0;
	if (++r->fail_streak >= h->unhealthy_threshold)
		verdict(c, s, r, HEALTH_UNHEALTHY);
}
