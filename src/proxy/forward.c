/*
 * forward.c - one request sent to a replica and its response streamed back,
 * on h2o's HTTP/1 client with a keep-alive pool per replica.
 *
 * Attempts: a replica is chosen (upstream.c); when connecting to it fails
 * or times out, nothing was sent, so another replica is tried (up to
 * PROXY_RETRIES_MAX times). Once bytes are on the wire a failure is the
 * client's 502 (504 for the first-byte timeout): the request may have had
 * an effect.
 *
 * Response bodies stream: at most PAUSE_BYTES wait in the upstream
 * socket's buffer while the client drains the previous chunk; beyond that
 * the upstream socket stops being read until the client catches up.
 * Request bodies cannot stream: h2o 2.2.5 reads a whole body before any
 * handler runs (large ones in a temporary file), and it is sent from there.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <h2o.h>
#include <h2o/http1.h>
#include <h2o/tunnel.h>

#include "proxy/headers.h"
#include "proxy/internal.h"

#define PAUSE_BYTES (256 * 1024)
#define UPSTREAM_RCVBUF (128 * 1024)

enum stage { STAGE_CONNECT, STAGE_FIRST_BYTE, STAGE_BODY, STAGE_DONE };

struct fwd {
	h2o_generator_t super;
	h2o_req_t *req;
	struct note *n;
	struct worker *w;
	struct upstream *up;             /* this attempt's replica: ref + inflight */
	struct upstream *tried[PROXY_RETRIES_MAX + 1];
	size_t ntried;
	struct upstream **set;           /* borrowed from a table: only during a pick */
	h2o_http1client_t *client;
	h2o_iovec_t bufs[2];             /* request head, body */
	h2o_buffer_t *last;              /* body bytes left when the replica is done */
	h2o_doublebuffer_t sending;
	h2o_timeout_entry_t timer;
	h2o_socket_cb saved_read;
	enum stage stage;
	bool canary, websocket, body_error, paused;
};

static h2o_http1client_head_cb on_connect(h2o_http1client_t *client, const char *errstr,
					  h2o_iovec_t **reqbufs, size_t *reqbufcnt,
					  int *method_is_head);

static void arm(struct fwd *f, int which)
{
	if (h2o_timeout_is_linked(&f->timer))
		h2o_timeout_unlink(&f->timer);
	h2o_timeout_link(f->req->conn->ctx->loop, worker_timeout(f->w, which), &f->timer);
}

static void disarm(struct fwd *f)
{
	if (h2o_timeout_is_linked(&f->timer))
		h2o_timeout_unlink(&f->timer);
}

/* Ends the current attempt's hold on its replica, once. */
static void release(struct fwd *f)
{
	struct upstream *u = f->up;

	if (u == NULL)
		return;
	f->up = NULL;
	atomic_fetch_sub(&u->inflight, 1);
	atomic_fetch_sub(&f->n->stats->inflight, 1);
	worker_pool_hold(f->w, u, -1);
	upstream_put(u);
}

static void cancel_client(struct fwd *f)
{
	if (f->client != NULL) {
		if (f->paused)
			f->client->sock->_cb.read = f->saved_read;
		h2o_http1client_cancel(f->client);
		f->client = NULL;
	}
}

static void failed(struct fwd *f, int status, const char *reason, const char *body)
{
	disarm(f);
	f->stage = STAGE_DONE;
	f->n->upstream_error = true;
	atomic_fetch_add(&f->n->stats->upstream_errors, 1);
	release(f);
	h2o_send_error_generic(f->req, status, reason, body, 0);
}

/* The set a request goes to: the canary revision's share, or the rest. */
static bool wants_canary(struct fwd *f, const struct target *t)
{
	ssize_t i = h2o_find_header_by_str(&f->req->headers, H2O_STRLIT("x-orca-canary"), -1);
	uint64_t *rng = worker_rng(f->w);

	if (t->ncanary == 0)
		return false;
	if (i != -1 && h2o_lcstris(f->req->headers.entries[i].value.base,
				   f->req->headers.entries[i].value.len, H2O_STRLIT("always")))
		return true;
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return (int)(*rng % 100) < t->canary_weight;
}

