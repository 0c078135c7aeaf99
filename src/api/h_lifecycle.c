/*
 * h_lifecycle.c - scale, stop, restart, rollback: each is a new revision of
 * the project (same text, new meta) so that a restarted server keeps it.
 */
#include "api/ctx.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonx.h"
#include "base/testhook.h"
#include "reconcile/desired.h"
#include "reconcile/spec.h"
#include "store/revision.h"

enum op { OP_SCALE, OP_STOP, OP_RESTART, OP_ROLLBACK };

struct change {
	enum op op;
	int replicas;
	const char *service;   /* NULL: every service of the project */
};

static void missing_secret(void *arg, const struct service *s, const char *name)
{
	struct err *e = arg;

	if (e->code == 0)
		err_set(e, ERR_CONFLICT, "secret '%s' is not set for project '%s' or cluster-wide; "
			"a restart would fail to create '%s'", name, s->project, s->name);
}

/* The newest earlier revision whose definition of name differs from now's. */
static int rollback_target(struct store *st, const struct desired *d, const char *name,
			   struct svc_meta *out, struct err *e)
{
	struct svc_meta *now = rev_meta_find((struct rev_meta *)&d->meta, name);
	struct store_revision *list = NULL;
	size_t n = 0;
	int rc = store_revision_list(st, d->project, d->revision, 100, &list, &n, e);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct store_revision full = { 0 };
		struct rev_meta m;
		struct svc_meta *was;

		if (store_revision_get(st, d->project, list[i].number, &full, e) < 0 ||
		    rev_meta_parse(full.spec, &m, e) < 0) {
			store_revision_release(&full);
			err_clear(e);
			continue;
		}
		was = rev_meta_find(&m, name);
		if (was && (now == NULL || strcmp(was->hash, now->hash) != 0)) {
			*out = *was;
			out->name = NULL;
			if (out->from_revision == 0)
				out->from_revision = list[i].number;
			rev_meta_release(&m);
			store_revision_release(&full);
			store_revision_list_free(list, n);
			return 0;
		}
		rev_meta_release(&m);
		store_revision_release(&full);
	}
	store_revision_list_free(list, n);
	return rc < 0 ? rc : err_set(e, ERR_CONFLICT, "no earlier revision of '%s/%s' differs "
				     "from the current one", d->project, name);
}

static int change_one(struct store *st, const struct desired *d, struct rev_meta *m,
		      const struct service *s, const struct change *c, struct err *e)
{
	struct svc_meta *sm = rev_meta_add(m, s->name);
	struct svc_meta target;
	struct buf stamps = BUF_INIT;
	char *name;

	switch (c->op) {
	case OP_SCALE:
		sm->replicas = c->replicas;
		return 0;
	case OP_STOP:
		sm->replicas = 0;
		return 0;
	case OP_RESTART:
		if (desired_secret_stamps(st, s, &stamps, missing_secret, e, e) < 0 || e->code) {
			buf_release(&stamps);
			return e->code ? e->code : ERR_FAIL;
		}
		sm->restart++;
		spec_hash(s, sm->image_id, sm->restart, buf_str(&stamps), sm->hash);
		buf_release(&stamps);
		return 0;
	case OP_ROLLBACK:
		if (rollback_target(st, d, s->name, &target, e) < 0)
			return ERR_CONFLICT;
		name = sm->name;
		*sm = target;
		sm->name = name;
		return 0;
	}
	return 0;
}

/* Writes the changed meta as a new revision made from d's. */
static int record(struct store *st, const struct desired *d, const struct rev_meta *m,
		  struct err *e)
{
	struct store_revision_new r = { d->source, NULL, 0, d->revision, NULL, 0 };
	int64_t number, *uses = NULL;
	int rc;

	rev_meta_uses(m, &uses, &r.nuses);
	r.uses = uses;
	r.spec = rev_meta_text(m);
	rc = store_revision_add(st, d->project, &r, &number, e);
	free((char *)r.spec);
	free(uses);
	return rc;
}

/* One attempt from the current revision; *moved when another writer moved
 * the current revision between the read and the write. */
static int apply_once(struct store *st, const char *project, const struct change *c,
		      bool *moved, struct err *e)
{
	struct desired d;
	struct rev_meta m;
	int rc;

	rc = desired_load(st, project, &d, e);
	if (rc < 0)
		return rc;
	if (d.revision == 0) {
		desired_release(&d);
		return err_set(e, ERR_NOTFOUND, "project '%s' is not deployed", project);
	}
	rev_meta_copy(&m, &d.meta);
	for (size_t i = 0; rc == 0 && i < d.nservices; i++)
		if (c->service == NULL || strcmp(d.services[i]->name, c->service) == 0)
			rc = change_one(st, &d, &m, d.services[i], c, e);
	if (rc == 0 && c->service && desired_find(&d, c->service) == NULL)
		rc = err_set(e, ERR_NOTFOUND, "project '%s' has no service '%s'", project, c->service);
	if (rc == 0) {
		testhook_pause("lifecycle-write");
		rc = record(st, &d, &m, e);
		*moved = rc == ERR_CONFLICT;
	}
	rev_meta_release(&m);
	desired_release(&d);
	return rc;
}

