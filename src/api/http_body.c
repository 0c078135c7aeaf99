/*
 * http_body.c - a request body, by Content-Length or chunked, bounded.
 *
 * The whole body is read before the handler runs: the control API's bodies
 * are small JSON documents, and a handler that finds its body complete is
 * simpler than one that streams it. Bytes after the body stay in c->in for
 * the next pipelined request.
 */
#include <string.h>

#include "api/http_int.h"
#include "api/picohttp.h"

/* Room for decoder fields a newer picohttpparser may append. */
union decoder {
	struct phr_chunked_decoder d;
	char pad[64];
};

static int fail(struct http_fail *f, int status, const char *code,
		const char *msg)
{
	f->status = status;
	f->code = code;
	strncpy(f->msg, msg, sizeof(f->msg) - 1);
	return -1;
}

static int too_big(struct http_fail *f)
{
	return fail(f, 413, "too_big", "request body over the size limit");
}

/* Waits for more input; 0, or -1 with f set (status 0: just close). */
static int more(struct http_conn *c, int64_t deadline_ms, struct http_fail *f)
{
	int64_t idle = http_now_ms() + c->lim->idle_timeout_ms;
	ssize_t n = http_conn_fill(c, deadline_ms < idle ? deadline_ms : idle);

	if (n > 0)
		return 0;
	if (n == HTTP_FILL_TIMEOUT)
		return fail(f, 408, "timeout", "the request body did not arrive in time");
	return fail(f, 0, NULL, "");
}

static int read_length(struct http_conn *c, struct http_req *req,
		       int64_t deadline_ms, struct http_fail *f)
{
	size_t left = req->content_length, n;

	for (;;) {
		n = c->in.len < left ? c->in.len : left;
		buf_append(&req->body, c->in.data, n);
		buf_consume(&c->in, n);
		left -= n;
		if (left == 0)
			return 0;
		if (more(c, deadline_ms, f) < 0)
			return -1;
	}
}

/*
 * Decodes what c->in holds, appending to req->body. Returns 1 at the end of
 * the body, 0 when more is needed, -1 with f set.
 */
static int decode(struct http_conn *c, struct http_req *req,
		  union decoder *dec, size_t *raw_total, struct http_fail *f)
{
	size_t start = req->body.len, n = c->in.len, size = n, rest;
	ssize_t rc;

	buf_append(&req->body, c->in.data, n);
	rc = phr_decode_chunked(&dec->d, req->body.data + start, &size);
	if (rc == -1)
		return fail(f, 400, "bad_request", "malformed chunked request body");
	req->body.len = start + size;
	req->body.data[req->body.len] = '\0';
	rest = rc >= 0 ? (size_t)rc : 0;  /* the next request's bytes */
	buf_consume(&c->in, n - rest);
	*raw_total += n - rest;
	/* Chunk framing and extensions may cost bytes, not unbounded ones. */
	if (req->body.len > c->lim->max_body_bytes ||
	    *raw_total > 2 * c->lim->max_body_bytes + 65536)
		return too_big(f);
	return rc >= 0;
}

static int read_chunked(struct http_conn *c, struct http_req *req,
			int64_t deadline_ms, struct http_fail *f)
{
	union decoder dec;
	size_t raw_total = 0;
	int rc;

	memset(&dec, 0, sizeof(dec));
	dec.d.consume_trailer = 1;
	for (;;) {
		if (c->in.len > 0) {
			rc = decode(c, req, &dec, &raw_total, f);
			if (rc != 0)
				return rc < 0 ? -1 : 0;
		}
		if (more(c, deadline_ms, f) < 0)
			return -1;
	}
}

int http_body_read(struct http_conn *c, struct http_req *req,
		   int64_t deadline_ms, struct http_fail *f)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (req->body_kind == BODY_NONE)
		return 0;
	if (req->body_kind == BODY_LENGTH &&
	    req->content_length > c->lim->max_body_bytes)
		return too_big(f);
	if (req->body_kind == BODY_LENGTH && req->content_length == 0)
		return 0;
	if (req->expect_continue && c->in.len == 0 &&
	    http_conn_send(c, cont, sizeof(cont) - 1) < 0)
		return fail(f, 0, NULL, "");
	if (req->body_kind == BODY_LENGTH)
		return read_length(c, req, deadline_ms, f);
	return read_chunked(c, req, deadline_ms, f);
}
