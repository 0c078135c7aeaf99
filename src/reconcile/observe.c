/*
 * observe.c - what Docker says runs: adoption, resync and container events.
 *
 * Docker is the source of truth for what exists: the containers carrying
 * this server's orca.instance label are its replicas, whatever the store or
 * memory say. A resync lists them all (at start-up this is the adoption of
 * what a previous server left running); events keep the picture current in
 * between, and a periodic resync catches any event that was missed.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

static int64_t backoff_ms(int crashes)
{
	int64_t ms;

	if (crashes <= 1)
		return 0;
	ms = (int64_t)1000 << (crashes - 2 < 15 ? crashes - 2 : 15);
	return ms < RECONCILE_BACKOFF_MAX_MS ? ms : RECONCILE_BACKOFF_MAX_MS;
}

/* One more failure in a row: the next start waits longer. Returns the wait. */
int64_t control_back_off(struct svc *s)
{
	int64_t now = mailbox_now_ms(), wait;

	s->crashes++;
	s->last_crash_ms = now;
	wait = backoff_ms(s->crashes);
	s->backoff_until_ms = now + wait;
	return wait;
}

/* A replica stopped without being asked to: count it and back off. */
static void died(struct control *c, struct svc *s, struct replica *r, int exit_code)
{
	int64_t now = mailbox_now_ms(), wait;
	bool expected = r->gone || r->phase == REPLICA_DRAINING;

	control_unwatch_health(c, r);
	r->phase = REPLICA_EXITED;
	r->exit_code = exit_code;
	c->dirty = true;
	if (expected)
		return;
	if (c->recovering || control_engine_down(c)) {
		/* it stopped while the engine could not be reached (dockerd
		 * restarting, say; the events stream may replay it before the
		 * loop sees the engine again): replaced at once, not a crash
		 * loop */
		snprintf(s->last_error, sizeof(s->last_error),
			 "replica %d stopped while the Docker Engine was unreachable", r->index);
		control_event(c, s, r->index, "replica.exited", "%s", s->last_error);
		return;
	}
	/* only young deaths make a crash loop; a replica that served for a
	 * while and then died (OOM spike, kill) is replaced without delay */
	if (r->health == HEALTH_HEALTHY && now - r->created_ms >= RECONCILE_STABLE_MS)
		s->crashes = 0;
	s->restarts++;
	wait = control_back_off(s);
	snprintf(s->last_error, sizeof(s->last_error), "replica %d exited with code %d%s",
		 r->index, exit_code, r->oom_killed ? " (out of memory)" : "");
	control_save_runtime(c, s);
	if (wait)
		control_event(c, s, r->index, "replica.crashed", "%s; next start in %lld ms",
			      s->last_error, (long long)wait);
	else
		control_event(c, s, r->index, "replica.crashed", "%s", s->last_error);
}

static int label_int(const struct docker_labels *l, const char *key, int dflt)
{
	const char *v = docker_labels_get(l, key);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return dflt;
	n = strtol(v, &end, 10);
	return *end || n < 0 || n > 1000000 ? dflt : (int)n;
}

static const char *net_ip(const struct docker_container_net *nets, size_t n,
			  const char *network)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(nets[i].network, network) == 0)
			return nets[i].ip;
	return "";
}

static enum replica_phase phase_of(const char *state)
{
	if (strcmp(state, "running") == 0 || strcmp(state, "restarting") == 0 ||
	    strcmp(state, "paused") == 0)
		return REPLICA_RUNNING;
	if (strcmp(state, "created") == 0)
		return REPLICA_CREATED;
	return REPLICA_EXITED;
}

static void inspect_adopted(struct control *c, struct replica *r)
{
	struct docker_container_info info = { 0 };
	struct err e = { 0 };

	if (docker_container_inspect(c->dc, r->id, &info, &e) < 0)
		return;
	r->started_at_ms = rfc3339_to_ms(info.state.started_at);
	r->oom_killed = info.state.oom_killed;
	if (!info.state.running)
		r->exit_code = info.state.exit_code;
	docker_container_info_release(&info);
}

