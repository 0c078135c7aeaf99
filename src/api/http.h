/*
 * http.h - the HTTP/1.1 server under orca's control API.
 *
 * Listens on a unix socket and optionally on a loopback TCP address, parses
 * requests (picohttpparser), and calls one handler per request; router.h
 * maps (method, path pattern) to handlers on top of it. Replies are JSON or
 * chunked streams (server-sent events, NDJSON). It is not the public reverse
 * proxy (that is proxy/, on h2o's event loop) and must not grow into one.
 *
 * Threads. One accept thread per listener and one thread per connection,
 * at most max_conns at once (the next one gets 503 and is closed). The
 * handler runs on its connection's thread, so it may block: on SQLite, on
 * the Docker Engine, or in a streaming loop of writes. Handlers run
 * concurrently with each other; shared state needs its own locking or an
 * owning thread. Server threads block all async signals. A stream loop
 * checks http_stream_alive() (or the result of each write) and returns
 * promptly when it is 0: http_server_stop() waits for every handler.
 *
 * Limits. Head 16 KiB (431), 64 headers (431), body max_body_bytes (413),
 * Content-Length or chunked request bodies, Expect: 100-continue. A
 * malformed request gets 400 with a JSON error and the connection closes.
 * A connection idle for idle_timeout_ms between requests is closed; a
 * request whose head and body do not arrive within request_timeout_ms gets
 * 408 (slow clients cannot hold a thread). Writes that make no progress for
 * write_timeout_ms fail; a stream that keeps writing may live forever.
 *
 * Safety. The API has no TLS and no authentication of its own yet: the
 * unix socket is created 0600 (owner only) unless unix_mode says otherwise,
 * the peer's uid is recorded for authorisation, and a non-loopback TCP
 * address is refused unless tcp_allow_remote is set. Requests carrying an
 * Origin header (browsers) are refused with 403, and on TCP the Host must
 * be a loopback name unless tcp_allow_remote, which defeats CSRF and DNS
 * rebinding from web pages against the loopback port.
 *
 * Errors follow DESIGN.md section 3:
 *   {"error": {"code": "not_found", "message": "...", "details": [...]}}
 */
#ifndef ORCA_API_HTTP_H
#define ORCA_API_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

#define HTTP_MAX_HEAD_BYTES (16 * 1024)
#define HTTP_MAX_HEADERS 64
#define HTTP_DEFAULT_MAX_BODY_BYTES (8 * 1024 * 1024)
#define HTTP_DEFAULT_MAX_CONNS 64
#define HTTP_DEFAULT_IDLE_TIMEOUT_MS 30000
#define HTTP_DEFAULT_REQUEST_TIMEOUT_MS 60000
#define HTTP_DEFAULT_WRITE_TIMEOUT_MS 30000

struct http_server;
struct http_req;

/*
 * Answers one request with http_reply*() or http_stream_*(). Returns 0, or
 * a negative code with e set: if nothing was sent yet the server replies
 * http_reply_err(req, e); once a stream has begun the connection is cut.
 * Returning 0 without replying is a bug and gets 500.
 */
typedef int (*http_handler_fn)(struct http_req *req, void *arg, struct err *e);

struct http_server_config {
	const char *unix_path;     /* NULL: no unix listener */
	int unix_mode;             /* 0: 0600; 0660 opens it to the group */
	const char *tcp_addr;      /* "127.0.0.1:7070", "[::1]:0"; NULL: none */
	int tcp_allow_remote;      /* 1: allow a non-loopback tcp_addr */
	int max_conns;             /* 0: HTTP_DEFAULT_MAX_CONNS */
	size_t max_body_bytes;     /* 0: HTTP_DEFAULT_MAX_BODY_BYTES */
	int idle_timeout_ms;       /* 0: the defaults above */
	int request_timeout_ms;
	int write_timeout_ms;
	http_handler_fn handler;   /* e.g. router_handle with a struct router */
	void *handler_arg;         /* must outlive the server */
};

/*
 * Binds the listeners and starts the accept threads. Fails (ERR_CONFLICT)
 * with "another orca server is listening on PATH" when one answers on
 * unix_path; a stale socket file nobody answers on is replaced. cfg is
 * copied (its strings too). Returns NULL with e set on failure.
 */
struct http_server *http_server_start(const struct http_server_config *cfg,
				      struct err *e);
/* The bound TCP port (useful with port 0), or 0 without a TCP listener. */
int http_server_port(const struct http_server *srv);
/* 1 once http_server_stop() has begun. Any thread. */
int http_server_stopping(const struct http_server *srv);
/*
 * Stops accepting, wakes and closes every connection, waits for all
 * handlers and threads to finish, removes the socket file and frees srv.
 * Must not be called from a handler.
 */
void http_server_stop(struct http_server *srv);

/*
 * Serves the requests in data[0..len) as if they came on one connection
 * that then closed, appending the raw responses to out. No socket, no
 * thread: for fuzzing and tests. Only cfg's handler and limits are used.
 */
void http_serve_buffer(const struct http_server_config *cfg, const char *data,
		       size_t len, struct buf *out);

