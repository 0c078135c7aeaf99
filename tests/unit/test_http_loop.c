/*
 * test_http_loop.c - what the event loop adds to the API server: stream
 * backpressure, cancel on disconnect and on stop, write timeouts,
 * heartbeats, detached streams fed by another thread, the admit step,
 * per-request body limits, and quotas with slots kept for the unix socket.
 */
#include "unit.h"

#include <pthread.h>
#include <sys/socket.h>

#include "httpfix.h"

#define GET(path) "GET " path " HTTP/1.1\r\nHost: localhost\r\n\r\n"

static atomic_long produced;     /* bytes the producer got taken */
static atomic_int canceled;      /* the cancel hook ran */
static atomic_int handler_done;

static void on_cancel(void *arg)
{
	(void)arg;
	atomic_store(&canceled, 1);
}

/* Writes 4 MiB in 64 KiB pieces, as fast as the client lets it. */
static int h_big(struct http_req *req, void *arg, struct err *e)
{
	static char chunk[65536];

	(void)arg;
	(void)e;
	memset(chunk, 'x', sizeof(chunk));
	http_stream_begin(req, 200, "application/octet-stream");
	for (int i = 0; i < 64; i++) {
		if (http_stream_write(req, chunk, sizeof(chunk)) < 0)
			break;
		atomic_fetch_add(&produced, (long)sizeof(chunk));
	}
	atomic_store(&handler_done, 1);
	return 0;
}

/* Waits (up to 10 s) for the gate or a cancel, like an exec would. */
static int h_wait(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	http_req_on_cancel(req, on_cancel, NULL);
	for (int i = 0; i < 1000 && !atomic_load(&gate) && !atomic_load(&canceled); i++)
		ht_sleep_ms(10);
	http_req_on_cancel(req, NULL, NULL);
	atomic_store(&handler_done, 1);
	return http_reply_json(req, 200, json_pack("{s:b}", "canceled",
						   atomic_load(&canceled)));
}

static int h_beat(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "text/event-stream");
	http_stream_heartbeat(req, ": ping\n\n");
	for (int i = 0; i < 500 && http_stream_alive(req) && !atomic_load(&gate); i++)
		ht_sleep_ms(10);
	return 0;
}

/* A detached stream fed by a thread of its own with try_write. */
struct feeder {
	struct http_req *req;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int drained;
};

static struct feeder feeder = { .mu = PTHREAD_MUTEX_INITIALIZER,
				.cv = PTHREAD_COND_INITIALIZER };
static atomic_int fulls;

