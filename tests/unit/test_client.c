/*
 * test_client.c - the CLI's client against an in-process API server.
 */
#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "api/http.h"
#include "api/router.h"
#include "base/paths.h"
#include "cli/client.h"

static atomic_int stream_gone;

static int h_echo(struct http_req *req, void *arg, struct err *e)
{
	json_t *body;

	(void)arg;
	if (http_req_json(req, &body, e) < 0)
		return e->code;
	return http_reply_json(req, 201, json_pack("{s:s, s:o}", "method",
						   http_req_method(req), "got", body));
}

static int h_invalid(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	return http_reply_error_details(req, 400, "invalid_config",
		"2 errors in services/web/service.toml",
		json_pack("[s, s]", "service.toml:3:1: unknown key 'replica'",
			  "service.toml:4:9: bad port"));
}

static int h_empty(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	return http_reply(req, 204, NULL, NULL, 0);
}

static int h_lines(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "application/x-ndjson");
	http_stream_write(req, "{\"n\":1}\n{\"n\"", 12);
	http_stream_write(req, ":2}\r\n\n{\"n\":3}", 13);
	return http_stream_end(req);
}

static int h_events(struct http_req *req, void *arg, struct err *e)
{
	json_t *j = json_pack("{s:s}", "service", "web/api");

	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "text/event-stream");
	http_stream_write(req, ": keep-alive\n\n", 14);
	http_stream_sse(req, "crashed", j);
	http_stream_write(req, "data: a\ndata: b\n\n", 17);
	json_decref(j);
	return http_stream_end(req);
}

static int h_forever(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "application/x-ndjson");
	while (http_stream_write(req, "{}\n", 3) == 0) {
		struct timespec ts = { 0, 20 * 1000000 };

		nanosleep(&ts, NULL);
	}
	atomic_store(&stream_gone, 1);
	return 0;
}

struct fix {
	char dir[64], sock[128];
	struct router *r;
	struct http_server *srv;
};

