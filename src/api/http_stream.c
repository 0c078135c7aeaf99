/*
 * http_stream.c - streamed responses, the producers' side: logs, events,
 * anything written piece by piece from any thread.
 *
 * Bytes go into req->out under req->mu and the loop is told (http_send.c
 * takes them to h2o). At most HTTP_STREAM_BUFFER bytes wait there: a
 * blocking writer sleeps on req->room until the loop has taken them, a
 * non-blocking one is told "full" and hears again through its drain hook.
 * HTTP/1.1 clients get chunked encoding and keep their connection after the
 * stream ends; HTTP/1.0 clients get the body until the server closes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http_int.h"
#include "base/jsonx.h"
#include "base/xalloc.h"

int http_stream_begin(struct http_req *req, int status,
		      const char *content_type)
{
	pthread_mutex_lock(&req->mu);
	if (req->state != REQ_NEW) {
		pthread_mutex_unlock(&req->mu);
		return ERR_FAIL;
	}
	req->state = REQ_STREAMING;
	req->status = status;
	free(req->ctype);
	req->ctype = content_type ? xstrdup(content_type) : NULL;
	http_notify_locked(req);
	pthread_mutex_unlock(&req->mu);
	return 0;
}

static int over_locked(struct http_req *req)
{
	return req->gone || req->canceled || http_server_stopping(req->srv);
}

/* 0 when data was taken, 1 when full, negative when over; mu held. */
static int put_locked(struct http_req *req, const void *data, size_t len)
{
	if (req->state != REQ_STREAMING)
		return ERR_FAIL;
	if (over_locked(req))
		return -EPIPE;
	if (len == 0)
		return 0;
	if (req->out.len >= HTTP_STREAM_BUFFER)
		return 1;
	buf_append(&req->out, data, len);
	http_notify_locked(req);
	return 0;
}

int http_stream_write(struct http_req *req, const void *data, size_t len)
{
	int rc;

	pthread_mutex_lock(&req->mu);
	/* The loop thread cannot wait for itself: there, full is an error. */
	while ((rc = put_locked(req, data, len)) == 1 && !req->on_loop)
		pthread_cond_wait(&req->room, &req->mu);
	pthread_mutex_unlock(&req->mu);
	return rc == 1 ? -EAGAIN : rc;
}

int http_stream_try_write(struct http_req *req, const void *data, size_t len)
{
	int rc;

	pthread_mutex_lock(&req->mu);
	rc = put_locked(req, data, len);
	if (rc == 1)
		req->want_drain = 1;
	pthread_mutex_unlock(&req->mu);
	return rc;
}

void http_stream_on_drain(struct http_req *req, void (*fn)(void *arg),
			  void *arg)
{
	pthread_mutex_lock(&req->mu);
	req->drain_fn = fn;
	req->drain_arg = arg;
	pthread_mutex_unlock(&req->mu);
}

void http_stream_heartbeat(struct http_req *req, const char *text)
{
	pthread_mutex_lock(&req->mu);
	free(req->heartbeat);
	req->heartbeat = text ? xstrdup(text) : NULL;
	/* The first one at once: it carries the head to the client. */
	if (text != NULL && req->state == REQ_STREAMING && !over_locked(req) &&
	    req->out.len == 0) {
		buf_puts(&req->out, text);
		http_notify_locked(req);
	}
	pthread_mutex_unlock(&req->mu);
}

int http_stream_alive(struct http_req *req)
{
	int alive;

	pthread_mutex_lock(&req->mu);
	alive = req->state == REQ_STREAMING && !over_locked(req);
	pthread_mutex_unlock(&req->mu);
	return alive;
}

int http_stream_printf(struct http_req *req, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rc = http_stream_write(req, buf_str(&b), b.len);
	buf_release(&b);
	return rc;
}

int http_stream_ndjson(struct http_req *req, const json_t *j)
{
	struct buf b = BUF_INIT;
	int rc = ERR_FAIL;

	if (jsonx_dump(j, &b) == 0) {
		buf_putc(&b, '\n');
		rc = http_stream_write(req, b.data, b.len);
	}
	buf_release(&b);
	return rc;
}

int http_stream_sse(struct http_req *req, const char *event, const json_t *j)
{
	struct buf b = BUF_INIT;
	int rc = ERR_FAIL;

	/* An event name with a newline would forge fields. */
	if (event != NULL && event[strcspn(event, "\r\n")] != '\0')
		return ERR_INVALID;
	if (event != NULL)
		buf_printf(&b, "event: %s\n", event);
	buf_puts(&b, "data: ");
	if (jsonx_dump(j, &b) == 0) {
		buf_puts(&b, "\n\n");
		rc = http_stream_write(req, b.data, b.len);
	}
	buf_release(&b);
	return rc;
}

int http_stream_end(struct http_req *req)
{
	pthread_mutex_lock(&req->mu);
	if (req->state != REQ_STREAMING) {
		pthread_mutex_unlock(&req->mu);
		return ERR_FAIL;
	}
	req->state = REQ_ENDED;
	http_notify_locked(req);
	pthread_mutex_unlock(&req->mu);
	return 0;
}

struct http_req *http_stream_detach(struct http_req *req)
{
	pthread_mutex_lock(&req->mu);
	req->detached = 1;
	pthread_mutex_unlock(&req->mu);
	http_req_ref(req);
	return req;
}