static void on_drain(void *arg)
{
	struct feeder *f = arg;

	pthread_mutex_lock(&f->mu);
	f->drained = 1;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static void *feed(void *arg)
{
	struct feeder *f = arg;
	static char chunk[32768];
	long sent = 0;

	memset(chunk, 'y', sizeof(chunk));
	while (sent < 2L * 1024 * 1024) {
		int rc = http_stream_try_write(f->req, chunk, sizeof(chunk));

		if (rc < 0)
			break;
		if (rc == 0) {
			sent += (long)sizeof(chunk);
			continue;
		}
		atomic_fetch_add(&fulls, 1);
		pthread_mutex_lock(&f->mu);
		while (!f->drained)
			pthread_cond_wait(&f->cv, &f->mu);
		f->drained = 0;
		pthread_mutex_unlock(&f->mu);
	}
	http_stream_on_drain(f->req, NULL, NULL);
	http_stream_end(f->req);
	http_req_unref(f->req);
	return NULL;
}

static int h_detached(struct http_req *req, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	http_stream_begin(req, 200, "application/octet-stream");
	feeder.req = http_stream_detach(req);
	feeder.drained = 0;
	http_stream_on_drain(req, on_drain, &feeder);
	pthread_create(&feeder.thread, NULL, feed, &feeder);
	return 0;
}

static void extra(struct router *r)
{
	struct err e = { 0 };

	router_add(r, "GET", "/api/v1/big", h_big, NULL, &e);
	router_add(r, "GET", "/api/v1/wait", h_wait, NULL, &e);
	router_add(r, "GET", "/api/v1/beat", h_beat, NULL, &e);
	router_add(r, "GET", "/api/v1/detached", h_detached, NULL, &e);
}

static void reset(void)
{
	fix_extra_routes = extra;
	atomic_store(&produced, 0);
	atomic_store(&canceled, 0);
	atomic_store(&handler_done, 0);
	atomic_store(&fulls, 0);
}

static int wait_for(atomic_int *flag, int ms)
{
	for (int i = 0; i < ms / 10 && !atomic_load(flag); i++)
		ht_sleep_ms(10);
	return atomic_load(flag);
}

/* Reads the rest of a chunked stream; returns the body bytes (approx.). */
static size_t drain_all(struct tconn *c, int ms)
{
	long long end = ht_now_ms() + ms;

	while (strstr(buf_str(&c->in), "\r\n0\r\n\r\n") == NULL && !c->eof &&
	       ht_now_ms() < end)
		ht_read_some(c, 200);
	return c->in.len;
}

TEST(a_client_that_does_not_read_holds_back_the_writer)
{
	struct fix f;
	struct tconn c;
	long held;

	reset();
	FIX_START(&f, NULL);
	c = ht_unix(f.sock);
	ht_puts(&c, GET("/api/v1/big"));
	ht_sleep_ms(800);
	held = atomic_load(&produced);
	/* the stream buffer and the socket's buffers, never the 4 MiB */
	EXPECT_TRUE(held < 2L * 1024 * 1024);
	EXPECT_FALSE(atomic_load(&handler_done));
	EXPECT_TRUE(drain_all(&c, 10000) > 4L * 1024 * 1024);
	EXPECT_EQ_INT(4L * 1024 * 1024, atomic_load(&produced));
	EXPECT_TRUE(wait_for(&handler_done, 2000));
	ht_close(&c);
	fix_stop(&f);
}

TEST(a_detached_stream_is_fed_from_another_thread_with_try_write)
{
	struct fix f;
	struct tconn c;

	reset();
	FIX_START(&f, NULL);
	c = ht_tcp(f.port);
	ht_puts(&c, GET("/api/v1/detached"));
	ht_sleep_ms(300);   /* the feeder fills the buffer and waits */
	EXPECT_TRUE(drain_all(&c, 10000) > 2L * 1024 * 1024);
	EXPECT_CONTAINS(buf_str(&c.in), "\r\n0\r\n\r\n");
	EXPECT_TRUE(atomic_load(&fulls) > 0);
	pthread_join(feeder.thread, NULL);
	/* the connection goes on */
	buf_reset(&c.in);
	ht_puts(&c, GET("/api/v1/ping"));
	free(ht_response(&c, 2000));
	EXPECT_FALSE(c.eof);
	ht_close(&c);
	fix_stop(&f);
}

TEST(a_client_that_leaves_cancels_what_it_started)
{
	struct fix f;
	struct tconn c;
	long long t0;

	reset();
	FIX_START(&f, NULL);
	c = ht_tcp(f.port);
	ht_puts(&c, GET("/api/v1/wait"));
	ht_sleep_ms(100);
	t0 = ht_now_ms();
	ht_close(&c);
	EXPECT_TRUE(wait_for(&canceled, 3000));
	EXPECT_TRUE(ht_now_ms() - t0 < 2500);   /* the loop looks every second */
	EXPECT_TRUE(wait_for(&handler_done, 2000));
	fix_stop(&f);
}

TEST(stop_cancels_a_waiting_request_and_does_not_wait_for_it)
{
	struct fix f;
	struct tconn c;
	long long t0;

	reset();
	FIX_START(&f, NULL);
	c = ht_unix(f.sock);
	ht_puts(&c, GET("/api/v1/wait"));
	ht_sleep_ms(100);
	t0 = ht_now_ms();
	fix_stop(&f);
	EXPECT_TRUE(ht_now_ms() - t0 < 2000);
	EXPECT_TRUE(atomic_load(&canceled));
	EXPECT_TRUE(ht_closed(&c, 2000));
	ht_close(&c);
}

TEST(a_stalled_write_times_out_and_cancels)
{
	struct http_server_config cfg = { .write_timeout_ms = 300 };
	struct fix f;
	struct tconn c;

	reset();
	FIX_START(&f, &cfg);
	c = ht_unix(f.sock);
	ht_puts(&c, GET("/api/v1/big"));
	/* never read: h2o's write stays pending, the sweep gives up */
	EXPECT_TRUE(wait_for(&handler_done, 4000));
	EXPECT_TRUE(atomic_load(&produced) < 4L * 1024 * 1024);
	ht_close(&c);
	fix_stop(&f);
}

TEST(quiet_streams_get_heartbeats)
{
	struct http_server_config cfg = { .heartbeat_ms = 1 };
	struct fix f;
	struct tconn c;
	long long end;

	reset();
	FIX_START(&f, &cfg);
	c = ht_unix(f.sock);
	ht_puts(&c, GET("/api/v1/beat"));
	end = ht_now_ms() + 3000;
	/* one at once (with the head), more from the loop's sweep */
	while (strstr(buf_str(&c.in), ": ping\n\n\r\n8\r\n: ping\n\n") == NULL &&
	       ht_now_ms() < end)
		ht_read_some(&c, 200);
	EXPECT_CONTAINS(buf_str(&c.in), "\r\n8\r\n: ping\n\n\r\n8\r\n: ping\n\n");
	atomic_store(&gate, 1);
	ht_close(&c);
	fix_stop(&f);
}

/* An admit function like the API's: routes to the loop, refuses, limits. */
static int admit(struct http_req *req, void *arg, struct http_admit *out,
		 struct err *e)
{
	const char *path = http_req_path(req);

	(void)arg;
	if (strcmp(path, "/api/v1/refused") == 0) {
		http_reply_error(req, 401, "unauthorized", "no token");
		out->run = HTTP_RUN_DONE;
	} else if (strcmp(path, "/api/v1/ping") == 0) {
		out->run = HTTP_RUN_LOOP;
	} else if (strcmp(path, "/api/v1/echo") == 0) {
		out->max_body = 10;
	} else if (strcmp(path, "/api/v1/beat") == 0) {
		out->stream = 1;
	} else if (strcmp(path, "/api/v1/fail") == 0) {
		return err_set(e, ERR_CONFLICT, "admit says no");
	}
	return 0;
}

TEST(admit_routes_refuses_and_limits_before_the_handler)
{
	struct http_server_config cfg = { .admit = admit };
	struct fix f;
	char *r;

	reset();
	FIX_START(&f, &cfg);
	r = fix_request(&f, GET("/api/v1/refused"));
	EXPECT_EQ_INT(401, ht_status(r));
	free(r);
	r = fix_request(&f, GET("/api/v1/ping"));
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	r = fix_request(&f, GET("/api/v1/fail"));
	EXPECT_EQ_INT(409, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "admit says no");
	free(r);
	r = fix_request(&f, "POST /api/v1/echo HTTP/1.1\r\nContent-Length: 11\r\n\r\n0123456789a");
	EXPECT_EQ_INT(413, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "\"code\":\"too_big\"");
	free(r);
	r = fix_request(&f, "POST /api/v1/echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789");
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	fix_stop(&f);
}

TEST(streams_are_capped_with_slots_kept_for_the_unix_socket)
{
	struct http_server_config cfg = { .admit = admit, .max_streams = 2,
					  .stream_unix_reserved = 1 };
	struct fix f;
	struct tconn a, b, u;
	char *r;

	reset();
	FIX_START(&f, &cfg);
	a = ht_tcp(f.port);
	ht_puts(&a, GET("/api/v1/beat"));
	while (strstr(buf_str(&a.in), "\r\n\r\n") == NULL && !a.eof)
		ht_read_some(&a, 2000);
	EXPECT_CONTAINS(buf_str(&a.in), "200 OK");
	b = ht_tcp(f.port);
	ht_puts(&b, GET("/api/v1/beat"));
	r = ht_response(&b, 2000);
	EXPECT_EQ_INT(503, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "too many open streams");
	free(r);
	u = ht_unix(f.sock);
	ht_puts(&u, GET("/api/v1/beat"));
	while (strstr(buf_str(&u.in), "\r\n\r\n") == NULL && !u.eof)
		ht_read_some(&u, 2000);
	EXPECT_CONTAINS(buf_str(&u.in), "200 OK");
	atomic_store(&gate, 1);
	ht_close(&a);
	ht_close(&b);
	ht_close(&u);
	fix_stop(&f);
}

TEST(tcp_connections_never_take_the_unix_slots)
{
	struct http_server_config cfg = { .max_conns = 3, .unix_reserved = 1 };
	struct tconn t[3], u;
	struct fix f;
	char *r;

	reset();
	FIX_START(&f, &cfg);
	for (int i = 0; i < 2; i++) {
		t[i] = ht_tcp(f.port);
		ht_puts(&t[i], GET("/api/v1/ping"));
		r = ht_response(&t[i], 2000);
		EXPECT_EQ_INT(200, ht_status(r));
		free(r);
	}
	t[2] = ht_tcp(f.port);
	EXPECT_TRUE(ht_closed(&t[2], 2000));     /* closed at accept */
	u = ht_unix(f.sock);
	ht_puts(&u, GET("/api/v1/ping"));
	r = ht_response(&u, 2000);
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	for (int i = 0; i < 3; i++)
		ht_close(&t[i]);
	ht_close(&u);
	fix_stop(&f);
}

TEST(a_busy_tcp_client_leaves_a_worker_for_the_unix_socket)
{
	struct http_server_config cfg = { .workers = 2 };
	struct tconn t1, t2, u;
	struct fix f;
	long long t0;
	char *r;

	reset();
	FIX_START(&f, &cfg);
	t1 = ht_tcp(f.port);
	ht_puts(&t1, GET("/api/v1/wait"));   /* holds the one TCP worker */
	ht_sleep_ms(100);
	t2 = ht_tcp(f.port);
	ht_puts(&t2, GET("/api/v1/ping"));   /* queued behind it */
	u = ht_unix(f.sock);
	t0 = ht_now_ms();
	ht_puts(&u, GET("/api/v1/ping"));
	r = ht_response(&u, 2000);
	EXPECT_EQ_INT(200, ht_status(r));
	EXPECT_TRUE(ht_now_ms() - t0 < 1000);
	free(r);
	EXPECT_NULL(ht_response(&t2, 200));  /* still waiting */
	atomic_store(&gate, 1);
	r = ht_response(&t2, 3000);
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	ht_close(&t1);
	ht_close(&t2);
	ht_close(&u);
	fix_stop(&f);
}

UNIT_MAIN
