/*
 * deploy_plan.c - parsing a deploy request and building the config of the
 * whole cluster it would produce.
 */
#include "api/deploy_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonx.h"
#include "base/xalloc.h"
#include "config/json.h"
#include "store/revision.h"
#include "tls/tls.h"

static int parse_project(struct deploy_project *dp, json_t *o, size_t i, struct err *e)
{
	static const char *const fields[] = { "name", "file", "source", NULL };

	if (jsonx_expect_object(o, "each of 'projects'", e) < 0 ||
	    jsonx_check_fields(o, fields, e) < 0 ||
	    jsonx_get_string(o, "name", JSONX_REQUIRED, &dp->name, e) < 0 ||
	    jsonx_get_string(o, "source", JSONX_REQUIRED, &dp->source, e) < 0 ||
	    jsonx_get_string(o, "file", JSONX_OPTIONAL, &dp->file, e) < 0)
		return err_wrap(e, "projects[%zu]", i);
	if (strlen(dp->source) > STORE_SOURCE_MAX)
		return err_set(e, ERR_TOOBIG, "projects[%zu]: source over %d bytes", i,
			       STORE_SOURCE_MAX);
	return 0;
}

static int parse_cluster(struct deploy_plan *p, json_t *body, struct err *e)
{
	static const char *const fields[] = { "file", "source", NULL };
	json_t *c = NULL;

	if (jsonx_get_object(body, "cluster", JSONX_OPTIONAL, &c, e) < 0)
		return ERR_INVALID;
	if (c == NULL)
		return 0;
	if (jsonx_check_fields(c, fields, e) < 0 ||
	    jsonx_get_string(c, "source", JSONX_REQUIRED, &p->cluster_source, e) < 0 ||
	    jsonx_get_string(c, "file", JSONX_OPTIONAL, &p->cluster_file, e) < 0)
		return err_wrap(e, "cluster");
	return 0;
}

int deploy_plan_parse(struct deploy_plan *p, json_t *body, struct err *e)
{
	static const char *const fields[] = { "cluster", "projects", "dry_run", NULL };
	json_t *projects = NULL;
	int dry = 0;

	memset(p, 0, sizeof(*p));
	p->body = body;
	p->problems = json_array();
	p->changes = json_array();
	if (jsonx_expect_object(body, "request body", e) < 0 ||
	    jsonx_check_fields(body, fields, e) < 0 ||
	    jsonx_get_bool(body, "dry_run", JSONX_OPTIONAL, &dry, e) < 0 ||
	    jsonx_get_array(body, "projects", JSONX_REQUIRED, &projects, e) < 0 ||
	    parse_cluster(p, body, e) < 0)
		return ERR_INVALID;
	p->dry_run = dry;
	if (json_array_size(projects) == 0 || json_array_size(projects) > DEPLOY_MAX_PROJECTS)
		return err_set(e, ERR_INVALID, "'projects' must hold 1 to %d projects",
			       DEPLOY_MAX_PROJECTS);
	p->nprojects = json_array_size(projects);
	p->projects = xcalloc(p->nprojects, sizeof(*p->projects));
	for (size_t i = 0; i < p->nprojects; i++) {
		if (parse_project(&p->projects[i], json_array_get(projects, i), i, e) < 0)
			return ERR_INVALID;
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->projects[j].name, p->projects[i].name) == 0)
				return err_set(e, ERR_INVALID, "project '%s' is listed twice",
					       p->projects[i].name);
	}
	return 0;
}

static const struct deploy_project *in_request(const struct deploy_plan *p, const char *name)
{
	for (size_t i = 0; i < p->nprojects; i++)
		if (strcmp(p->projects[i].name, name) == 0)
			return &p->projects[i];
	return NULL;
}

static char *current_source(struct store *st, const char *project, int64_t *number,
			    struct err *e)
{
	struct store_revision rev = { 0 };
	char *text = NULL;

	if (store_revision_current(st, project, &rev, e) == 0 && rev.source)
		text = xstrdup(rev.source);
	if (number)
		*number = rev.number;
	err_clear(e);
	store_revision_release(&rev);
	return text;
}

/* The stored projects the request does not replace join the config, so that
 * cross-project rules and placement see the whole cluster. */
