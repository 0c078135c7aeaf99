/*
 * lines.c - deploy progress, service, event and change-list lines.
 */
#include "cli/lines.h"

#include <string.h>

#include "cli/format.h"

const char *lines_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

int64_t lines_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return 0;
}

/* Turns control characters appended since start into spaces. */
static void clean_from(struct buf *b, size_t start)
{
	for (size_t i = start; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			b->data[i] = ' ';
}

static void pad_name(struct buf *b, const char *name, int width)
{
	buf_printf(b, "%-*s", width, name);
}

void lines_deploy_service(struct buf *b, const json_t *svc, int name_width)
{
	size_t start = b->len;
	const char *msg = lines_str(svc, "message");

	pad_name(b, lines_str(svc, "service"), name_width);
	buf_printf(b, "  %s  %lld/%lld updated, %lld healthy", lines_str(svc, "state"),
		   (long long)lines_int(svc, "updated"),
		   (long long)lines_int(svc, "desired"),
		   (long long)lines_int(svc, "healthy"));
	if (msg[0] != '\0')
		buf_printf(b, "  %s", msg);
	clean_from(b, start);
}

void lines_service_name(struct buf *b, const json_t *svc)
{
	size_t start = b->len;

	buf_printf(b, "%s/%s", lines_str(svc, "project"), lines_str(svc, "name"));
	clean_from(b, start);
}

static void add_count(struct buf *b, const json_t *svc, const char *key)
{
	int64_t n = lines_int(svc, key);

	if (n != 0)
		buf_printf(b, ", %lld %s", (long long)n, key);
}

void lines_service(struct buf *b, const json_t *svc, int name_width)
{
	const char *state = lines_str(svc, "state"), *err = lines_str(svc, "last_error");
	struct buf name = BUF_INIT;
	size_t start = b->len;

	lines_service_name(&name, svc);
	pad_name(b, buf_str(&name), name_width);
	buf_release(&name);
	buf_printf(b, "  %s  %lld/%lld healthy, %lld running", state,
		   (long long)lines_int(svc, "healthy"),
		   (long long)lines_int(svc, "desired"),
		   (long long)lines_int(svc, "running"));
	add_count(b, svc, "outdated");
	add_count(b, svc, "draining");
	if (err[0] != '\0' && strcmp(state, "running") != 0 && strcmp(state, "stopped") != 0)
		buf_printf(b, "  last error: %s", err);
	clean_from(b, start);
}

static void event_subject(struct buf *b, const json_t *ev)
{
	const char *project = lines_str(ev, "project"), *service = lines_str(ev, "service");
	const json_t *replica = json_object_get(ev, "replica");

	if (project[0] == '\0' && service[0] == '\0') {
		buf_putc(b, '-');
		return;
	}
	buf_puts(b, project);
	if (service[0] != '\0')
		buf_printf(b, "%s%s", project[0] != '\0' ? "/" : "", service);
	if (json_is_integer(replica) && json_integer_value(replica) >= 0)
		buf_printf(b, "[%lld]", (long long)json_integer_value(replica));
}

void lines_event(struct buf *b, const json_t *ev)
{
	char when[FMT_MAX];
	size_t start = b->len;

	buf_printf(b, "%s  ", fmt_time(when, lines_int(ev, "at")));
	event_subject(b, ev);
	buf_printf(b, "  %s  %s", lines_str(ev, "kind"), lines_str(ev, "message"));
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	clean_from(b, start);
}

void lines_change_counts(struct buf *b, const json_t *changes)
{
	static const char *const kinds[] = { "create", "update", "remove" };
	size_t n[3] = { 0 }, unchanged = 0, idx;
	const json_t *c;
	int first = 1;

	json_array_foreach(changes, idx, c) {
		const char *k = lines_str(c, "change");
		size_t i = 0;

		while (i < 3 && strcmp(k, kinds[i]) != 0)
			i++;
		if (i < 3)
			n[i]++;
		else
			unchanged++;
	}
	if (n[0] + n[1] + n[2] == 0) {
		buf_puts(b, "nothing to change");
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		if (n[i] == 0)
			continue;
		buf_printf(b, "%s%zu to %s", first ? "" : ", ", n[i], kinds[i]);
		first = 0;
	}
	if (unchanged > 0)
		buf_printf(b, ", %zu unchanged", unchanged);
}
