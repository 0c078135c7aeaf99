/*
 * test_router.c - route patterns, precedence, parameters, 404/405, through
 * a real server on a temporary unix socket.
 */
#include "unit.h"

#include <stdio.h>

#include "api/http.h"
#include "api/router.h"
#include "httptest.h"

static int h_name(struct http_req *req, void *arg, struct err *e)
{
	const char *id = http_req_param(req, "id");

	(void)e;
	return http_reply_json(req, 200, json_pack("{s:s, s:s?}", "route", (const char *)arg,
						   "id", id));
}

/* Serves one raw request through r; returns the raw response (static). */
static const char *serve(struct router *r, const char *raw)
{
	static char *out;
	struct http_server_config cfg = { .handler = router_handle, .handler_arg = r,
					  .workers = 1 };
	char dir[] = "/tmp/orca-router-XXXXXX", sock[64];
	struct http_server *srv;
	struct err e = { 0 };
	struct tconn c;

	free(out);
	out = NULL;
	if (mkdtemp(dir) == NULL)
		return "";
	snprintf(sock, sizeof(sock), "%s/s", dir);
	cfg.unix_path = sock;
	srv = http_server_start(&cfg, &e);
	if (srv != NULL) {
		c = ht_unix(sock);
		ht_puts(&c, raw);
		out = ht_response(&c, 5000);
		if (out == NULL) {   /* a stream cut short: what came */
			ht_closed(&c, 2000);
			out = strdup(buf_str(&c.in));
		}
		ht_close(&c);
		http_server_stop(srv);
	}
	rmdir(dir);
	return out ? out : "";
}

static const char *body(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	return p ? p + 4 : "";
}

TEST(literal_segments_win_over_parameters)
{
	struct router *r = router_new();
	struct err e = { 0 };

	EXPECT_EQ_INT(0, router_add(r, "GET", "/api/v1/deploys/{id}", h_name, "by-id", &e));
	EXPECT_EQ_INT(0, router_add(r, "GET", "/api/v1/deploys/latest", h_name, "latest", &e));
	EXPECT_EQ_INT(0, router_add(r, "GET", "/", h_name, "root", &e));
	EXPECT_STREQ("{\"route\":\"latest\",\"id\":null}\n", body(serve(r, "GET /api/v1/deploys/latest HTTP/1.1\r\n\r\n")));
	EXPECT_STREQ("{\"route\":\"by-id\",\"id\":\"d/42 x\"}\n",
		     body(serve(r, "GET /api/v1/deploys/d%2F42%20x HTTP/1.1\r\n\r\n")));
	EXPECT_STREQ("{\"route\":\"root\",\"id\":null}\n", body(serve(r, "GET / HTTP/1.1\r\n\r\n")));
	router_free(r);
}

