/*
 * service.c - one [[service]] table: its scalar keys and the runtime rules.
 *
 * Lists (env, volumes, triggers) are in service_lists.c, sub-tables
 * (resources, placement, deploy, healthcheck) in service_tables.c; rules
 * that need more than one service are in check.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/loader.h"
#include "config/syntax.h"

#define REPLICAS_MAX 1000

static const char *const service_keys[] = {
	"name", "runtime", "image", "module", "replicas", "port", "domain", "routes",
	"health", "aliases", "internal", "env", "command", "volumes", "volume",
	"depends_on", "triggers", "resources", "placement", "deploy", "healthcheck",
	"proxy", NULL,
};

/* The name, and the ctx every later message starts with. */
static void parse_name(const struct cfile *f, const struct toml_value *tab, size_t index,
		       struct service *s, char ctx[CTX_MAX])
{
	const struct toml_value *v = toml_get(tab, "name");
	const char *name, *why;

	snprintf(ctx, CTX_MAX, "service #%zu", index);
	if (v == NULL) {
		cfile_diag(f, tab->pos, ctx, "missing required key 'name'");
		return;
	}
	if (!cfile_string(f, ctx, "name", v, &name))
		return;
	snprintf(ctx, CTX_MAX, "service '%.60s'", name);
	s->name = xstrdup(name);
	if ((why = syntax_name(name)) != NULL)
		cfile_diag(f, v->pos, NULL, "service name '%s' is invalid: %s", name, why);
}

static void parse_runtime(const struct cfile *f, const char *ctx,
			  const struct toml_value *tab, struct service *s, bool *known)
{
	const struct toml_value *v = toml_get(tab, "runtime");
	const char *r;

	*known = true;
	if (v == NULL)
		return;
	if (!cfile_string(f, ctx, "runtime", v, &r)) {
		*known = false;
	} else if (strcmp(r, "wasm") == 0) {
		s->runtime = RUNTIME_WASM;
	} else if (strcmp(r, "container") != 0) {
		cfile_diag(f, v->pos, ctx, "'runtime' must be \"container\" or \"wasm\", not \"%s\"", r);
		*known = false;
	}
}

static void parse_image(const struct cfile *f, const char *ctx,
			const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v = toml_get(tab, "image");
	const char *img, *why;

	if (v == NULL || !cfile_string(f, ctx, "image", v, &img))
		return;
	if ((why = syntax_image(img)) != NULL) {
		cfile_diag(f, v->pos, ctx, "image '%s' is invalid: %s", img, why);
		return;
	}
	s->image = xstrdup(img);
}

static void parse_module(const struct cfile *f, const char *ctx,
			 const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v = toml_get(tab, "module");
	const char *m;

	if (v == NULL || !cfile_string(f, ctx, "module", v, &m))
		return;
	if (m[0] == '\0') {
		cfile_diag(f, v->pos, ctx, "'module' must not be empty");
		return;
	}
	s->module = xstrdup(m);
	if (m[0] == '/' || f->project_dir == NULL)
		s->module_path = xstrdup(m);
	else
		s->module_path = xasprintf("%s/%s", f->project_dir, m);
}

static void parse_replicas(const struct cfile *f, const char *ctx,
			   const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v = toml_get(tab, "replicas");
	int64_t n;

	s->replicas = 1;
	s->replicas_auto = s->runtime == RUNTIME_WASM;
	if (v == NULL)
		return;
	if (v->type == TOML_STRING && strcmp(v->u.str.ptr, "auto") == 0) {
		s->replicas_auto = true;
		s->replicas = 0;
		return;
	}
	if (v->type == TOML_STRING) {
		cfile_diag(f, v->pos, ctx, "'replicas' must be an integer or \"auto\", not \"%s\"",
			   v->u.str.ptr);
		return;
	}
	if (v->type != TOML_INTEGER) {
		cfile_bad_type(f, ctx, "replicas", v, "an integer or \"auto\"");
		return;
	}
	if (cfile_int(f, ctx, "replicas", v, 0, REPLICAS_MAX, &n)) {
		s->replicas = (int)n;
		s->replicas_auto = false;
	}
}

static void parse_scalars(const struct cfile *f, const char *ctx,
			  const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v;
	int64_t port;

	parse_image(f, ctx, tab, s);
	parse_module(f, ctx, tab, s);
	parse_replicas(f, ctx, tab, s);
	if ((v = toml_get(tab, "port")) != NULL && cfile_int(f, ctx, "port", v, 1, 65535, &port))
		s->port = (int)port;
	if ((v = toml_get(tab, "internal")) != NULL)
		cfile_bool(f, ctx, "internal", v, &s->internal);
}

/* `domain`: one hostname or a list of them. */
static void parse_domain(const struct cfile *f, const char *ctx,
			 const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v = toml_get(tab, "domain");
	const char *why;

	if (v == NULL)
		return;
	s->domain_loc = cfile_loc(f, v->pos);
	if (v->type == TOML_STRING) {
		const char *d;

		if (!cfile_string(f, ctx, "domain", v, &d))
			return;
		s->domains = xmalloc(sizeof(*s->domains));
		s->domains[s->ndomains++] = xstrdup(d);
	} else if (v->type != TOML_ARRAY) {
		cfile_bad_type(f, ctx, "domain", v, "a hostname or an array of hostnames");
		return;
	} else if (!cfile_strings(f, ctx, "domain", v, &s->domains, &s->ndomains)) {
		return;
	}
	for (size_t i = 0; i < s->ndomains; i++)
		if ((why = syntax_hostname(s->domains[i])) != NULL)
			cfile_diag(f, v->type == TOML_ARRAY ? v->u.arr.items[i]->pos : v->pos, ctx,
				   "domain '%s' is invalid: %s", s->domains[i], why);
}

