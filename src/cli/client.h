/*
 * client.h - the CLI's client for the orca server's JSON API.
 *
 * Talks HTTP/1.1 through libcurl to the server's unix socket or to
 * http://host:port. Turns "nothing answers" into a sentence that says how
 * to start the server, and API error replies into their message. Prints
 * nothing; the command decides what to show. One client per thread.
 */
#ifndef ORCA_CLI_CLIENT_H
#define ORCA_CLI_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

#define CLIENT_MAX_REPLY_BYTES (64 * 1024 * 1024)
#define CLIENT_MAX_LINE_BYTES (16 * 1024 * 1024)

struct client;

/*
 * The server address for the CLI: flag (--socket) when given, else
 * $ORCA_SOCKET, else <default data dir>/orca.sock (base/paths.h). A
 * malloc'd string the caller frees, or NULL with e set.
 */
char *client_resolve_address(const char *flag, struct err *e);

/*
 * Percent-encodes s for one path segment or query value (everything but
 * RFC 3986's unreserved A-Z a-z 0-9 - . _ ~): a malloc'd string the caller
 * frees. Names and times must go through it: the server decodes '+' in a
 * query as a space and '/' splits path segments.
 */
char *client_escape(const char *s);

/* address: a unix socket path, or "http://host:port". Copied. */
struct client *client_new(const char *address, struct err *e);
void client_free(struct client *cl);

/*
 * Sends one request; body (borrowed, may be NULL) goes as JSON. Returns 0
 * for a 2xx reply, with *reply a new reference (NULL for an empty body).
 * For an API error reply returns the ERR_* of its status (400 ERR_INVALID,
 * 404 ERR_NOTFOUND, 409 ERR_CONFLICT, 413 ERR_TOOBIG, 503 ERR_UNAVAILABLE,
 * else ERR_FAIL) with e->msg the server's message, and *reply the whole
 * error document (for its details). When the server cannot be reached or
 * does not answer, returns ERR_UNAVAILABLE "cannot reach the orca server at
 * PATH (is it running? start it with 'orca server --data DIR')" with
 * *status 0. status and reply may be NULL.
 */
int client_request(struct client *cl, const char *method, const char *path,
		   const json_t *body, int *status, json_t **reply,
		   struct err *e);

struct client_event {
	const char *event;  /* server-sent event name, or NULL */
	const char *data;   /* a line of NDJSON, or an event's data lines joined
			     * by "\n"; NUL-terminated, borrowed for the call */
	size_t len;
};

/* Returns 0 to go on, non-zero to end the stream. */
typedef int (*client_event_fn)(const struct client_event *ev, void *arg);

/*
 * A streamed request (logs -f, events -f, deploy watch): cb gets each event
 * of a text/event-stream reply, or each non-empty line of any other one.
 * Returns 0 when the server ends the stream or cb asks to stop; -EINTR
 * ("interrupted") when SIGINT arrives, for which a handler is installed
 * during the call and the previous one restored after; otherwise as
 * client_request (an error reply is not streamed to cb). status may be NULL.
 */
int client_stream(struct client *cl, const char *method, const char *path,
		  const json_t *body, client_event_fn cb, void *arg,
		  int *status, struct err *e);

#endif
