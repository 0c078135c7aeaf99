/*
 * rollback.c - a rollout that failed takes its service back to the
 * definition it had in the project's last good revision.
 *
 * The rollback is itself a new revision of the project: the same text with
 * the failed service's meta taken from the good revision (spec.h's
 * from_revision), so that a restarted server keeps the rolled-back state
 * and the other services of the deploy keep their new definitions.
 *
 * It is planned from the current revision in the store and written with
 * its compare-and-set (store_revision_add): when an API writer came first,
 * it reads again and decides again, and when that writer replaced the
 * failed definition there is nothing to roll back.
 */
#include "reconcile/loop.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/testhook.h"
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

/* The hash s's definition has in d, the way project.c's adopt_spec names
 * it; "" when d has no such service. */
static void hash_in(const struct desired *d, const char *name, char out[SPEC_HASH_LEN + 1])
{
	struct service *spec = desired_find(d, name);
	struct svc_meta *sm = rev_meta_find((struct rev_meta *)&d->meta, name);

	out[0] = '\0';
	if (spec && sm && sm->hash[0])
		memcpy(out, sm->hash, SPEC_HASH_LEN + 1);
	else if (spec)
		spec_hash(spec, "", 0, "", out);
}

struct outcome {
	int64_t to;          /* the good revision the service went back to */
	int64_t wrote;       /* the rollback revision */
	int64_t base;        /* the revision it was written on */
	int64_t replaced_by; /* a newer revision changed the service first: no rollback */
	bool moved;          /* another writer came between the read and the write */
};

/* Writes the rollback revision on top of cur, the project's current
 * revision as just read from the store. */
static int write_rollback(struct control *c, struct svc *s, const struct desired *cur,
			  struct outcome *o, struct err *e)
{
	struct store_revision_new r = { cur->source, NULL, s->deploy_id, cur->revision, NULL, 0 };
	struct rev_meta meta;
	struct svc_meta *after;
	int64_t *uses = NULL;
	int rc;

	rc = rollback_meta(c, cur, s, cur->good_revision, &meta, e);
	if (rc < 0)
		return rc;
	after = rev_meta_find(&meta, s->name);
	if (after->replicas != 0 && strcmp(after->hash, s->spec_hash) == 0) {
		rev_meta_release(&meta);
		return err_set(e, ERR_CONFLICT, "revision %lld runs the same definition",
			       (long long)cur->good_revision);
	}
	rev_meta_uses(&meta, &uses, &r.nuses);
	r.uses = uses;
	r.spec = rev_meta_text(&meta);
	testhook_pause("rollback-write");
	rc = store_revision_add(c->st, s->project, &r, &o->wrote, e);
	o->moved = rc == ERR_CONFLICT;
	free((char *)r.spec);
	free(uses);
	rev_meta_release(&meta);
	if (rc == 0) {
		o->to = cur->good_revision;
		o->base = cur->revision;
	}
	return rc;
}

/* Decides from the project's current revision in the store, never from
 * the copy in memory: an API writer may have recorded a newer one whose
 * message has not arrived yet. */
static int roll_back_once(struct control *c, struct svc *s, struct outcome *o, struct err *e)
{
	char hash[SPEC_HASH_LEN + 1];
	struct desired cur;
	int rc = desired_load(c->st, s->project, &cur, e);

	if (rc < 0)
		return rc;
	hash_in(&cur, s->name, hash);
	if (strcmp(hash, s->spec_hash) != 0)
		o->replaced_by = cur.revision;
	else if (cur.good_revision == 0 || cur.good_revision == cur.revision)
		rc = err_set(e, ERR_NOTFOUND, "no earlier revision to roll back to");
	else
		rc = write_rollback(c, s, &cur, o, e);
	desired_release(&cur);
	return rc;
}

#define ROLLBACK_ATTEMPTS 5

static int roll_back(struct control *c, struct svc *s, struct outcome *o, struct err *e)
{
	int rc = ERR_FAIL;

	o->moved = true;
	for (int i = 0; o->moved && i < ROLLBACK_ATTEMPTS; i++) {
		memset(o, 0, sizeof(*o));
		err_clear(e);
		rc = roll_back_once(c, s, o, e);
	}
	return rc;
}

/* The rollback revision is loaded now when nothing newer is on its way;
 * otherwise the message of the writer that came first loads it, and
 * tracks its deploy. */
static void load_after(struct control *c, const char *project, int64_t base)
{
	struct desired *mine = control_find_project(c, project);
	struct err e = { 0 };

	if (mine && mine->revision == base && control_load_project(c, project, NULL, &e) < 0)
		control_warn("reload '%s' after its rollback: %s", project, e.msg);
}

static void rolled_back(struct control *c, struct deploy_item *it, const char *project,
			const char *name, const char *reason, const struct outcome *o)
{
	struct svc *s;

	load_after(c, project, o->base);
	s = control_find_svc(c, project, name);
	if (s && s->revision == (int)o->wrote) {
		s->rolling = true;   /* the way back is a rollout too */
		s->deploy_id = 0;
	}
	if (it) {
		snprintf(it->state, sizeof(it->state), "rolled_back");
		snprintf(it->message, sizeof(it->message), "%s; rolled back to revision %lld",
			 reason, (long long)o->to);
	}
	control_event(c, s, -1, "service.rolled_back", "%s; rolled back to revision %lld",
		      reason, (long long)o->to);
}

void control_rollout_failed(struct control *c, struct svc *s, const char *reason)
{
	struct tracked_deploy *td = control_find_deploy(c, s->deploy_id);
	struct deploy_item *it = deploy_item_of(td, s);
	struct desired *mine = control_find_project(c, s->project);
	int64_t failed = mine ? mine->revision : 0;
	char project[64], name[64];
	struct outcome o = { 0 };
	struct err e = { 0 };

	if (!s->rolling)
		return;   /* this rollout has been dealt with already */
	s->canary = false;
	snprintf(project, sizeof(project), "%s", s->project);
	snprintf(name, sizeof(name), "%s", s->name);
	snprintf(s->last_error, sizeof(s->last_error), "%s", reason);
	s->rolling = false;
	if (roll_back(c, s, &o, &e) == 0 && o.replaced_by == 0) {
		store_revision_set_state(c->st, project, failed, STORE_REV_FAILED, &e);
		rolled_back(c, it, project, name, reason, &o);
	} else if (o.replaced_by) {
		s->failed = true;
		if (it) {
			snprintf(it->state, sizeof(it->state), "superseded");
			snprintf(it->message, sizeof(it->message), "%s; revision %lld replaced it",
				 reason, (long long)o.replaced_by);
		}
		control_event(c, s, -1, "service.failed", "%s; not rolled back: revision %lld "
			      "replaced it", reason, (long long)o.replaced_by);
	} else {
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
