/*
 * http_head.c - a request head, from bytes to a struct http_req.
 *
 * picohttpparser finds the request line and headers; this file applies
 * orca's bounds and the rules that keep body framing unambiguous (one
 * Content-Length or chunked, never both). Pure: no I/O, no allocation
 * outside the request's pool.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/http_int.h"
#include "api/picohttp.h"

static int fail(struct http_fail *f, int status, const char *code,
		const char *msg)
{
	f->status = status;
	f->code = code;
	snprintf(f->msg, sizeof(f->msg), "%s", msg);
	return -1;
}

static int is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_token(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Trims spaces and tabs on both sides of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
	while (*n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

/* Does the comma-separated list value hold token (case-insensitive)? */
static int list_has(const char *value, const char *token)
{
	size_t tlen = strlen(token);
	const char *p = value;

	while (*p) {
		size_t n = strcspn(p, ",");
		const char *item = trim(p, &n);

		if (n == tlen && strncasecmp(item, token, tlen) == 0)
			return 1;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

static int parse_length(const char *v, size_t *out)
{
	size_t n = 0;

	if (*v == '\0' || strlen(v) > 18)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (size_t)(*v - '0');
	}
	*out = n;
	return 0;
}

static int framing(struct http_req *req, const char *name, const char *value,
		   struct http_fail *f)
{
	size_t len;

	if (strcasecmp(name, "content-length") == 0) {
		if (parse_length(value, &len) < 0)
			return fail(f, 400, "bad_request", "invalid content-length");
		if (req->body_kind == BODY_LENGTH && len != req->content_length)
			return fail(f, 400, "bad_request", "conflicting content-length headers");
		if (req->body_kind == BODY_CHUNKED)
			return fail(f, 400, "bad_request", "both content-length and transfer-encoding");
		req->body_kind = BODY_LENGTH;
		req->content_length = len;
	} else if (strcasecmp(name, "transfer-encoding") == 0) {
		if (strcasecmp(value, "chunked") != 0)
			return fail(f, 501, "unsupported", "only transfer-encoding 'chunked' is supported");
		if (req->body_kind != BODY_NONE || req->minor == 0)
			return fail(f, 400, "bad_request", "ambiguous request body framing");
		req->body_kind = BODY_CHUNKED;
	}
	return 0;
}

static int header(struct http_req *req, const char *name, const char *value,
		  struct http_fail *f)
{
	if (framing(req, name, value, f) < 0)
		return -1;
	if (strcasecmp(name, "connection") == 0) {
		if (list_has(value, "close"))
			req->keep_alive = 0;
		else if (list_has(value, "keep-alive"))
			req->keep_alive = 1;
	} else if (strcasecmp(name, "expect") == 0) {
		if (strcasecmp(value, "100-continue") != 0)
			return fail(f, 417, "expectation_failed", "only 'Expect: 100-continue' is supported");
		req->expect_continue = req->minor >= 1;
	}
	return 0;
}

static int headers(struct http_req *req, const struct phr_header *h,
		   size_t n, struct http_fail *f)
{
	req->headers = pool_alloc(&req->pool, (n ? n : 1) * sizeof(*req->headers));
	for (size_t i = 0; i < n; i++) {
		size_t vlen = h[i].value_len;
		const char *v = trim(h[i].value, &vlen);
		struct http_kv *kv = &req->headers[i];

		if (h[i].name == NULL)
			return fail(f, 400, "bad_request", "folded header lines are not supported");
		if (!is_token(h[i].name, h[i].name_len))
			return fail(f, 400, "bad_request", "invalid header name");
		if (memchr(v, '\0', vlen) != NULL)
			return fail(f, 400, "bad_request", "NUL byte in a header");
		kv->name = pool_strndup(&req->pool, h[i].name, h[i].name_len);
		kv->value = pool_strndup(&req->pool, v, vlen);
		req->nheaders++;
		if (header(req, kv->name, kv->value, f) < 0)
			return -1;
	}
	return 0;
}

/* Splits "a=1&b=x+y" into decoded pairs in the pool. */
static int query(struct http_req *req, struct http_fail *f)
{
	const char *p = req->query_raw;
	size_t n = 1;

	for (const char *q = p; *q; q++)
		n += *q == '&';
	req->query = pool_alloc(&req->pool, n * sizeof(*req->query));
	while (*p) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		struct http_kv *kv = &req->query[req->nquery];

		if (len > 0) {
			kv->name = http_pct_decode(&req->pool, p, klen, 1);
			kv->value = eq ? http_pct_decode(&req->pool, eq + 1, len - klen - 1, 1) : "";
			if (kv->name == NULL || kv->value == NULL)
				return fail(f, 400, "bad_request", "invalid percent-encoding in the query");
			req->nquery++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}

static int target(struct http_req *req, const char *path, size_t len,
		  struct http_fail *f)
{
	const char *q = memchr(path, '?', len);
	size_t plen = q ? (size_t)(q - path) : len;

	if (len == 0 || path[0] != '/')
		return fail(f, 400, "bad_request", "the request target must be a path starting with '/'");
	req->path = pool_strndup(&req->pool, path, plen);
	req->query_raw = q ? pool_strndup(&req->pool, q + 1, len - plen - 1) : "";
	if (memchr(path, '\0', len) != NULL)
		return fail(f, 400, "bad_request", "NUL byte in the request target");
	return query(req, f);
}

/* phr says -1 both for garbage and for too many headers; tell them apart. */
static int parse_error(const char *buf, size_t len, struct http_fail *f)
{
	size_t lines = 0;

	/* Lines of this head only: up to a blank line, not into the next. */
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		lines++;
		if (i + 1 < len && (buf[i + 1] == '\n' ||
				    (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')))
			break;
	}
	if (lines > HTTP_MAX_HEADERS)
		return fail(f, 431, "too_big", "more than 64 request headers");
	return fail(f, 400, "bad_request", "malformed request head");
}

int http_head_parse(struct http_req *req, const char *buf, size_t len,
		    size_t last_len, struct http_fail *f)
{
	struct phr_header h[HTTP_MAX_HEADERS];
	size_t nh = HTTP_MAX_HEADERS, mlen, plen;
	const char *method, *path;
	int minor, n;

	if (len > HTTP_MAX_HEAD_BYTES)
		len = HTTP_MAX_HEAD_BYTES;
	if (last_len > len)
		last_len = 0;
	n = phr_parse_request(buf, len, &method, &mlen, &path, &plen, &minor,
			      h, &nh, last_len);
	if (n == -2 && len == HTTP_MAX_HEAD_BYTES)
		return fail(f, 431, "too_big", "request head over 16 KiB");
	if (n == -2)
		return 0;
	if (n < 0)
		return parse_error(buf, len, f);
	if (!is_token(method, mlen))
		return fail(f, 400, "bad_request", "invalid method");
	req->method = pool_strndup(&req->pool, method, mlen);
	req->minor = minor;
	req->keep_alive = minor >= 1;
	if (target(req, path, plen, f) < 0 || headers(req, h, nh, f) < 0)
		return -1;
	return n;
}
