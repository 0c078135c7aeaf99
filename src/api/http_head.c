/*
 * http_head.c - orca's rules for a request head, on top of h2o's parser.
 *
 * h2o 2.2.5 parses the head and reads the body before any handler runs,
 * and is lenient where a request is ambiguous: with Content-Length and
 * Transfer-Encoding it uses the latter, of two Content-Lengths the first,
 * and it takes folded header lines. Its raw head is still at the start of
 * the socket's input when the request reaches orca, so it is parsed again
 * here (picohttpparser, the parser h2o itself uses) and refused when its
 * framing is ambiguous, since a front proxy may have read it differently.
 * Also here: the request target, split into path and decoded query. Pure:
 * no I/O, no allocation outside the request's pool.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/http_int.h"
#include "api/picohttp.h"

struct check {
	int minor;
	int lengths;          /* Content-Length headers seen */
	size_t length;
	int chunked;
	const char *host;     /* the Host header's value, in the head */
	size_t host_len;
	char *msg;
	size_t msgsz;
};

static int fail(struct check *c, int status, const char *msg)
{
	snprintf(c->msg, c->msgsz, "%s", msg);
	return status;
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

static int parse_length(const char *v, size_t n, size_t *out)
{
	size_t len = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		len = len * 10 + (size_t)(v[i] - '0');
	}
	*out = len;
	return 0;
}

static int is_name(const struct phr_header *h, const char *name)
{
	return h->name_len == strlen(name) && strncasecmp(h->name, name, h->name_len) == 0;
}

/* One header: its name, its value, and what it says about framing. */
static int header(struct check *c, const struct phr_header *h)
{
	size_t vlen = h->value_len, len;
	const char *v = trim(h->value, &vlen);

	if (h->name == NULL)
		return fail(c, 400, "folded header lines are not supported");
	if (!is_token(h->name, h->name_len))
		return fail(c, 400, "invalid header name");
	if (memchr(v, '\0', vlen) != NULL)
		return fail(c, 400, "NUL byte in a header");
	if (is_name(h, "host") && c->host == NULL) {
		c->host = v;
		c->host_len = vlen;
	} else if (is_name(h, "content-length")) {
		if (parse_length(v, vlen, &len) < 0)
			return fail(c, 400, "invalid content-length");
		if (c->lengths++ > 0 && len != c->length)
			return fail(c, 400, "conflicting content-length headers");
		c->length = len;
	} else if (is_name(h, "transfer-encoding")) {
		if (vlen != 7 || strncasecmp(v, "chunked", 7) != 0)
			return fail(c, 501, "only transfer-encoding 'chunked' is supported");
		if (c->chunked++ > 0 || c->minor == 0)
			return fail(c, 400, "ambiguous request body framing");
	}
	if (c->lengths > 0 && c->chunked > 0)
		return fail(c, 400, "both content-length and transfer-encoding");
	return 0;
}

/* Splits "a=1&b=x+y" into decoded pairs in the pool. */
static int query(struct http_req *req, char *msg, size_t msgsz)
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
			if (kv->name == NULL || kv->value == NULL) {
				snprintf(msg, msgsz, "invalid percent-encoding in the query");
				return -1;
			}
			req->nquery++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}

int http_target_parse(struct http_req *req, const char *path, size_t len,
		      char *msg, size_t msgsz)
{
	const char *q = memchr(path, '?', len);
	size_t plen = q ? (size_t)(q - path) : len;

	if (len == 0 || path[0] != '/') {
		snprintf(msg, msgsz, "the request target must be a path starting with '/'");
		return -1;
	}
	if (memchr(path, '\0', len) != NULL) {
		snprintf(msg, msgsz, "NUL byte in the request target");
		return -1;
	}
	req->path = pool_strndup(&req->pool, path, plen);
	req->query_raw = q ? pool_strndup(&req->pool, q + 1, len - plen - 1) : "";
	return query(req, msg, msgsz);
}

/* Up to the head's end: more headers than orca takes is 431, not 400. */
static size_t count_lines(const char *buf, size_t len)
{
	size_t lines = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		lines++;
		if (i + 1 < len && (buf[i + 1] == '\n' ||
				    (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')))
			break;
	}
	return lines;
}

int http_head_check(const char *buf, size_t len, const char **host,
		    size_t *host_len, char *msg, size_t msgsz)
{
	struct phr_header h[HTTP_MAX_HEADERS];
	struct check c = { .msg = msg, .msgsz = msgsz };
	size_t nh = HTTP_MAX_HEADERS, mlen, plen;
	const char *method, *path;
	int n, status;

	if (len > HTTP_MAX_HEAD_BYTES + 2)
		len = HTTP_MAX_HEAD_BYTES + 2;
	n = phr_parse_request(buf, len, &method, &mlen, &path, &plen, &c.minor, h,
			      &nh, 0);
	if (n < 0 && count_lines(buf, len) > HTTP_MAX_HEADERS)
		return fail(&c, 431, "more than 64 request headers");
	if (n < 0)
		return fail(&c, 400, "malformed request head");
	if (!is_token(method, mlen))
		return fail(&c, 400, "invalid method");
	for (size_t i = 0; i < nh; i++)
		if ((status = header(&c, &h[i])) != 0)
			return status;
	*host = c.host;
	*host_len = c.host_len;
	return 0;
}