/* The control thread's automatic rollback is the only other writer (API
 * writers hold deploy_mu): each time it comes first, plan again from the
 * revision it wrote. */
#define LIFECYCLE_ATTEMPTS 3

static int apply(struct api *a, const char *project, const struct change *c, struct err *e)
{
	static const char *const verbs[] = { "scale", "stop", "restart", "rollback" };
	struct store *st = api_store(a, e);
	bool moved = true;
	int rc = ERR_FAIL;

	if (st == NULL)
		return ERR_FAIL;
	for (int i = 0; moved && i < LIFECYCLE_ATTEMPTS; i++) {
		moved = false;
		err_clear(e);
		rc = apply_once(st, project, c, &moved, e);
	}
	if (moved) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		return err_set(e, ERR_CONFLICT, "project '%s' changed under '%s' %d times in a "
			       "row (%s); try again", project, verbs[c->op], LIFECYCLE_ATTEMPTS, why);
	}
	if (rc == 0)
		control_post_reload(a->control, project);
	return rc;
}

static int reply(struct http_req *req, struct api *a, const struct change *c)
{
	const char *project = http_req_param(req, "project");
	int status = 202;

	if (c->service)
		return http_reply_json(req, status, json_pack("{s:{s:s, s:s, s:s}}", "accepted",
			"project", project, "service", c->service, "state", "pending"));
	(void)a;
	return http_reply_json(req, status, json_pack("{s:{s:s, s:s}}", "accepted",
						      "project", project, "state", "pending"));
}

static int run(struct http_req *req, struct api *a, struct change *c, struct err *e)
{
	int rc;

	pthread_mutex_lock(&a->deploy_mu);
	rc = apply(a, http_req_param(req, "project"), c, e);
	pthread_mutex_unlock(&a->deploy_mu);
	return rc < 0 ? rc : reply(req, a, c);
}

static int scale(struct http_req *req, void *arg, struct err *e)
{
	static const char *const fields[] = { "replicas", NULL };
	struct change c = { OP_SCALE, 0, http_req_param(req, "service") };
	json_t *body = NULL;
	int64_t n = 0;
	int rc;

	if (http_req_json(req, &body, e) < 0)
		return ERR_INVALID;
	rc = jsonx_expect_object(body, "request body", e);
	if (rc == 0)
		rc = jsonx_check_fields(body, fields, e);
	if (rc == 0)
		rc = jsonx_get_int_range(body, "replicas", JSONX_REQUIRED, 0, 1000, &n, e);
	json_decref(body);
	if (rc < 0)
		return ERR_INVALID;
	c.replicas = (int)n;
	return run(req, arg, &c, e);
}

static int stop(struct http_req *req, void *arg, struct err *e)
{
	struct change c = { OP_STOP, 0, http_req_param(req, "service") };

	return run(req, arg, &c, e);
}

static int restart(struct http_req *req, void *arg, struct err *e)
{
	struct change c = { OP_RESTART, 0, http_req_param(req, "service") };

	return run(req, arg, &c, e);
}

static int rollback(struct http_req *req, void *arg, struct err *e)
{
	struct change c = { OP_ROLLBACK, 0, http_req_param(req, "service") };

	return run(req, arg, &c, e);
}

/* Ends a canary: no new revision, the control loop goes on rolling. */
static int promote(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	const char *p = http_req_param(req, "project"), *name = http_req_param(req, "service");
	json_t *s = api_find_service(a, p, name, e);
	bool canary = s && json_is_object(json_object_get(s, "canary"));

	json_decref(s);
	if (s == NULL)
		return ERR_NOTFOUND;
	if (!canary)
		return err_set(e, ERR_CONFLICT, "service '%s/%s' has no canary deploy to promote",
			       p, name);
	control_post_promote(a->control, p, name);
	return http_reply_json(req, 202, json_pack("{s:{s:s, s:s, s:s}}", "accepted", "project",
						   p, "service", name, "state", "promoting"));
}

int api_routes_lifecycle(struct router *r, struct api *a, struct err *e)
{
	static const char svc[] = "/api/v1/projects/{project}/services/{service}";
	char path[128];

#define ROUTE(suffix, fn)                                                         \
	(snprintf(path, sizeof(path), "%s/%s", svc, suffix),                      \
	 router_add(r, "POST", path, fn, a, e))
	if (ROUTE("scale", scale) < 0 || ROUTE("stop", stop) < 0 ||
	    ROUTE("restart", restart) < 0 || ROUTE("rollback", rollback) < 0 ||
	    ROUTE("promote", promote) < 0 ||
	    router_add(r, "POST", "/api/v1/projects/{project}/stop", stop, a, e) < 0)
		return ERR_FAIL;
#undef ROUTE
	return 0;
}
