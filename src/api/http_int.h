/*
 * http_int.h - what the http_*.c files share; not for handlers.
 *
 * A connection (struct http_conn) belongs to its thread; the server only
 * touches a connection's fd (shutdown) and done flag under srv->lock. A
 * request (struct http_req) lives on its connection's thread from the first
 * byte of its head to the end of its reply.
 */
#ifndef ORCA_API_HTTP_INT_H
#define ORCA_API_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "api/http.h"
#include "base/pool.h"

/* The config with defaults filled in. */
struct http_limits {
	size_t max_body_bytes;
	int max_conns;
	int idle_timeout_ms;
	int request_timeout_ms;
	int write_timeout_ms;
	int allow_remote;
};

struct http_conn {
	struct http_server *srv;        /* NULL for http_serve_buffer */
	const struct http_limits *lim;
	http_handler_fn handler;
	void *handler_arg;
	int fd;                         /* -1: in-memory (out below) */
	struct buf *out;                /* in-memory responses */
	struct buf in;                  /* received, not yet consumed */
	struct http_peer peer;
	int failed;                     /* a read or write failed: close */
	int linger;                     /* closing after an error reply */
	pthread_t thread;
	int done;                       /* thread finished (srv->lock) */
	struct http_conn *next;         /* srv->conns (srv->lock) */
};

struct http_kv {
	const char *name;
	const char *value;
};

enum req_state { REQ_NEW, REQ_REPLIED, REQ_STREAMING, REQ_ENDED };

enum req_body { BODY_NONE, BODY_LENGTH, BODY_CHUNKED };

struct http_req {
	struct http_conn *conn;
	struct pool pool;
	const char *method;
	const char *path;               /* raw, without the query */
	const char *query_raw;          /* after '?', or "" */
	int minor;                      /* HTTP/1.minor */
	struct http_kv *headers;
	size_t nheaders;
	struct http_kv *query;          /* decoded; built on first use */
	size_t nquery;
	int query_parsed;
	struct http_kv *params;
	size_t nparams, params_cap;
	enum req_body body_kind;
	size_t content_length;
	int expect_continue;
	struct buf body;
	struct buf resp_headers;        /* "Name: value\r\n" lines */
	int keep_alive;                 /* the client allows reuse */
	enum req_state state;
	int chunked_out;                /* the stream uses chunked encoding */
};

/* An error found while reading a request: reply status + message, close. */
struct http_fail {
	int status;                     /* 0: close without a reply */
	const char *code;
	char msg[160];
};

/*
 * http_head.c: parses the head at buf[0..len) into req. Returns its length,
 * 0 when incomplete (last_len: the length known incomplete), or -1 with f.
 */
int http_head_parse(struct http_req *req, const char *buf, size_t len,
		    size_t last_len, struct http_fail *f);

/* http_body.c: read the body into req->body; 0, or -1 with f set. */
int http_body_read(struct http_conn *c, struct http_req *req,
		   int64_t deadline_ms, struct http_fail *f);

/* http_conn.c */
void http_conn_run(struct http_conn *c);
/* Reads more into c->in before deadline: >0 bytes, 0 EOF, HTTP_FILL_TIMEOUT,
 * or -1 when the connection is broken (c->failed set). */
#define HTTP_FILL_TIMEOUT (-2)
ssize_t http_conn_fill(struct http_conn *c, int64_t deadline_ms);
/* Sends everything or fails (and marks the connection failed). */
int http_conn_send(struct http_conn *c, const void *data, size_t len);
int64_t http_now_ms(void);
int http_conn_stopping(const struct http_conn *c);

/* http_reply.c */
int http_reply_fail(struct http_req *req, const struct http_fail *f);
/* Writes the status line and headers; len < 0 means a stream. */
int http_send_head(struct http_req *req, int status, const char *ctype,
		   long long len);
/* After the handler: ends a stream, replies 500 if it forgot to. */
void http_reply_finish(struct http_req *req, int rc, const struct err *e);

/* http_request.c */
void http_req_init(struct http_req *req, struct http_conn *c);
void http_req_release(struct http_req *req);
/* Percent-decodes s[0..n) into the pool; plus: '+' is a space. NULL when
 * malformed or when it decodes to a NUL byte. */
char *http_pct_decode(struct pool *p, const char *s, size_t n, int plus);

/* http_listen.c: bound, listening sockets. */
int http_listen_unix(const char *path, int mode, struct err *e);
int http_listen_tcp(const char *addr, int allow_remote, int *port,
		    struct err *e);
int http_addr_is_loopback_host(const char *host);
void http_peer_fill(int fd, int is_unix, struct http_peer *peer);

/* http_server.c */
void http_limits_fill(struct http_limits *lim,
		      const struct http_server_config *cfg);

#endif
