/*
 * desired.c - rebuilding a project's services from a stored revision.
 */
#include "reconcile/desired.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/load.h"
#include "store/revision.h"
#include "store/secrets.h"

int desired_parse(const char *project, const char *text, struct config **out,
		  struct err *e)
{
	struct config *c = config_new();
	struct diags d = { 0 };
	char *file = xasprintf("services/%s/service.toml", project);
	int rc = 0;

	config_add_project_text(c, project, NULL, file, text, strlen(text), &d);
	if (d.len > 0) {
		rc = err_set(e, ERR_INVALID, "%s:%d:%d: %s", file, d.items[0].line,
			     d.items[0].col, d.items[0].msg);
		config_free(c);
		c = NULL;
	}
	diags_release(&d);
	free(file);
	*out = c;
	return rc;
}

static struct service *find_in(const struct config *c, const char *project,
			       const char *name)
{
	const struct project *p = config_find_project(c, project);

	return p ? (struct service *)project_find_service(p, name) : NULL;
}

static int add_cfg(struct desired *d, const char *text, struct config **out,
		   struct err *e)
{
	struct config *c;

	if (desired_parse(d->project, text, &c, e) < 0)
		return ERR_INVALID;
	d->cfgs = xrealloc(d->cfgs, (d->ncfgs + 1) * sizeof(*d->cfgs));
	d->cfgs[d->ncfgs++] = c;
	*out = c;
	return 0;
}

/* The definition of a service rolled back to an older revision. */
static int older_definition(struct store *st, struct desired *d, const char *name,
			    int64_t number, struct service **out, struct err *e)
{
	struct store_revision rev = { 0 };
	struct config *c;
	int rc;

	*out = NULL;
	rc = store_revision_get(st, d->project, number, &rev, e);
	if (rc < 0)
		return err_wrap(e, "service '%s/%s' comes from revision %lld", d->project,
				name, (long long)number);
	rc = add_cfg(d, rev.source ? rev.source : "", &c, e);
	if (rc == 0)
		*out = find_in(c, d->project, name);
	store_revision_release(&rev);
	return rc;
}

static int cmp_service(const void *a, const void *b)
{
	return strcmp((*(struct service *const *)a)->name, (*(struct service *const *)b)->name);
}

static int collect(struct store *st, struct desired *d, struct err *e)
{
	const struct project *p = config_find_project(d->cfgs[0], d->project);

	for (size_t i = 0; p && i < p->nservices; i++) {
		struct service *s = &p->services[i];
		struct svc_meta *sm = rev_meta_find(&d->meta, s->name);

		if (sm && sm->from_revision && sm->from_revision != d->revision &&
		    older_definition(st, d, s->name, sm->from_revision, &s, e) < 0)
			return ERR_INVALID;
		if (s == NULL)
			continue;   /* did not exist then: rolled back to nothing */
		if (sm && sm->replicas >= 0)
			s->replicas = sm->replicas;
		d->services = xrealloc(d->services, (d->nservices + 1) * sizeof(*d->services));
		d->services[d->nservices++] = s;
	}
	qsort(d->services, d->nservices, sizeof(*d->services), cmp_service);
	return 0;
}

static int load(struct store *st, struct store_revision *rev, struct desired *out,
		struct err *e)
{
	struct config *c;
	int rc;

	out->revision = rev->number;
	out->source = xstrdup(rev->source ? rev->source : "");
	rc = rev_meta_parse(rev->spec, &out->meta, e);
	if (rc == 0)
		rc = add_cfg(out, out->source, &c, e);
	if (rc == 0)
		rc = collect(st, out, e);
	if (rc < 0)
		err_wrap(e, "project '%s' revision %lld", out->project, (long long)rev->number);
	return rc;
}

int desired_load(struct store *st, const char *project, struct desired *out,
		 struct err *e)
{
	struct store_revision rev = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->project = xstrdup(project);
	rc = store_revision_current(st, project, &rev, e);
	if (rc == 0) {
		struct store_project sp = { 0 };

		if (store_project_get(st, project, &sp, e) == 0)
			out->good_revision = sp.good_rev;
		store_project_release(&sp);
		err_clear(e);
	}
	if (rc == ERR_NOTFOUND) {
		err_clear(e);
		return 0;
	}
	if (rc == 0)
		rc = load(st, &rev, out, e);
	store_revision_release(&rev);
	if (rc < 0)
		desired_release(out);
	return rc;
}

int desired_load_revision(struct store *st, const char *project, int64_t number,
			  struct desired *out, struct err *e)
{
	struct store_revision rev = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->project = xstrdup(project);
	rc = store_revision_get(st, project, number, &rev, e);
	if (rc == 0)
		rc = load(st, &rev, out, e);
	store_revision_release(&rev);
	if (rc < 0)
		desired_release(out);
	return rc;
}

struct service *desired_find(const struct desired *d, const char *name)
{
	for (size_t i = 0; i < d->nservices; i++)
		if (strcmp(d->services[i]->name, name) == 0)
			return d->services[i];
	return NULL;
}

void desired_release(struct desired *d)
{
	for (size_t i = 0; i < d->ncfgs; i++)
		config_free(d->cfgs[i]);
	free(d->cfgs);
	free(d->services);
	free(d->project);
	free(d->source);
	rev_meta_release(&d->meta);
	memset(d, 0, sizeof(*d));
}

int desired_cluster(struct store *st, struct config **out, struct err *e)
{
	struct store_revision rev = { 0 };
	struct config *cfg = config_new();
	struct diags d = { 0 };
	int rc = store_revision_current(st, STORE_CLUSTER, &rev, e);

	if (rc == ERR_NOTFOUND) {
		err_clear(e);
		rc = 0;
	} else if (rc == 0 && rev.source) {
		config_add_cluster_text(cfg, "cluster.toml", rev.source, strlen(rev.source), &d);
		if (d.len)
			rc = err_set(e, ERR_INVALID, "cluster.toml revision %lld: %d:%d: %s",
				     (long long)rev.number, d.items[0].line, d.items[0].col,
				     d.items[0].msg);
	}
	diags_release(&d);
	store_revision_release(&rev);
	if (rc < 0) {
		config_free(cfg);
		cfg = NULL;
	}
	*out = cfg;
	return rc;
}

static const struct secrets_entry *find_entry(const struct secrets_entry *v, size_t n,
					      const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

int desired_secret_stamps(struct store *st, const struct service *s, struct buf *out,
			  desired_missing_fn missing, void *arg, struct err *e)
{
	struct secrets_entry *own = NULL, *all = NULL;
	size_t nown = 0, nall = 0;
	char **names = spec_secret_names(s);
	int rc = 0;

	if (names[0] && (secrets_list(st, s->project, NULL, STORE_LIST_MAX, &own, &nown, e) < 0 ||
			 secrets_list(st, "", NULL, STORE_LIST_MAX, &all, &nall, e) < 0))
		rc = ERR_FAIL;
	for (size_t i = 0; rc == 0 && names[i]; i++) {
		const struct secrets_entry *en = find_entry(own, nown, names[i]);

		if (en == NULL)
			en = find_entry(all, nall, names[i]);
		if (en)
			buf_printf(out, "%s@%lld;", names[i], (long long)en->updated_at_ms);
		else if (missing)
			missing(arg, s, names[i]);
	}
	secrets_list_free(own, nown);
	secrets_list_free(all, nall);
	spec_names_free(names);
	return rc;
}
