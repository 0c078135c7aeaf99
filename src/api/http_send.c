/*
 * http_send.c - the loop side of replies and streams: what handlers wrote
 * (under req->mu) goes to h2o here, on the loop thread only.
 *
 * A stream keeps at most one buffer in h2o's hands (sending) and collects
 * the next in req->out; when h2o has written the first (proceed), the two
 * change places. Producers that found out full are woken then (the room
 * condition, or the drain hook), which is the backpressure from the socket
 * back to whoever writes.
 */
#include <stdlib.h>
#include <string.h>

#include "api/http_int.h"

void http_notify_locked(struct http_req *req)
{
	if (req->gone || req->notify_pending)
		return;
	req->notify_pending = 1;
	http_req_ref(req);
	h2o_multithread_send_message(&req->srv->to_loop, &req->msg);
}

void http_cancel_locked(struct http_req *req)
{
	void (*fn)(void *) = req->cancel_fn;

	if (req->canceled)
		return;
	req->canceled = 1;
	req->cancel_fn = NULL;
	pthread_cond_broadcast(&req->room);
	if (fn != NULL)
		fn(req->cancel_arg);
}

void http_send_receive(h2o_multithread_receiver_t *r, h2o_linklist_t *msgs)
{
	(void)r;
	while (!h2o_linklist_is_empty(msgs)) {
		struct http_req *req = H2O_STRUCT_FROM_MEMBER(struct http_req, msg.link,
							      msgs->next);

		h2o_linklist_unlink(&req->msg.link);
		pthread_mutex_lock(&req->mu);
		req->notify_pending = 0;
		pthread_mutex_unlock(&req->mu);
		http_send_flush(req);
		http_req_unref(req);
	}
}

/* "Name: value\r\n" lines into h2o's response headers. */
static void add_headers(h2o_req_t *h, const struct buf *lines)
{
	const char *p = buf_str(lines);

	while (*p) {
		const char *eol = strstr(p, "\r\n"), *colon = strchr(p, ':');
		h2o_iovec_t name, value;

		if (eol == NULL || colon == NULL || colon > eol)
			break;
		name = h2o_strdup(&h->pool, p, (size_t)(colon - p));
		value = h2o_strdup(&h->pool, colon + 2, (size_t)(eol - colon - 2));
		/* orig_name keeps the case orca chose ("Allow") */
		h2o_add_header_by_str(&h->pool, &h->res.headers, name.base, name.len, 1,
				      name.base, value.base, value.len);
		p = eol + 2;
	}
}

static void set_head(struct http_req *req, h2o_req_t *h)
{
	h->res.status = req->status;
	h->res.reason = http_status_reason(req->status);
	if (req->ctype != NULL)
		h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CONTENT_TYPE,
			       "Content-Type", req->ctype, strlen(req->ctype));
	add_headers(h, &req->resp_headers);
	if (req->close || http_server_stopping(req->srv))
		h->http1_is_persistent = 0;
}

/* A whole reply; req->mu held, released here. */
static void send_reply(struct http_req *req, h2o_req_t *h)
{
	struct buf body = req->out;

	buf_init(&req->out);
	set_head(req, h);
	pthread_mutex_unlock(&req->mu);
	req->final_sent = 1;
	req->last_write_ms = http_now_ms();
	h->res.content_length = body.len;
	h2o_send_inline(h, body.len ? body.data : "", body.len);
	buf_release(&body);
}

static void on_proceed(h2o_generator_t *gen, h2o_req_t *h)
{
	struct http_req *req = H2O_STRUCT_FROM_MEMBER(struct http_req, gen, gen);

	(void)h;
	req->in_flight = 0;
	req->send_since_ms = 0;
	buf_reset(&req->sending);
	http_send_flush(req);
}

static void on_stop(h2o_generator_t *gen, h2o_req_t *h)
{
	struct http_req *req = H2O_STRUCT_FROM_MEMBER(struct http_req, gen, gen);

	(void)h;
	pthread_mutex_lock(&req->mu);
	http_cancel_locked(req);
	pthread_mutex_unlock(&req->mu);
}

static void start_stream(struct http_req *req, h2o_req_t *h)
{
	set_head(req, h);
	h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CACHE_CONTROL,
		       "Cache-Control", H2O_STRLIT("no-cache"));
	h->res.content_length = SIZE_MAX;
	req->gen.proceed = on_proceed;
	req->gen.stop = on_stop;
	h2o_start_response(h, &req->gen);
	req->head_sent = 1;
}

/* The next piece of a stream; req->mu held, released here. */
static void send_stream(struct http_req *req, h2o_req_t *h)
{
	struct buf tmp;
	h2o_iovec_t iov;
	int final = req->state == REQ_ENDED;
	h2o_send_state_t how = final ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS;

	/* h2o 2.2.5 writes nothing, head included, for an empty piece: a
	 * stream's head goes out with its first bytes. */
	if (req->out.len == 0 && !final) {
		pthread_mutex_unlock(&req->mu);
		return;
	}
	if (!req->head_sent)
		start_stream(req, h);
	tmp = req->sending;
	req->sending = req->out;
	req->out = tmp;
	buf_reset(&req->out);
	if (final && req->abort)
		how = H2O_SEND_STATE_ERROR;
	pthread_cond_broadcast(&req->room);
	if (req->want_drain && req->drain_fn != NULL) {
		req->want_drain = 0;
		req->drain_fn(req->drain_arg);
	}
	pthread_mutex_unlock(&req->mu);
	req->in_flight = 1;
	req->final_sent = final;
	req->send_since_ms = http_now_ms();
	if (req->sending.len > 0)
		req->last_write_ms = req->send_since_ms;
	iov = h2o_iovec_init(req->sending.data, req->sending.len);
	h2o_send(h, &iov, iov.len ? 1 : 0, how);
}

void http_send_flush(struct http_req *req)
{
	h2o_req_t *h = req->h2o;

	if (h == NULL || req->final_sent || req->in_flight)
		return;
	pthread_mutex_lock(&req->mu);
	switch (req->state) {
	case REQ_NEW:
		pthread_mutex_unlock(&req->mu);
		break;
	case REQ_REPLIED:
		send_reply(req, h);
		break;
	case REQ_STREAMING:
	case REQ_ENDED:
		send_stream(req, h);
		break;
	}
}

void http_send_disposed(struct http_req *req)
{
	struct http_server *srv = req->srv;

	pthread_mutex_lock(&req->mu);
	req->gone = 1;
	http_cancel_locked(req);
	pthread_cond_broadcast(&req->room);
	pthread_mutex_unlock(&req->mu);
	req->h2o = NULL;
	req->conn = NULL;
	if (req->prev)
		req->prev->next = req->next;
	else if (srv->reqs == req)
		srv->reqs = req->next;
	if (req->next)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
	if (req->stream_slot)
		srv->nstreams[req->peer.kind]--;
	req->stream_slot = 0;
	http_req_unref(req);
}
