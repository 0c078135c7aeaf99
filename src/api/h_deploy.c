/*
 * h_deploy.c - POST /api/v1/deploy, PUT /api/v1/projects/{p}, and deploy
 * history. A deploy is checked in full (deploy_plan.h) before one revision
 * is written; then it is recorded atomically and handed to the control loop.
 */
#include "api/deploy_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/testhook.h"
#include "base/xalloc.h"
#include "store/deploy.h"
#include "store/revision.h"

/* Records the changed projects' revisions and the deploy, all or nothing. */
static int record(struct api *a, struct deploy_plan *p, int64_t *id, struct err *e)
{
	struct store *st = api_store(a, e);
	const char **names = xcalloc(p->nprojects + 2, sizeof(char *));
	int64_t number;
	size_t n = 0;
	int rc;

	if (st == NULL) {
		free(names);
		return ERR_FAIL;
	}
	testhook_pause("deploy-write");
	if (p->cluster_changed)
		names[n++] = STORE_CLUSTER;
	for (size_t i = 0; i < p->nprojects; i++)
		if (p->projects[i].changed)
			names[n++] = p->projects[i].name;
	rc = store_begin(st, e);
	if (rc == 0)
		rc = store_deploy_create(st, n ? names : (const char **)&p->projects[0].name,
					 n ? n : 1, n ? "" : "no changes", id, e);
	if (rc == 0 && p->cluster_changed) {
		struct store_revision_new r = { p->cluster_source, "", *id, p->cluster_base, 0, 0 };

		rc = store_revision_add(st, STORE_CLUSTER, &r, &number, e);
	}
	for (size_t i = 0; rc == 0 && i < p->nprojects; i++) {
		struct deploy_project *dp = &p->projects[i];
		struct store_revision_new r = { dp->source, NULL, *id, dp->base, 0, 0 };

		if (!dp->changed)
			continue;
		r.spec = rev_meta_text(&dp->meta);
		rc = store_revision_add(st, dp->name, &r, &number, e);
		free((char *)r.spec);
	}
	if (rc == 0 && n == 0)
		rc = store_deploy_set_state(st, *id, STORE_DEPLOY_SUCCEEDED, "no changes", e);
	if (rc == 0)
		rc = store_commit(st, e);
	else
		store_rollback(st);
	free(names);
	return rc;
}

/* Fills in each change's revision: the project's current one after record. */
static void fill_revisions(struct api *a, struct deploy_plan *p)
{
	struct err e = { 0 };
	struct store *st = api_store(a, &e);
	json_t *c;
	size_t i;

	json_array_foreach(p->changes, i, c) {
		const char *key = json_string_value(json_object_get(c, "service"));
		char project[64];
		struct store_project sp = { 0 };

		snprintf(project, sizeof(project), "%.*s", (int)strcspn(key, "/"), key);
		if (st && store_project_get(st, project, &sp, &e) == 0)
			json_object_set_new(c, "revision", json_integer(sp.current_rev));
		store_project_release(&sp);
	}
}

static int reject(struct http_req *req, struct deploy_plan *p)
{
	if (p->diags.len > 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%zu error%s in the configuration", p->diags.len,
			 p->diags.len == 1 ? "" : "s");
		return http_reply_error_details(req, 400, "invalid_config", msg,
						deploy_plan_diags_json(p));
	}
	return http_reply_error_details(req, 409, "unsatisfiable",
		json_string_value(json_object_get(json_array_get(p->problems, 0), "message")),
		json_incref(p->problems));
}

/*
 * Plans the deploy against the current revisions and records it. A project
 * whose current revision moved between the plan and the record (an
 * automatic rollback on the control thread) fails the record with
 * ERR_CONFLICT: the plan is made again from the new revision, a few times.
 */
#define DEPLOY_ATTEMPTS 3

static int run(struct http_req *req, struct api *a, json_t *body, struct err *e)
{
	struct deploy_images images;
	struct deploy_plan p;
	int64_t id = 0;
	int rc, attempt = 0;

	/* pulls first, with no lock held: a slow registry delays this deploy
	 * only, never a scale or a stop */
	deploy_images_fetch(a, body, &images, e);
	pthread_mutex_lock(&a->deploy_mu);
again:
	rc = deploy_plan_parse(&p, json_incref(body), e);
	p.images = &images;
	if (rc == 0)
		rc = deploy_plan_check(a, &p, control_node(a->control), e);
	if (rc < 0)
		goto out;
	if (p.diags.len > 0 || json_array_size(p.problems) > 0) {
		rc = reject(req, &p);
		goto out;
	}
	if (p.dry_run) {
		rc = http_reply_json(req, 200, json_pack("{s:{s:n, s:s, s:O, s:o}}", "deploy",
							 "id", "state", "dry_run", "changes",
							 p.changes, "warnings",
							 deploy_plan_warnings_json(&p)));
		goto out;
	}
	rc = record(a, &p, &id, e);
	if (rc == ERR_CONFLICT && ++attempt < DEPLOY_ATTEMPTS) {
		deploy_plan_release(&p);
		err_clear(e);
		goto again;
	}
	if (rc == ERR_CONFLICT)
		rc = err_wrap(e, "the deploy was planned %d times and each time another "
			      "change came first; try again", DEPLOY_ATTEMPTS);
	if (rc < 0)
		goto out;
	fill_revisions(a, &p);
	control_post_deploy(a->control, id);
	rc = http_reply_json(req, 202, json_pack("{s:{s:I, s:s, s:O, s:o}}", "deploy", "id",
						 (json_int_t)id, "state", "running", "changes",
						 p.changes, "warnings", deploy_plan_warnings_json(&p)));
out:
	deploy_plan_release(&p);
	pthread_mutex_unlock(&a->deploy_mu);
	deploy_images_release(&images);
	json_decref(body);
	return rc;
}

