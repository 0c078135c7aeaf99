/*
 * http_int.h - what the http_*.c files share; not for handlers.
 *
 * Ownership. The loop thread owns h2o (its context, sockets and requests),
 * the connection records (struct http_conn) and every counter of the
 * quotas. A request (struct http_req) is shared: its parsed input is
 * written once on the loop thread before anyone else sees it and only read
 * afterwards; its reply state is guarded by req->mu; its loop-side fields
 * (h2o, sending, conn) are touched by the loop thread only. A request is
 * reference counted: the loop holds one until h2o disposes of its request,
 * the handler side one until the handler returned (or a detached stream
 * was released), and each queued message one.
 */
#ifndef ORCA_API_HTTP_INT_H
#define ORCA_API_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <sys/stat.h>

#include <h2o.h>

#include "api/http.h"
#include "base/pool.h"

/* The config with defaults filled in. */
struct http_limits {
	size_t max_body_bytes;
	int max_conns;
	int unix_reserved;
	int max_streams;
	int stream_unix_reserved;
	int workers;
	int queue_max;
	int request_timeout_ms;
	int write_timeout_ms;
	int heartbeat_ms;
	int allow_remote;
};

/* One accepted connection (loop thread only). */
struct http_conn {
	struct http_server *srv;
	h2o_socket_t *sock;
	int fd;
	struct http_peer peer;
	struct http_conn *prev, *next;   /* srv->conns */
};

struct http_kv {
	const char *name;
	const char *value;
};

enum req_state { REQ_NEW, REQ_REPLIED, REQ_STREAMING, REQ_ENDED };

struct http_req {
	atomic_int refs;
	struct http_server *srv;
	struct pool pool;

	/* the request, written on the loop thread before dispatch */
	const char *method;
	const char *path;               /* raw, without the query */
	const char *query_raw;          /* after '?', or "" */
	int minor;                      /* HTTP/1.minor */
	struct http_kv *headers;
	size_t nheaders;
	struct http_kv *query;
	size_t nquery;
	struct http_kv *params;
	size_t nparams, params_cap;
	struct buf body;
	struct http_peer peer;
	int on_loop;                    /* the handler runs on the loop */
	int stream_slot;                /* holds a stream slot (loop) */
	void *user;
	struct http_req *next_job;      /* the worker pool's queue */

	/* reply state, under mu */
	pthread_mutex_t mu;
	pthread_cond_t room;            /* out drained, or the stream is over */
	enum req_state state;
	int status;
	int close;                      /* no keep-alive after this reply */
	int gone;                       /* h2o disposed of the request */
	int canceled;                   /* client left, write stalled, or stop */
	int detached;
	int abort;                      /* end the stream as broken */
	int notify_pending;             /* a message to the loop is queued */
	int want_drain;
	char *ctype;
	struct buf resp_headers;        /* "Name: value\r\n" lines */
	struct buf out;                 /* reply body, or stream bytes unsent */
	char *heartbeat;
	void (*cancel_fn)(void *);
	void *cancel_arg;
	void (*drain_fn)(void *);
	void *drain_arg;
	h2o_multithread_message_t msg;

	/* loop thread only */
	h2o_req_t *h2o;                 /* NULL once h2o disposed of it */
	struct http_conn *conn;         /* valid while h2o is */
	h2o_generator_t gen;
	struct buf sending;             /* handed to h2o, not yet written */
	int head_sent;
	int in_flight;
	int final_sent;
	int64_t send_since_ms;
	int64_t last_write_ms;
	struct http_req *prev, *next;   /* srv->reqs: requests h2o still has */
};

/* http_peer_cert.c: the verified client certificate of a TLS connection
 * into p->cert_cn and p->cert_serial (left "" when there is none). */
void http_peer_cert(h2o_socket_t *sock, struct http_peer *p);

struct orca_handler {
	h2o_handler_t super;
	struct http_server *srv;
};

struct http_server {
	struct http_limits lim;
	http_handler_fn handler;
	void *handler_arg;
	http_admit_fn admit;
	void *admit_arg;
	char *unix_path;
	dev_t unix_dev;                 /* to remove only our own socket */
	ino_t unix_ino;
	int port;
	atomic_int stopping;

