/*
 * progress.c - deploy progress, completion, and revision activation.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "store/deploy.h"
#include "store/revision.h"

static bool final(const char *state)
{
	return strcmp(state, "done") == 0 || strcmp(state, "failed") == 0 ||
	       strcmp(state, "rolled_back") == 0 || strcmp(state, "superseded") == 0;
}

static void set_state(struct tracked_deploy *td, struct deploy_item *it, const char *state)
{
	if (strcmp(it->state, state) != 0) {
		snprintf(it->state, sizeof(it->state), "%s", state);
		td->dirty = true;
	}
}

static void update_item(struct control *c, struct tracked_deploy *td, struct deploy_item *it)
{
	struct svc *s = control_find_svc(c, it->project, it->service);

	if (final(it->state))
		return;
	if (s == NULL) {
		set_state(td, it, "done");
	} else if (s->deploy_id != td->id) {
		set_state(td, it, "superseded");
	} else if (svc_converged(s)) {
		set_state(td, it, "done");
		s->rolling = false;
		s->deploy_id = 0;
	} else {
		set_state(td, it, s->deps_ready ? "rolling" : "pending");
	}
}

static json_t *item_json(struct control *c, const struct deploy_item *it)
{
	struct svc *s = control_find_svc(c, it->project, it->service);
	int desired = 0, updated = 0, healthy = 0;
	char key[130];

	for (size_t i = 0; s && i < s->nreplicas; i++) {
		const struct replica *r = &s->replicas[i];

		if (r->gone || r->phase != REPLICA_RUNNING)
			continue;
		updated += s->spec && strcmp(r->spec_hash, s->spec_hash) == 0;
		healthy += r->health == HEALTH_HEALTHY;
	}
	desired = s && s->spec ? s->spec->replicas : 0;
	snprintf(key, sizeof(key), "%s/%s", it->project, it->service);
	return json_pack("{s:s, s:s, s:I, s:i, s:i, s:i, s:s}", "service", key, "state", it->state,
			 "revision", (json_int_t)it->revision, "desired", desired,
			 "updated", updated, "healthy", healthy, "message", it->message);
}

static void store_progress(struct control *c, struct tracked_deploy *td)
{
	json_t *items = json_array();
	json_t *root = json_pack("{s:o}", "services", items);
	struct err e = { 0 };
	char *text;

	for (size_t i = 0; i < td->nitems; i++)
		json_array_append_new(items, item_json(c, &td->items[i]));
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (td->last_progress && strcmp(td->last_progress, text) == 0) {
		free(text);
		return;
	}
	if (store_deploy_set_progress(c->st, td->id, text, &e) < 0)
		control_warn("deploy %lld: progress: %s", (long long)td->id, e.msg);
	free(td->last_progress);
	td->last_progress = text;
}

static void finish(struct control *c, struct tracked_deploy *td)
{
	struct buf msg = BUF_INIT;
	bool ok = true;
	struct err e = { 0 };
	double secs = (double)(mailbox_now_ms() - td->started_ms) / 1000.0;

	for (size_t i = 0; i < td->nitems; i++) {
		const struct deploy_item *it = &td->items[i];

		if (strcmp(it->state, "done") == 0)
			continue;
		ok = false;
		buf_printf(&msg, "%s%s/%s: %s", msg.len ? "; " : "", it->project, it->service,
			   it->message[0] ? it->message : it->state);
	}
	store_progress(c, td);
	if (store_deploy_set_state(c->st, td->id, ok ? STORE_DEPLOY_SUCCEEDED : STORE_DEPLOY_FAILED,
				   buf_str(&msg), &e) < 0)
		control_warn("deploy %lld: %s", (long long)td->id, e.msg);
	if (ok)
		control_event(c, NULL, -1, "deploy.succeeded", "deploy %lld succeeded in %.1f s",
			      (long long)td->id, secs);
	else
		control_event(c, NULL, -1, "deploy.failed", "deploy %lld failed: %s",
			      (long long)td->id, buf_str(&msg));
	buf_release(&msg);
}

static void drop(struct control *c, size_t i)
{
	struct tracked_deploy *td = &c->deploys[i];

	for (size_t j = 0; j < td->nprojects; j++)
		free(td->projects[j]);
	free(td->projects);
	free(td->items);
	free(td->last_progress);
	c->deploys[i] = c->deploys[--c->ndeploys];
}

/* Rollouts no deploy follows (rollbacks, scale, restart) end on their own. */
static void settle_untracked(struct control *c)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];

		if (s->rolling && control_find_deploy(c, s->deploy_id) == NULL && svc_converged(s)) {
			s->rolling = false;
			s->deploy_id = 0;
			c->dirty = true;
		}
	}
}

void control_check_deploys(struct control *c)
{
	settle_untracked(c);
	for (size_t i = 0; i < c->ndeploys;) {
		struct tracked_deploy *td = &c->deploys[i];
		bool done = true;

		for (size_t j = 0; j < td->nitems; j++) {
			update_item(c, td, &td->items[j]);
			done &= final(td->items[j].state);
		}
		store_progress(c, td);   /* only when something changed */
		td->dirty = false;
		if (!done) {
			i++;
			continue;
		}
		finish(c, td);
		control_prune_deploy(c, td);
		drop(c, i);
	}
}

static bool project_settled(struct control *c, const char *project)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];

		if (strcmp(s->project, project) != 0)
			continue;
		if (s->rolling || s->failed || !svc_converged(s))
			return false;
	}
	return true;
}

void control_check_activation(struct control *c)
{
	for (size_t i = 0; i < c->nprojects; i++) {
		struct desired *d = &c->projects[i];
		struct err e = { 0 };

		if (d->revision == 0 || d->revision == d->good_revision ||
		    !project_settled(c, d->project))
			continue;
		if (store_revision_activate(c->st, d->project, d->revision, &e) < 0) {
			control_warn("activate %s revision %lld: %s", d->project,
				    (long long)d->revision, e.msg);
			continue;
		}
		d->good_revision = d->revision;
		control_event(c, NULL, -1, "revision.active", "project '%s' revision %lld is active",
			      d->project, (long long)d->revision);
	}
}
