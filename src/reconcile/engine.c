/*
 * engine.c - the Docker Engine going away and coming back, as the control
 * loop sees it.
 *
 * An engine that cannot be reached (at start, or later: dockerd restarting,
 * its socket gone) is a state of its own, not a crash loop: the loop stops
 * acting (no creates that would fail and back off, no deaths counted),
 * status shows "engine_unreachable" with the time and the reason, and the
 * engine is asked again every ENGINE_RETRY_MS. When it answers, the loop
 * resyncs with what really runs (replicas that stopped meanwhile are
 * replaced without a back-off), adopts what a previous server left if it
 * never could, moves the deadlines of rollouts on by the outage, and
 * converges. Control thread only.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define ENGINE_RETRY_MS 2000

static int64_t unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool control_engine_down(const struct control *c)
{
	return c->engine_down_ms != 0;
}

void control_engine_lost(struct control *c, const char *why)
{
	if (control_engine_down(c)) {
		snprintf(c->engine_error, sizeof(c->engine_error), "%s", why);
		return;
	}
	c->engine_down_ms = mailbox_now_ms();
	c->engine_down_unix_ms = unix_ms();
	c->engine_retry_ms = c->engine_down_ms + ENGINE_RETRY_MS;
	snprintf(c->engine_error, sizeof(c->engine_error), "%s", why);
	c->dirty = true;
	control_warn("%s; orca keeps asking every %d s and acts again once it answers "
		     "(start dockerd, or point orca at its socket with "
		     "DOCKER_HOST=unix:///path/to/docker.sock)", why, ENGINE_RETRY_MS / 1000);
	control_event(c, NULL, -1, "engine.unreachable", "%s", why);
}

/* Rollout deadlines do not run while nothing can be done. */
static void shift_deadlines(struct control *c, int64_t by_ms)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];

		if (s->rolling)
			s->rolling_since_ms += by_ms;
		for (size_t j = 0; j < s->nreplicas; j++)
			if (s->replicas[j].health == HEALTH_STARTING)
				s->replicas[j].created_ms += by_ms;
	}
}

static void back(struct control *c, int64_t now)
{
	int64_t outage = now - c->engine_down_ms;

	c->engine_down_ms = 0;
	c->engine_error[0] = '\0';
	c->next_resync_ms = now + c->resync_ms;
	c->dirty = true;
	shift_deadlines(c, outage);
	control_event(c, NULL, -1, "engine.reachable",
		      "the Docker Engine at %s answers again after %.1f s; resynced",
		      docker_client_socket(c->dc), (double)outage / 1000.0);
	if (!c->adopted) {
		/* it was down at start: what start-up could not do */
		control_cache_reconcile(c);
		control_resume_deploys(c);
		c->adopted = true;
	}
}

int control_engine_resync(struct control *c, struct err *e)
{
	int rc = control_resync(c, e);

	if (rc < 0 && docker_client_lost(c->dc))
		control_engine_lost(c, e->msg);
	return rc;
}

void control_engine_check(struct control *c)
{
	int64_t now = mailbox_now_ms();
	struct err e = { 0 };
	int rc;

	if (!control_engine_down(c) || now < c->engine_retry_ms)
		return;
	c->engine_retry_ms = now + ENGINE_RETRY_MS;
	/* negotiate, not ping: the engine may come back upgraded */
	rc = docker_client_negotiate(c->dc, &e);
	if (rc == 0) {
		c->recovering = true;   /* deaths seen now happened meanwhile */
		rc = control_resync(c, &e);
		c->recovering = false;
	}
	if (rc == 0) {
		back(c, now);
		return;
	}
	if (strcmp(e.msg, c->engine_error) != 0) {
		if (!docker_client_lost(c->dc))
			control_warn("the Docker Engine answers but cannot be used: %s", e.msg);
		snprintf(c->engine_error, sizeof(c->engine_error), "%s", e.msg);
		c->dirty = true;
	}
}

json_t *control_engine_json(const struct control *c)
{
	if (!control_engine_down(c))
		return json_pack("{s:s}", "state", "reachable");
	return json_pack("{s:s, s:I, s:s}", "state", "unreachable",
			 "since", (json_int_t)c->engine_down_unix_ms, "error", c->engine_error);
}
