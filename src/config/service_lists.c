/*
 * service_lists.c - a service's env table, volumes and wasm triggers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/envref.h"
#include "base/xalloc.h"
#include "config/cron.h"
#include "config/loader.h"
#include "config/syntax.h"

static bool env_value(const struct cfile *f, const char *ctx, const struct toml_keyval *kv,
		      char **out)
{
	const struct toml_value *v = kv->value;
	struct err e = { 0 };
	const char *s;

	switch (v->type) {
	case TOML_INTEGER:
		*out = xasprintf("%lld", (long long)v->u.integer);
		return true;
	case TOML_BOOL:
		*out = xstrdup(v->u.boolean ? "true" : "false");
		return true;
	case TOML_STRING:
		break;
	default:
		cfile_diag(f, v->pos, ctx, "env '%s' must be a string, not %s", kv->key,
			   cfile_type_a(v->type));
		return false;
	}
	if (!cfile_string(f, ctx, "env", v, &s))
		return false;
	if (envref_scan(s, NULL, NULL, &e) < 0) {
		cfile_diag(f, v->pos, ctx, "env '%s': %s", kv->key, e.msg);
		return false;
	}
	*out = xstrdup(s);
	return true;
}

static void parse_env(const struct cfile *f, const char *ctx, const struct toml_value *tab,
		      struct service *s)
{
	const struct toml_value *v = toml_get(tab, "env");
	const char *why;

	if (v == NULL || !cfile_table(f, ctx, "env", v))
		return;
	s->env = xcalloc(v->u.tab.len, sizeof(*s->env));
	for (size_t i = 0; i < v->u.tab.len; i++) {
		const struct toml_keyval *kv = &v->u.tab.items[i];
		char *value;

		if ((why = cfile_key_has_nul(kv) ? "it contains a NUL character"
						   : syntax_env_key(kv->key)) != NULL) {
			cfile_diag(f, kv->pos, ctx, "env name '%s' is invalid: %s", kv->key, why);
			continue;
		}
		if (!env_value(f, ctx, kv, &value))
			continue;
		s->env[s->nenv].key = xstrdup(kv->key);
		s->env[s->nenv++].value = value;
	}
}

#define VOLUMES_MAX 256  /* path uniqueness is checked pairwise */

static const char *const volume_keys[] = { "name", "path", NULL };

/* One { name, path } table; where says how it was written. */
static void parse_volume(const struct cfile *f, const char *ctx, const struct toml_value *t,
			 const char *where, struct service *s)
{
	const struct toml_value *name = toml_get(t, "name"), *path = toml_get(t, "path");
	const char *n = NULL, *p = NULL, *why;
	bool ok = true;

	cfile_check_keys(f, ctx, t, volume_keys, where);
	if (name == NULL || path == NULL) {
		cfile_diag(f, t->pos, ctx, "a volume needs both 'name' and 'path'");
		return;
	}
	if (cfile_string(f, ctx, "name", name, &n) && (why = syntax_volume_name(n))) {
		cfile_diag(f, name->pos, ctx, "volume name '%s' is invalid: %s", n, why);
		ok = false;
	}
	if (cfile_string(f, ctx, "path", path, &p) && (why = syntax_abs_path(p))) {
		cfile_diag(f, path->pos, ctx, "volume path '%s' is invalid: %s", p, why);
		ok = false;
	}
	if (!ok || n == NULL || p == NULL)
		return;
	for (size_t i = 0; i < s->nvolumes; i++)
		if (strcmp(s->volumes[i].path, p) == 0) {
			cfile_diag(f, path->pos, ctx, "volume path '%s' is already used by volume '%s'",
				   p, s->volumes[i].name);
			return;
		}
	s->volumes = xrealloc(s->volumes, (s->nvolumes + 1) * sizeof(*s->volumes));
	s->volumes[s->nvolumes].name = xstrdup(n);
	s->volumes[s->nvolumes++].path = xstrdup(p);
}