	/* h2o, loop thread only (set up before the thread starts) */
	h2o_globalconf_t config;
	h2o_context_t ctx;
	h2o_evloop_t *loop;
	h2o_accept_ctx_t accept_unix, accept_tcp;
	h2o_socket_t *ls_unix, *ls_tcp;
	h2o_multithread_receiver_t to_loop;   /* struct http_req notifications */
	h2o_multithread_receiver_t control;   /* stop and exit */
	h2o_timeout_t tick;
	h2o_timeout_entry_t tick_entry;
	h2o_timeout_t pause;
	h2o_timeout_entry_t pause_entry;
	pthread_t loop_thread;
	int loop_started;
	int exiting;
	struct http_conn *conns;
	int nconns[3];                  /* by enum http_peer_kind */
	int nstreams[3];
	struct http_req *reqs;

	struct http_pool *pool;
};

/* http_server.c */
void http_limits_fill(struct http_limits *lim,
		      const struct http_server_config *cfg);
int64_t http_now_ms(void);

/* http_accept.c: listeners on the loop, quotas of connections. */
int http_accept_start(struct http_server *srv, int unix_fd, int tcp_fd,
		      struct ssl_ctx_st *tls, struct err *e);
void http_accept_close(struct http_server *srv);
/* Shuts down every connection's socket, so that h2o closes them. */
void http_accept_shutdown_all(struct http_server *srv);
/* The connection of an h2o request, or NULL when it is not ours. */
struct http_conn *http_conn_of(h2o_req_t *h2o);

/* http_dispatch.c: from h2o's request to a handler. */
int http_on_req(h2o_handler_t *self, h2o_req_t *h2o);
/* Runs the handler and finishes the reply (worker or loop thread). */
void http_run_handler(struct http_req *req);
/* Periodic work of the loop: cancels, write timeouts, heartbeats. */
void http_sweep(struct http_server *srv);
/* Cancels every request (server stopping). */
void http_cancel_all(struct http_server *srv);
/* Ends every reply and stream h2o still holds (server exiting). */
void http_finish_all(struct http_server *srv);
/* Detaches every request from h2o for good (the loop is over). */
void http_forget_all(struct http_server *srv);

/* http_head.c: the raw head h2o parsed, checked again with orca's rules;
 * 0 with *host (into buf, NULL when absent), or the status (400, 431,
 * 501) with msg. */
int http_head_check(const char *buf, size_t len, const char **host,
		    size_t *host_len, char *msg, size_t msgsz);
/* Splits the target into path and decoded query in the request's pool;
 * 0, or -1 with msg. */
int http_target_parse(struct http_req *req, const char *target, size_t len,
		      char *msg, size_t msgsz);

/* http_send.c: the loop side of replies and streams. */
void http_send_receive(h2o_multithread_receiver_t *r, h2o_linklist_t *msgs);
/* Takes the request's pending output to h2o (loop thread). */
void http_send_flush(struct http_req *req);
/* h2o's request is gone (loop thread). */
void http_send_disposed(struct http_req *req);
/* Queues a flush on the loop; req->mu held. */
void http_notify_locked(struct http_req *req);
/* Marks the request canceled and runs its hook; req->mu held. */
void http_cancel_locked(struct http_req *req);

/* http_request.c */
struct http_req *http_req_new(struct http_server *srv);
void http_req_ref(struct http_req *req);
/* Percent-decodes s[0..n) into the pool; plus: '+' is a space. NULL when
 * malformed or when it decodes to a NUL byte. */
char *http_pct_decode(struct pool *p, const char *s, size_t n, int plus);

/* http_reply.c: after the handler: ends a stream, replies 500 if it forgot
 * to. */
void http_reply_finish(struct http_req *req, int rc, const struct err *e);

/* http_pool.c: the worker threads. */
struct http_pool *http_pool_start(struct http_server *srv, int workers,
				  int queue_max, struct err *e);
/* Queues req for a worker (unix requests first, and one worker kept for
 * them); -1 when the queue is full. */
int http_pool_submit(struct http_pool *p, struct http_req *req);
/* Drops what is queued (each is answered 503), joins the workers. */
void http_pool_stop(struct http_pool *p);

/* http_listen.c: bound, listening sockets. */
int http_listen_unix(const char *path, int mode, struct err *e);
int http_listen_tcp(const char *addr, int allow_remote, int *port,
		    struct err *e);
int http_addr_is_loopback_host(const char *host);
void http_peer_fill(int fd, int is_unix, struct http_peer *peer);

#endif
