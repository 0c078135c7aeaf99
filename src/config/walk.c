/*
 * walk.c - typed reads from a TOML tree; wrong types become diagnostics.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/loader.h"
#include "config/suggest.h"
#include "config/units.h"

void cfile_diag(const struct cfile *f, struct toml_pos pos, const char *ctx, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (ctx != NULL)
		diags_add(f->d, f->file, pos.line, pos.col, "%s: %s", ctx, msg ? msg : "?");
	else
		diags_add(f->d, f->file, pos.line, pos.col, "%s", msg ? msg : "?");
	free(msg);
}

struct config_loc cfile_loc(const struct cfile *f, struct toml_pos pos)
{
	return (struct config_loc){ .file = f->file, .line = pos.line, .col = pos.col };
}

const char *cfile_type_a(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE: return "a table";
	case TOML_ARRAY: return "an array";
	case TOML_STRING: return "a string";
	case TOML_INTEGER: return "an integer";
	case TOML_FLOAT: return "a float";
	case TOML_BOOL: return "a boolean";
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL: return "a date-time";
	case TOML_DATE_LOCAL: return "a date";
	case TOML_TIME_LOCAL: return "a time";
	}
	return "a value";
}

bool cfile_key_has_nul(const struct toml_keyval *kv)
{
	return strlen(kv->key) != kv->key_len;
}

void cfile_check_keys(const struct cfile *f, const char *ctx, const struct toml_value *tab,
		      const char *const *known, const char *where)
{
	size_t nknown = 0;

	while (known[nknown] != NULL)
		nknown++;
	for (size_t i = 0; i < tab->u.tab.len; i++) {
		const struct toml_keyval *kv = &tab->u.tab.items[i];
		const char *hint;
		size_t j;

		for (j = 0; j < nknown && !cfile_key_has_nul(kv); j++)
			if (strcmp(kv->key, known[j]) == 0)
				break;
		if (j < nknown)
			continue;
		hint = suggest_closest(kv->key, known, nknown);
		cfile_diag(f, kv->pos, ctx, "unknown key '%s'%s%s%s%s%s", kv->key,
			   where ? " in " : "", where ? where : "",
			   hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
	}
}

void cfile_bad_type(const struct cfile *f, const char *ctx, const char *key,
		    const struct toml_value *v, const char *want)
{
	cfile_diag(f, v->pos, ctx, "'%s' must be %s, not %s", key, want, cfile_type_a(v->type));
}

bool cfile_string(const struct cfile *f, const char *ctx, const char *key,
		  const struct toml_value *v, const char **out)
{
	if (v->type != TOML_STRING) {
		cfile_bad_type(f, ctx, key, v, "a string");
		return false;
	}
	if (strlen(v->u.str.ptr) != v->u.str.len) {
		cfile_diag(f, v->pos, ctx, "'%s' must not contain a NUL character", key);
		return false;
	}
	*out = v->u.str.ptr;
	return true;
}

bool cfile_int(const struct cfile *f, const char *ctx, const char *key,
	       const struct toml_value *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (v->type != TOML_INTEGER) {
		cfile_bad_type(f, ctx, key, v, "an integer");
		return false;
	}
	if (v->u.integer < lo || v->u.integer > hi) {
		if (hi == INT64_MAX)
			cfile_diag(f, v->pos, ctx, "'%s' must be at least %lld, not %lld", key,
				   (long long)lo, (long long)v->u.integer);
		else
			cfile_diag(f, v->pos, ctx, "'%s' must be between %lld and %lld, not %lld",
				   key, (long long)lo, (long long)hi, (long long)v->u.integer);
		return false;
	}
	*out = v->u.integer;
	return true;
}

bool cfile_bool(const struct cfile *f, const char *ctx, const char *key,
		const struct toml_value *v, bool *out)
{
	if (v->type != TOML_BOOL) {
		cfile_bad_type(f, ctx, key, v, "a boolean (true or false)");
		return false;
	}
	*out = v->u.boolean;
	return true;
}

bool cfile_table(const struct cfile *f, const char *ctx, const char *key,
		 const struct toml_value *v)
{
	if (v->type != TOML_TABLE) {
		cfile_bad_type(f, ctx, key, v, "a table");
		return false;
	}
	return true;
}

bool cfile_table_array(const struct cfile *f, const char *ctx, const char *key,
		       const struct toml_value *v)
{
	if (v->type != TOML_ARRAY) {
		cfile_bad_type(f, ctx, key, v, "an array of tables");
		return false;
	}
	for (size_t i = 0; i < v->u.arr.len; i++)
		if (v->u.arr.items[i]->type != TOML_TABLE) {
			cfile_bad_type(f, ctx, key, v->u.arr.items[i], "an array of tables");
			return false;
		}
	return true;
}

void config_strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_kvs_free(struct kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

bool cfile_strings(const struct cfile *f, const char *ctx, const char *key,
		   const struct toml_value *v, char ***out, size_t *n)
{
	char **items = NULL;
	size_t len, k = 0;
	const char *s;
	bool ok = true;

	*out = NULL;
	*n = 0;
	if (v->type != TOML_ARRAY) {
		cfile_bad_type(f, ctx, key, v, "an array of strings");
		return false;
	}
	len = v->u.arr.len;
	items = xcalloc(len, sizeof(*items));
	for (size_t i = 0; i < len; i++) {
		const struct toml_value *it = v->u.arr.items[i];

		if (it->type != TOML_STRING) {
			cfile_diag(f, it->pos, ctx, "'%s' must hold strings, not %s", key,
				   cfile_type_a(it->type));
			ok = false;
		} else if (cfile_string(f, ctx, key, it, &s)) {
			items[k++] = xstrdup(s);
		} else {
			ok = false;
		}
	}
	if (!ok || k == 0) {
		config_strings_free(items, k);
		return ok;
	}
	*out = items;
	*n = k;
	return true;
}

bool cfile_string_table(const struct cfile *f, const char *ctx, const char *key,
			const struct toml_value *v, struct kv **out, size_t *n)
{
	struct kv *items;
	size_t len, k = 0;
	bool ok = true;

	*out = NULL;
	*n = 0;
	if (!cfile_table(f, ctx, key, v))
		return false;
	len = v->u.tab.len;
	items = xcalloc(len, sizeof(*items));
	for (size_t i = 0; i < len; i++) {
		const struct toml_keyval *kv = &v->u.tab.items[i];
		const char *s;

		if (cfile_key_has_nul(kv)) {
			cfile_diag(f, kv->pos, ctx, "'%s' keys must not contain a NUL character", key);
			ok = false;
		} else if (kv->value->type != TOML_STRING) {
			cfile_diag(f, kv->value->pos, ctx, "'%s.%s' must be a string, not %s", key,
				   kv->key, cfile_type_a(kv->value->type));
			ok = false;
		} else if (cfile_string(f, ctx, key, kv->value, &s)) {
			items[k].key = xstrdup(kv->key);
			items[k++].value = xstrdup(s);
		} else {
			ok = false;
		}
	}
	if (k == 0) {
		free(items);
		return ok;
	}
	*out = items;
	*n = k;
	return ok;
}

bool cfile_memory(const struct cfile *f, const char *ctx, const char *key,
		  const struct toml_value *v, int64_t *bytes)
{
	struct err e = { 0 };

	if (v->type == TOML_INTEGER) {
		if (v->u.integer <= 0) {
			cfile_diag(f, v->pos, ctx, "'%s' must be more than 0 bytes", key);
			return false;
		}
		*bytes = v->u.integer;
		return true;
	}
	if (v->type != TOML_STRING) {
		cfile_bad_type(f, ctx, key, v, "a size like \"512Mi\" or an integer of bytes");
		return false;
	}
	if (units_parse_memory(v->u.str.ptr, bytes, &e) < 0) {
		cfile_diag(f, v->pos, ctx, "invalid '%s': %s", key, e.msg);
		return false;
	}
	if (*bytes == 0) {
		cfile_diag(f, v->pos, ctx, "'%s' must be more than 0 bytes", key);
		return false;
	}
	return true;
}

bool cfile_cpu(const struct cfile *f, const char *ctx, const char *key,
	       const struct toml_value *v, int64_t *millis)
{
	struct err e = { 0 };
	double cores;

	if (v->type == TOML_INTEGER)
		cores = (double)v->u.integer;
	else if (v->type == TOML_FLOAT)
		cores = v->u.flt;
	else {
		cfile_bad_type(f, ctx, key, v, "a number of cores like 1.5");
		return false;
	}
	if (units_cpu_millis(cores, millis, &e) < 0) {
		cfile_diag(f, v->pos, ctx, "invalid '%s': %s", key, e.msg);
		return false;
	}
	return true;
}

bool cfile_mib(const struct cfile *f, const char *ctx, const char *key,
	       const struct toml_value *v, int64_t *mib)
{
	struct err e = { 0 };
	int64_t bytes;

	if (v->type == TOML_INTEGER) {
		if (v->u.integer < 0) {
			cfile_diag(f, v->pos, ctx, "'%s' must not be negative", key);
			return false;
		}
		*mib = v->u.integer;
		return true;
	}
	if (v->type != TOML_STRING) {
		cfile_bad_type(f, ctx, key, v, "an integer of MiB or a size like \"24Gi\"");
		return false;
	}
	if (units_parse_memory(v->u.str.ptr, &bytes, &e) < 0) {
		cfile_diag(f, v->pos, ctx, "invalid '%s': %s", key, e.msg);
		return false;
	}
	*mib = bytes / (1 << 20) + (bytes % (1 << 20) != 0);
	return true;
}

bool cfile_gpu_vendor(const struct cfile *f, const char *ctx, const char *key,
		      const struct toml_value *v, enum gpu_vendor *out)
{
	const char *s;

	if (!cfile_string(f, ctx, key, v, &s))
		return false;
	if (strcmp(s, "nvidia") == 0)
		*out = GPU_NVIDIA;
	else if (strcmp(s, "amd") == 0)
		*out = GPU_AMD;
	else {
		cfile_diag(f, v->pos, ctx, "'%s' must be \"nvidia\" or \"amd\", not \"%s\"", key, s);
		return false;
	}
	return true;
}