static struct upstream *choose(struct fwd *f)
{
	struct table *t = table_acquire(worker_proxy(f->w));
	const struct target *tg = t ? table_route(t, f->req->input.authority.base,
						  f->req->input.authority.len,
						  f->req->path_normalized.base,
						  f->req->path_normalized.len)
				    : NULL;
	struct upstream *u = NULL;

	if (tg && !tg->is_app) {
		if (f->ntried == 0)
			f->canary = wants_canary(f, tg);
		if (f->canary && tg->ncanary)
			u = upstream_pick(tg->canary, tg->ncanary, worker_rng(f->w), f->tried, f->ntried);
		if (u == NULL)
			u = upstream_pick(tg->ups, tg->nups, worker_rng(f->w), f->tried, f->ntried);
		if (u == NULL && !f->canary)
			u = upstream_pick(tg->canary, tg->ncanary, worker_rng(f->w), f->tried,
					  f->ntried);
		if (u)
			atomic_fetch_add(&u->refs, 1);   /* the table's ref keeps it alive until here */
	}
	table_release(t);
	return u;
}

static void attempt(struct fwd *f)
{
	struct upstream *u = choose(f);
	h2o_socketpool_t *pool;

	if (u == NULL) {
		f->stage = STAGE_DONE;
		h2o_send_error_generic(f->req, f->ntried ? 502 : 503,
				       f->ntried ? "Bad Gateway" : "Service Unavailable",
				       f->ntried ? "no replica could be reached\n"
						 : "no healthy replica\n", 0);
		return;
	}
	f->up = u;
	f->tried[f->ntried++] = u;
	atomic_fetch_add(&u->inflight, 1);
	atomic_fetch_add(&f->n->stats->inflight, 1);
	snprintf(f->n->upstream, sizeof(f->n->upstream), "%s", u->addr_text);
	f->n->revision = u->revision;
	f->stage = STAGE_CONNECT;
	arm(f, TIMEOUT_CONNECT);
	pool = worker_pool(f->w, u);
	worker_pool_hold(f->w, u, 1);   /* before: a failure may call back at once */
	h2o_http1client_connect_with_pool(&f->client, f, worker_client_ctx(f->w), pool,
					  on_connect);
}

/* Connecting failed: nothing reached the replica, so another may be tried. */
static void connect_failed(struct fwd *f, const char *why)
{
	disarm(f);
	upstream_failed(f->up);
	atomic_fetch_add(&f->n->stats->upstream_errors, 1);
	release(f);
	if (f->ntried <= PROXY_RETRIES_MAX) {
		f->n->retries++;
		atomic_fetch_add(&f->n->stats->retries, 1);
		attempt(f);
		return;
	}
	f->stage = STAGE_DONE;
	f->n->upstream_error = true;
	h2o_send_error_generic(f->req, 502, "Bad Gateway", why, 0);
}

static void do_send(struct fwd *f)
{
	h2o_iovec_t vec;
	h2o_send_state_t state = H2O_SEND_STATE_IN_PROGRESS;

	vec = h2o_doublebuffer_prepare(&f->sending, f->client ? &f->client->sock->input : &f->last,
				       f->req->preferred_chunk_size);
	if (f->client == NULL && vec.len == f->sending.buf->size && f->last->size == 0)
		state = f->body_error ? H2O_SEND_STATE_ERROR : H2O_SEND_STATE_FINAL;
	else if (vec.len == 0)
		return;
	h2o_send(f->req, &vec, vec.len ? 1 : 0, state);
}

static void pause_upstream(struct fwd *f)
{
	h2o_socket_t *sock = f->client->sock;

	f->saved_read = sock->_cb.read;
	h2o_socket_read_stop(sock);
	f->paused = true;
	disarm(f);   /* a slow client is not a stalled replica */
}

static void resume_upstream(struct fwd *f)
{
	f->paused = false;
	if (f->client) {
		h2o_socket_read_start(f->client->sock, f->saved_read);
		arm(f, TIMEOUT_IDLE);
	}
}

static void do_proceed(h2o_generator_t *g, h2o_req_t *req)
{
	struct fwd *f = (struct fwd *)g;

	(void)req;
	h2o_doublebuffer_consume(&f->sending);
	if (f->paused)
		resume_upstream(f);
	do_send(f);
}

