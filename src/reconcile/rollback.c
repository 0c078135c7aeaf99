/*
 * rollback.c - a rollout that failed takes its service back to the
 * definition it had in the project's last good revision.
 *
 * The rollback is itself a new revision of the project: the same text with
 * the failed service's meta taken from the good revision (spec.h's
 * from_revision), so that a restarted server keeps the rolled-back state
 * and the other services of the deploy keep their new definitions.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/revision.h"

/* The meta of the rollback revision: s as it was in revision good. */
static int rollback_meta(struct control *c, const struct desired *cur, const struct svc *s,
			 int64_t good, struct rev_meta *out, struct err *e)
{
	struct desired g;
	struct svc_meta *was, *now;
	int rc = desired_load_revision(c->st, s->project, good, &g, e);

	if (rc < 0)
		return rc;
	rev_meta_copy(out, &cur->meta);
	was = rev_meta_find(&g.meta, s->name);
	now = rev_meta_add(out, s->name);
	if (was == NULL || desired_find(&g, s->name) == NULL) {
		now->replicas = 0;   /* it did not exist then: stop it */
	} else {
		char *name = now->name;

		*now = *was;
		now->name = name;
		if (now->from_revision == 0)
			now->from_revision = good;
	}
	desired_release(&g);
	return 0;
}

static int roll_back(struct control *c, struct svc *s, int64_t *to, struct err *e)
{
	struct desired *cur = control_find_project(c, s->project);
	struct rev_meta meta;
	struct svc_meta *after;
	int64_t failed, number;
	char *text;
	int rc;

	if (cur == NULL || cur->good_revision == 0 || cur->good_revision == cur->revision)
		return err_set(e, ERR_NOTFOUND, "no earlier revision to roll back to");
	rc = rollback_meta(c, cur, s, cur->good_revision, &meta, e);
	if (rc < 0)
		return rc;
	after = rev_meta_find(&meta, s->name);
	if (after->replicas != 0 && strcmp(after->hash, s->spec_hash) == 0) {
		rev_meta_release(&meta);
		return err_set(e, ERR_CONFLICT, "revision %lld runs the same definition",
			       (long long)cur->good_revision);
	}
	text = rev_meta_text(&meta);
	failed = cur->revision;
	rc = store_revision_add(c->st, s->project, cur->source, text, s->deploy_id, &number, e);
	free(text);
	rev_meta_release(&meta);
	if (rc < 0)
		return rc;
	store_revision_set_state(c->st, s->project, failed, STORE_REV_FAILED, e);
	*to = cur->good_revision;
	return control_load_project(c, s->project, NULL, e);
}

void control_rollout_failed(struct control *c, struct svc *s, const char *reason)
{
	struct tracked_deploy *td = control_find_deploy(c, s->deploy_id);
	struct deploy_item *it = deploy_item_of(td, s);
	char project[64], name[64];
	struct err e = { 0 };
	int64_t to = 0;

	snprintf(project, sizeof(project), "%s", s->project);
	snprintf(name, sizeof(name), "%s", s->name);
	snprintf(s->last_error, sizeof(s->last_error), "%s", reason);
	s->rolling = false;
	if (roll_back(c, s, &to, &e) == 0) {
		s = control_find_svc(c, project, name);
		if (s) {
			s->rolling = true;   /* the way back is a rollout too */
			s->deploy_id = 0;
		}
		if (it) {
			snprintf(it->state, sizeof(it->state), "rolled_back");
			snprintf(it->message, sizeof(it->message), "%s; rolled back to revision %lld",
				 reason, (long long)to);
		}
		control_event(c, s, -1, "service.rolled_back", "%s; rolled back to revision %lld",
			      reason, (long long)to);
	} else {
		if (s)
			s->failed = true;
		if (it) {
			snprintf(it->state, sizeof(it->state), "failed");
			snprintf(it->message, sizeof(it->message), "%s", reason);
		}
		control_event(c, s, -1, "service.failed", "%s (%s)", reason, e.msg);
	}
	if (td)
		td->dirty = true;
}
