/*
 * project.c - one project's service.toml: a list of [[service]] tables.
 */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/loader.h"
#include "config/suggest.h"
#include "config/syntax.h"

static const char *const top_keys[] = { "service", NULL };

/* The top level of a service.toml holds only [[service]]. */
static void check_top(const struct cfile *f, const struct toml_value *root)
{
	for (size_t i = 0; i < root->u.tab.len; i++) {
		const struct toml_keyval *kv = &root->u.tab.items[i];

		if (strcmp(kv->key, "service") == 0)
			continue;
		if (suggest_closest(kv->key, top_keys, 1) != NULL)
			cfile_diag(f, kv->pos, NULL, "unknown key '%s' (did you mean 'service'?)",
				   kv->key);
		else
			cfile_diag(f, kv->pos, NULL, "unknown key '%s' (service.toml holds only "
				   "[[service]] tables)", kv->key);
	}
}

/* Adds an empty project at its sorted place; NULL when the name is taken. */
static struct project *add_project(struct config *c, const char *name, const char *dir,
				   const char *file)
{
	size_t at = 0;
	struct project *p;

	while (at < c->nprojects && strcmp(c->projects[at].name, name) < 0)
		at++;
	if (at < c->nprojects && strcmp(c->projects[at].name, name) == 0)
		return NULL;
	c->projects = xrealloc(c->projects, (c->nprojects + 1) * sizeof(*c->projects));
	memmove(&c->projects[at + 1], &c->projects[at],
		(c->nprojects - at) * sizeof(*c->projects));
	c->nprojects++;
	p = &c->projects[at];
	*p = (struct project){
		.name = xstrdup(name),
		.dir = dir ? xstrdup(dir) : NULL,
		.file = xstrdup(file),
	};
	return p;
}

/* Parses the text; a syntax error is the file's only diagnostic. */
static struct toml_value *parse_toml(const struct cfile *f, const char *text, size_t len)
{
	struct toml_value *root = NULL;
	struct toml_pos pos = { 0, 0 };
	struct err e = { 0 };

	if (toml_parse(text, len, &root, &pos, &e) < 0) {
		cfile_diag(f, pos, NULL, "%s", e.msg);
		return NULL;
	}
	return root;
}

static void parse_services(const struct cfile *f, struct project *p,
			   const struct toml_value *list)
{
	const struct toml_value **tabs;
	size_t n = list->u.arr.len;

	p->services = xcalloc(n, sizeof(*p->services));
	tabs = xcalloc(n, sizeof(*tabs));
	for (size_t i = 0; i < n; i++) {
		struct service *s = &p->services[p->nservices++];

		tabs[i] = list->u.arr.items[i];
		s->project = xstrdup(p->name);
		config_service_parse(f, tabs[i], i + 1, s);
	}
	config_check_project(f, p, tabs);
	free(tabs);
}

void config_add_project_text(struct config *c, const char *project,
			     const char *project_dir, const char *file,
			     const char *text, size_t len, struct diags *d)
{
	struct cfile f = { c, d, config_intern_file(c, file), project_dir };
	struct toml_value *root;
	const struct toml_value *list;
	struct project *p;
	const char *why;

	if ((why = syntax_name(project)) != NULL)
		diags_add(d, project_dir ? project_dir : file, 0, 0,
			  "project name '%s' is invalid: %s", project, why);
	if ((p = add_project(c, project, project_dir, file)) == NULL) {
		diags_add(d, file, 0, 0, "project '%s' is given twice", project);
		return;
	}
	if ((root = parse_toml(&f, text, len)) == NULL)
		return;
	check_top(&f, root);
	list = toml_get(root, "service");
	if (list != NULL && list->type == TOML_TABLE)
		cfile_diag(&f, list->pos, NULL, "'service' must be an array of tables: write "
			   "[[service]], not [service]");
	else if (list != NULL && cfile_table_array(&f, NULL, "service", list))
		parse_services(&f, p, list);
	toml_free(root);
}
