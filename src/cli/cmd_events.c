/*
 * cmd_events.c - `orca events [-f]`: what happened, one line per event:
 *
 *	2026-11-29 14:03:01  backend/api[0]  replica.crashed  replica 0 exited ...
 *
 * Without -f the recent events (GET /api/v1/events); with -f the server's
 * event stream, until Ctrl-C.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonx.h"
#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/lines.h"
#include "cli/remote.h"

#define DEFAULT_LIMIT 100
#define EVENT_MAX_BYTES (64 * 1024)

struct events_args {
	const char *socket;
	int follow, json;
	int64_t after;         /* -1: not given */
	int64_t limit;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: orca events [-f] [--after ID] [--limit N] [-o text|json]\n\n"
		     "Prints orca's recent events, oldest first, one per line:\n"
		     "  TIME  PROJECT/SERVICE[REPLICA]  KIND  MESSAGE\n"
		     "With -f, then waits for new ones until Ctrl-C.\n\n"
		     "options:\n"
		     "  -f, --follow         keep printing events as they happen\n"
		     "      --after ID       only events after event ID\n"
		     "      --limit N        at most N past events (default 100; not with -f)\n"
		     "  -o, --output FORMAT  text (default) or json: the server's reply, or\n"
		     "                       with -f one JSON event per line\n"
		     "      --socket PATH    the server's socket (default $ORCA_SOCKET, else\n"
		     "                       orca.sock in the data directory)\n"
		     "  -h, --help           show this help\n");
}

static int parse_one(int ch, struct events_args *a)
{
	switch (ch) {
	case 'f': a->follow = 1; return EXIT_OK;
	case OPT_SOCKET: a->socket = optarg; return EXIT_OK;
	case 'o':
		if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
			return args_error(EXIT_USAGE, "events", "unknown output format '%s' "
					  "(text or json)", optarg);
		a->json = strcmp(optarg, "json") == 0;
		return EXIT_OK;
	case OPT_AFTER:
		if (args_int(optarg, 0, INT64_MAX, &a->after) < 0)
			return args_error(EXIT_USAGE, "events", "--after takes an event id, "
					  "not '%s'", optarg);
		return EXIT_OK;
	case OPT_LIMIT:
		if (args_int(optarg, 1, 1000, &a->limit) < 0)
			return args_error(EXIT_USAGE, "events", "--limit takes a number "
					  "(1 to 1000), not '%s'", optarg);
		return EXIT_OK;
	case 'h': usage(stdout); return ARGS_HELP;
	default: usage(stderr); return EXIT_USAGE;
	}
}

static int parse(int argc, char **argv, struct events_args *a)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	args_reset();
	while ((ch = getopt_long(argc, argv, "hfo:", opts, NULL)) != -1)
		if ((rc = parse_one(ch, a)) != EXIT_OK)
			return rc;
	if (optind < argc)
		return args_error(EXIT_USAGE, "events", "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

static void print_event(const json_t *ev)
{
	struct buf line = BUF_INIT;

	lines_event(&line, ev);
	printf("%s\n", buf_str(&line));
	buf_release(&line);
}

static int cmp_id(const void *x, const void *y)
{
	int64_t a = lines_int(*(json_t *const *)x, "id"), b = lines_int(*(json_t *const *)y, "id");

	return (a > b) - (a < b);
}

/* The events of a list reply, oldest first, whatever order the server used. */
static void print_list(const json_t *reply)
{
	const json_t *events = json_object_get(reply, "events");
	size_t n = json_array_size(events);
	json_t **v = xcalloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(events, i);
	qsort(v, n, sizeof(*v), cmp_id);
	for (size_t i = 0; i < n; i++)
		print_event(v[i]);
	free(v);
}

static int list_events(struct remote *r, const struct events_args *a)
{
	char path[96];
	json_t *reply = NULL;
	int rc;

	snprintf(path, sizeof(path), "/api/v1/events?limit=%" PRId64, a->limit);
	if (a->after >= 0)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "&after=%" PRId64,
			 a->after);
	rc = remote_call(r, "GET", path, NULL, &reply);
	if (rc == EXIT_OK && a->json)
		remote_print_json(reply);
	else if (rc == EXIT_OK)
		print_list(reply);
	json_decref(reply);
	return rc;
}

static int on_event(const struct client_event *ev, void *arg)
{
	struct events_args *a = arg;
	json_t *j;

	if (ev->event != NULL && strcmp(ev->event, "orca") != 0)
		return 0;  /* other kinds of server-sent event are not ours */
	j = jsonx_parse(ev->data, ev->len, EVENT_MAX_BYTES, NULL);
	if (j == NULL)
		return 0;
	if (a->json) {
		char *text = json_dumps(j, JSON_COMPACT);

		printf("%s\n", text ? text : "null");
		free(text);
	} else {
		print_event(j);
	}
	fflush(stdout);
	json_decref(j);
	return 0;
}

static int follow_events(struct remote *r, struct events_args *a)
{
	struct err e = { 0 };
	char path[96];
	int status = 0, rc;

	snprintf(path, sizeof(path), "/api/v1/events?follow=1");
	if (a->after >= 0)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "&after=%" PRId64,
			 a->after);
	rc = client_stream(r->cl, "GET", path, NULL, on_event, a, &status, &e);
	if (rc == 0 || rc == -EINTR)
		return EXIT_OK;  /* Ctrl-C is how `events -f` ends */
	return remote_report(r, status, NULL, &e);
}

int cmd_events(int argc, char **argv)
{
	struct events_args a = { .after = -1, .limit = DEFAULT_LIMIT };
	struct remote r;
	int rc = parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = remote_open(&r, "events", a.socket)) != EXIT_OK)
		return rc;
	rc = a.follow ? follow_events(&r, &a) : list_events(&r, &a);
	remote_close(&r);
	return rc;
}
