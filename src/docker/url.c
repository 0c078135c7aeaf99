/*
 * url.c - escaping of path segments and query values, filter JSON.
 *
 * Everything but RFC 3986 unreserved characters is percent-encoded, so a
 * container name, an image reference or a filter JSON can never change the
 * shape of the request line.
 */
#include "docker/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"

static int unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
	       ch == '_' || ch == '~';
}

static void escape_into(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char enc[3] = { '%', hex[ch >> 4], hex[ch & 15] };

		if (unreserved(ch))
			buf_putc(b, (char)ch);
		else
			buf_append(b, enc, 3);
	}
}

char *docker_url_escape(const char *s)
{
	struct buf b = BUF_INIT;

	escape_into(&b, s);
	return buf_steal(&b);
}

void docker_query_add(struct buf *b, const char *key, const char *value)
{
	buf_putc(b, memchr(buf_str(b), '?', b->len) ? '&' : '?');
	buf_puts(b, key);
	buf_putc(b, '=');
	escape_into(b, value);
}

void docker_query_time(struct buf *b, const char *key, int64_t ns)
{
	char v[32];

	if (ns <= 0)
		return;
	snprintf(v, sizeof(v), "%" PRId64 ".%09" PRId64, ns / 1000000000,
		 ns % 1000000000);
	docker_query_add(b, key, v);
}

static void add_list(json_t *filters, const char *key,
		     const char *const *list)
{
	if (list && list[0])
		json_object_set_new(filters, key, docker_str_array(list));
}

char *docker_filters_json(const char *const *types, const char *const *labels,
			  const char *const *actions)
{
	json_t *f = json_object();
	char *s = NULL;

	add_list(f, "type", types);
	add_list(f, "label", labels);
	add_list(f, "event", actions);
	if (json_object_size(f) > 0)
		s = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(f);
	return s;
}
