/*
 * h_events.c - the event log: a page of it, or a server-sent stream.
 */
#include "api/ctx.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/event.h"

#define EVENT_POLL_MS 200

static json_t *event_json(const struct store_event *ev)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:i, s:s, s:s}", "id", (json_int_t)ev->id,
			 "at", (json_int_t)ev->ts_ms, "project", ev->project,
			 "service", ev->service, "replica", ev->replica, "kind", ev->kind,
			 "message", ev->message);
}

static int page(struct http_req *req, struct store *st, int64_t after, int64_t limit,
		struct err *e)
{
	struct store_event *list = NULL;
	size_t n = 0;
	json_t *a;

	if (store_event_list(st, after, NULL, (size_t)limit, &list, &n, e) < 0)
		return ERR_FAIL;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, event_json(&list[i]));
	store_event_list_free(list, n);
	return http_reply_json(req, 200, json_pack("{s:o}", "events", a));
}

static int follow(struct http_req *req, struct store *st, int64_t after, struct err *e)
{
	int rc = http_stream_begin(req, 200, "text/event-stream");

	while (rc == 0 && http_stream_alive(req)) {
		struct store_event *list = NULL;
		size_t n = 0;

		if (store_event_list(st, after, NULL, 100, &list, &n, e) < 0)
			return 0;   /* the stream has begun: just end it */
		for (size_t i = 0; rc == 0 && i < n; i++) {
			json_t *j = event_json(&list[i]);

			rc = http_stream_sse(req, "orca", j);
			json_decref(j);
			after = list[i].id;
		}
		store_event_list_free(list, n);
		if (n == 0)
			usleep(EVENT_POLL_MS * 1000);
	}
	return 0;
}

static int events(struct http_req *req, void *arg, struct err *e)
{
	struct store *st = api_store(arg, e);
	int64_t after = 0, limit = 100;
	int follow_flag = 0;

	if (st == NULL)
		return ERR_FAIL;
	if (http_req_query_int(req, "after", &after, e) < 0 ||
	    http_req_query_int(req, "limit", &limit, e) < 0 ||
	    http_req_query_bool(req, "follow", &follow_flag, e) < 0)
		return ERR_INVALID;
	if (limit < 1 || limit > 1000)
		return err_set(e, ERR_INVALID, "query parameter 'limit' must be between 1 and 1000");
	if (after < 0)
		return err_set(e, ERR_INVALID, "query parameter 'after' must not be negative");
	if (!follow_flag && !http_req_query(req, "after")) {
		/* without a cursor, the newest page: what a person asks for */
		int64_t last = 0;

		if (store_event_last_id(st, &last, e) < 0)
			return ERR_FAIL;
		after = last > limit ? last - limit : 0;
	}
	if (!follow_flag)
		return page(req, st, after, limit, e);
	if (!http_req_query(req, "after") && store_event_last_id(st, &after, e) < 0)
		return ERR_FAIL;
	return follow(req, st, after, e);
}

int api_routes_events(struct router *r, struct api *a, struct err *e)
{
	return router_add(r, "GET", "/api/v1/events", events, a, e) < 0 ? ERR_FAIL : 0;
}
