/*
 * json.c - reading the engine's JSON without trusting its shape, and
 * building the small objects requests need.
 *
 * Getters take any json_t (NULL, wrong type) and fall back to "" / a default,
 * so parsers stay short and a surprising answer never crashes orca.
 */
#include "docker/internal.h"

#include <string.h>

#include "base/xalloc.h"

const char *docker_json_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

int64_t docker_json_int(const json_t *obj, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return dflt;
}

int docker_json_bool(const json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

void docker_json_copy(char *dst, size_t n, const json_t *obj, const char *key)
{
	const char *s = docker_json_str(obj, key);
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

char *docker_json_dup(const json_t *obj, const char *key)
{
	return xstrdup(docker_json_str(obj, key));
}

void docker_labels_from_json(struct docker_labels *l, const json_t *obj)
{
	const char *key;
	json_t *v;
	size_t n = json_object_size(obj), i = 0;

	l->keys = xcalloc(n + 1, sizeof(char *));
	l->values = xcalloc(n + 1, sizeof(char *));
	json_object_foreach((json_t *)obj, key, v) {
		if (!json_is_string(v))
			continue;
		l->keys[i] = xstrdup(key);
		l->values[i] = xstrdup(json_string_value(v));
		i++;
	}
	l->n = i;
}

const char *docker_labels_get(const struct docker_labels *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return l->values[i];
	return NULL;
}

void docker_labels_release(struct docker_labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->values[i]);
	}
	free(l->keys);
	free(l->values);
	memset(l, 0, sizeof(*l));
}

json_t *docker_kv_object(const char *const *kv)
{
	json_t *obj = json_object();

	for (; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		char *key = eq ? xstrndup(*kv, (size_t)(eq - *kv)) : xstrdup(*kv);

		json_object_set_new(obj, key, json_string(eq ? eq + 1 : ""));
		free(key);
	}
	return obj;
}

json_t *docker_str_array(const char *const *list)
{
	json_t *arr = json_array();

	for (; list && *list; list++)
		json_array_append_new(arr, json_string(*list));
	return arr;
}

int docker_labels_has(const json_t *labels, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *key = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
	json_t *v = json_object_get(labels, key);
	int ok = json_is_string(v) && (!eq || strcmp(json_string_value(v), eq + 1) == 0);

	free(key);
	return ok;
}
