/*
 * deploy_check.c - placement, images, secrets and the change list of a
 * deploy plan.
 */
#include "api/deploy_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "reconcile/desired.h"
#include "sched/scheduler.h"

static void problem(struct deploy_plan *p, const char *project, const char *service,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(struct deploy_plan *p, const char *project, const char *service,
		    const char *fmt, ...)
{
	char key[130], msg[600];
	va_list ap;

	snprintf(key, sizeof(key), "%s/%s", project, service);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(p->problems, json_pack("{s:s, s:s}", "service", key, "message", msg));
}

static bool node_declared(const struct config *cfg, const char *node)
{
	return cfg->cluster.nnodes == 0 || config_find_node(cfg, node) != NULL;
}

/* Can the whole desired state be placed, on this server's node? */
static int place(struct deploy_plan *p, const char *node, struct err *e)
{
	struct scheduler_host host = { 0 };
	struct scheduler *sch = NULL;
	struct scheduler_request *reqs = NULL;
	struct scheduler_plan plan = { 0 };
	const struct service **svcs = NULL;
	size_t n = 0;
	int rc;

	if (!node_declared(p->cfg, node)) {
		json_array_append_new(p->problems, json_pack("{s:s, s:s}", "service", "*", "message",
			"this server is not one of the nodes cluster.toml declares "
			"(start it with 'orca server --node NAME')"));
		return 0;
	}
	scheduler_host_detect(&host);
	host.name = node;
	rc = scheduler_new_from_config(&sch, p->cfg, &host, e);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < p->cfg->nprojects; i++) {
		const struct project *pr = &p->cfg->projects[i];

		reqs = xrealloc(reqs, (n + pr->nservices + 1) * sizeof(*reqs));
		svcs = xrealloc(svcs, (n + pr->nservices + 1) * sizeof(*svcs));
		for (size_t j = 0; j < pr->nservices; j++) {
			if (pr->services[j].runtime != RUNTIME_CONTAINER)
				continue;
			scheduler_request_from_service(&reqs[n], &pr->services[j]);
			svcs[n++] = &pr->services[j];
		}
	}
	scheduler_plan(sch, reqs, n, &plan, e);
	err_clear(e);
	for (size_t i = 0; i < plan.noutcomes && i < n; i++) {
		const struct scheduler_outcome *o = &plan.outcomes[i];

		if (o->err.code) {
			problem(p, svcs[i]->project, svcs[i]->name, "%s", o->err.msg);
			continue;
		}
		for (size_t k = o->first; k < o->first + o->count; k++) {
			if (strcmp(plan.placements[k].node_name, node) == 0)
				continue;
			problem(p, svcs[i]->project, svcs[i]->name,
				"a replica would be placed on node '%s', but orca runs replicas on "
				"one node for now (this server, '%s')",
				plan.placements[k].node_name, node);
			break;
		}
	}
	scheduler_plan_release(&plan);
	scheduler_free(sch);
	free(reqs);
	free(svcs);
	return 0;
}

static void missing_secret(void *arg, const struct service *s, const char *name)
{
	problem(arg, s->project, s->name,
		"secret '%s' is not set for project '%s' or cluster-wide "
		"(set it with 'orca secrets set --project %s %s')",
		name, s->project, s->project, name);
}

static void change(struct deploy_plan *p, const char *project, const char *service,
		   const char *what)
{
	char key[130];

	snprintf(key, sizeof(key), "%s/%s", project, service);
	json_array_append_new(p->changes, json_pack("{s:s, s:s, s:n}", "service", key,
						    "change", what, "revision"));
}

static const char *compare(const struct desired *cur, const struct service *s,
			   const struct svc_meta *now)
{
	const struct service *was = desired_find(cur, s->name);
	struct svc_meta *m = rev_meta_find((struct rev_meta *)&cur->meta, s->name);

	if (was == NULL)
		return "create";
	if (m == NULL || strcmp(m->hash, now->hash) != 0 || m->from_revision ||
	    was->replicas != s->replicas)
		return "update";
	return "unchanged";
}

