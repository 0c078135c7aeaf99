/*
 * http.h - the HTTP server under orca's control API, on h2o's event loop.
 *
 * Listens on a unix socket and optionally on a TCP address (TLS when an
 * SSL_CTX is given), and calls one handler per request; router.h maps
 * (method, path pattern) to handlers on top of it. Replies are JSON or
 * streams (server-sent events, NDJSON, text). It is not the public reverse
 * proxy (that is proxy/, with its own h2o contexts) and must not grow into
 * one.
 *
 * Threads. One loop thread runs h2o: it accepts, parses (h2o reads the
 * whole request, body included, before anything below sees it), enforces
 * the limits and quotas, and writes every byte. An admit function (may be
 * NULL) runs on the loop thread first and must not block: it routes,
 * authenticates, and says where the handler runs. Handlers that block
 * (SQLite, Docker) run on a bounded pool of worker threads; a handler that
 * never blocks may run on the loop thread (HTTP_RUN_LOOP). Replies and
 * stream writes from any thread go to the loop as messages. Server threads
 * block all async signals.
 *
 * Streams. Writes go into a bounded buffer per request (HTTP_STREAM_BUFFER)
 * that the loop hands to h2o as the socket takes it. A blocking write waits
 * while the buffer is full (backpressure on the producing thread); a
 * non-blocking one (http_stream_try_write) reports "full" and the producer
 * hears again through http_stream_on_drain. A stream may outlive its handler
 * (http_stream_detach) and be fed by any thread, so that idle follow streams
 * hold no thread. Follow streams may carry a heartbeat that the loop writes
 * when they are quiet.
 *
 * Cancel. The loop notices a client that closed its side (checked every
 * second, since h2o does not read while a request is in progress), a write
 * that made no progress for write_timeout_ms, and the server stopping; it
 * then runs the request's cancel hook (http_req_on_cancel) once and makes
 * stream writes fail, so that work a client started ends with it.
 *
 * Limits. A head over 8 KiB (h2o's own limit) gets 400; more than 64
 * headers 431; a body over max_body_bytes 413 (before it is read when it has
 * a Content-Length; h2o reads a chunked body up to the limit); an admit may
 * set a smaller limit per request, checked after the body was read. A
 * request whose framing is ambiguous (Content-Length and Transfer-Encoding,
 * two different Content-Lengths, folded headers) gets 400 and the
 * connection closes. A request head and body must arrive within
 * request_timeout_ms, which is also the keep-alive idle limit; a late client
 * is disconnected. Connections are capped (max_conns) and unix_reserved of
 * them can only be taken by the unix socket; streams are capped the same way
 * (max_streams, stream_unix_reserved); queued handler runs are capped
 * (queue_max) and one worker is kept for the unix socket. Over a cap: 503.
 *
 * Safety. The unix socket is created 0600 (owner only) unless unix_mode
 * says otherwise, and the peer's uid, gid and pid are recorded. A
 * non-loopback TCP address is refused unless tcp_allow_remote. Requests
 * carrying an Origin header (browsers) are refused with 403.
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

#define HTTP_MAX_HEAD_BYTES (8 * 1024)   /* h2o 2.2.5's H2O_MAX_REQLEN */
#define HTTP_MAX_HEADERS 64
#define HTTP_DEFAULT_MAX_BODY_BYTES (8 * 1024 * 1024)
#define HTTP_DEFAULT_MAX_CONNS 256
#define HTTP_DEFAULT_UNIX_RESERVED 16
#define HTTP_DEFAULT_MAX_STREAMS 64
#define HTTP_DEFAULT_STREAM_UNIX_RESERVED 8
#define HTTP_DEFAULT_WORKERS 8
#define HTTP_DEFAULT_QUEUE_MAX 256
#define HTTP_DEFAULT_REQUEST_TIMEOUT_MS 30000
#define HTTP_DEFAULT_WRITE_TIMEOUT_MS 30000
#define HTTP_DEFAULT_HEARTBEAT_MS 15000
#define HTTP_STREAM_BUFFER (256 * 1024)  /* a stream's unsent bytes, at most */

struct http_server;
struct http_req;
struct ssl_ctx_st;

/*
 * Answers one request with http_reply*() or http_stream_*(). Returns 0, or
 * a negative code with e set: if nothing was sent yet the server replies
 * http_reply_err(req, e); once a stream has begun the connection is cut.
 * Returning 0 without replying is a bug and gets 500.
 */
