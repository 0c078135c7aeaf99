/*
 * events.c - GET /events: newline-delimited JSON records, each parsed into a
 * struct docker_event and handed to the caller's callback.
 */
#include "docker/events.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/internal.h"

#define EVENT_RECORD_MAX (1u << 20)   /* labels make records big, not this */

static void split_action(struct docker_event *ev, const char *action)
{
	const char *sep = strstr(action, ": ");
	size_t n = sep ? (size_t)(sep - action) : strlen(action);

	if (n >= sizeof(ev->action))
		n = sizeof(ev->action) - 1;
	memcpy(ev->action, action, n);
	ev->action[n] = '\0';
	if (sep)
		snprintf(ev->detail, sizeof(ev->detail), "%s", sep + 2);
}

/* "137" -> 137; nonsense or out of range -> -1. */
static int exit_code(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v < INT_MIN || v > INT_MAX)
		return -1;
	return (int)v;
}

static int64_t event_time_ns(const json_t *j)
{
	int64_t ns = docker_json_int(j, "timeNano", 0);

	return ns ? ns : docker_json_int(j, "time", 0) * 1000000000;
}

int docker_event_parse(const char *json, size_t len, struct docker_event *ev,
		       struct err *e)
{
	json_t *j = json_loadb(json, len, 0, NULL);
	const json_t *actor = json_object_get(j, "Actor");
	const char *code, *action;

	memset(ev, 0, sizeof(*ev));
	ev->exit_code = -1;
	if (!json_is_object(j)) {
		json_decref(j);
		return err_set(e, ERR_INVALID,
			       "the Docker Engine sent an event that is not a JSON object");
	}
	docker_json_copy(ev->type, sizeof(ev->type), j, "Type");
	action = docker_json_str(j, "Action");
	split_action(ev, action[0] ? action : docker_json_str(j, "status"));
	docker_json_copy(ev->id, sizeof(ev->id), actor, "ID");
	docker_labels_from_json(&ev->attributes,
				json_object_get(actor, "Attributes"));
	docker_json_copy(ev->name, sizeof(ev->name),
			 json_object_get(actor, "Attributes"), "name");
	code = docker_labels_get(&ev->attributes, "exitCode");
	if (code && code[0])
		ev->exit_code = exit_code(code);
	ev->time_ns = event_time_ns(j);
	json_decref(j);
	return 0;
}

void docker_event_release(struct docker_event *ev)
{
	docker_labels_release(&ev->attributes);
}

struct stream {
	docker_event_fn fn;
	void *arg;
};

static int on_record(void *arg, const char *line, size_t len, struct err *e)
{
	struct stream *s = arg;
	struct docker_event ev;
	int rc;

	/* an engine that answers application/json-seq (API 1.52+) starts
	 * each record with an RS byte */
	while (len > 0 && *line == '\x1e')
		line++, len--;
	if (len == 0)
		return 0;
	rc = docker_event_parse(line, len, &ev, e);
	if (rc == 0)
		rc = s->fn(s->arg, &ev) ? DOCKER_STOP : 0;
	docker_event_release(&ev);
	return rc;
}

int docker_events(struct docker_client *c, const struct docker_events_opts *opts,
		  docker_event_fn fn, void *arg, struct err *e)
{
	static const struct docker_events_opts none;
	const struct docker_events_opts *o = opts ? opts : &none;
	struct stream s = { .fn = fn, .arg = arg };
	struct docker_lines lines;
	struct buf path = BUF_INIT;
	struct docker_request rq = { .timeout_ms = -1, .on_data = docker_lines_feed,
				     .arg = &lines,
				     .accept = "application/x-ndjson" };
	char *filters = docker_filters_json(o->types, o->labels, o->actions);
	int rc;

	buf_puts(&path, "/events");
	if (filters)
		docker_query_add(&path, "filters", filters);
	docker_query_time(&path, "since", o->since_ns);
	docker_query_time(&path, "until", o->until_ns);
	rq.path = path.data;
	docker_lines_init(&lines, EVENT_RECORD_MAX, on_record, &s);
	rc = docker_call(c, &rq, NULL, NULL, e);
	if (rc < 0)
		err_wrap(e, "docker: events");
	docker_lines_release(&lines);
	buf_release(&path);
	free(filters);
	return rc;
}
