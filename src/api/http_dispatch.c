/*
 * http_dispatch.c - from h2o's request to a handler, and the loop's
 * periodic sweep.
 *
 * h2o has parsed the head and read the body. Here the request is copied
 * into orca's struct http_req (so workers never touch h2o's memory), the
 * raw head is checked against orca's framing rules, the admit function
 * routes and authorises it, the body limit and stream quota apply, and the
 * handler runs on a worker or at once on the loop.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api/http_int.h"
#include "base/xalloc.h"

/* Ties our request to h2o's: h2o frees this with its request. */
struct anchor {
	struct http_req *req;
};

static void on_dispose(void *p)
{
	struct anchor *a = p;

	http_send_disposed(a->req);
}

/* h2o leaves a folded line's name (and empty values) without memory. */
static const char *copy_str(struct http_req *req, const char *s, size_t n)
{
	return s != NULL ? pool_strndup(&req->pool, s, n) : "";
}

static void copy_input(struct http_req *req, h2o_req_t *h)
{
	size_t n = h->headers.size + 1;

	req->method = copy_str(req, h->input.method.base, h->input.method.len);
	req->minor = h->version & 0xff;
	req->headers = pool_alloc(&req->pool, n * sizeof(*req->headers));
	for (size_t i = 0; i < h->headers.size; i++) {
		const h2o_header_t *hd = &h->headers.entries[i];

		req->headers[i].name = copy_str(req, hd->name->base, hd->name->len);
		req->headers[i].value = copy_str(req, hd->value.base, hd->value.len);
	}
	req->nheaders = h->headers.size;
	if (h->entity.base != NULL)
		buf_append(&req->body, h->entity.base, h->entity.len);
	else
		buf_puts(&req->body, "");
}

static struct http_req *attach(struct http_server *srv, struct http_conn *c,
			       h2o_req_t *h)
{
	struct http_req *req = http_req_new(srv);
	struct anchor *a = h2o_mem_alloc_shared(&h->pool, sizeof(*a), on_dispose);

	a->req = req;
	http_req_ref(req);       /* the loop's, dropped by on_dispose */
	req->h2o = h;
	req->last_write_ms = http_now_ms();
	req->conn = c;
	req->peer = c->peer;
	if (c->peer.tls)
		http_peer_cert(c->sock, &req->peer);
	req->next = srv->reqs;
	if (srv->reqs)
		srv->reqs->prev = req;
	srv->reqs = req;
	return req;
}

/* Replies an error and closes the connection after it. */
static void reject(struct http_req *req, int status, const char *code,
		   const char *msg)
{
	http_resp_close(req);
	http_reply_error(req, status, code, "%s", msg);
}

/*
 * Plain TCP (tests only, the daemon speaks TLS there) has no token to
 * stop a web page that rebinds a DNS name to the loopback port, so its
 * Host must be a loopback name.
 */
static int loopback_host_ok(struct http_req *req)
{
	const char *host = http_req_header(req, "host");

	return req->peer.kind != HTTP_PEER_TCP || req->peer.tls ||
	       req->srv->lim.allow_remote || host == NULL ||
	       http_addr_is_loopback_host(host);
}

/* orca's own checks on what h2o accepted; 0 or replied. */
static int check(struct http_req *req, struct http_conn *c, h2o_req_t *h)
{
	const char *host = NULL;
	size_t host_len = 0;
	char msg[160];
	int status;

	if (http_server_stopping(req->srv)) {
		reject(req, 503, "unavailable", "the orca server is stopping");
		return -1;
	}
	status = http_head_check(c->sock->input->bytes, c->sock->input->size, &host,
				 &host_len, msg, sizeof(msg));
	if (status != 0) {
		reject(req, status, status == 431 ? "too_big"
				    : status == 501 ? "unsupported" : "bad_request", msg);
		return -1;
	}
	if (host != NULL) {   /* h2o keeps Host apart, and invents one if absent */
		req->headers[req->nheaders].name = "host";
		req->headers[req->nheaders++].value = pool_strndup(&req->pool, host, host_len);
	}
	if (http_target_parse(req, h->input.path.base, h->input.path.len, msg,
			      sizeof(msg)) < 0) {
		reject(req, 400, "bad_request", msg);
		return -1;
	}
	if (http_req_header(req, "origin") != NULL) {
		reject(req, 403, "forbidden", "cross-origin requests are not allowed");
		return -1;
	}
	if (!loopback_host_ok(req)) {
		reject(req, 403, "forbidden", "the Host header must name a loopback address");
		return -1;
	}
	return 0;
}

static int stream_room(struct http_server *srv, enum http_peer_kind kind)
{
	int total = srv->nstreams[HTTP_PEER_UNIX] + srv->nstreams[HTTP_PEER_TCP];
	int cap = srv->lim.max_streams;

	if (kind != HTTP_PEER_UNIX)
		cap -= srv->lim.stream_unix_reserved;
	return total < cap;
}

