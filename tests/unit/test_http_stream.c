/*
 * test_http_stream.c - the API server's lifecycle: streams, disconnects,
 * timeouts, the connection cap, stop, the socket file, fd and thread leaks.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "httpfix.h"

#define GET(path) "GET " path " HTTP/1.1\r\nHost: localhost\r\n\r\n"

TEST(stream_is_read_incrementally)
{
	struct fix f;
	struct tconn c;

	FIX_START(&f, NULL);
	c = ht_tcp(f.port);
	ht_puts(&c, GET("/api/v1/stream"));
	while (strstr(buf_str(&c.in), "{\"n\":1}\n\r\n") == NULL && !c.eof)
		ht_read_some(&c, 2000);
	EXPECT_TRUE(strcasestr(buf_str(&c.in), "Transfer-Encoding: chunked\r\n") != NULL);
	EXPECT_CONTAINS(buf_str(&c.in), "\r\n8\r\n{\"n\":1}\n\r\n");
	EXPECT_TRUE(strstr(buf_str(&c.in), "\"n\":2") == NULL);
	atomic_store(&gate, 1);
	while (strstr(buf_str(&c.in), "\r\n0\r\n\r\n") == NULL && !c.eof)
		ht_read_some(&c, 2000);
	EXPECT_CONTAINS(buf_str(&c.in), "8\r\n{\"n\":2}\n\r\n0\r\n\r\n");
	/* The connection stays usable after the stream. */
	buf_reset(&c.in);
	ht_puts(&c, GET("/api/v1/ping"));
	free(ht_response(&c, 2000));
	EXPECT_FALSE(c.eof);
	ht_close(&c);
	fix_stop(&f);
}

TEST(http_1_0_stream_is_close_delimited)
{
	struct fix f;
	struct tconn c;

	FIX_START(&f, NULL);
	atomic_store(&gate, 1);
	c = ht_unix(f.sock);
	ht_puts(&c, "GET /api/v1/stream HTTP/1.0\r\n\r\n");
	EXPECT_TRUE(ht_closed(&c, 5000));
	EXPECT_CONTAINS(buf_str(&c.in), "Connection: close\r\n");
	EXPECT_CONTAINS(buf_str(&c.in), "\r\n\r\n{\"n\":1}\n{\"n\":2}\n");
	EXPECT_TRUE(strcasestr(buf_str(&c.in), "transfer-encoding") == NULL);
	ht_close(&c);
	fix_stop(&f);
}

TEST(client_disconnect_makes_stream_write_fail)
{
	struct fix f;
	struct tconn c;
	long long end;

	FIX_START(&f, NULL);
	c = ht_tcp(f.port);
	ht_puts(&c, GET("/api/v1/forever"));
	while (strstr(buf_str(&c.in), "event: tick\ndata: {\"n\":1}") == NULL && !c.eof)
		ht_read_some(&c, 2000);
	EXPECT_CONTAINS(buf_str(&c.in), "Content-Type: text/event-stream\r\n");
	ht_close(&c);
	end = ht_now_ms() + 3000;
	while (atomic_load(&stream_result) == 0 && ht_now_ms() < end)
		ht_sleep_ms(10);
	EXPECT_EQ_INT(1, atomic_load(&stream_result));
	fix_stop(&f);
}

TEST(stop_ends_open_streams_and_joins)
{
	int fds = ht_fds(), threads = ht_threads();
	struct fix f;
	struct tconn c, idle;
	long long t0;

	FIX_START(&f, NULL);
	c = ht_unix(f.sock);
	idle = ht_tcp(f.port);
	ht_puts(&c, GET("/api/v1/forever"));
	while (atomic_load(&stream_writes) < 2)
		ht_sleep_ms(10);
	t0 = ht_now_ms();
	fix_stop(&f);
	EXPECT_TRUE(ht_now_ms() - t0 < 2000);
	EXPECT_EQ_INT(2, atomic_load(&stream_result));
	EXPECT_TRUE(ht_closed(&c, 1000));
	EXPECT_TRUE(ht_closed(&idle, 1000));
	ht_close(&c);
	ht_close(&idle);
	EXPECT_EQ_INT(fds, ht_fds());
	EXPECT_EQ_INT(threads, ht_threads());
	EXPECT_EQ_INT(-1, access(f.sock, F_OK));
}

/* h2o closes a request that is late, and an idle keep-alive connection,
 * at request_timeout_ms, without a reply. */
TEST(slow_client_and_idle_client_are_dropped)
{
	struct http_server_config cfg = { .request_timeout_ms = 600 };
	const char *req = GET("/api/v1/ping");
	struct fix f;
	struct tconn c;
	long long t0;
	char *r;

	FIX_START(&f, &cfg);
	c = ht_tcp(f.port);
	t0 = ht_now_ms();
	/* One byte every 100 ms: never idle, never done. */
	for (size_t i = 0; i < strlen(req) && !c.eof; i++) {
		if (ht_send(&c, req + i, 1) < 0)
			break;
		ht_read_some(&c, 100);
	}
	r = ht_response(&c, 1000);
	EXPECT_NULL(r);
	EXPECT_TRUE(ht_closed(&c, 1000));
	EXPECT_TRUE(ht_now_ms() - t0 < 2000);
	free(r);
	ht_close(&c);
	c = ht_unix(f.sock);
	t0 = ht_now_ms();
	EXPECT_TRUE(ht_closed(&c, 2000));
	EXPECT_EQ_INT(0, c.in.len);
	EXPECT_TRUE(ht_now_ms() - t0 >= 500);
	ht_close(&c);
	fix_stop(&f);
}

