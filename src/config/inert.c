/*
 * inert.c - keys that are accepted and validated but have no effect yet.
 *
 * Some documented keys wait for a part of orca that is not built yet (the
 * proxy, TLS, API tokens, the wasm host, several nodes). Rather than let
 * them do nothing silently, the loaders report each one found as a warning
 * at its file:line:col, in config->warnings. A warning never makes a config
 * invalid: `orca validate` prints it and exits 0, and a deploy returns it
 * in its reply.
 *
 * When a key starts working, delete its row here and its case in
 * tests/unit/test_config_inert.c; nothing else lists these keys.
 */
#include <stdlib.h>
#include <string.h>

#include "config/loader.h"

enum inert_scope {
	INERT_CLUSTER,   /* path from the top of cluster.toml */
	INERT_SERVICE,   /* path from one [[service]] table */
};

struct inert_key {
	enum inert_scope scope;
	const char *path;   /* dotted; an array of tables on the way means each one */
	const char *value;  /* only when the key holds this string; NULL: any value */
	const char *shown;  /* the key as the message names it */
	const char *why;    /* ends "<shown> has no effect yet: <why>" */
};

static const struct inert_key inert_keys[] = {
	{ INERT_CLUSTER, "node.address", NULL, "[[node]] address",
	  "orca runs every replica on the server's own node for now" },
	{ INERT_CLUSTER, "token", NULL, "[[token]]",
	  "the API does not check tokens yet: anyone who can reach its socket or "
	  "--listen address is admin" },
	{ INERT_SERVICE, "runtime", "wasm", "runtime = \"wasm\"",
	  "wasm services are validated but not run, and a deploy refuses them" },
};

#define PATH_PARTS_MAX 4

static void warn(const struct cfile *f, const char *ctx, const struct toml_keyval *kv,
		 const struct inert_key *k)
{
	diags_add(f->c->warnings, f->file, kv->pos.line, kv->pos.col, "%s%s%s has no effect yet: %s",
		  ctx ? ctx : "", ctx ? ": " : "", k->shown, k->why);
}

static bool holds(const struct toml_value *v, const char *value)
{
	return value == NULL || (v->type == TOML_STRING && strcmp(v->u.str.ptr, value) == 0);
}

/* Looks parts[i..n) up under tab, into each table of an array on the way. */
static void find(const struct cfile *f, const char *ctx, const struct toml_value *tab,
		 char *const *parts, size_t i, size_t n, const struct inert_key *k)
{
	const struct toml_keyval *kv = toml_get_kv(tab, parts[i]);
	const struct toml_value *v;

	if (kv == NULL)
		return;
	v = kv->value;
	if (i + 1 == n) {
		if (holds(v, k->value))
			warn(f, ctx, kv, k);
		return;
	}
	if (v->type == TOML_TABLE) {
		find(f, ctx, v, parts, i + 1, n, k);
		return;
	}
	if (v->type != TOML_ARRAY)
		return;
	for (size_t j = 0; j < v->u.arr.len; j++)
		find(f, ctx, v->u.arr.items[j], parts, i + 1, n, k);
}

static void check_key(const struct cfile *f, const char *ctx, const struct toml_value *tab,
		      const struct inert_key *k)
{
	char path[64], *parts[PATH_PARTS_MAX], *save = NULL, *p;
	size_t n = 0;

	strncpy(path, k->path, sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	for (p = strtok_r(path, ".", &save); p && n < PATH_PARTS_MAX;
	     p = strtok_r(NULL, ".", &save))
		parts[n++] = p;
	if (n > 0)
		find(f, ctx, tab, parts, 0, n, k);
}

static void check_scope(const struct cfile *f, const char *ctx, const struct toml_value *tab,
			enum inert_scope scope)
{
	for (size_t i = 0; i < sizeof(inert_keys) / sizeof(inert_keys[0]); i++)
		if (inert_keys[i].scope == scope)
			check_key(f, ctx, tab, &inert_keys[i]);
}

void config_inert_cluster(const struct cfile *f, const struct toml_value *root)
{
	check_scope(f, NULL, root, INERT_CLUSTER);
}

void config_inert_service(const struct cfile *f, const char *ctx, const struct toml_value *tab)
{
	check_scope(f, ctx, tab, INERT_SERVICE);
}