TEST(empty_segments_and_bad_encodings_do_not_match)
{
	struct router *r = router_new();
	struct err e = { 0 };

	router_add(r, "GET", "/a/{id}", h_name, "a", &e);
	EXPECT_CONTAINS(serve(r, "GET /a/ HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 ");
	EXPECT_CONTAINS(serve(r, "GET /a/x/ HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 ");
	EXPECT_CONTAINS(serve(r, "GET //a/x HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 ");
	EXPECT_CONTAINS(serve(r, "GET /a/%zz HTTP/1.1\r\n\r\n"), "HTTP/1.1 400 ");
	EXPECT_CONTAINS(serve(r, "GET /a/%00 HTTP/1.1\r\n\r\n"), "HTTP/1.1 400 ");
	EXPECT_CONTAINS(serve(r, "GET /a/x+y HTTP/1.1\r\n\r\n"), "\"id\":\"x+y\"");
	router_free(r);
}

TEST(allow_lists_each_method_once)
{
	struct router *r = router_new();
	struct err e = { 0 };
	const char *resp;

	router_add(r, "PUT", "/s/{k}", h_name, "", &e);
	router_add(r, "GET", "/s/{k}", h_name, "", &e);
	router_add(r, "GET", "/s/list", h_name, "", &e);
	router_add(r, "DELETE", "/s/{k}", h_name, "", &e);
	resp = serve(r, "POST /s/list HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	EXPECT_CONTAINS(resp, "HTTP/1.1 405 Method Not Allowed\r\n");
	EXPECT_CONTAINS(resp, "\r\nAllow: PUT, GET, DELETE\r\n");
	EXPECT_CONTAINS(body(resp), "\"message\":\"method POST is not allowed on /s/list (allowed: PUT, GET, DELETE)\"");
	router_free(r);
}

TEST(bad_patterns_and_duplicates_are_refused)
{
	static const char *bad[] = { "", "x", "/a//b", "/a/{}", "/a/{x", "/a/b{x}",
				     "/{x}/{x}", "/a/{x-y}" };
	struct router *r = router_new();
	struct err e = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (router_add(r, "GET", bad[i], h_name, NULL, &e) != ERR_INVALID)
			UNIT_FAIL_AT("pattern '%s' accepted", bad[i]);
	EXPECT_EQ_INT(ERR_INVALID, router_add(r, "get", "/a", h_name, NULL, &e));
	EXPECT_EQ_INT(0, router_add(r, "GET", "/a/{x}", h_name, NULL, &e));
	EXPECT_EQ_INT(ERR_CONFLICT, router_add(r, "GET", "/a/{x}", h_name, NULL, &e));
	EXPECT_STREQ("route GET /a/{x} added twice", e.msg);
	router_free(r);
}

TEST(deep_paths_are_404_not_overflows)
{
	struct router *r = router_new();
	struct err e = { 0 };
	struct buf req = BUF_INIT;

	router_add(r, "GET", "/a", h_name, "a", &e);
	buf_puts(&req, "GET ");
	for (int i = 0; i < 100; i++)
		buf_puts(&req, "/x");
	buf_puts(&req, " HTTP/1.1\r\n\r\n");
	EXPECT_CONTAINS(serve(r, req.data), "HTTP/1.1 404 ");
	buf_release(&req);
	router_free(r);
}

TEST(err_codes_map_to_statuses)
{
	EXPECT_EQ_INT(500, http_status_for_err(ERR_FAIL));
	EXPECT_EQ_INT(400, http_status_for_err(ERR_INVALID));
	EXPECT_EQ_INT(404, http_status_for_err(ERR_NOTFOUND));
	EXPECT_EQ_INT(409, http_status_for_err(ERR_CONFLICT));
	EXPECT_EQ_INT(413, http_status_for_err(ERR_TOOBIG));
	EXPECT_EQ_INT(503, http_status_for_err(ERR_UNAVAILABLE));
	EXPECT_EQ_INT(500, http_status_for_err(-2));
}

static int h_silent(struct http_req *req, void *arg, struct err *e)
{
	(void)req;
	(void)arg;
	(void)e;
	return 0;
}

static int h_half_stream(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	http_stream_begin(req, 200, "application/x-ndjson");
	http_stream_write(req, "{}\n", 3);
	return err_set(e, ERR_FAIL, "docker went away");
}

TEST(replies_the_server_adds_for_careless_handlers)
{
	struct router *r = router_new();
	struct err e = { 0 };
	const char *resp;

	router_add(r, "GET", "/silent", h_silent, NULL, &e);
	router_add(r, "GET", "/half", h_half_stream, NULL, &e);
	resp = serve(r, "GET /silent HTTP/1.1\r\n\r\nGET /silent HTTP/1.1\r\n\r\n");
	EXPECT_CONTAINS(resp, "HTTP/1.1 500 Internal Server Error\r\n");
	EXPECT_CONTAINS(resp, "the handler sent no reply");
	resp = serve(r, "GET /half HTTP/1.1\r\n\r\nGET /silent HTTP/1.1\r\n\r\n");
	EXPECT_CONTAINS(resp, "\r\n3\r\n{}\n\r\n");
	EXPECT_TRUE(strstr(resp, "0\r\n\r\n") == NULL);   /* cut, not ended */
	EXPECT_TRUE(strstr(resp, "HTTP/1.1 500") == NULL); /* connection closed */
	router_free(r);
}

UNIT_MAIN
