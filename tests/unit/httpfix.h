/*
 * httpfix.h - an API server with a few routes, started per test on a temp
 * unix socket and 127.0.0.1:0.
 */
#ifndef ORCA_TESTS_HTTPFIX_H
#define ORCA_TESTS_HTTPFIX_H

#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>

#include "api/http.h"
#include "api/router.h"
#include "httptest.h"

struct fix {
	char dir[64];
	char sock[128];
	struct router *r;
	struct http_server *srv;
	int port;
};

static atomic_int gate;          /* the stream handler waits for 1 */
static atomic_int stream_result; /* 1: a write failed, 2: and stopping */
static atomic_int stream_writes;

static int h_ping(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	return http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

static int h_scale(struct http_req *req, void *arg, struct err *e)
{
	json_int_t replicas = -1;
	json_t *body;

	(void)arg;
	if (http_req_json(req, &body, e) < 0)
		return e->code;
	if (json_unpack(body, "{s:I}", "replicas", &replicas) < 0)
		replicas = -1;
	json_decref(body);
	return http_reply_json(req, 200, json_pack("{s:s, s:s, s:I}",
		"project", http_req_param(req, "project"),
		"service", http_req_param(req, "service"), "replicas", replicas));
}

static int h_query(struct http_req *req, void *arg, struct err *e)
{
	int64_t tail = -1;
	int follow = -1;

	(void)arg;
	if (http_req_query_int(req, "tail", &tail, e) < 0 ||
	    http_req_query_bool(req, "follow", &follow, e) < 0)
		return e->code;
	return http_reply_json(req, 200, json_pack("{s:s?, s:s?, s:s?, s:I, s:i}",
		"a", http_req_query(req, "a"), "b", http_req_query(req, "b"),
		"c", http_req_query(req, "c"), "tail", (json_int_t)tail,
		"follow", follow));
}

static int h_echo(struct http_req *req, void *arg, struct err *e)
{
	size_t len;
	const char *body = http_req_body(req, &len);

	(void)arg;
	(void)e;
	return http_reply(req, 200, "text/plain", body, len);
}

static int h_fail(struct http_req *req, void *arg, struct err *e)
{
	(void)req;
	(void)arg;
	return err_set(e, ERR_NOTFOUND, "service 'web/api' not found");
}

static int h_stream(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "application/x-ndjson");
	http_stream_printf(req, "{\"n\":1}\n");
	for (int i = 0; i < 500 && !atomic_load(&gate); i++)
		ht_sleep_ms(10);
	http_stream_printf(req, "{\"n\":2}\n");
	return http_stream_end(req);
}

/* Writes until the client goes or the server stops. */
static int h_forever(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "text/event-stream");
	for (;;) {
		json_t *j = json_pack("{s:i}", "n", atomic_load(&stream_writes));
		int rc = http_stream_sse(req, "tick", j);

		json_decref(j);
		if (rc < 0) {
			atomic_store(&stream_result, http_req_stopping(req) ? 2 : 1);
			return 0;
		}
		atomic_fetch_add(&stream_writes, 1);
		ht_sleep_ms(20);
	}
}

static int h_peer(struct http_req *req, void *arg, struct err *e)
{
	const struct http_peer *p = http_req_peer(req);

	(void)arg;
	(void)e;
	return http_reply_json(req, 200, json_pack("{s:i, s:i, s:i, s:s}",
		"kind", p->kind, "has_cred", p->has_cred, "uid", (int)p->uid,
		"addr", p->addr));
}

/* More routes for one test file, added before the server starts. */
static void (*fix_extra_routes)(struct router *r);

static void fix_routes(struct router *r)
{
	struct err e = { 0 };

	if (fix_extra_routes != NULL)
		fix_extra_routes(r);
	router_add(r, "GET", "/api/v1/ping", h_ping, NULL, &e);
	router_add(r, "POST", "/api/v1/projects/{project}/services/{service}/scale",
		   h_scale, NULL, &e);
	router_add(r, "GET", "/api/v1/query", h_query, NULL, &e);
	router_add(r, "POST", "/api/v1/echo", h_echo, NULL, &e);
	router_add(r, "PUT", "/api/v1/echo", h_echo, NULL, &e);
	router_add(r, "GET", "/api/v1/fail", h_fail, NULL, &e);
	router_add(r, "GET", "/api/v1/stream", h_stream, NULL, &e);
	router_add(r, "GET", "/api/v1/forever", h_forever, NULL, &e);
	router_add(r, "GET", "/api/v1/peer", h_peer, NULL, &e);
	if (e.code)
		fprintf(stderr, "fix_routes: %s\n", e.msg);
}

/* Starts a server; cfg may tune limits (its paths and handler are set). */
static int fix_start(struct fix *f, struct http_server_config *cfg)
{
	struct http_server_config def = { 0 };
	struct err e = { 0 };

	atomic_store(&gate, 0);
	atomic_store(&stream_result, 0);
	atomic_store(&stream_writes, 0);
	if (cfg == NULL)
		cfg = &def;
	snprintf(f->dir, sizeof(f->dir), "/tmp/orca-http-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->sock, sizeof(f->sock), "%s/orca.sock", f->dir);
	f->r = router_new();
	fix_routes(f->r);
	cfg->unix_path = f->sock;
	cfg->tcp_addr = "127.0.0.1:0";
	cfg->handler = router_handle;
	cfg->handler_arg = f->r;
	f->srv = http_server_start(cfg, &e);
	if (f->srv == NULL) {
		fprintf(stderr, "fix_start: %s\n", e.msg);
		return -1;
	}
	f->port = http_server_port(f->srv);
	return 0;
}

static void fix_stop(struct fix *f)
{
	http_server_stop(f->srv);
	router_free(f->r);
	rmdir(f->dir);
}

#define FIX_START(f, cfg)                                              \
	do {                                                           \
		if (fix_start((f), (cfg)) < 0) {                       \
			UNIT_FAIL_AT("server did not start");          \
			return;                                        \
		}                                                      \
	} while (0)

/* One request on a fresh unix connection; the raw response or NULL. */
HT_UNUSED static char *fix_request(struct fix *f, const char *raw)
{
	struct tconn c = ht_unix(f->sock);
	char *resp;

	ht_puts(&c, raw);
	resp = ht_response(&c, 5000);
	ht_close(&c);
	return resp;
}

#endif