static void do_stop(h2o_generator_t *g, h2o_req_t *req)
{
	struct fwd *f = (struct fwd *)g;

	(void)req;
	disarm(f);
	cancel_client(f);
	release(f);
}

static int on_body(h2o_http1client_t *client, const char *errstr)
{
	struct fwd *f = client->data;

	if (errstr != NULL) {
		disarm(f);
		f->last = client->sock->input;   /* take what is left; the client goes */
		h2o_buffer_init(&client->sock->input, &h2o_socket_buffer_prototype);
		f->client = NULL;
		f->stage = STAGE_DONE;
		if (errstr != h2o_http1client_error_is_eos) {
			f->body_error = true;
			f->n->upstream_error = true;
			atomic_fetch_add(&f->n->stats->upstream_errors, 1);
		}
		release(f);
	} else {
		arm(f, TIMEOUT_IDLE);
		if (f->sending.bytes_inflight != 0 && client->sock->input->size >= PAUSE_BYTES)
			pause_upstream(f);
	}
	if (f->sending.bytes_inflight == 0)
		do_send(f);
	return 0;
}

struct ws_upgrade {
	h2o_context_t *ctx;
	h2o_timeout_t *timeout;
	h2o_socket_t *upstream;
};

static void on_upgraded(void *arg, h2o_socket_t *sock, size_t reqsize)
{
	struct ws_upgrade *u = arg;

	if (sock != NULL) {
		h2o_buffer_consume(&sock->input, reqsize);
		h2o_tunnel_establish(u->ctx, sock, u->upstream, u->timeout);
	} else {
		h2o_socket_close(u->upstream);
	}
	free(u);
}

static void websocket(struct fwd *f, int rlen)
{
	struct ws_upgrade *u = h2o_mem_alloc(sizeof(*u));

	u->upstream = h2o_http1client_steal_socket(f->client);
	h2o_buffer_consume(&u->upstream->input, (size_t)rlen);
	u->ctx = f->req->conn->ctx;
	u->timeout = worker_client_ctx(f->w)->websocket_timeout;
	f->client = NULL;
	f->stage = STAGE_DONE;
	release(f);   /* a tunnel is no longer a request in flight */
	h2o_add_header(&f->req->pool, &f->req->res.headers, H2O_TOKEN_UPGRADE, NULL,
		       H2O_STRLIT("websocket"));
	h2o_http1_upgrade(f->req, NULL, 0, on_upgraded, u);
}

static int copy_head(struct fwd *f, int status, h2o_iovec_t msg, h2o_header_t *hs, size_t n)
{
	h2o_req_t *req = f->req;
	h2o_headers_t all = { hs, n, n };

	req->res.status = status;
	req->res.reason = h2o_strdup(&req->pool, msg.base, msg.len).base;
	for (size_t i = 0; i < n; i++) {
		h2o_iovec_t v;

		if (h2o_memis(hs[i].name->base, hs[i].name->len, H2O_STRLIT("content-length"))) {
			req->res.content_length = h2o_strtosize(hs[i].value.base, hs[i].value.len);
			if (req->res.content_length == SIZE_MAX)
				return -1;
			continue;
		}
		if (!headers_response_keep(&all, hs[i].name))
			continue;
		/* the client's buffers go away after this callback: copy what is
		 * not a static token (h2o keeps the name pointer as given) */
		v = h2o_strdup(&req->pool, hs[i].value.base, hs[i].value.len);
		if (h2o_iovec_is_token(hs[i].name)) {
			h2o_add_header(&req->pool, &req->res.headers, (const h2o_token_t *)hs[i].name,
				       hs[i].orig_name, v.base, v.len);
		} else {
			h2o_iovec_t nm = h2o_strdup(&req->pool, hs[i].name->base, hs[i].name->len);

			h2o_add_header_by_str(&req->pool, &req->res.headers, nm.base, nm.len, 0,
					      hs[i].orig_name, v.base, v.len);
		}
	}
	return 0;
}