TEST(connections_over_the_cap_get_503)
{
	struct http_server_config cfg = { .max_conns = 2 };
	struct tconn c[3];
	struct fix f;
	char *r;

	FIX_START(&f, &cfg);
	for (int i = 0; i < 2; i++) {
		c[i] = ht_unix(f.sock);
		ht_puts(&c[i], GET("/api/v1/ping"));
		r = ht_response(&c[i], 2000);
		EXPECT_EQ_INT(200, ht_status(r));
		free(r);
	}
	c[2] = ht_unix(f.sock);
	r = ht_response(&c[2], 2000);
	EXPECT_EQ_INT(503, ht_status(r));
	EXPECT_CONTAINS(ht_body(r), "too many connections");
	free(r);
	ht_close(&c[2]);
	/* A slot frees when a connection ends. */
	ht_close(&c[0]);
	ht_sleep_ms(100);
	c[2] = ht_unix(f.sock);
	ht_puts(&c[2], GET("/api/v1/ping"));
	r = ht_response(&c[2], 2000);
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	ht_close(&c[1]);
	ht_close(&c[2]);
	fix_stop(&f);
}

TEST(second_server_on_the_same_socket_is_refused)
{
	struct http_server_config cfg = { .handler = router_handle };
	struct err e = { 0 };
	struct fix f;
	char *r;

	FIX_START(&f, NULL);
	cfg.unix_path = f.sock;
	cfg.handler_arg = f.r;
	EXPECT_NULL(http_server_start(&cfg, &e));
	EXPECT_EQ_INT(ERR_CONFLICT, e.code);
	EXPECT_CONTAINS(e.msg, "another orca server is listening on ");
	EXPECT_CONTAINS(e.msg, f.sock);
	r = fix_request(&f, GET("/api/v1/ping"));  /* the first is unharmed */
	EXPECT_EQ_INT(200, ht_status(r));
	free(r);
	fix_stop(&f);
}

TEST(stale_socket_is_replaced_and_other_files_are_not)
{
	struct http_server_config cfg = { .handler = router_handle };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct err e = { 0 };
	struct http_server *srv;
	struct router *r = router_new();
	char dir[] = "/tmp/orca-stale-XXXXXX", path[64];
	struct stat st;
	int fd;

	EXPECT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/orca.sock", dir);
	/* A socket file left by a dead server: bound, never listened on. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	EXPECT_EQ_INT(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	cfg.unix_path = path;
	cfg.handler_arg = r;
	srv = http_server_start(&cfg, &e);
	EXPECT_NOT_NULL(srv);
	EXPECT_EQ_INT(0, stat(path, &st));
	EXPECT_EQ_INT(0600, st.st_mode & 0777);
	http_server_stop(srv);
	/* A regular file is not ours to remove. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	EXPECT_NULL(http_server_start(&cfg, &e));
	EXPECT_CONTAINS(e.msg, "exists and is not a socket");
	unlink(path);
	rmdir(dir);
	router_free(r);
}

TEST(tcp_refuses_non_loopback_unless_allowed)
{
	struct http_server_config cfg = { .handler = router_handle,
					  .tcp_addr = "0.0.0.0:0" };
	struct err e = { 0 };

	EXPECT_NULL(http_server_start(&cfg, &e));
	EXPECT_CONTAINS(e.msg, "refusing to serve the API on non-loopback address '0.0.0.0:0'");
	cfg.tcp_addr = "localhost";
	EXPECT_NULL(http_server_start(&cfg, &e));
	EXPECT_CONTAINS(e.msg, "invalid listen address 'localhost'");
	cfg.tcp_addr = "[::1]:0";
	struct http_server *srv = http_server_start(&cfg, &e);
	if (srv != NULL)  /* no IPv6 in some sandboxes */
		http_server_stop(srv);
}

TEST(no_fd_or_thread_leaks_across_a_busy_server)
{
	int fds = ht_fds(), threads = ht_threads();
	struct tconn c[8];
	struct fix f;
	char *r;

	FIX_START(&f, NULL);
	for (int i = 0; i < 8; i++) {
		c[i] = i % 2 ? ht_tcp(f.port) : ht_unix(f.sock);
		ht_puts(&c[i], i % 3 ? GET("/api/v1/ping") : "BAD\r\n\r\n");
	}
	for (int i = 0; i < 8; i++) {
		r = ht_response(&c[i], 2000);
		EXPECT_TRUE(ht_status(r) == (i % 3 ? 200 : 400));
		free(r);
		if (i % 4 == 0)
			ht_close(&c[i]);
	}
	fix_stop(&f);
	for (int i = 0; i < 8; i++)
		ht_close(&c[i]);
	EXPECT_EQ_INT(fds, ht_fds());
	EXPECT_EQ_INT(threads, ht_threads());
}

UNIT_MAIN