static int fix_start(struct fix *f)
{
	struct http_server_config cfg = { .tcp_addr = "127.0.0.1:0",
					  .handler = router_handle };
	struct err e = { 0 };

	snprintf(f->dir, sizeof(f->dir), "/tmp/orca-client-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->sock, sizeof(f->sock), "%s/orca.sock", f->dir);
	f->r = router_new();
	router_add(f->r, "POST", "/api/v1/echo", h_echo, NULL, &e);
	router_add(f->r, "PUT", "/api/v1/echo", h_echo, NULL, &e);
	router_add(f->r, "PUT", "/api/v1/projects/{p}", h_invalid, NULL, &e);
	router_add(f->r, "DELETE", "/api/v1/x", h_empty, NULL, &e);
	router_add(f->r, "GET", "/api/v1/lines", h_lines, NULL, &e);
	router_add(f->r, "GET", "/api/v1/events", h_events, NULL, &e);
	router_add(f->r, "GET", "/api/v1/forever", h_forever, NULL, &e);
	cfg.unix_path = f->sock;
	cfg.handler_arg = f->r;
	f->srv = http_server_start(&cfg, &e);
	atomic_store(&stream_gone, 0);
	return f->srv ? 0 : -1;
}

static void fix_stop(struct fix *f)
{
	http_server_stop(f->srv);
	router_free(f->r);
	rmdir(f->dir);
}

#define FIX_START(f)                                                   \
	do {                                                           \
		if (fix_start(f) < 0) {                                \
			UNIT_FAIL_AT("server did not start");          \
			return;                                        \
		}                                                      \
	} while (0)

TEST(json_roundtrip_over_unix_and_tcp)
{
	struct err e = { 0 };
	struct client *cl;
	json_t *reply = NULL, *body = json_pack("{s:i}", "replicas", 3);
	char addr[64];
	struct fix f;
	int status;
	char *s;

	FIX_START(&f);
	cl = client_new(f.sock, &e);
	EXPECT_EQ_INT(0, client_request(cl, "POST", "/api/v1/echo", body, &status, &reply, &e));
	EXPECT_EQ_INT(201, status);
	s = json_dumps(reply, JSON_COMPACT);
	EXPECT_STREQ("{\"method\":\"POST\",\"got\":{\"replicas\":3}}", s);
	free(s);
	json_decref(reply);
	EXPECT_EQ_INT(0, client_request(cl, "PUT", "/api/v1/echo", body, &status, &reply, &e));
	EXPECT_STREQ("PUT", json_string_value(json_object_get(reply, "method")));
	EXPECT_EQ_INT(3, json_integer_value(json_object_get(json_object_get(reply, "got"), "replicas")));
	json_decref(reply);
	EXPECT_EQ_INT(0, client_request(cl, "DELETE", "/api/v1/x", NULL, &status, &reply, &e));
	EXPECT_EQ_INT(204, status);
	EXPECT_NULL(reply);
	client_free(cl);
	snprintf(addr, sizeof(addr), "http://127.0.0.1:%d", http_server_port(f.srv));
	cl = client_new(addr, &e);
	EXPECT_EQ_INT(0, client_request(cl, "POST", "/api/v1/echo", body, &status, &reply, &e));
	EXPECT_EQ_INT(201, status);
	json_decref(reply);
	client_free(cl);
	json_decref(body);
	fix_stop(&f);
}

TEST(api_error_reply_becomes_its_message)
{
	struct err e = { 0 };
	struct client *cl;
	json_t *reply = NULL;
	struct fix f;
	int status;

	FIX_START(&f);
	cl = client_new(f.sock, &e);
	EXPECT_EQ_INT(ERR_INVALID, client_request(cl, "PUT", "/api/v1/projects/web", NULL,
						  &status, &reply, &e));
	EXPECT_EQ_INT(400, status);
	EXPECT_STREQ("2 errors in services/web/service.toml", e.msg);
	EXPECT_EQ_INT(2, json_array_size(json_object_get(json_object_get(reply, "error"), "details")));
	json_decref(reply);
	EXPECT_EQ_INT(ERR_NOTFOUND, client_request(cl, "GET", "/api/v1/nope", NULL, &status,
						   NULL, &e));
	EXPECT_STREQ("no API route for GET /api/v1/nope", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, client_request(cl, "POST", "/api/v1/echo", NULL, &status,
						  NULL, &e));
	EXPECT_STREQ("request body: empty JSON document", e.msg);
	client_free(cl);
	fix_stop(&f);
}

TEST(unreachable_server_says_how_to_start_it)
{
	struct err e = { 0 };
	struct client *cl = client_new("/nonexistent/orca.sock", &e);
	int status = -1;

	EXPECT_EQ_INT(ERR_UNAVAILABLE, client_request(cl, "GET", "/api/v1/status", NULL,
						      &status, NULL, &e));
	EXPECT_EQ_INT(0, status);
	EXPECT_STREQ("cannot reach the orca server at /nonexistent/orca.sock (is it running? "
		     "start it with 'orca server --data DIR')", e.msg);
	client_free(cl);
	cl = client_new("http://127.0.0.1:1", &e);
	EXPECT_EQ_INT(ERR_UNAVAILABLE, client_stream(cl, "GET", "/x", NULL, NULL, NULL,
						     &status, &e));
	EXPECT_STREQ("cannot reach the orca server at http://127.0.0.1:1 (is it running? "
		     "start it with 'orca server --data DIR')", e.msg);
	client_free(cl);
}

struct seen {
	struct buf b;
	int n, stop_at, sigint_at;
};

static int on_event(const struct client_event *ev, void *arg)
{
	struct seen *s = arg;

	buf_printf(&s->b, "[%s|%s]", ev->event ? ev->event : "-", ev->data);
	s->n++;
	if (s->n == s->sigint_at)
		raise(SIGINT);
	return s->n == s->stop_at;
}

TEST(stream_delivers_lines_and_events)
{
	struct seen s = { BUF_INIT, 0, 0, 0 };
	struct err e = { 0 };
	struct client *cl;
	struct fix f;
	int status;

	FIX_START(&f);
	cl = client_new(f.sock, &e);
	EXPECT_EQ_INT(0, client_stream(cl, "GET", "/api/v1/lines", NULL, on_event, &s,
				       &status, &e));
	EXPECT_EQ_INT(200, status);
	EXPECT_STREQ("[-|{\"n\":1}][-|{\"n\":2}][-|{\"n\":3}]", s.b.data);
	buf_reset(&s.b);
	EXPECT_EQ_INT(0, client_stream(cl, "GET", "/api/v1/events", NULL, on_event, &s,
				       NULL, &e));
	EXPECT_STREQ("[crashed|{\"service\":\"web/api\"}][-|a\nb]", s.b.data);
	EXPECT_EQ_INT(ERR_NOTFOUND, client_stream(cl, "GET", "/api/v1/none", NULL, on_event,
						  &s, &status, &e));
	EXPECT_EQ_INT(404, status);
	EXPECT_STREQ("no API route for GET /api/v1/none", e.msg);
	client_free(cl);
	buf_release(&s.b);
	fix_stop(&f);
}

TEST(stream_stops_on_callback_and_on_sigint)
{
	struct seen s = { BUF_INIT, 0, 3, 0 };
	struct sigaction old;
	struct err e = { 0 };
	struct client *cl;
	struct fix f;

	FIX_START(&f);
	cl = client_new(f.sock, &e);
	EXPECT_EQ_INT(0, client_stream(cl, "GET", "/api/v1/forever", NULL, on_event, &s,
				       NULL, &e));
	EXPECT_EQ_INT(3, s.n);
	for (int i = 0; i < 300 && !atomic_load(&stream_gone); i++)
		usleep(10000);
	EXPECT_EQ_INT(1, atomic_load(&stream_gone));  /* the server saw it go */
	s.n = 0;
	s.stop_at = 0;
	s.sigint_at = 2;
	atomic_store(&stream_gone, 0);
	EXPECT_EQ_INT(-EINTR, client_stream(cl, "GET", "/api/v1/forever", NULL, on_event,
					    &s, NULL, &e));
	EXPECT_STREQ("interrupted", e.msg);
	sigaction(SIGINT, NULL, &old);
	EXPECT_TRUE(old.sa_handler == SIG_DFL);  /* restored */
	client_free(cl);
	buf_release(&s.b);
	fix_stop(&f);
}

TEST(escape_keeps_unreserved_and_encodes_the_rest)
{
	char *s = client_escape("web app/2024-01-01T00:00:00+01:00~_.\xc3\xa9");

	EXPECT_STREQ("web%20app%2F2024-01-01T00%3A00%3A00%2B01%3A00~_.%C3%A9", s);
	free(s);
	s = client_escape("");
	EXPECT_STREQ("", s);
	free(s);
}

TEST(socket_address_resolution)
{
	struct err e = { 0 };
	char *s;

	setenv("ORCA_SOCKET", "/env/orca.sock", 1);
	s = client_resolve_address("/flag/orca.sock", &e);
	EXPECT_STREQ("/flag/orca.sock", s);
	free(s);
	s = client_resolve_address(NULL, &e);
	EXPECT_STREQ("/env/orca.sock", s);
	free(s);
	unsetenv("ORCA_SOCKET");
	setenv("ORCA_DATA", "/srv/orca/", 1);
	s = client_resolve_address(NULL, &e);
	EXPECT_STREQ("/srv/orca/orca.sock", s);
	free(s);
	unsetenv("ORCA_DATA");
	setenv("XDG_STATE_HOME", "/home/u/.state", 1);
	s = paths_data_dir(&e);
	EXPECT_STREQ(geteuid() == 0 ? "/var/lib/orca" : "/home/u/.state/orca", s);
	free(s);
	setenv("XDG_STATE_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	s = paths_data_dir(&e);
	EXPECT_STREQ(geteuid() == 0 ? "/var/lib/orca" : "/home/u/.local/state/orca", s);
	free(s);
}

UNIT_MAIN
