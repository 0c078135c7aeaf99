/*
 * handler.c - every request that reaches the proxy, in order: ACME
 * challenges, the checks that refuse bad input, routing, the redirect to
 * HTTPS, limits, then an app or the replicas (forward.c).
 *
 * Statuses: 400 for an invalid or missing Host and for an HTTP/1 head whose
 * framing is ambiguous (Content-Length with Transfer-Encoding, Content-Length
 * twice with different values, Host twice); 404 with a short plain body
 * for a host or path no service claims; 431 and 413 above the service's
 * limits; 503 when it has no healthy replica.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proxy/internal.h"
#include "tls/tls.h"

struct handler {
	h2o_handler_t super;
	struct proxy *p;
};

/* picohttpparser's request parser, compiled into libh2o-evloop (Debian
 * ships no header for it); the ABI of h2o 2.2.5's lib/picohttpparser.h. */
struct phr_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len,
		      const char **path, size_t *path_len, int *minor_version,
		      struct phr_header *headers, size_t *num_headers, size_t last_len);

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void note_dispose(void *arg)
{
	struct note *n = arg;

	svcstats_put(n->stats);
}

struct note *note_of(h2o_req_t *req)
{
	if (req->overrides == NULL)
		return NULL;
	return H2O_STRUCT_FROM_MEMBER(struct note, overrides, req->overrides);
}

static struct note *note_new(h2o_req_t *req, struct proxy *p)
{
	struct note *n = h2o_mem_alloc_shared(&req->pool, sizeof(*n), note_dispose);

	memset(n, 0, sizeof(*n));
	n->p = p;
	n->req = req;
	n->start_us = now_us();
	req->overrides = &n->overrides;
	return n;
}

static bool name_is(const struct phr_header *h, const char *name)
{
	return h->name && h->name_len == strlen(name) && strncasecmp(h->name, name, h->name_len) == 0;
}

/*
 * h2o resolves an ambiguous HTTP/1 head on its own (Transfer-Encoding wins,
 * the first Content-Length and the last Host count), which a server behind
 * us may resolve differently. The raw head is still at the start of the
 * connection's input buffer; read it again with h2o's own parser.
 */
static const char *ambiguous_head(h2o_req_t *req)
{
	h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
	struct phr_header hs[H2O_MAX_HEADERS];
	size_t nh = H2O_MAX_HEADERS, ml, pl, len;
	const char *m, *path, *cl = NULL;
	int minor, ncl = 0, nte = 0, nhost = 0;
	size_t cllen = 0;

	if (req->version >= 0x200 || sock == NULL || sock->input == NULL)
		return NULL;
	len = sock->input->size < H2O_MAX_REQLEN ? sock->input->size : H2O_MAX_REQLEN;
	if (phr_parse_request(sock->input->bytes, len, &m, &ml, &path, &pl, &minor, hs, &nh, 0) <= 0)
		return NULL;
	for (size_t i = 0; i < nh; i++) {
		if (name_is(&hs[i], "transfer-encoding"))
			nte++;
		else if (name_is(&hs[i], "host"))
			nhost++;
		else if (name_is(&hs[i], "content-length")) {
			if (ncl++ && (hs[i].value_len != cllen || memcmp(hs[i].value, cl, cllen) != 0))
				return "conflicting Content-Length headers\n";
			cl = hs[i].value;
			cllen = hs[i].value_len;
		}
	}
	if (ncl && nte)
		return "Content-Length and Transfer-Encoding together\n";
	if (nhost > 1)
		return "more than one Host header\n";
	return NULL;
}

static size_t head_bytes(const h2o_req_t *req)
{
	size_t n = req->method.len + req->path.len + req->input.authority.len + 16;

	for (size_t i = 0; i < req->headers.size; i++)
		n += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
	return n;
}

static bool acme_challenge(struct proxy *p, h2o_req_t *req)
{
	static const char prefix[] = "/.well-known/acme-challenge/";
	size_t pl = sizeof(prefix) - 1;
	char out[512];
	int n;

	struct tls *t = atomic_load(&p->tls);

	if (t == NULL || req->input.scheme != &H2O_URL_SCHEME_HTTP ||
	    req->path_normalized.len <= pl || memcmp(req->path_normalized.base, prefix, pl) != 0)
		return false;
	n = tls_http01_lookup(t, req->path_normalized.base + pl, req->path_normalized.len - pl,
			      out, sizeof(out));
	if (n < 0) {
		h2o_send_error_404(req, "Not Found", "unknown challenge\n", 0);
		return true;
	}
	req->res.status = 200;
	req->res.reason = "OK";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		       H2O_STRLIT("text/plain"));
	h2o_send_inline(req, out, (size_t)n);
	return true;
}

