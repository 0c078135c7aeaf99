/*
 * test_http.c - the API server over real sockets: routing, parsing,
 * bounds, keep-alive, pipelining, bodies, errors; and libcurl as a client.
 */
#include "unit.h"

#include <curl/curl.h>

#include "httpfix.h"

#define GET(path) "GET " path " HTTP/1.1\r\nHost: localhost\r\n\r\n"

TEST(routes_with_decoded_path_params)
{
	struct fix f;
	char *r;

	FIX_START(&f, NULL);
	r = fix_request(&f, "POST /api/v1/projects/web%20app/services/api/scale HTTP/1.1\r\n"
			    "Host: x\r\nContent-Length: 15\r\n\r\n{\"replicas\": 3}");
	EXPECT_EQ_INT(200, ht_status(r));
	EXPECT_CONTAINS(r, "Content-Type: application/json");
	EXPECT_STREQ("{\"project\":\"web app\",\"service\":\"api\",\"replicas\":3}\n", ht_body(r));
	free(r);
	fix_stop(&f);
}

TEST(unknown_path_is_404_json_and_wrong_method_405_with_allow)
{
	struct fix f;
	char *r;

	FIX_START(&f, NULL);
	r = fix_request(&f, GET("/api/v1/nope"));
	EXPECT_EQ_INT(404, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "{\"error\":{\"code\":\"not_found\",\"message\":\"no API route for GET /api/v1/nope\"}}");
	free(r);
	r = fix_request(&f, GET("/api/v1/echo"));
	EXPECT_EQ_INT(405, ht_status(r));
	EXPECT_CONTAINS(r, "\r\nAllow: POST, PUT\r\n");
	EXPECT_CONTAINS(ht_body(r), "\"code\":\"method_not_allowed\"");
	free(r);
	fix_stop(&f);
}

TEST(query_parameters_are_decoded)
{
	struct fix f;
	char *r;

	FIX_START(&f, NULL);
	r = fix_request(&f, GET("/api/v1/query?a=1&b=x+y%21%2B&c&a=2&tail=50&follow"));
	EXPECT_EQ_INT(200, ht_status(r));
	EXPECT_STREQ("{\"a\":\"1\",\"b\":\"x y!+\",\"c\":\"\",\"tail\":50,\"follow\":1}\n", ht_body(r));
	free(r);
	r = fix_request(&f, GET("/api/v1/query?tail=ten"));
	EXPECT_EQ_INT(400, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "query parameter 'tail' must be an integer");
	free(r);
	r = fix_request(&f, GET("/api/v1/query?a=%zz"));
	EXPECT_EQ_INT(400, ht_status(r));
	free(r);
	fix_stop(&f);
}

TEST(handler_error_maps_to_status_and_error_shape)
{
	struct fix f;
	char *r;

	FIX_START(&f, NULL);
	r = fix_request(&f, GET("/api/v1/fail"));
	EXPECT_EQ_INT(404, ht_status(r));
	EXPECT_STREQ("{\"error\":{\"code\":\"not_found\",\"message\":\"service 'web/api' not found\"}}\n",
		     ht_body(r));
	free(r);
	r = fix_request(&f, "POST /api/v1/projects/p/services/s/scale HTTP/1.1\r\n"
			    "Content-Length: 9\r\n\r\n{\"a\": 1,}");
	EXPECT_EQ_INT(400, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "request body: invalid JSON at line 1, column 9");
	free(r);
	fix_stop(&f);
}

TEST(keep_alive_serves_two_requests_on_one_connection)
{
	struct fix f;
	struct tconn c;
	char *r1, *r2;

	FIX_START(&f, NULL);
	c = ht_tcp(f.port);
	ht_puts(&c, GET("/api/v1/ping"));
	r1 = ht_response(&c, 5000);
	ht_puts(&c, GET("/api/v1/nope"));
	r2 = ht_response(&c, 5000);
	EXPECT_EQ_INT(200, ht_status(r1));
	EXPECT_EQ_INT(404, ht_status(r2));
	EXPECT_FALSE(ht_closed(&c, 50));
	free(r1);
	free(r2);
	/* HTTP/1.0 closes unless asked otherwise. */
	ht_puts(&c, "GET /api/v1/ping HTTP/1.0\r\n\r\n");
	r1 = ht_response(&c, 5000);
	EXPECT_EQ_INT(200, ht_status(r1));
	EXPECT_CONTAINS(r1, "Connection: close");
	EXPECT_TRUE(ht_closed(&c, 2000));
	free(r1);
	ht_close(&c);
	fix_stop(&f);
}