typedef int (*http_handler_fn)(struct http_req *req, void *arg, struct err *e);

/* Where the handler runs. */
enum http_run {
	HTTP_RUN_WORKER,   /* on the worker pool: may block */
	HTTP_RUN_LOOP,     /* on the loop thread, at once: must not block */
	HTTP_RUN_DONE,     /* the admit function replied; no handler */
};

struct http_admit {
	enum http_run run;     /* HTTP_RUN_WORKER unless set */
	size_t max_body;       /* 0: the server's max_body_bytes */
	int stream;            /* 1: takes a stream slot (a long-lived reply) */
};

/*
 * Runs on the loop thread before the handler, for every request that
 * passed the server's own checks; must not block. May reply (an error) and
 * set HTTP_RUN_DONE. Returns 0, or a negative code with e set, which the
 * server replies as http_reply_err.
 */
typedef int (*http_admit_fn)(struct http_req *req, void *arg,
			     struct http_admit *out, struct err *e);

struct http_server_config {
	const char *unix_path;     /* NULL: no unix listener */
	int unix_mode;             /* 0: 0600; 0660 opens it to the group */
	const char *tcp_addr;      /* "127.0.0.1:7070", "[::1]:0"; NULL: none */
	int tcp_allow_remote;      /* 1: allow a non-loopback tcp_addr */
	struct ssl_ctx_st *tls;    /* TCP speaks TLS with it (borrowed; must
				    * outlive the server). NULL: plain TCP,
				    * for tests; the daemon always gives one */
	int max_conns;             /* 0: the defaults above */
	int unix_reserved;         /* -1: none */
	int max_streams;
	int stream_unix_reserved;  /* -1: none */
	int workers;
	int queue_max;
	size_t max_body_bytes;
	int request_timeout_ms;
	int write_timeout_ms;
	int heartbeat_ms;
	http_admit_fn admit;       /* NULL: every request goes to a worker */
	void *admit_arg;
	http_handler_fn handler;   /* e.g. router_handle with a struct router */
	void *handler_arg;         /* must outlive the server */
};

/*
 * Binds the listeners and starts the loop and worker threads. Fails
 * (ERR_CONFLICT) with "another orca server is listening on PATH" when one
 * answers on unix_path; a stale socket file nobody answers on is replaced.
 * cfg is copied (its strings too). Returns NULL with e set on failure.
 */
struct http_server *http_server_start(const struct http_server_config *cfg,
				      struct err *e);
/* The bound TCP port (useful with port 0), or 0 without a TCP listener. */
int http_server_port(const struct http_server *srv);
/* 1 once http_server_stop() has begun. Any thread. */
int http_server_stopping(const struct http_server *srv);
/*
 * Stops accepting, cancels every request (cancel hooks run, stream writes
 * fail), waits for the handlers that are running to return, closes every
 * connection, removes the socket file and frees srv. Never waits on a
 * client. Must not be called from a handler. Streams detached from their
 * handler must have been ended and released by their owners, or be so by
 * the time their cancel hooks have run.
 */
void http_server_stop(struct http_server *srv);

/* Requests. Strings are NUL-terminated and live as long as the request. */

enum http_peer_kind { HTTP_PEER_MEMORY, HTTP_PEER_UNIX, HTTP_PEER_TCP };