/*
 * The image's id, and its registry digest reference when the engine knows
 * one (replacements pull that one if the id goes). It was pulled before the
 * deploy lock (deploy_images.c); here it is only looked at again, so that
 * nobody waits behind the lock for a registry.
 */
static int resolve_image(struct docker_client *dc, const struct deploy_images *imgs,
			 const char *ref, struct svc_meta *m, struct err *e)
{
	const struct deploy_image *pulled = deploy_images_find(imgs, ref);
	struct docker_image_info info;
	int rc;

	if (pulled && pulled->error)
		return err_set(e, ERR_UNAVAILABLE, "%s", pulled->error);
	rc = docker_image_inspect(dc, ref, &info, e);
	if (rc == ERR_NOTFOUND && pulled)
		return err_set(e, rc, "image '%s' was pulled for this deploy but is gone from "
			       "the engine again (removed meanwhile?); deploy again", ref);
	if (rc < 0)
		return rc;
	snprintf(m->image_id, sizeof(m->image_id), "%s", info.id);
	if (docker_image_digest_ref(&info, ref, m->image_digest) < 0)
		m->image_digest[0] = '\0';
	docker_image_info_release(&info);
	return 0;
}

static int check_service(struct deploy_plan *p, struct deploy_project *dp,
			 struct docker_client *dc, struct store *st,
			 const struct desired *cur, const struct service *s, struct err *e)
{
	struct svc_meta *m = rev_meta_add(&dp->meta, s->name);
	const struct svc_meta *was = rev_meta_find((struct rev_meta *)&cur->meta, s->name);
	struct buf stamps = BUF_INIT;
	const char *what;

	if (s->runtime != RUNTIME_CONTAINER) {
		problem(p, s->project, s->name, "wasm services do not run yet in this version "
			"of orca (validation only)");
		return 0;
	}
	if (desired_secret_stamps(st, s, &stamps, missing_secret, p, e) < 0) {
		buf_release(&stamps);
		return ERR_FAIL;
	}
	if (resolve_image(dc, p->images, s->image, m, e) < 0) {
		problem(p, s->project, s->name, "%s", e->msg);
		err_clear(e);
	}
	m->restart = was ? was->restart : 0;
	spec_hash(s, m->image_id, m->restart, buf_str(&stamps), m->hash);
	buf_release(&stamps);
	what = compare(cur, s, m);
	if (strcmp(what, "unchanged") != 0)
		dp->changed = true;
	change(p, s->project, s->name, what);
	return 0;
}

static int check_project(struct api *a, struct deploy_plan *p, struct deploy_project *dp,
			 struct err *e)
{
	struct store *st = api_store(a, e);
	struct docker_client *dc = api_docker(a, e);
	const struct project *proj = config_find_project(p->cfg, dp->name);
	struct desired cur;
	int rc;

	if (st == NULL || dc == NULL)
		return ERR_FAIL;
	rc = desired_load(st, dp->name, &cur, e);
	if (rc < 0)
		return rc;
	for (size_t i = 0; proj && rc == 0 && i < proj->nservices; i++)
		rc = check_service(p, dp, dc, st, &cur, &proj->services[i], e);
	for (size_t i = 0; i < cur.nservices; i++) {
		if (proj && project_find_service(proj, cur.services[i]->name))
			continue;
		change(p, dp->name, cur.services[i]->name, "remove");
		dp->changed = true;
	}
	if (cur.revision == 0 || strcmp(cur.source, dp->source) != 0)
		dp->changed = true;
	dp->base = cur.revision;
	desired_release(&cur);
	return rc;
}

int deploy_plan_check(struct api *a, struct deploy_plan *p, const char *node, struct err *e)
{
	int rc = deploy_plan_build(a, p, e);

	if (rc < 0 || p->diags.len > 0)
		return rc;
	rc = place(p, node, e);
	for (size_t i = 0; rc == 0 && i < p->nprojects; i++)
		rc = check_project(a, p, &p->projects[i], e);
	return rc;
}