/* The request's host without its port ("[v6]" kept whole). */
static h2o_iovec_t host_only(h2o_iovec_t authority)
{
	size_t n = authority.len;

	while (n > 0 && authority.base[n - 1] >= '0' && authority.base[n - 1] <= '9')
		n--;
	if (n > 0 && n < authority.len && authority.base[n - 1] == ':')
		authority.len = n - 1;
	return authority;
}

/* ":<port>" of the HTTPS listener ("127.0.0.1:8443"), or "" for 443. */
static h2o_iovec_t https_port_suffix(const char *listen)
{
	const char *colon = strrchr(listen, ':');

	if (colon == NULL || strcmp(colon, ":443") == 0)
		return h2o_iovec_init(H2O_STRLIT(""));
	return h2o_iovec_init(colon, strlen(colon));
}

/* A host with a certificate: 308 to the same path on the HTTPS listener,
 * on its port, not on the HTTP port the request came to. */
static bool redirect_to_https(struct proxy *p, h2o_req_t *req)
{
	struct tls *t = atomic_load(&p->tls);
	h2o_iovec_t url;

	if (req->input.scheme != &H2O_URL_SCHEME_HTTP || t == NULL || p->conf.https[0] == '\0' ||
	    !tls_has_cert(t, req->input.authority.base, req->input.authority.len))
		return false;
	url = h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("https://")),
			 host_only(req->input.authority), https_port_suffix(p->conf.https),
			 req->input.path);
	h2o_send_redirect(req, 308, "Permanent Redirect", url.base, url.len);
	return true;
}

static void serve(struct proxy *p, h2o_req_t *req, struct note *n, const struct target *t)
{
	n->stats = t->stats;
	atomic_fetch_add(&n->stats->refs, 1);
	snprintf(n->service, sizeof(n->service), "%s/%s", t->project, t->service);
	if (redirect_to_https(p, req))
		return;
	if (head_bytes(req) > t->max_header_bytes) {
		h2o_send_error_generic(req, 431, "Request Header Fields Too Large",
				       "request headers too large\n", H2O_SEND_ERROR_HTTP1_CLOSE_CONNECTION);
		return;
	}
	if (req->entity.base && req->entity.len > t->max_body_bytes) {
		h2o_send_error_generic(req, 413, "Payload Too Large", "request body too large\n",
				       H2O_SEND_ERROR_HTTP1_CLOSE_CONNECTION);
		return;
	}
	if (t->is_app) {
		if (t->app.on_req == NULL)
			h2o_send_error_503(req, "Service Unavailable", "the app is not ready\n", 0);
		else if (t->app.on_req(t->app.arg, req) != 0)
			h2o_send_error_502(req, "Bad Gateway", "the app declined the request\n", 0);
		return;
	}
	forward_start(req, n);
}

static bool missing_host(const h2o_req_t *req)
{
	return req->input.authority.len == 0 ||
	       (req->hostconf && req->input.authority.base == req->hostconf->authority.hostport.base);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
	struct proxy *p = ((struct handler *)self)->p;
	struct note *n = note_new(req, p);
	const char *why;
	struct table *t;
	const struct target *tg;
	char host[300];

	if (acme_challenge(p, req))
		return 0;
	if ((why = ambiguous_head(req)) != NULL) {
		h2o_send_error_400(req, "Bad Request", why, H2O_SEND_ERROR_HTTP1_CLOSE_CONNECTION);
		return 0;
	}
	if (missing_host(req) && req->version == 0x101) {
		h2o_send_error_400(req, "Bad Request", "missing Host header\n", 0);
		return 0;
	}
	if (!missing_host(req) && host_normalize(req->input.authority.base,
						 req->input.authority.len, host, sizeof(host)) < 0) {
		h2o_send_error_400(req, "Bad Request", "invalid Host header\n",
				   H2O_SEND_ERROR_HTTP1_CLOSE_CONNECTION);
		return 0;
	}
	t = table_acquire(p);
	tg = table_route(t, req->input.authority.base, req->input.authority.len,
			 req->path_normalized.base, req->path_normalized.len);
	if (t && worker_of(req->conn->ctx) && t->max_body_bytes)
		req->conn->ctx->globalconf->max_request_entity_size = t->max_body_bytes;
	if (tg == NULL)
		h2o_send_error_404(req, "Not Found", "no service here\n", 0);
	else
		serve(p, req, n, tg);
	table_release(t);
	return 0;
}

void handler_register(h2o_pathconf_t *pathconf, struct proxy *p)
{
	struct handler *h = (void *)h2o_create_handler(pathconf, sizeof(*h));

	h->super.on_req = on_req;
	h->p = p;
}