/* Requests. Strings are NUL-terminated and live as long as the request. */

enum http_peer_kind { HTTP_PEER_MEMORY, HTTP_PEER_UNIX, HTTP_PEER_TCP };

struct http_peer {
	enum http_peer_kind kind;
	int has_cred;       /* unix: SO_PEERCRED gave uid, gid, pid */
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char addr[64];      /* tcp: "127.0.0.1:41000", "[::1]:41000" */
};

const char *http_req_method(const struct http_req *req);   /* "GET" */
/* The path as sent, without the query: still percent-encoded. */
const char *http_req_path(const struct http_req *req);
/* The first header of that name (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
/* A path parameter set by the router ("project"), decoded; or NULL. */
const char *http_req_param(const struct http_req *req, const char *name);
/* The first query parameter of that name, decoded ('+' is a space); "" for
 * "?follow" without a value; NULL when absent. */
const char *http_req_query(const struct http_req *req, const char *name);
/* Typed query getters: 0 and *out set, 1 when absent, or ERR_INVALID
 * "query parameter 'tail' must be an integer". A bool is 1/true/yes/on or
 * 0/false/no/off; a bare "?follow" is true. */
int http_req_query_int(const struct http_req *req, const char *name,
		       int64_t *out, struct err *e);
int http_req_query_bool(const struct http_req *req, const char *name,
			int *out, struct err *e);
/* The body (NUL-terminated, may hold NULs), borrowed; *len may be NULL. */
const char *http_req_body(const struct http_req *req, size_t *len);
/* Parses the body as JSON: a new reference the caller decrefs, or ERR_INVALID
 * with jansson's line and column ("request body: invalid JSON at line 1,
 * column 9: ..."); an empty body is ERR_INVALID too. */
int http_req_json(const struct http_req *req, json_t **out, struct err *e);
const struct http_peer *http_req_peer(const struct http_req *req);
/* 1 once the server is stopping: a handler that waits (for a deploy, for
 * events) replies or ends its stream and returns. Any thread. */
int http_req_stopping(const struct http_req *req);
/* Memory freed with the request (zeroed). Aborts on out-of-memory. */
void *http_req_alloc(struct http_req *req, size_t n);
/* Percent-decodes s[0..n) into the request's memory; plus: '+' is a space
 * (query strings). NULL when malformed or when it would hold a NUL byte. */
char *http_req_decode(struct http_req *req, const char *s, size_t n, int plus);
/* For routers: records a path parameter; both strings are copied. */
void http_req_set_param(struct http_req *req, const char *name,
			const char *value);

/*
 * Replies. Each request gets exactly one reply or one stream. They return 0,
 * or a negative code when the client has gone (the handler may just return)
 * or a reply was already sent (a bug; nothing is written).
 */

/* Adds a response header to the coming reply or stream ("Allow", "GET"). */
void http_resp_header(struct http_req *req, const char *name,
		      const char *value);
int http_reply(struct http_req *req, int status, const char *content_type,
	       const void *body, size_t len);
/* Takes ownership of body (like jansson's *_new functions); NULL gives 500. */
int http_reply_json(struct http_req *req, int status, json_t *body);
/* The error shape with a machine code ("invalid_config") and a message. */
int http_reply_error(struct http_req *req, int status, const char *code,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with details (taken, may be NULL), e.g. config diagnostics. */
int http_reply_error_details(struct http_req *req, int status,
			     const char *code, const char *message,
			     json_t *details);
/* Status from e->code: ERR_INVALID 400, ERR_NOTFOUND 404, ERR_CONFLICT 409,
 * ERR_TOOBIG 413, ERR_UNAVAILABLE 503, ERR_TIMEOUT 504, ERR_UNSUPPORTED 501,
 * others 500; the code is err_code_name() and the message e->msg. */
int http_reply_err(struct http_req *req, const struct err *e);
int http_status_for_err(int code);
const char *http_status_reason(int status);

/*
 * Streams: chunked transfer encoding (close-delimited for HTTP/1.0), every
 * write sent at once. For server-sent events use "text/event-stream"; for
 * NDJSON "application/x-ndjson". Writes fail (negative) once the client has
 * gone or the server stops; then the handler returns.
 */
int http_stream_begin(struct http_req *req, int status,
		      const char *content_type);
int http_stream_write(struct http_req *req, const void *data, size_t len);
int http_stream_printf(struct http_req *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One compact JSON document and "\n" (NDJSON). j is borrowed. */
int http_stream_ndjson(struct http_req *req, const json_t *j);
/* "event: EVENT\ndata: JSON\n\n"; event may be NULL. j is borrowed. */
int http_stream_sse(struct http_req *req, const char *event, const json_t *j);
/* Ends the stream; done automatically if the handler returns without it. */
int http_stream_end(struct http_req *req);
/*
 * 1 while a stream may go on, 0 when the client has closed its side, the
 * connection failed, or the server is stopping. Does not block: a stream
 * that waits for data polls it at least once a second.
 */
int http_stream_alive(struct http_req *req);

#endif