/* Checks each string of an array value with a syntax_* function. */
static void check_each(const struct cfile *f, const char *ctx, const struct toml_value *v,
		       char **items, size_t n, const char *what,
		       const char *(*check)(const char *))
{
	const char *why;

	for (size_t i = 0; i < n; i++)
		if ((why = check(items[i])) != NULL)
			cfile_diag(f, v->u.arr.items[i]->pos, ctx, "%s '%s' is invalid: %s", what,
				   items[i], why);
}

static void parse_string_lists(const struct cfile *f, const char *ctx,
			       const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v;

	if ((v = toml_get(tab, "routes")) != NULL &&
	    cfile_strings(f, ctx, "routes", v, &s->routes, &s->nroutes))
		check_each(f, ctx, v, s->routes, s->nroutes, "route", syntax_route);
	if ((v = toml_get(tab, "aliases")) != NULL &&
	    cfile_strings(f, ctx, "aliases", v, &s->aliases, &s->naliases))
		check_each(f, ctx, v, s->aliases, s->naliases, "alias", syntax_name);
	if ((v = toml_get(tab, "command")) != NULL &&
	    cfile_strings(f, ctx, "command", v, &s->command, &s->ncommand) &&
	    s->ncommand == 0)
		cfile_diag(f, v->pos, ctx, "'command' must not be empty (leave it out to run the "
			   "image's own command)");
	if ((v = toml_get(tab, "depends_on")) != NULL)
		cfile_strings(f, ctx, "depends_on", v, &s->depends_on, &s->ndepends_on);
}

/* A key that the service's runtime does not use, at the key. */
static void only_for(const struct cfile *f, const char *ctx, const struct toml_value *tab,
		     const char *key, const char *runtime)
{
	const struct toml_keyval *kv = toml_get_kv(tab, key);

	if (kv != NULL)
		cfile_diag(f, kv->pos, ctx, "'%s' is only for runtime = \"%s\"", key, runtime);
}

static void check_runtime(const struct cfile *f, const char *ctx,
			  const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v = toml_get(tab, "replicas");

	if (s->runtime == RUNTIME_WASM) {
		if (toml_get(tab, "module") == NULL)
			cfile_diag(f, tab->pos, ctx, "missing required key 'module' (a wasm service "
				   "runs a WebAssembly component)");
		only_for(f, ctx, tab, "image", "container");
		return;
	}
	if (toml_get(tab, "image") == NULL)
		cfile_diag(f, tab->pos, ctx, "missing required key 'image' (a container service "
			   "runs an image)");
	only_for(f, ctx, tab, "module", "wasm");
	only_for(f, ctx, tab, "triggers", "wasm");
	if (v != NULL && v->type == TOML_STRING && strcmp(v->u.str.ptr, "auto") == 0) {
		cfile_diag(f, v->pos, ctx, "replicas = \"auto\" is only for runtime = \"wasm\"");
		s->replicas_auto = false;
		s->replicas = 1;
	}
}

/* A published container needs a port to route to; routes need a domain. */
static void check_routing(const struct cfile *f, const char *ctx,
			  const struct toml_value *tab, const struct service *s)
{
	const struct toml_keyval *kv;

	if (s->nroutes > 0 && s->ndomains == 0 && (kv = toml_get_kv(tab, "routes")))
		cfile_diag(f, kv->pos, ctx, "'routes' needs a 'domain' to route under");
	if (s->runtime == RUNTIME_CONTAINER && s->ndomains > 0 && s->port == 0 &&
	    (kv = toml_get_kv(tab, "domain")))
		cfile_diag(f, kv->pos, ctx, "'domain' needs a 'port' to send requests to");
	if (s->deploy.strategy == DEPLOY_CANARY && s->ndomains == 0)
		cfile_diag(f, toml_get(toml_get(tab, "deploy"), "strategy")->pos, ctx,
			   "strategy = \"canary\" needs a 'domain': only requests through the proxy "
			   "can be weighted between two revisions");
}

void config_service_parse(const struct cfile *f, const struct toml_value *tab, size_t index,
			  struct service *s)
{
	char ctx[CTX_MAX];
	bool runtime_known;

	s->loc = cfile_loc(f, tab->pos);
	parse_name(f, tab, index, s, ctx);
	cfile_check_keys(f, ctx, tab, service_keys, NULL);
	parse_runtime(f, ctx, tab, s, &runtime_known);
	parse_scalars(f, ctx, tab, s);
	parse_domain(f, ctx, tab, s);
	parse_string_lists(f, ctx, tab, s);
	config_service_lists(f, ctx, tab, s);
	config_service_tables(f, ctx, tab, s);
	config_service_proxy(f, ctx, tab, s);
	if (runtime_known)
		check_runtime(f, ctx, tab, s);
	check_routing(f, ctx, tab, s);
	config_inert_service(f, ctx, tab);
}