struct http_peer {
	enum http_peer_kind kind;
	int has_cred;       /* unix: SO_PEERCRED gave uid, gid, pid */
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int tls;            /* tcp: the connection is TLS */
	char addr[64];      /* tcp: "127.0.0.1:41000", "[::1]:41000" */
	/* tls: the client's certificate when one was presented and verified
	 * against the listener's trusted CAs (the cluster listener asks for
	 * one); "" otherwise */
	char cert_cn[64];
	char cert_serial[65];   /* lowercase hex */
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
/* Parses the body as JSON within jsonx_parse's bounds: a new reference the
 * caller decrefs, or ERR_INVALID with jansson's line and column ("request
 * body: invalid JSON at line 1, column 9: ..."); an empty body is
 * ERR_INVALID too, a document with too many values ERR_TOOBIG. */
int http_req_json(const struct http_req *req, json_t **out, struct err *e);
const struct http_peer *http_req_peer(const struct http_req *req);
/* 1 once the server is stopping: a handler that waits (for a deploy, for
 * events) replies or ends its stream and returns. Any thread. */
int http_req_stopping(const struct http_req *req);
/* Memory freed with the request (zeroed). Aborts on out-of-memory. Only
 * the thread that runs the handler (or admit) may call it. */
void *http_req_alloc(struct http_req *req, size_t n);
/* Percent-decodes s[0..n) into the request's memory; plus: '+' is a space
 * (query strings). NULL when malformed or when it would hold a NUL byte. */
char *http_req_decode(struct http_req *req, const char *s, size_t n, int plus);
/* For routers: records a path parameter; both strings are copied. */
void http_req_set_param(struct http_req *req, const char *name,
			const char *value);
/* One pointer for the admit function and the handler to share (borrowed;
 * request memory from http_req_alloc lives long enough). */
void http_req_set_user(struct http_req *req, void *p);
void *http_req_user(const struct http_req *req);

/*
 * Runs fn(arg) once, on the loop thread (or at once on the caller's thread
 * when the request is already canceled), when the client goes away or the
 * server stops. fn runs under the request's lock: it must be quick and must
 * not call http_* on this request. http_req_on_cancel(req, NULL, NULL)
 * removes the hook; once it returns, fn is not running and will not run.
 */
void http_req_on_cancel(struct http_req *req, void (*fn)(void *arg),
			void *arg);
/* 1 once the request is canceled (see above). Any thread. */
int http_req_canceled(struct http_req *req);

/*
 * Replies. Each request gets exactly one reply or one stream. They return 0,
 * or a negative code when the client has gone (the handler may just return)
 * or a reply was already sent (a bug; nothing is written).
 */

/* Adds a response header to the coming reply or stream ("Allow", "GET"). */
void http_resp_header(struct http_req *req, const char *name,
		      const char *value);
/* Closes the connection after this reply. */
void http_resp_close(struct http_req *req);
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
/* The status of the reply or stream begun, 0 before. Any thread. */
int http_req_status(struct http_req *req);

/*
 * Streams: chunked transfer encoding (close-delimited for HTTP/1.0). For
 * server-sent events use "text/event-stream"; for NDJSON
 * "application/x-ndjson". Any thread may write once the stream has begun;
 * writes fail (negative) once the client has gone, the request is canceled
 * or the server stops; then the producer stops.
 */
int http_stream_begin(struct http_req *req, int status,
		      const char *content_type);
/* Blocks while HTTP_STREAM_BUFFER bytes are unsent. */
int http_stream_write(struct http_req *req, const void *data, size_t len);
int http_stream_printf(struct http_req *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One compact JSON document and "\n" (NDJSON). j is borrowed. */
int http_stream_ndjson(struct http_req *req, const json_t *j);
/* "event: EVENT\ndata: JSON\n\n"; event may be NULL. j is borrowed. */
int http_stream_sse(struct http_req *req, const char *event, const json_t *j);
/* Never blocks: 0 when taken, 1 when the buffer is full (nothing taken;
 * the drain hook runs once it has room), negative when the stream is over.
 * A write may overshoot the buffer by its own length, never more. */
int http_stream_try_write(struct http_req *req, const void *data, size_t len);
/* fn(arg) runs on the loop thread after a try_write found the buffer full
 * and it has room again; NULL removes it (as for http_req_on_cancel). */
void http_stream_on_drain(struct http_req *req, void (*fn)(void *arg),
			  void *arg);
/* Writes text (copied; e.g. ": ping\n\n") now, and the loop writes it
 * again after heartbeat_ms without a write, so idle follow streams are kept
 * alive and dead peers are found. The first one also carries the stream's
 * head: h2o 2.2.5 sends a head only with body bytes. */
void http_stream_heartbeat(struct http_req *req, const char *text);
/* Ends the stream; done automatically if the handler returns without it
 * (unless detached). */
int http_stream_end(struct http_req *req);
/*
 * 1 while a stream may go on, 0 when the client has closed its side, the
 * connection failed, the request was canceled or the server is stopping.
 * Does not block.
 */
int http_stream_alive(struct http_req *req);
/*
 * Keeps the stream open after the handler returns: the caller gets a
 * reference (released with http_req_unref) and ends the stream itself
 * (http_stream_end), from any thread, at the latest when the cancel hook
 * runs.
 */
struct http_req *http_stream_detach(struct http_req *req);
void http_req_unref(struct http_req *req);

#endif
