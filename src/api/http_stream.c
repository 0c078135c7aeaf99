/*
 * http_stream.c - streamed responses: logs -f, events -f, deploy watch.
 *
 * HTTP/1.1 clients get chunked encoding and keep their connection after
 * the stream ends; HTTP/1.0 clients get the body until the server closes.
 * Every write goes out at once (one send per chunk, TCP_NODELAY), so a
 * client sees each event when it happens.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/http_int.h"
#include "base/jsonx.h"

int http_stream_begin(struct http_req *req, int status,
		      const char *content_type)
{
	if (req->state != REQ_NEW)
		return ERR_FAIL;
	req->state = REQ_STREAMING;
	req->chunked_out = req->minor >= 1;
	return http_send_head(req, status, content_type, -1);
}

int http_stream_alive(struct http_req *req)
{
	struct http_conn *c = req->conn;
	struct pollfd p = { .fd = c->fd, .events = POLLRDHUP };

	if (req->state != REQ_STREAMING || c->failed || http_conn_stopping(c))
		return 0;
	if (c->fd < 0)
		return 1;
	/* A client that closed (or half-closed) its side has gone away, as
	 * for nginx's 499: its stream ends. */
	if (poll(&p, 1, 0) > 0 && p.revents & (POLLRDHUP | POLLHUP | POLLERR))
		c->failed = 1;
	return !c->failed;
}

int http_stream_write(struct http_req *req, const void *data, size_t len)
{
	struct buf b = BUF_INIT;
	int rc;

	if (!http_stream_alive(req))
		return req->state == REQ_STREAMING ? -EPIPE : ERR_FAIL;
	if (len == 0)
		return 0;  /* an empty chunk would end the stream */
	if (!req->chunked_out)
		return http_conn_send(req->conn, data, len);
	buf_printf(&b, "%zx\r\n", len);
	buf_append(&b, data, len);
	buf_puts(&b, "\r\n");
	rc = http_conn_send(req->conn, b.data, b.len);
	buf_release(&b);
	return rc;
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
	static const char last[] = "0\r\n\r\n";
	int rc = 0;

	if (req->state != REQ_STREAMING)
		return ERR_FAIL;
	req->state = REQ_ENDED;
	if (req->chunked_out)
		rc = http_conn_send(req->conn, last, sizeof(last) - 1);
	else
		req->keep_alive = 0;
	return rc;
}
