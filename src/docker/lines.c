/*
 * lines.c - splits a byte stream into newline-delimited records (the events
 * and pull-progress streams), each bounded so a hostile peer cannot make
 * orca buffer without end.
 */
#include "docker/internal.h"

#include <string.h>

void docker_lines_init(struct docker_lines *l, size_t max_line,
		       docker_line_fn fn, void *arg)
{
	buf_init(&l->pending);
	l->max_line = max_line;
	l->fn = fn;
	l->arg = arg;
}

void docker_lines_release(struct docker_lines *l)
{
	buf_release(&l->pending);
}

static int deliver(struct docker_lines *l, const char *line, size_t len,
		   struct err *e)
{
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0)
		return 0;
	return l->fn(l->arg, line, len, e);
}

static int too_long(const struct docker_lines *l, struct err *e)
{
	return err_set(e, ERR_TOOBIG,
		       "the Docker Engine sent a record longer than %zu bytes",
		       l->max_line);
}

int docker_lines_feed(void *lines, const char *data, size_t len,
		      struct err *e)
{
	struct docker_lines *l = lines;
	const char *nl;
	size_t n;
	int rc;

	if (len == 0)
		return 0;
	while ((nl = memchr(data, '\n', len)) != NULL) {
		n = (size_t)(nl - data);
		if (l->pending.len + n > l->max_line)
			return too_long(l, e);
		if (l->pending.len) {
			buf_append(&l->pending, data, n);
			rc = deliver(l, l->pending.data, l->pending.len, e);
			buf_reset(&l->pending);
		} else {
			rc = deliver(l, data, n, e);
		}
		if (rc != 0)
			return rc;
		data += n + 1;
		len -= n + 1;
	}
	if (l->pending.len + len > l->max_line)
		return too_long(l, e);
	buf_append(&l->pending, data, len);
	return 0;
}

int docker_lines_finish(struct docker_lines *l, struct err *e)
{
	int rc = deliver(l, buf_str(&l->pending), l->pending.len, e);

	buf_reset(&l->pending);
	return rc;
}
