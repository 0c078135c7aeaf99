/*
 * headers.c - what crosses the proxy and what does not.
 *
 * Requests: every end-to-end header passes as received (repeated ones
 * too; HTTP/2 cookie crumbs are joined), Host is preserved, hop-by-hop
 * headers (RFC 9110 7.6.1 and whatever Connection names) are dropped, and
 * X-Forwarded-For/-Proto/-Host and Forwarded describe the client: the
 * client's X-Forwarded-For and Forwarded are extended, its -Proto and
 * -Host are replaced. Responses: every end-to-end header passes (repeated
 * Set-Cookie, Location untouched); Date and framing are h2o's.
 *
 * This serializes one HTTP/1.1 request head; it parses nothing (h2o did).
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy/internal.h"
#include "proxy/headers.h"

static const char *const hop_by_hop[] = {
	"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
	"upgrade", "http2-settings", "proxy-authorization", "proxy-authenticate", NULL,
};

static bool listed(const char *const *names, const char *name, size_t len)
{
	for (; *names; names++)
		if (strlen(*names) == len && memcmp(*names, name, len) == 0)
			return true;
	return false;
}

/* Named by a Connection header of the same message. */
static bool named_by_connection(const h2o_headers_t *hs, const char *name, size_t len)
{
	for (size_t i = 0; i < hs->size; i++) {
		if (hs->entries[i].name != &H2O_TOKEN_CONNECTION->buf)
			continue;
		if (h2o_contains_token(hs->entries[i].value.base, hs->entries[i].value.len, name, len,
				       ','))
			return true;
	}
	return false;
}

bool headers_hop_by_hop(const h2o_headers_t *hs, const h2o_iovec_t *name)
{
	return listed(hop_by_hop, name->base, name->len) ||
	       named_by_connection(hs, name->base, name->len);
}

static bool replaced(const h2o_iovec_t *name)
{
	static const char *const ours[] = { "x-forwarded-for", "x-forwarded-proto",
					    "x-forwarded-host", "forwarded", "cookie", "host",
					    "content-length", NULL };

	return listed(ours, name->base, name->len);
}

static void put(h2o_mem_pool_t *pool, h2o_iovec_t *buf, size_t *cap, const char *s, size_t n)
{
	if (buf->len + n + 1 > *cap) {
		size_t ncap = (*cap + n) * 2;
		char *nb = h2o_mem_alloc_pool(pool, ncap);

		if (buf->len)
			memcpy(nb, buf->base, buf->len);
		buf->base = nb;
		*cap = ncap;
	}
	memcpy(buf->base + buf->len, s, n);
	buf->len += n;
}

#define PUTS(s) put(pool, &b, &cap, (s), strlen(s))
#define PUTV(v) put(pool, &b, &cap, (v).base, (v).len)

/* The client's address as text ("203.0.113.9" or "2001:db8::1"); "" when
 * unknown. */
static void client_addr(h2o_req_t *req, char *out, size_t outsz)
{
	struct sockaddr_storage ss;
	socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);

	out[0] = '\0';
	if (len == 0 || getnameinfo((struct sockaddr *)&ss, len, out, (socklen_t)outsz, NULL, 0,
				    NI_NUMERICHOST) != 0)
		out[0] = '\0';
}

/* Values of every header called name, joined by sep ("" when none). */
static h2o_iovec_t joined(h2o_mem_pool_t *pool, const h2o_headers_t *hs, const char *name,
			  const char *sep)
{
	h2o_iovec_t b = { NULL, 0 };
	size_t cap = 0;
	ssize_t i = -1;

	while ((i = h2o_find_header_by_str(hs, name, strlen(name), i)) != -1) {
		if (b.len)
			PUTS(sep);
		PUTV(hs->entries[i].value);
	}
	return b;
}

static void forwarded(h2o_mem_pool_t *pool, h2o_iovec_t *bp, size_t *capp, h2o_req_t *req,
		      const char *addr, const char *proto)
{
	h2o_iovec_t b = *bp;
	size_t cap = *capp;
	h2o_iovec_t old = joined(pool, &req->headers, "forwarded", ", ");
	bool v6 = strchr(addr, ':') != NULL;

	PUTS("forwarded: ");
	if (old.len) {
		PUTV(old);
		PUTS(", ");
	}
	PUTS("for=");
	PUTS(v6 ? "\"[" : "");
	PUTS(addr[0] ? addr : "unknown");
	PUTS(v6 ? "]\"" : "");
	PUTS(";host=\"");
	PUTV(req->input.authority);
	PUTS("\";proto=");
	PUTS(proto);
	PUTS("\r\n");
	*bp = b;
	*capp = cap;
}

h2o_iovec_t headers_request_head(h2o_req_t *req, bool websocket)
{
	h2o_mem_pool_t *pool = &req->pool;
	size_t cap = 1024 + req->path.len + req->authority.len;
	h2o_iovec_t b = { h2o_mem_alloc_pool(pool, cap), 0 }, v;
	const char *proto = req->input.scheme == &H2O_URL_SCHEME_HTTPS ? "https" : "http";
	char addr[NI_MAXHOST], num[32];

	client_addr(req, addr, sizeof(addr));
	PUTV(req->method);
	PUTS(" ");
	PUTV(req->path);
	PUTS(" HTTP/1.1\r\nhost: ");
	PUTV(req->input.authority);
	PUTS(websocket ? "\r\nconnection: upgrade\r\nupgrade: websocket\r\n"
		       : "\r\nconnection: keep-alive\r\n");
	if (req->entity.base != NULL || h2o_memis(req->method.base, req->method.len,
						 H2O_STRLIT("POST")) ||
	    h2o_memis(req->method.base, req->method.len, H2O_STRLIT("PUT"))) {
		snprintf(num, sizeof(num), "%zu", req->entity.len);
		PUTS("content-length: ");
		PUTS(num);
		PUTS("\r\n");
	}
	for (size_t i = 0; i < req->headers.size; i++) {
		const h2o_header_t *h = &req->headers.entries[i];

		if (replaced(h->name) || headers_hop_by_hop(&req->headers, h->name))
			continue;
		/* orig_name keeps the client's case and is name->len long */
		put(pool, &b, &cap, h->orig_name ? h->orig_name : h->name->base, h->name->len);
		PUTS(": ");
		PUTV(h->value);
		PUTS("\r\n");
	}
	if ((v = joined(pool, &req->headers, "cookie", "; ")).len) {
		PUTS("cookie: ");
		PUTV(v);
		PUTS("\r\n");
	}
	v = joined(pool, &req->headers, "x-forwarded-for", ", ");
	PUTS("x-forwarded-for: ");
	if (v.len) {
		PUTV(v);
		PUTS(", ");
	}
	PUTS(addr[0] ? addr : "unknown");
	PUTS("\r\nx-forwarded-proto: ");
	PUTS(proto);
	PUTS("\r\nx-forwarded-host: ");
	PUTV(req->input.authority);
	PUTS("\r\n");
	forwarded(pool, &b, &cap, req, addr, proto);
	PUTS("\r\n");
	return b;
}

bool headers_response_keep(const h2o_headers_t *all, const h2o_iovec_t *name)
{
	if (h2o_memis(name->base, name->len, H2O_STRLIT("date")) ||
	    h2o_memis(name->base, name->len, H2O_STRLIT("content-length")))
		return false;   /* h2o writes Date; the length is res.content_length */
	return !headers_hop_by_hop(all, name);
}
