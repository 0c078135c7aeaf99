/*
 * fuzz_http.c - libFuzzer target for the API server's request parsing,
 * body framing, router and percent-decoding (api/http.h, api/router.h).
 *
 * A real server (h2o, as in production) listens on a unix socket in a
 * temporary directory for the whole run; each input is written to a new
 * connection, which is then half-closed and read until the server closes
 * it. The first byte picks a mode (bytes no request line starts with):
 *   0x01 "\x01pattern\npath": router_add(pattern), then GET path through it
 *   0x02 "\x02bytes": percent-encode bytes into a path parameter; the
 *        handler must get exactly those bytes back
 *   else raw bytes on a connection to a router with the API's shapes of
 *        routes, whose handlers read params, query, headers, JSON and stream
 * Checks: every reply starts with a status line; decoding round-trips.
 * ASan and UBSan do the rest. Seed corpus: fuzz/corpus/http.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/http.h"
#include "api/router.h"
#include "base/jsonx.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static const char *want_param;  /* 0x02 mode: what {x} must decode to */

static int h_json(struct http_req *req, void *arg, struct err *e)
{
	const char *names[] = { "project", "service", "k", NULL };
	json_t *body;
	int64_t n;
	int b;

	(void)arg;
	for (int i = 0; names[i]; i++) {
		const char *v = http_req_param(req, names[i]);

		CHECK(v == NULL || strlen(v) < 16384);
	}
	http_req_query_int(req, "tail", &n, e);
	http_req_query_bool(req, "follow", &b, e);
	(void)http_req_header(req, "content-type");
	if (http_req_json(req, &body, e) < 0)
		return e->code;
	if (jsonx_get_int_range(body, "replicas", JSONX_REQUIRED, 0, 1000, &n, e) < 0) {
		json_decref(body);
		return e->code;
	}
	return http_reply_json(req, 200, body);
}

static int h_stream(struct http_req *req, void *arg, struct err *e)
{
	json_t *j = json_pack("{s:s}", "path", "x");

	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "text/event-stream");
	http_stream_sse(req, http_req_query(req, "event"), j);
	http_stream_ndjson(req, j);
	json_decref(j);
	return http_stream_end(req);
}

static int h_param(struct http_req *req, void *arg, struct err *e)
{
	const char *x = http_req_param(req, "x");

	(void)arg;
	(void)e;
	if (want_param != NULL)
		CHECK(x != NULL && strcmp(x, want_param) == 0);
	return http_reply(req, 200, "text/plain", x ? x : "", x ? strlen(x) : 0);
}

static struct router *api_router(void)
{
	static struct router *r;
	struct err e = { 0 };

	if (r != NULL)
		return r;
	r = router_new();
	router_add(r, "POST", "/api/v1/projects/{project}/services/{service}/scale",
		   h_json, NULL, &e);
	router_add(r, "PUT", "/api/v1/projects/{project}/secrets/{k}", h_json, NULL, &e);
	router_add(r, "GET", "/api/v1/events", h_stream, NULL, &e);
	router_add(r, "GET", "/api/v1/deploys/latest", h_param, NULL, &e);
	router_add(r, "GET", "/api/v1/deploys/{x}", h_param, NULL, &e);
	return r;
}

/* The router the one server serves; the modes swap it per input. */
static struct router *current;

static int dispatch(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	return router_handle(req, current, e);
}

static void remove_dir(void);

static char sock_path[108];

static void start_server(void)
{
	static struct http_server *srv;
	static char dir[] = "/tmp/orca-fuzz-http-XXXXXX";
	struct http_server_config cfg = { .handler = dispatch, .max_body_bytes = 65536,
					  .request_timeout_ms = 2000 };
	struct err e = { 0 };

	if (srv != NULL)
		return;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(sock_path, sizeof(sock_path), "%s/orca.sock", dir);
	cfg.unix_path = sock_path;
	srv = http_server_start(&cfg, &e);
	if (srv == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", e.msg);
		abort();
	}
	atexit(remove_dir);
}

static void remove_dir(void)
{
	char dir[108];

	snprintf(dir, sizeof(dir), "%s", sock_path);
	unlink(sock_path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

/* Sends data on a new connection, half-closes, reads until the end. */
static void exchange(const char *data, size_t len, struct buf *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char tmp[65536];
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	/* The server answers while it reads: never let both sides block. */
	while (len > 0) {
		n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN) {
			break;
		}
		if ((n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT)) > 0)
			buf_append(out, tmp, (size_t)n);
		else if (n == 0)
			break;
	}
	shutdown(fd, SHUT_WR);
	while (poll(&p, 1, 5000) > 0 && (n = recv(fd, tmp, sizeof(tmp), 0)) > 0)
		buf_append(out, tmp, (size_t)n);
	close(fd);
}

static void serve(struct router *r, const char *data, size_t len)
{
	struct buf out = BUF_INIT;

	start_server();
	current = r;
	exchange(data, len, &out);
	CHECK(out.len == 0 || strncmp(out.data, "HTTP/1.1 ", 9) == 0);
	buf_release(&out);
}

static void pattern_mode(const char *data, size_t len)
{
	const char *nl = memchr(data, '\n', len);
	struct router *r = router_new();
	struct buf pat = BUF_INIT, req = BUF_INIT;
	struct err e = { 0 };

	buf_append(&pat, data, nl ? (size_t)(nl - data) : len);
	if (strlen(buf_str(&pat)) == pat.len &&
	    router_add(r, "GET", buf_str(&pat), h_param, NULL, &e) == 0) {
		buf_puts(&req, "GET ");
		if (nl != NULL)
			buf_append(&req, nl + 1, len - (size_t)(nl + 1 - data));
		buf_puts(&req, " HTTP/1.1\r\n\r\n");
		serve(r, req.data, req.len);
	}
	buf_release(&pat);
	buf_release(&req);
	router_free(r);
}

static void decode_mode(const char *data, size_t len)
{
	struct router *r = router_new();
	struct buf req = BUF_INIT, want = BUF_INIT;
	struct err e = { 0 };

	if (len == 0 || len > 512 || memchr(data, '\0', len) != NULL)
		goto out;
	router_add(r, "GET", "/a/{x}", h_param, NULL, &e);
	buf_puts(&req, "GET /a/");
	for (size_t i = 0; i < len; i++)
		buf_printf(&req, i % 2 ? "%%%02X" : "%%%02x", (unsigned char)data[i]);
	buf_puts(&req, " HTTP/1.1\r\n\r\n");
	buf_append(&want, data, len);
	want_param = want.data;
	serve(r, req.data, req.len);
	want_param = NULL;
out:
	buf_release(&req);
	buf_release(&want);
	router_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	if (size > 0 && s[0] == 1)
		pattern_mode(s + 1, size - 1);
	else if (size > 0 && s[0] == 2)
		decode_mode(s + 1, size - 1);
	else
		serve(api_router(), s, size);
	return 0;
}
