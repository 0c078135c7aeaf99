/*
 * http_conn.c - one connection: read a request, run its handler, repeat.
 *
 * Runs on the connection's own thread (or, for http_serve_buffer, on the
 * caller's, over a buffer). Keep-alive and pipelining fall out of the loop:
 * bytes after one request stay in c->in for the next. Every wait has a
 * deadline, so a silent or slow client is dropped.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "api/http_int.h"

int64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int http_conn_stopping(const struct http_conn *c)
{
	return c->srv != NULL && http_server_stopping(c->srv);
}

static int wait_readable(int fd, int64_t deadline_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t left;
	int n;

	for (;;) {
		left = deadline_ms - http_now_ms();
		if (left <= 0)
			return HTTP_FILL_TIMEOUT;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

ssize_t http_conn_fill(struct http_conn *c, int64_t deadline_ms)
{
	char tmp[16384];
	ssize_t n;
	int rc;

	if (c->fd < 0 || c->failed)
		return 0;  /* in-memory: all input was there from the start */
	for (;;) {
		rc = wait_readable(c->fd, deadline_ms);
		if (rc < 0) {
			c->failed = rc != HTTP_FILL_TIMEOUT;
			return rc;
		}
		n = recv(c->fd, tmp, sizeof(tmp), 0);
		if (n > 0) {
			buf_append(&c->in, tmp, (size_t)n);
			return n;
		}
		if (n == 0)
			return 0;
		if (errno != EINTR && errno != EAGAIN) {
			c->failed = 1;
			return -1;
		}
	}
}

int http_conn_send(struct http_conn *c, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	if (c->failed)
		return -EPIPE;
	if (c->fd < 0) {
		buf_append(c->out, data, len);
		return 0;
	}
	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->failed = 1;  /* gone, or no progress for write_timeout_ms */
			return -EPIPE;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * Reads and parses one head. Returns 1 with *deadline_ms (when the whole
 * request must be in), 0 when the connection ends quietly, -1 with f set.
 */
static int read_head(struct http_conn *c, struct http_req *req,
		     int64_t *deadline_ms, struct http_fail *f)
{
	int64_t idle = c->lim->idle_timeout_ms, deadline = 0;
	size_t last = 0;
	ssize_t n;
	int len;

	for (;;) {
		if (c->in.len > 0) {
			if (deadline == 0)
				deadline = http_now_ms() + c->lim->request_timeout_ms;
			len = http_head_parse(req, c->in.data, c->in.len, last, f);
			if (len < 0)
				return -1;
			if (len > 0) {
				buf_consume(&c->in, (size_t)len);
				*deadline_ms = deadline;
				return 1;
			}
			last = c->in.len;
		}
		n = http_conn_fill(c, deadline ? min64(deadline, http_now_ms() + idle)
					       : http_now_ms() + idle);
		if (n == HTTP_FILL_TIMEOUT && c->in.len > 0) {
			f->status = 408;
			f->code = "timeout";
			strcpy(f->msg, "the request did not arrive in time");
			return -1;
		}
		if (n <= 0)
			return 0;
	}
}

/* Refuses what a web page could send to a loopback port (see http.h). */
static int policy(const struct http_conn *c, const struct http_req *req,
		  struct http_fail *f)
{
	const char *host = http_req_header(req, "host");

	f->status = 403;
	f->code = "forbidden";
	if (http_req_header(req, "origin") != NULL) {
		strcpy(f->msg, "cross-origin requests are not allowed");
		return -1;
	}
	if (c->peer.kind == HTTP_PEER_TCP && !c->lim->allow_remote &&
	    host != NULL && !http_addr_is_loopback_host(host)) {
		strcpy(f->msg, "the Host header must name a loopback address");
		return -1;
	}
	f->status = 0;
	return 0;
}

static void run_handler(struct http_conn *c, struct http_req *req)
{
	struct err e = { 0 };
	int rc;

	rc = c->handler(req, c->handler_arg, &e);
	http_reply_finish(req, rc, &e);
}

/* Serves one request; returns 1 when the connection may carry another. */
static int serve_one(struct http_conn *c)
{
	struct http_fail f = { 0 };
	struct http_req req;
	int64_t deadline = 0;
	int rc, again;

	http_req_init(&req, c);
	rc = read_head(c, &req, &deadline, &f);
	if (rc > 0 && policy(c, &req, &f) < 0)
		rc = -1;
	if (rc > 0 && http_body_read(c, &req, deadline, &f) < 0)
		rc = -1;
	if (rc > 0)
		run_handler(c, &req);
	else if (rc < 0 && f.status != 0)
		c->linger = http_reply_fail(&req, &f) == 0;
	again = rc > 0 && req.keep_alive && !c->failed;
	http_req_release(&req);
	return again;
}

void http_conn_run(struct http_conn *c)
{
	while (!http_conn_stopping(c) && serve_one(c))
		;
}

void http_serve_buffer(const struct http_server_config *cfg, const char *data,
		       size_t len, struct buf *out)
{
	struct http_limits lim;
	struct http_conn c;

	memset(&c, 0, sizeof(c));
	http_limits_fill(&lim, cfg);
	c.lim = &lim;
	c.handler = cfg->handler;
	c.handler_arg = cfg->handler_arg;
	c.fd = -1;
	c.out = out;
	c.peer.kind = HTTP_PEER_MEMORY;
	buf_init(&c.in);
	buf_append(&c.in, data, len);
	http_conn_run(&c);
	buf_release(&c.in);
}
