/*
 * prune.c - revisions and deploys do not grow without bound.
 *
 * Each project keeps its newest [cluster] keep_revisions revisions, plus
 * every revision a rollback can reach: the current and the good one, and
 * each revision that a kept one takes a service's definition from
 * (from_revision, read by spec.h's rev_meta_refs). The deploy history keeps
 * as many deploys, and every running one. The store does each project in
 * one transaction, so a concurrent writer never points at a revision that
 * is being deleted (store_revision_add checks what it uses).
 *
 * Runs on the control thread: after each deploy ends, after each lifecycle
 * change, and every PRUNE_EVERY_MS.
 */
#include "reconcile/loop.h"

#include "store/deploy.h"
#include "store/revision.h"

static size_t keep(const struct control *c)
{
	return c->cluster && c->cluster->cluster.keep_revisions > 0
	       ? (size_t)c->cluster->cluster.keep_revisions : CLUSTER_KEEP_REVISIONS;
}

void control_prune_project(struct control *c, const char *project)
{
	struct err e = { 0 };
	size_t n = 0;

	if (store_revision_prune(c->st, project, keep(c), rev_meta_refs, &n, &e) < 0)
		control_warn("%s%s%s: %s", project[0] ? "project '" : "the cluster",
			     project, project[0] ? "'" : "", e.msg);
}

static void prune_deploys(struct control *c)
{
	struct err e = { 0 };

	if (store_deploy_prune(c->st, keep(c), NULL, &e) < 0)
		control_warn("%s", e.msg);
}

void control_prune_deploy(struct control *c, const struct tracked_deploy *td)
{
	for (size_t i = 0; i < td->nprojects; i++)
		control_prune_project(c, td->projects[i]);
	prune_deploys(c);
}

void control_prune_all(struct control *c)
{
	struct store_project *list = NULL;
	struct err e = { 0 };
	size_t n = 0;

	control_prune_project(c, STORE_CLUSTER);
	if (store_project_list(c->st, NULL, STORE_PROJECTS_MAX, &list, &n, &e) < 0)
		control_warn("prune: %s", e.msg);
	for (size_t i = 0; i < n; i++)
		control_prune_project(c, list[i].name);
	store_project_list_free(list, n);
	prune_deploys(c);
}