/* `volumes = [{ name, path }]` and the long form `[[service.volume]]`. */
static void parse_volumes(const struct cfile *f, const char *ctx,
			  const struct toml_value *tab, struct service *s)
{
	static const char *const keys[] = { "volumes", "volume" };
	static const char *const wheres[] = { "a 'volumes' entry", "[[service.volume]]" };

	for (int k = 0; k < 2; k++) {
		const struct toml_value *v = toml_get(tab, keys[k]);

		if (v == NULL || !cfile_table_array(f, ctx, keys[k], v))
			continue;
		if (v->u.arr.len + s->nvolumes > VOLUMES_MAX) {
			cfile_diag(f, v->pos, ctx, "more than %d volumes", VOLUMES_MAX);
			continue;
		}
		for (size_t i = 0; i < v->u.arr.len; i++)
			parse_volume(f, ctx, v->u.arr.items[i], wheres[k], s);
	}
}

static const struct {
	const char *prefix;
	enum trigger_kind kind;
} trigger_kinds[] = {
	{ "http:", TRIGGER_HTTP },
	{ "cron:", TRIGGER_CRON },
	{ "queue:", TRIGGER_QUEUE },
	{ "event:", TRIGGER_EVENT },
};

/* Checks the text after "kind:"; fills t->cron for cron triggers. */
static int check_trigger(struct trigger *t, struct err *e)
{
	const char *why = NULL;

	switch (t->kind) {
	case TRIGGER_HTTP: why = syntax_route(t->arg); break;
	case TRIGGER_CRON: return cron_parse(t->arg, &t->cron, e);
	case TRIGGER_QUEUE: why = syntax_topic(t->arg); break;
	case TRIGGER_EVENT: why = syntax_event_pattern(t->arg); break;
	}
	return why ? err_set(e, ERR_INVALID, "%s", why) : 0;
}

static void parse_trigger(const struct cfile *f, const char *ctx, const char *text,
			  struct toml_pos pos, struct service *s)
{
	struct trigger t = { .loc = cfile_loc(f, pos) };
	struct err e = { 0 };
	size_t i, n = sizeof(trigger_kinds) / sizeof(trigger_kinds[0]);

	for (i = 0; i < n; i++)
		if (strncmp(text, trigger_kinds[i].prefix, strlen(trigger_kinds[i].prefix)) == 0)
			break;
	if (i == n) {
		cfile_diag(f, pos, ctx, "trigger '%s' has an unknown kind (use http:<route>, "
			   "cron:<schedule>, queue:<topic> or event:<pattern>)", text);
		return;
	}
	t.kind = trigger_kinds[i].kind;
	t.arg = xstrdup(text + strlen(trigger_kinds[i].prefix));
	if (check_trigger(&t, &e) < 0) {
		cfile_diag(f, pos, ctx, "trigger '%s' is invalid: %s", text, e.msg);
		free(t.arg);
		return;
	}
	s->triggers[s->ntriggers++] = t;
}

static void parse_triggers(const struct cfile *f, const char *ctx,
			   const struct toml_value *tab, struct service *s)
{
	const struct toml_value *v = toml_get(tab, "triggers");
	char **texts;
	size_t n;

	if (v == NULL || !cfile_strings(f, ctx, "triggers", v, &texts, &n))
		return;
	s->triggers = xcalloc(n, sizeof(*s->triggers));
	for (size_t i = 0; i < n; i++)
		parse_trigger(f, ctx, texts[i], v->u.arr.items[i]->pos, s);
	config_strings_free(texts, n);
}

void config_service_lists(const struct cfile *f, const char *ctx,
			  const struct toml_value *tab, struct service *s)
{
	parse_env(f, ctx, tab, s);
	parse_volumes(f, ctx, tab, s);
	parse_triggers(f, ctx, tab, s);
}