/* A container of ours that memory does not know: a previous server's. */
static void adopt(struct control *c, const struct docker_container_summary *cs)
{
	const char *project = docker_labels_get(&cs->labels, LABEL_PROJECT);
	const char *service = docker_labels_get(&cs->labels, LABEL_SERVICE);
	const char *hash = docker_labels_get(&cs->labels, LABEL_SPEC);
	char *net;
	struct svc *s;
	struct replica *r;

	if (!project || !service || !*project || !*service)
		return;
	s = control_add_svc(c, project, service);
	XGROW(s->replicas, s->cap, s->nreplicas + 1);
	r = &s->replicas[s->nreplicas++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", cs->id);
	snprintf(r->name, sizeof(r->name), "%s", cs->name);
	snprintf(r->spec_hash, sizeof(r->spec_hash), "%s", hash ? hash : "");
	r->index = label_int(&cs->labels, LABEL_REPLICA, -1);
	r->revision = label_int(&cs->labels, LABEL_REVISION, 0);
	r->phase = phase_of(cs->state);
	r->health = HEALTH_STARTING;
	r->created_ms = mailbox_now_ms();
	net = xasprintf("orca-%s", project);
	snprintf(r->ip, sizeof(r->ip), "%s", net_ip(cs->nets, cs->nnets, net));
	free(net);
	r->seen = true;
	r->exit_code = -1;
	inspect_adopted(c, r);
	if (r->phase == REPLICA_RUNNING)
		control_watch_health(c, s, r);
	control_event(c, s, r->index, "replica.adopted", "adopted %s container %.12s",
		      cs->state, cs->id);
}

static void update(struct control *c, struct svc *s, struct replica *r,
		   const struct docker_container_summary *cs)
{
	enum replica_phase p = phase_of(cs->state);

	r->seen = true;
	if (r->gone || r->phase == REPLICA_EXITED)
		return;
	if (p == REPLICA_EXITED)
		died(c, s, r, -1);   /* a missed die event */
}

/* Replicas Docker no longer has. */
static void forget_unseen(struct control *c)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];

		for (size_t j = 0; j < s->nreplicas; j++) {
			struct replica *r = &s->replicas[j];

			if (r->seen || r->id[0] == '\0')
				continue;
			if (!r->gone && r->phase != REPLICA_EXITED)
				died(c, s, r, -1);
			control_unwatch_health(c, r);
			control_cache_forget(c, r->id);
			r->gone = true;
			r->id[0] = '\0';
			c->dirty = true;
		}
	}
}

int control_resync(struct control *c, struct err *e)
{
	char *instance = xasprintf("%s=%s", LABEL_INSTANCE, c->instance);
	const char *labels[] = { LABEL_MANAGED "=true", instance, NULL };
	struct docker_container_summary *list = NULL;
	size_t n = 0;
	int rc;

	rc = docker_container_list(c->dc, labels, &list, &n, e);
	free(instance);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < c->nsvcs; i++)
		for (size_t j = 0; j < c->svcs[i]->nreplicas; j++)
			c->svcs[i]->replicas[j].seen = false;
	for (size_t i = 0; i < n; i++) {
		size_t pos;
		struct svc *s = control_find_by_container(c, list[i].id, &pos);

		if (s)
			update(c, s, &s->replicas[pos], &list[i]);
		else
			adopt(c, &list[i]);
	}
	forget_unseen(c);
	docker_container_list_free(list, n);
	return 0;
}

void control_on_event(struct control *c, const struct msg *m)
{
	size_t pos;
	struct svc *s = control_find_by_container(c, m->id, &pos);
	struct replica *r = s ? &s->replicas[pos] : NULL;

	if (r == NULL) {
		if (strcmp(m->action, "start") == 0)
			c->next_resync_ms = 0;   /* someone else's start: look */
		return;
	}
	if (strcmp(m->action, "oom") == 0) {
		r->oom_killed = true;
	} else if (strcmp(m->action, "die") == 0) {
		if (r->phase != REPLICA_EXITED)
			died(c, s, r, m->exit_code);
	} else if (strcmp(m->action, "destroy") == 0 && !r->gone) {
		if (r->phase != REPLICA_EXITED)
			died(c, s, r, -1);
		control_cache_forget(c, r->id);
		r->gone = true;
		r->id[0] = '\0';
		c->dirty = true;
	}
}
