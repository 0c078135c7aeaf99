/*
 * jsonx.c - bounded parsing and typed getters over jansson.
 */
#include "base/jsonx.h"

#include <string.h>

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]) || s[i] == '\0')
			return 0;
	return 1;
}

json_t *jsonx_parse(const char *data, size_t len, size_t max_bytes,
		    struct err *e)
{
	json_error_t je;
	json_t *j;

	if (len > max_bytes) {
		err_set(e, ERR_TOOBIG, "JSON document of %zu bytes is over the limit of %zu",
			len, max_bytes);
		return NULL;
	}
	if (blank(data, len)) {
		err_set(e, ERR_INVALID, "empty JSON document");
		return NULL;
	}
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		err_set(e, ERR_INVALID, "invalid JSON at line %d, column %d: %s",
			je.line, je.column, je.text);
	return j;
}

const char *jsonx_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/* Finds field; 0 with *v set, 1 when absent and optional, or an error. */
static int lookup(const json_t *obj, const char *field, int flags,
		  json_t **v, struct err *e)
{
	*v = json_is_object(obj) ? json_object_get(obj, field) : NULL;
	if (*v != NULL && (!json_is_null(*v) || flags & JSONX_REQUIRED))
		return 0;
	if (flags & JSONX_REQUIRED)
		return err_set(e, ERR_INVALID, "missing field '%s'", field);
	return 1;
}

static int wrong(const char *field, const char *want, const json_t *v,
		 struct err *e)
{
	return err_set(e, ERR_INVALID, "field '%s' must be %s, not %s", field,
		       want, jsonx_type_name(v));
}

int jsonx_get_int(const json_t *obj, const char *field, int flags,
		  int64_t *out, struct err *e)
{
	json_t *v;
	int rc = lookup(obj, field, flags, &v, e);

	if (rc != 0)
		return rc;
	if (!json_is_integer(v))
		return wrong(field, "an integer", v, e);
	*out = json_integer_value(v);
	return 0;
}

int jsonx_get_int_range(const json_t *obj, const char *field, int flags,
			int64_t min, int64_t max, int64_t *out, struct err *e)
{
	int64_t n;
	int rc = jsonx_get_int(obj, field, flags, &n, e);

	if (rc != 0)
		return rc;
	if (n < min || n > max)
		return err_set(e, ERR_INVALID, "field '%s' must be between %lld and %lld",
			       field, (long long)min, (long long)max);
	*out = n;
	return 0;
}

int jsonx_get_number(const json_t *obj, const char *field, int flags,
		     double *out, struct err *e)
{
	json_t *v;
	int rc = lookup(obj, field, flags, &v, e);

	if (rc != 0)
		return rc;
	if (!json_is_number(v))
		return wrong(field, "a number", v, e);
	*out = json_number_value(v);
	return 0;
}

int jsonx_get_bool(const json_t *obj, const char *field, int flags, int *out,
		   struct err *e)
{
	json_t *v;
	int rc = lookup(obj, field, flags, &v, e);

	if (rc != 0)
		return rc;
	if (!json_is_boolean(v))
		return wrong(field, "a boolean", v, e);
	*out = json_is_true(v);
	return 0;
}

int jsonx_get_string(const json_t *obj, const char *field, int flags,
		     const char **out, struct err *e)
{
	json_t *v;
	int rc = lookup(obj, field, flags, &v, e);

	if (rc != 0)
		return rc;
	if (!json_is_string(v))
		return wrong(field, "a string", v, e);
	*out = json_string_value(v);
	return 0;
}

int jsonx_get_object(const json_t *obj, const char *field, int flags,
		     json_t **out, struct err *e)
{
	json_t *v;
	int rc = lookup(obj, field, flags, &v, e);

	if (rc != 0)
		return rc;
	if (!json_is_object(v))
		return wrong(field, "an object", v, e);
	*out = v;
	return 0;
}

int jsonx_get_array(const json_t *obj, const char *field, int flags,
		    json_t **out, struct err *e)
{
	json_t *v;
	int rc = lookup(obj, field, flags, &v, e);

	if (rc != 0)
		return rc;
	if (!json_is_array(v))
		return wrong(field, "an array", v, e);
	*out = v;
	return 0;
}

int jsonx_expect_object(const json_t *j, const char *what, struct err *e)
{
	if (json_is_object(j))
		return 0;
	return err_set(e, ERR_INVALID, "%s must be a JSON object, not %s", what,
		       jsonx_type_name(j));
}

/* Levenshtein distance, capped: names longer than 63 bytes never match. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 64 || lb >= 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], up;

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = diag + (a[i - 1] != b[j - 1]);

			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static const char *suggest(const char *key, const char *const *allowed)
{
	const char *best = NULL;
	size_t best_d = 3;  /* at most two edits away */

	for (size_t i = 0; allowed[i] != NULL; i++) {
		size_t d = distance(key, allowed[i]);

		if (d < best_d) {
			best_d = d;
			best = allowed[i];
		}
	}
	return best;
}

static int allowed_has(const char *const *allowed, const char *key)
{
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(allowed[i], key) == 0)
			return 1;
	return 0;
}

int jsonx_check_fields(const json_t *obj, const char *const *allowed,
		       struct err *e)
{
	const char *key, *hint;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (allowed_has(allowed, key))
			continue;
		hint = suggest(key, allowed);
		if (hint != NULL)
			return err_set(e, ERR_INVALID, "unknown field '%s' (did you mean '%s'?)",
				       key, hint);
		return err_set(e, ERR_INVALID, "unknown field '%s'", key);
	}
	return 0;
}

static int dump_cb(const char *data, size_t size, void *arg)
{
	buf_append(arg, data, size);
	return 0;
}

int jsonx_dump(const json_t *j, struct buf *b)
{
	if (json_dump_callback(j, dump_cb, b, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
		return ERR_FAIL;
	return 0;
}