/* The admit function and the limits it sets; 0 to run the handler. */
static int admit(struct http_req *req, struct http_admit *ad)
{
	struct http_server *srv = req->srv;
	struct err e = { 0 };
	size_t max;

	if (srv->admit != NULL && srv->admit(req, srv->admit_arg, ad, &e) < 0) {
		http_reply_err(req, &e);
		return -1;
	}
	if (ad->run == HTTP_RUN_DONE)
		return -1;
	max = ad->max_body ? ad->max_body : srv->lim.max_body_bytes;
	if (req->body.len > max) {
		reject(req, 413, "too_big", "request body over the size limit");
		return -1;
	}
	if (ad->stream) {
		if (!stream_room(srv, req->peer.kind)) {
			http_reply_error(req, 503, "unavailable",
					 "too many open streams on the orca server");
			return -1;
		}
		srv->nstreams[req->peer.kind]++;
		req->stream_slot = 1;
	}
	return 0;
}

static void dispatch(struct http_req *req, const struct http_admit *ad)
{
	if (ad->run == HTTP_RUN_LOOP) {
		req->on_loop = 1;
		http_run_handler(req);
		return;
	}
	if (http_pool_submit(req->srv->pool, req) < 0) {
		http_reply_error(req, 503, "unavailable", "the orca server is busy; try again");
		http_req_unref(req);
	}
}

int http_on_req(h2o_handler_t *self, h2o_req_t *h)
{
	struct http_server *srv = ((struct orca_handler *)self)->srv;
	struct http_conn *c = http_conn_of(h);
	struct http_admit ad = { HTTP_RUN_WORKER, 0, 0 };
	struct http_req *req;

	if (c == NULL) {
		h->http1_is_persistent = 0;
		h2o_send_error_500(h, "Internal Server Error", "unknown connection", 0);
		return 0;
	}
	req = attach(srv, c, h);   /* one reference for the handler side */
	copy_input(req, h);
	if (check(req, c, h) < 0 || admit(req, &ad) < 0) {
		http_req_unref(req);
		return 0;
	}
	dispatch(req, &ad);
	return 0;
}

void http_run_handler(struct http_req *req)
{
	struct err e = { 0 };
	int rc = req->srv->handler(req, req->srv->handler_arg, &e);

	http_reply_finish(req, rc, &e);
	http_req_unref(req);
}

/* Has the client closed its side? h2o does not read while a request is in
 * progress, so it would only find out when a write fails. */
static int hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void heartbeat(struct http_req *req, int64_t now)
{
	int ms = req->srv->lim.heartbeat_ms;

	if (req->in_flight || now - req->last_write_ms < ms)
		return;
	pthread_mutex_lock(&req->mu);
	if (req->state == REQ_STREAMING && req->heartbeat != NULL && req->out.len == 0) {
		buf_puts(&req->out, req->heartbeat);
		http_notify_locked(req);
	}
	pthread_mutex_unlock(&req->mu);
	req->last_write_ms = now;
}

void http_sweep(struct http_server *srv)
{
	int64_t now = http_now_ms();

	for (struct http_req *req = srv->reqs; req != NULL; req = req->next) {
		int stalled = req->in_flight && !req->final_sent &&
			      now - req->send_since_ms > srv->lim.write_timeout_ms;

		if (stalled)
			shutdown(req->conn->fd, SHUT_RDWR);
		if (stalled || hung_up(req->conn->fd)) {
			pthread_mutex_lock(&req->mu);
			http_cancel_locked(req);
			pthread_mutex_unlock(&req->mu);
		}
		heartbeat(req, now);
	}
}

void http_cancel_all(struct http_server *srv)
{
	for (struct http_req *req = srv->reqs; req != NULL; req = req->next) {
		pthread_mutex_lock(&req->mu);
		http_cancel_locked(req);
		pthread_mutex_unlock(&req->mu);
	}
}

/* Whatever is unfinished ends now: 503 for no reply, a broken stream. */
static void finish(struct http_req *req)
{
	enum req_state state;

	pthread_mutex_lock(&req->mu);
	http_cancel_locked(req);
	state = req->state;
	if (state == REQ_STREAMING) {
		req->state = REQ_ENDED;
		req->abort = 1;
		http_notify_locked(req);
	}
	pthread_mutex_unlock(&req->mu);
	if (state == REQ_NEW)
		reject(req, 503, "unavailable", "the orca server is stopping");
}

void http_finish_all(struct http_server *srv)
{
	for (struct http_req *req = srv->reqs; req != NULL; req = req->next)
		finish(req);
}

void http_forget_all(struct http_server *srv)
{
	struct http_req *req;

	while ((req = srv->reqs) != NULL) {
		pthread_mutex_lock(&req->mu);
		req->gone = 1;
		http_cancel_locked(req);
		pthread_mutex_unlock(&req->mu);
		srv->reqs = req->next;
		req->h2o = NULL;
		req->conn = NULL;
		req->prev = req->next = NULL;
		http_req_unref(req);
	}
}
