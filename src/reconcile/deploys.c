/*
 * deploys.c - following a deploy until every service it changed has
 * converged or failed, and recording its progress for `orca deploy`.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "store/deploy.h"
#include "store/revision.h"

struct tracked_deploy *control_find_deploy(struct control *c, int64_t id)
{
	for (size_t i = 0; id && i < c->ndeploys; i++)
		if (c->deploys[i].id == id)
			return &c->deploys[i];
	return NULL;
}

struct deploy_item *deploy_item_of(struct tracked_deploy *td, const struct svc *s)
{
	for (size_t i = 0; td && i < td->nitems; i++)
		if (strcmp(td->items[i].project, s->project) == 0 &&
		    strcmp(td->items[i].service, s->name) == 0)
			return &td->items[i];
	return NULL;
}

/* Every desired replica runs the desired spec and is healthy; nothing
 * outdated or extra still serves. Draining replicas do not matter. */
bool svc_converged(const struct svc *s)
{
	struct svc_counts n;
	int current = 0;

	if (s->canary)
		return false;   /* until promoted, rolled back or aborted */
	for (size_t i = 0; i < s->nreplicas; i++) {
		const struct replica *r = &s->replicas[i];

		if (s->spec && replica_serving(r) && r->index < s->spec->replicas &&
		    strcmp(r->spec_hash, s->spec_hash) == 0)
			current++;
	}
	svc_counts(s, &n);
	return current == n.desired && n.running == n.desired;
}

static bool final_state(const char *state)
{
	return strcmp(state, "done") == 0 || strcmp(state, "failed") == 0 ||
	       strcmp(state, "rolled_back") == 0 || strcmp(state, "superseded") == 0;
}

static struct tracked_deploy *add_deploy(struct control *c, const struct store_deploy *d)
{
	struct tracked_deploy *td;

	c->deploys = xrealloc(c->deploys, (c->ndeploys + 1) * sizeof(*c->deploys));
	td = &c->deploys[c->ndeploys++];
	memset(td, 0, sizeof(*td));
	td->id = d->id;
	td->started_ms = mailbox_now_ms();
	td->projects = xcalloc(d->nprojects + 1, sizeof(char *));
	for (size_t i = 0; i < d->nprojects; i++)
		td->projects[i] = xstrdup(d->projects[i]);
	td->nprojects = d->nprojects;
	td->dirty = true;
	return td;
}

/* An older deploy loses the services a newer one changes again. */
static void supersede(struct control *c, const struct tracked_deploy *newer)
{
	for (size_t i = 0; i < c->ndeploys; i++) {
		struct tracked_deploy *td = &c->deploys[i];

		if (td->id == newer->id)
			continue;
		for (size_t j = 0; j < td->nitems; j++) {
			struct deploy_item *it = &td->items[j];

			for (size_t k = 0; k < newer->nitems && !final_state(it->state); k++) {
				if (strcmp(it->project, newer->items[k].project) ||
				    strcmp(it->service, newer->items[k].service))
					continue;
				snprintf(it->state, sizeof(it->state), "superseded");
				snprintf(it->message, sizeof(it->message), "superseded by deploy %lld",
					 (long long)newer->id);
				td->dirty = true;
			}
		}
	}
}

void control_track_deploy(struct control *c, int64_t id)
{
	struct store_deploy d = { 0 };
	struct tracked_deploy *td;
	struct err e = { 0 };
	size_t idx;

	if (store_deploy_get(c->st, id, &d, &e) < 0) {
		control_warn("deploy %lld: %s", (long long)id, e.msg);
		return;
	}
	td = add_deploy(c, &d);
	idx = (size_t)(td - c->deploys);
	for (size_t i = 0; i < d.nprojects; i++) {
		int rc = d.projects[i][0] == '\0'
			 ? control_load_cluster(c, &e)
			 : control_load_project(c, d.projects[i], &c->deploys[idx], &e);

		if (rc < 0)
			control_warn("deploy %lld: %s", (long long)id, e.msg);
	}
	store_deploy_release(&d);
	supersede(c, &c->deploys[idx]);
	control_event(c, NULL, -1, "deploy.started", "deploy %lld started: %zu service(s) change",
		      (long long)id, c->deploys[idx].nitems);
}

void control_resume_deploys(struct control *c)
{
	struct store_deploy *list = NULL;
	size_t n = 0;
	struct err e = { 0 };

	if (store_deploy_list(c->st, 0, 50, &list, &n, &e) < 0) {
		control_warn("resume deploys: %s", e.msg);
		return;
	}
	for (size_t i = n; i-- > 0;) {
		struct tracked_deploy *td;

		if (list[i].state != STORE_DEPLOY_RUNNING)
			continue;
		td = add_deploy(c, &list[i]);
		for (size_t j = 0; j < c->nsvcs; j++) {
			struct svc *s = c->svcs[j];

			for (size_t k = 0; k < td->nprojects; k++) {
				if (strcmp(s->project, td->projects[k]) != 0 || svc_converged(s))
					continue;
				s->rolling = true;
				s->deploy_id = td->id;
				s->rolling_since_ms = mailbox_now_ms();
				td->items = xrealloc(td->items, (td->nitems + 1) * sizeof(*td->items));
				memset(&td->items[td->nitems], 0, sizeof(*td->items));
				snprintf(td->items[td->nitems].project, 64, "%s", s->project);
				snprintf(td->items[td->nitems].service, 64, "%s", s->name);
				snprintf(td->items[td->nitems].state, 16, "rolling");
				td->items[td->nitems++].revision = s->revision;
			}
		}
		control_log("deploy %lld: resumed after a restart, %zu service(s) still rolling",
			    (long long)td->id, td->nitems);
	}
	store_deploy_list_free(list, n);
}