TEST(pipelined_requests_are_answered_in_order)
{
	struct fix f;
	struct tconn c;
	char *r[3];

	FIX_START(&f, NULL);
	c = ht_unix(f.sock);
	ht_puts(&c, "POST /api/v1/echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
		    GET("/api/v1/nope")
		    "POST /api/v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "3\r\nabc\r\n0\r\n\r\n");
	for (int i = 0; i < 3; i++)
		r[i] = ht_response(&c, 5000);
	EXPECT_STREQ("hello", ht_body(r[0]));
	EXPECT_EQ_INT(404, ht_status(r[1]));
	EXPECT_STREQ("abc", ht_body(r[2]));
	for (int i = 0; i < 3; i++)
		free(r[i]);
	ht_close(&c);
	fix_stop(&f);
}

TEST(chunked_request_body_with_extensions_and_trailers)
{
	struct fix f;
	struct tconn c;
	char *r;

	FIX_START(&f, NULL);
	c = ht_tcp(f.port);
	ht_puts(&c, "PUT /api/v1/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n");
	ht_sleep_ms(50);  /* the rest arrives later */
	ht_puts(&c, "7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n" GET("/api/v1/ping"));
	r = ht_response(&c, 5000);
	EXPECT_EQ_INT(200, ht_status(r));
	EXPECT_STREQ("hello, world", ht_body(r));
	free(r);
	r = ht_response(&c, 5000);
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	ht_close(&c);
	r = fix_request(&f, "POST /api/v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
	EXPECT_EQ_INT(400, ht_status(r));
	free(r);
	fix_stop(&f);
}

TEST(expect_100_continue_gets_continue_before_the_body)
{
	struct fix f;
	struct tconn c;
	char *r;

	FIX_START(&f, NULL);
	c = ht_unix(f.sock);
	ht_puts(&c, "POST /api/v1/echo HTTP/1.1\r\nExpect: 100-continue\r\n"
		    "Content-Length: 4\r\n\r\n");
	r = ht_response(&c, 5000);
	EXPECT_STREQ("HTTP/1.1 100 Continue\r\n\r\n", r);
	free(r);
	ht_puts(&c, "body");
	r = ht_response(&c, 5000);
	EXPECT_EQ_INT(200, ht_status(r));
	EXPECT_STREQ("body", ht_body(r));
	free(r);
	ht_close(&c);
	/* Too big: 413 at once, no 100. */
	r = fix_request(&f, "POST /api/v1/echo HTTP/1.1\r\nExpect: 100-continue\r\n"
			    "Content-Length: 9000000\r\n\r\n");
	EXPECT_EQ_INT(413, ht_status(r));
	free(r);
	fix_stop(&f);
}

/* A head over h2o's 8 KiB is refused by h2o itself, with 400. */
TEST(oversize_head_gets_400_and_too_many_headers_get_431)
{
	struct fix f;
	struct buf b = BUF_INIT;
	struct tconn c;
	char *r;

	FIX_START(&f, NULL);
	buf_puts(&b, "GET /api/v1/ping HTTP/1.1\r\nX-Big: ");
	for (int i = 0; i < 17000; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\r\n\r\n");
	c = ht_unix(f.sock);
	ht_puts(&c, b.data);
	r = ht_response(&c, 5000);
	EXPECT_EQ_INT(400, ht_status(r));
	EXPECT_CONTAINS(r, "Connection: close");
	EXPECT_TRUE(ht_closed(&c, 2000));
	ht_close(&c);
	free(r);
	buf_reset(&b);
	buf_puts(&b, "GET /api/v1/ping HTTP/1.1\r\n");
	for (int i = 0; i < 70; i++)
		buf_printf(&b, "X-H%d: v\r\n", i);
	buf_puts(&b, "\r\n");
	r = fix_request(&f, b.data);
	EXPECT_EQ_INT(431, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "more than 64 request headers");
	free(r);
	buf_release(&b);
	fix_stop(&f);
}

TEST(oversize_bodies_get_413)
{
	struct http_server_config cfg = { .max_body_bytes = 1000 };
	struct buf b = BUF_INIT;
	struct fix f;
	char *r;

	FIX_START(&f, &cfg);
	/* With a Content-Length, h2o refuses before reading (its own reply). */
	r = fix_request(&f, "POST /api/v1/echo HTTP/1.1\r\nContent-Length: 1001\r\n\r\n");
	EXPECT_EQ_INT(413, ht_status(r));
	free(r);
	buf_puts(&b, "POST /api/v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 30; i++)
		buf_puts(&b, "40\r\n0123456789012345678901234567890123456789012345678901234567890123\r\n");
	buf_puts(&b, "0\r\n\r\n");
	r = fix_request(&f, b.data);
	EXPECT_EQ_INT(413, ht_status(r));
	free(r);
	buf_release(&b);
	fix_stop(&f);
}

TEST(default_body_limit_is_8_mib)
{
	struct fix f;
	char *r;

	FIX_START(&f, NULL);
	r = fix_request(&f, "POST /api/v1/echo HTTP/1.1\r\nContent-Length: 8388609\r\n\r\n");
	EXPECT_EQ_INT(413, ht_status(r));
	free(r);
	fix_stop(&f);
}

/*
 * Smuggling: framing that a front proxy could read differently. h2o reads
 * such a body one way (the first Content-Length; chunked over a length);
 * orca then refuses the request and closes, so no second request can hide
 * in it. The ones h2o refuses itself get its plain-text 400.
 */
TEST(malformed_requests_get_400_and_close_and_the_server_goes_on)
{
	static const struct {
		const char *raw;
		int orca;     /* 1: refused by orca (JSON), 0: by h2o */
	} bad[] = {
		{ "GARBAGE\r\n\r\n", 0 },
		{ "GET /x HTTP/1.1\r\nbad header\r\n\r\n", 0 },
		{ "GET relative HTTP/1.1\r\n\r\n", 1 },
		{ "GET /api/v1/ping HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy", 1 },
		{ "POST /api/v1/echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "0\r\n\r\n", 1 },
		{ "POST /api/v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
		  "0\r\n\r\nGET /api/v1/ping HTTP/1.1\r\n\r\n", 1 },
		{ "POST /api/v1/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 1 },
		{ "GET /api/v1/ping HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 0 },
		{ "GET /api/v1/ping HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 1 },
	};
	struct fix f;
	struct tconn c;
	char *r;

	FIX_START(&f, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = ht_tcp(f.port);
		ht_puts(&c, bad[i].raw);
		r = ht_response(&c, 5000);
		if (ht_status(r) != 400)
			UNIT_FAIL_AT("request %zu: got %s", i, r ? r : "(nothing)");
		if (bad[i].orca)
			EXPECT_CONTAINS(ht_body(r), "{\"error\":{\"code\":\"bad_request\"");
		EXPECT_TRUE(ht_closed(&c, 2000));
		free(r);
		ht_close(&c);
	}
	r = fix_request(&f, GET("/api/v1/ping"));
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	fix_stop(&f);
}

TEST(browser_requests_are_refused)
{
	struct fix f;
	struct tconn c;
	char *r;

	FIX_START(&f, NULL);
	r = fix_request(&f, "GET /api/v1/ping HTTP/1.1\r\nOrigin: http://evil.example\r\n\r\n");
	EXPECT_EQ_INT(403, ht_status(r));
	free(r);
	c = ht_tcp(f.port);
	ht_puts(&c, "GET /api/v1/ping HTTP/1.1\r\nHost: rebound.example:7070\r\n\r\n");
	r = ht_response(&c, 5000);
	EXPECT_EQ_INT(403, ht_status(r));
	free(r);
	ht_close(&c);
	fix_stop(&f);
}

TEST(peer_kind_and_uid)
{
	struct fix f;
	struct tconn c;
	char *r, want[128];

	FIX_START(&f, NULL);
	r = fix_request(&f, GET("/api/v1/peer"));
	snprintf(want, sizeof(want), "{\"kind\":1,\"has_cred\":1,\"uid\":%d,", (int)getuid());
	EXPECT_CONTAINS(ht_body(r), want);
	free(r);
	c = ht_tcp(f.port);
	ht_puts(&c, GET("/api/v1/peer"));
	r = ht_response(&c, 5000);
	EXPECT_CONTAINS(ht_body(r), "\"kind\":2,\"has_cred\":0");
	EXPECT_CONTAINS(ht_body(r), "\"addr\":\"127.0.0.1:");
	free(r);
	ht_close(&c);
	fix_stop(&f);
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

static size_t read_body(char *p, size_t size, size_t n, void *arg)
{
	int *left = arg;

	if (*left == 0)
		return 0;
	(*left)--;
	memcpy(p, "0123456789", size * n < 10 ? size * n : 10);
	return size * n < 10 ? size * n : 10;
}

TEST(libcurl_over_unix_and_tcp_with_chunked_upload)
{
	struct curl_slist *h = curl_slist_append(NULL, "Transfer-Encoding: chunked");
	struct buf out = BUF_INIT;
	char url[128];
	struct fix f;
	long code = 0;
	int left = 100;
	CURL *c;

	FIX_START(&f, NULL);
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, "http://localhost/api/v1/ping");
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, f.sock);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	EXPECT_EQ_INT(CURLE_OK, curl_easy_perform(c));
	EXPECT_STREQ("{\"ok\":true}\n", out.data);
	curl_easy_reset(c);
	buf_reset(&out);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/echo", f.port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt(c, CURLOPT_READDATA, &left);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	EXPECT_EQ_INT(CURLE_OK, curl_easy_perform(c));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	EXPECT_EQ_INT(200, code);
	EXPECT_EQ_INT(1000, out.len);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	buf_release(&out);
	fix_stop(&f);
}

/* What the fuzz target does: all of it sent at once, then the end. */
TEST(a_whole_connection_sent_at_once_then_closed)
{
	static const char in[] = GET("/api/v1/ping") GET("/x") "GET /api/v1/pi";
	struct fix f;
	struct tconn c;

	FIX_START(&f, NULL);
	c = ht_unix(f.sock);
	ht_puts(&c, in);
	shutdown(c.fd, SHUT_WR);
	EXPECT_TRUE(ht_closed(&c, 5000));
	EXPECT_CONTAINS(buf_str(&c.in), "HTTP/1.1 200 OK\r\n");
	EXPECT_CONTAINS(buf_str(&c.in), "HTTP/1.1 404 Not Found\r\n");
	ht_close(&c);
	fix_stop(&f);
}

UNIT_MAIN