static int deploy(struct http_req *req, void *arg, struct err *e)
{
	json_t *body = NULL;

	if (http_req_json(req, &body, e) < 0)
		return ERR_INVALID;
	return run(req, arg, body, e);
}

static int put_project(struct http_req *req, void *arg, struct err *e)
{
	json_t *in = NULL, *body;
	const char *source = NULL, *file = NULL;

	if (http_req_json(req, &in, e) < 0)
		return ERR_INVALID;
	if (json_unpack(in, "{s:s, s?s}", "source", &source, "file", &file) != 0) {
		json_decref(in);
		return err_set(e, ERR_INVALID, "request body must be {\"source\": \"<service.toml>\"}");
	}
	body = json_pack("{s:[{s:s, s:s, s:s*}], s:b}", "projects", "name",
			 http_req_param(req, "project"), "source", source, "file", file,
			 "dry_run", http_req_query(req, "dry_run") != NULL);
	json_decref(in);
	return run(req, arg, body, e);
}

static json_t *deploy_json(const struct store_deploy *d, bool with_services)
{
	json_t *projects = json_array();
	json_t *o;

	for (size_t i = 0; i < d->nprojects; i++)
		json_array_append_new(projects, json_string(d->projects[i]));
	o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:o}", "id", (json_int_t)d->id,
		      "state", store_deploy_state_name(d->state), "message", d->message,
		      "created_at", (json_int_t)d->created_at_ms,
		      "finished_at", (json_int_t)d->finished_at_ms, "projects", projects);
	if (with_services) {
		json_t *prog = d->progress ? json_loads(d->progress, 0, NULL) : NULL;
		json_t *svcs = json_object_get(prog, "services");

		json_object_set_new(o, "services", svcs ? json_incref(svcs) : json_array());
		json_decref(prog);
	}
	return o;
}

static int get_deploy(struct http_req *req, void *arg, struct err *e)
{
	struct store *st = api_store(arg, e);
	struct store_deploy d = { 0 };
	char *end;
	long long id = strtoll(http_req_param(req, "id"), &end, 10);
	int rc;

	if (*end || id <= 0)
		return err_set(e, ERR_INVALID, "deploy id must be a positive integer");
	if (st == NULL)
		return ERR_FAIL;
	rc = store_deploy_get(st, id, &d, e);
	if (rc < 0)
		return rc;
	rc = http_reply_json(req, 200, json_pack("{s:o}", "deploy", deploy_json(&d, true)));
	store_deploy_release(&d);
	return rc;
}

static int list_deploys(struct http_req *req, void *arg, struct err *e)
{
	struct store *st = api_store(arg, e);
	struct store_deploy *list = NULL;
	size_t n = 0;
	int64_t limit = 20;
	json_t *a;

	if (http_req_query_int(req, "limit", &limit, e) < 0)
		return ERR_INVALID;
	if (limit < 1 || limit > 1000)
		return err_set(e, ERR_INVALID, "query parameter 'limit' must be between 1 and 1000");
	if (st == NULL || store_deploy_list(st, 0, (size_t)limit, &list, &n, e) < 0)
		return ERR_FAIL;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, deploy_json(&list[i], false));
	store_deploy_list_free(list, n);
	return http_reply_json(req, 200, json_pack("{s:o}", "deploys", a));
}

int api_routes_deploy(struct router *r, struct api *a, struct err *e)
{
	if (router_add(r, "POST", "/api/v1/deploy", deploy, a, e) < 0 ||
	    router_add(r, "PUT", "/api/v1/projects/{project}", put_project, a, e) < 0 ||
	    router_add(r, "GET", "/api/v1/deploys/{id}", get_deploy, a, e) < 0 ||
	    router_add(r, "GET", "/api/v1/deploys", list_deploys, a, e) < 0)
		return ERR_FAIL;
	return 0;
}