static h2o_http1client_body_cb on_head(h2o_http1client_t *client, const char *errstr,
				       int minor, int status, h2o_iovec_t msg,
				       h2o_header_t *hs, size_t n, int rlen)
{
	struct fwd *f = client->data;

	(void)minor;
	disarm(f);
	if (errstr != NULL && errstr != h2o_http1client_error_is_eos) {
		f->client = NULL;
		upstream_failed(f->up);
		failed(f, 502, "Bad Gateway", "the replica failed to answer\n");
		return NULL;
	}
	upstream_succeeded(f->up);
	if (copy_head(f, status, msg, hs, n) < 0) {
		f->client = NULL;
		failed(f, 502, "Bad Gateway", "the replica sent an invalid response\n");
		return NULL;
	}
	if (f->websocket && status == 101) {
		websocket(f, rlen);
		return NULL;
	}
	h2o_start_response(f->req, &f->super);
	if (errstr == h2o_http1client_error_is_eos) {
		f->client = NULL;
		f->stage = STAGE_DONE;
		release(f);
		h2o_send(f->req, NULL, 0, H2O_SEND_STATE_FINAL);
		return NULL;
	}
	f->stage = STAGE_BODY;
	arm(f, TIMEOUT_IDLE);
	return on_body;
}

static h2o_http1client_head_cb on_connect(h2o_http1client_t *client, const char *errstr,
					  h2o_iovec_t **reqbufs, size_t *reqbufcnt,
					  int *method_is_head)
{
	struct fwd *f = client->data;
	int rcvbuf = UPSTREAM_RCVBUF;

	if (errstr != NULL) {
		f->client = NULL;
		connect_failed(f, "no replica could be reached\n");
		return NULL;
	}
	/* h2o reads a socket until it runs dry: a small receive buffer keeps
	 * what one read can take (and so what waits for a slow client) small */
	setsockopt(h2o_socket_get_fd(client->sock), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	*reqbufs = f->bufs;
	*reqbufcnt = f->bufs[1].base != NULL ? 2 : 1;
	*method_is_head = h2o_memis(f->req->method.base, f->req->method.len, H2O_STRLIT("HEAD"));
	f->stage = STAGE_FIRST_BYTE;
	arm(f, TIMEOUT_FIRST_BYTE);
	return on_head;
}

static void on_timeout(h2o_timeout_entry_t *entry)
{
	struct fwd *f = H2O_STRUCT_FROM_MEMBER(struct fwd, timer, entry);

	switch (f->stage) {
	case STAGE_CONNECT:
		cancel_client(f);
		connect_failed(f, "connecting to the replica timed out\n");
		break;
	case STAGE_FIRST_BYTE:
		cancel_client(f);
		upstream_failed(f->up);
		failed(f, 504, "Gateway Timeout", "the replica did not answer in time\n");
		break;
	case STAGE_BODY:   /* the response started: end it as broken */
		cancel_client(f);
		f->stage = STAGE_DONE;
		f->body_error = true;
		f->n->upstream_error = true;
		atomic_fetch_add(&f->n->stats->upstream_errors, 1);
		release(f);
		if (f->sending.bytes_inflight == 0)
			do_send(f);
		break;
	case STAGE_DONE:
		break;
	}
}

static void fwd_dispose(void *arg)
{
	struct fwd *f = arg;

	disarm(f);
	cancel_client(f);
	release(f);
	h2o_buffer_dispose(&f->last);
	h2o_doublebuffer_dispose(&f->sending);
}

void forward_start(h2o_req_t *req, struct note *n)
{
	struct fwd *f = h2o_mem_alloc_shared(&req->pool, sizeof(*f), fwd_dispose);

	memset(f, 0, sizeof(*f));
	f->super.proceed = do_proceed;
	f->super.stop = do_stop;
	f->req = req;
	f->n = n;
	f->w = worker_of(req->conn->ctx);
	f->timer.cb = on_timeout;
	f->websocket = req->version < 0x200 && req->upgrade.base != NULL &&
		       h2o_lcstris(req->upgrade.base, req->upgrade.len, H2O_STRLIT("websocket"));
	f->bufs[0] = headers_request_head(req, f->websocket);
	f->bufs[1] = req->entity;
	h2o_buffer_init(&f->last, &h2o_socket_buffer_prototype);
	h2o_doublebuffer_init(&f->sending, &h2o_socket_buffer_prototype);
	attempt(f);
}
