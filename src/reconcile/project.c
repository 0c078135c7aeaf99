/*
 * project.c - loading desired state into the svc table.
 *
 * svc->spec points into the struct desired of its project, so a project's
 * old desired state is released only after every svc has moved to the new.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/revision.h"

struct desired *control_find_project(struct control *c, const char *project)
{
	for (size_t i = 0; i < c->nprojects; i++)
		if (strcmp(c->projects[i].project, project) == 0)
			return &c->projects[i];
	return NULL;
}

static void track(struct tracked_deploy *td, struct svc *s, const char *state,
		  int64_t revision)
{
	struct deploy_item *it;

	if (td == NULL)
		return;
	td->items = xrealloc(td->items, (td->nitems + 1) * sizeof(*td->items));
	it = &td->items[td->nitems++];
	memset(it, 0, sizeof(*it));
	snprintf(it->project, sizeof(it->project), "%s", s->project);
	snprintf(it->service, sizeof(it->service), "%s", s->name);
	snprintf(it->state, sizeof(it->state), "%s", state);
	it->revision = revision;
	td->dirty = true;
}

/* A stable revision to weigh a canary against: a serving replica of
 * another spec. */
static bool serving_outdated(const struct svc *s)
{
	for (size_t i = 0; i < s->nreplicas; i++)
		if (replica_serving(&s->replicas[i]) &&
		    strcmp(s->replicas[i].spec_hash, s->spec_hash) != 0)
			return true;
	return false;
}

static void adopt_spec(struct control *c, struct desired *d, struct service *spec,
		       struct tracked_deploy *td)
{
	struct svc *s = control_add_svc(c, d->project, spec->name);
	struct svc_meta *sm = rev_meta_find(&d->meta, spec->name);
	char hash[SPEC_HASH_LEN + 1];
	bool changed;

	if (sm && sm->hash[0])
		memcpy(hash, sm->hash, sizeof(hash));
	else
		spec_hash(spec, "", 0, "", hash);
	changed = s->spec == NULL || strcmp(hash, s->spec_hash) != 0 ||
		  spec->replicas != s->spec->replicas;
	s->spec = spec;
	memcpy(s->spec_hash, hash, sizeof(hash));
	s->revision = (int)d->revision;
	if (!changed)
		return;
	s->rolling = true;
	s->rolling_since_ms = mailbox_now_ms();
	s->deploy_id = td ? td->id : 0;
	s->canary = td != NULL && spec->deploy.strategy == DEPLOY_CANARY && serving_outdated(s);
	s->failed = false;
	s->crashes = 0;
	s->backoff_until_ms = 0;
	track(td, s, "pending", d->revision);
}

/* Services of the project that its new revision no longer has. */
static void retire_missing(struct control *c, const struct desired *d,
			   struct tracked_deploy *td)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];

		if (strcmp(s->project, d->project) != 0 || s->spec == NULL ||
		    desired_find(d, s->name) != NULL)
			continue;
		s->spec = NULL;
		s->rolling = true;
		s->deploy_id = td ? td->id : 0;
		track(td, s, "pending", d->revision);
	}
}

int control_load_project(struct control *c, const char *project, struct tracked_deploy *td,
			 struct err *e)
{
	struct desired d, *old = control_find_project(c, project);

	if (desired_load(c->st, project, &d, e) < 0)
		return ERR_FAIL;
	for (size_t i = 0; i < d.nservices; i++)
		adopt_spec(c, &d, d.services[i], td);
	retire_missing(c, &d, td);
	if (old) {
		desired_release(old);
		*old = d;
	} else {
		c->projects = xrealloc(c->projects, (c->nprojects + 1) * sizeof(*c->projects));
		c->projects[c->nprojects++] = d;
	}
	c->dirty = true;
	return 0;
}

/* The cluster config (nodes) of the current cluster revision. */
int control_load_cluster(struct control *c, struct err *e)
{
	struct config *cfg;
	int rc = desired_cluster(c->st, &cfg, e);

	if (rc == 0) {
		config_free(c->cluster);
		c->cluster = cfg;
	}
	return rc;
}

int control_load_all(struct control *c, struct err *e)
{
	struct store_project *list = NULL;
	size_t n = 0;
	int rc;

	rc = control_load_cluster(c, e);
	if (rc == 0)
		rc = store_project_list(c->st, NULL, STORE_PROJECTS_MAX, &list, &n, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = control_load_project(c, list[i].name, NULL, e);
		if (rc < 0)
			break;
	}
	store_project_list_free(list, n);
	/* what was loaded at start-up is not a rollout in progress: deploys
	 * still running are resumed explicitly (control_resume_deploys) */
	for (size_t i = 0; i < c->nsvcs; i++)
		c->svcs[i]->rolling = false;
	return rc;
}