static int add_stored(struct deploy_plan *p, struct store *st, struct err *e)
{
	struct store_project *list = NULL;
	size_t n = 0;
	int rc = store_project_list(st, NULL, STORE_PROJECTS_MAX, &list, &n, e);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *text, *file;

		if (in_request(p, list[i].name))
			continue;
		text = current_source(st, list[i].name, NULL, e);
		if (text == NULL)
			continue;
		file = xasprintf("(deployed) services/%s/service.toml", list[i].name);
		config_add_project_text(p->cfg, list[i].name, NULL, file, text, strlen(text),
					&p->diags);
		free(file);
		free(text);
	}
	store_project_list_free(list, n);
	return rc;
}

/* Is path the directory dir (which exists)? */
static bool same_dir(const char *path, const char *dir)
{
	char *a = realpath(path, NULL), *b = realpath(dir, NULL);
	bool same = a && b && strcmp(a, b) == 0;

	free(a);
	free(b);
	return same;
}

/* [cluster] data_dir only chooses where a server started with --config keeps
 * its state; a deploy to a server that keeps it elsewhere says so. */
static void warn_data_dir(struct config *cfg, const char *server_dir)
{
	const struct cluster *cl = &cfg->cluster;

	if (cl->data_dir == NULL || same_dir(cl->data_dir, server_dir))
		return;
	diags_add(cfg->warnings, cl->data_dir_loc.file, cl->data_dir_loc.line,
		  cl->data_dir_loc.col, "[cluster] data_dir has no effect on this server: it "
		  "keeps its state in %s (data_dir is used by 'orca server --config DIR' "
		  "started without --data or $ORCA_DATA)", server_dir);
}

int deploy_plan_build(struct api *a, struct deploy_plan *p, struct err *e)
{
	struct store *st = api_store(a, e);
	const char *cluster;
	size_t nwarnings;

	if (st == NULL)
		return ERR_FAIL;
	p->cfg = config_new();
	p->stored_cluster = current_source(st, STORE_CLUSTER, &p->cluster_base, e);
	cluster = p->cluster_source ? p->cluster_source : p->stored_cluster;
	p->cluster_changed = p->cluster_source &&
			     (!p->stored_cluster || strcmp(p->cluster_source, p->stored_cluster));
	if (cluster)
		config_add_cluster_text(p->cfg, p->cluster_file ? p->cluster_file : "cluster.toml",
					cluster, strlen(cluster), &p->diags);
	for (size_t i = 0; i < p->nprojects; i++) {
		const struct deploy_project *dp = &p->projects[i];
		char *file = dp->file ? NULL : xasprintf("services/%s/service.toml", dp->name);

		config_add_project_text(p->cfg, dp->name, NULL, dp->file ? dp->file : file,
					dp->source, strlen(dp->source), &p->diags);
		free(file);
	}
	/* warnings are about the files of this request (and the cluster.toml in
	 * effect), not about the stored projects that join to be checked with them */
	nwarnings = p->cfg->warnings->len;
	if (add_stored(p, st, e) < 0)
		return ERR_FAIL;
	diags_truncate(p->cfg->warnings, nwarnings);
	config_check(p->cfg, &p->diags);
	if (p->diags.len == 0)
		tls_check_files(p->cfg, &p->diags);   /* on the server's host */
	diags_sort(&p->diags);
	warn_data_dir(p->cfg, a->data_dir);
	diags_sort(p->cfg->warnings);
	return 0;
}

json_t *deploy_plan_diags_json(const struct deploy_plan *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->diags.len; i++) {
		const struct diag *d = &p->diags.items[i];

		json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:s}", "file", d->file,
						   "line", d->line, "col", d->col,
						   "message", d->msg));
	}
	return a;
}

json_t *deploy_plan_warnings_json(const struct deploy_plan *p)
{
	return p->cfg ? config_diags_to_json(p->cfg->warnings) : json_array();
}

void deploy_plan_release(struct deploy_plan *p)
{
	for (size_t i = 0; i < p->nprojects; i++)
		rev_meta_release(&p->projects[i].meta);
	free(p->projects);
	free(p->stored_cluster);
	config_free(p->cfg);
	diags_release(&p->diags);
	json_decref(p->problems);
	json_decref(p->changes);
	json_decref(p->body);
	memset(p, 0, sizeof(*p));
}
