/*
 * test_probe.c - the prober against tiny servers on loopback.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "reconcile/probe.h"

#define MAXR 512

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct probe_result results[MAXR];
static int nresults;

static void on_result(void *arg, const struct probe_result *r)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	if (nresults < MAXR)
		results[nresults++] = *r;
	pthread_mutex_unlock(&mu);
}

static void reset(void)
{
	pthread_mutex_lock(&mu);
	nresults = 0;
	pthread_mutex_unlock(&mu);
}

/* Waits up to ms for a result of key matching want_ok; returns its index or -1. */
static int wait_result(uint64_t key, int want_ok, int ms)
{
	for (int waited = 0; waited <= ms; waited += 10) {
		pthread_mutex_lock(&mu);
		for (int i = 0; i < nresults; i++) {
			if (results[i].key == key && (want_ok < 0 || results[i].ok == want_ok)) {
				pthread_mutex_unlock(&mu);
				return i;
			}
		}
		pthread_mutex_unlock(&mu);
		usleep(10000);
	}
	return -1;
}

static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	listen(fd, 16);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

struct http_server {
	int fd;
	int status;
	volatile int stop;
	pthread_t th;
};

static void *serve(void *arg)
{
	struct http_server *hs = arg;
	char buf[1024], resp[128];

	while (!hs->stop) {
		int c = accept(hs->fd, NULL, NULL);

		if (c < 0)
			break;
		if (read(c, buf, sizeof(buf)) > 0) {
			int n = snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 0\r\n\r\n",
					 hs->status);
			if (write(c, resp, (size_t)n) < 0) {
			}
		}
		close(c);
	}
	return NULL;
}

static void http_start(struct http_server *hs, int status, int *port)
{
	hs->fd = listener(port);
	hs->status = status;
	hs->stop = 0;
	pthread_create(&hs->th, NULL, serve, hs);
}

static void http_stop(struct http_server *hs)
{
	hs->stop = 1;
	shutdown(hs->fd, SHUT_RDWR);
	close(hs->fd);
	pthread_join(hs->th, NULL);
}

static struct probe_target target(uint64_t key, int port, const char *path,
				  int64_t interval_ms)
{
	struct probe_target t = { .key = key, .port = port, .interval_ms = interval_ms,
				  .timeout_ms = 300 };

	snprintf(t.addr, sizeof(t.addr), "127.0.0.1");
	snprintf(t.path, sizeof(t.path), "%s", path);
	return t;
}

TEST(tcp_check_passes_on_accept)
{
	struct prober *p = prober_new(on_result, NULL);
	int port, fd = listener(&port);
	struct probe_target t = target(1, port, "", 60000);
	int i;

	reset();
	EXPECT_EQ_INT(0, prober_set(p, &t));
	i = wait_result(1, 1, 3000);
	EXPECT_TRUE(i >= 0);
	if (i >= 0) {
		EXPECT_STREQ("tcp connect: ok", results[i].detail);
		EXPECT_TRUE(results[i].counted);
	}
	prober_free(p);
	close(fd);
}

TEST(http_check_reads_status)
{
	struct prober *p = prober_new(on_result, NULL);
	struct http_server ok, bad;
	int port_ok, port_bad, i;
	struct probe_target t1, t2;

	http_start(&ok, 204, &port_ok);
	http_start(&bad, 503, &port_bad);
	t1 = target(1, port_ok, "/healthz", 60000);
	t2 = target(2, port_bad, "/healthz", 60000);
	reset();
	prober_set(p, &t1);
	prober_set(p, &t2);
	i = wait_result(1, -1, 3000);
	EXPECT_TRUE(i >= 0);
	if (i >= 0) {
		EXPECT_TRUE(results[i].ok);
		EXPECT_EQ_INT(204, results[i].http_status);
	}
	i = wait_result(2, -1, 3000);
	EXPECT_TRUE(i >= 0);
	if (i >= 0) {
		EXPECT_FALSE(results[i].ok);
		EXPECT_EQ_INT(503, results[i].http_status);
		EXPECT_STREQ("GET /healthz: 503", results[i].detail);
	}
	prober_free(p);
	http_stop(&ok);
	http_stop(&bad);
}

TEST(refused_connection_fails_uncounted_while_starting)
{
	struct prober *p = prober_new(on_result, NULL);
	int port, fd = listener(&port);
	struct probe_target t;
	int i;

	close(fd); /* nothing listens there now */
	t = target(7, port, "", 60000);
	reset();
	prober_set(p, &t);
	i = wait_result(7, 0, 3000);
	EXPECT_TRUE(i >= 0);
	if (i >= 0) {
		EXPECT_CONTAINS(results[i].detail, "connect: ");
		EXPECT_FALSE(results[i].counted);
	}
	prober_free(p);
}

TEST(failures_count_once_the_interval_has_passed)
{
	struct prober *p = prober_new(on_result, NULL);
	int port, fd = listener(&port);
	struct probe_target t;
	int counted = 0;

	close(fd);
	t = target(8, port, "", 300);
	reset();
	prober_set(p, &t);
	usleep(1500 * 1000);
	prober_free(p);
	for (int i = 0; i < nresults; i++)
		counted += results[i].counted;
	EXPECT_TRUE(counted >= 1);
	EXPECT_FALSE(results[0].counted);
}

TEST(silent_server_times_out)
{
	struct prober *p = prober_new(on_result, NULL);
	int port, fd = listener(&port); /* accepts in the kernel, never answers */
	struct probe_target t = target(9, port, "/healthz", 60000);
	int i;

	reset();
	prober_set(p, &t);
	i = wait_result(9, 0, 3000);
	EXPECT_TRUE(i >= 0);
	if (i >= 0)
		EXPECT_STREQ("no answer within 300 ms", results[i].detail);
	prober_free(p);
	close(fd);
}

TEST(fast_probes_find_a_late_starter_before_the_interval)
{
	struct prober *p = prober_new(on_result, NULL);
	struct http_server hs;
	int port, tmp = listener(&port), i;
	struct probe_target t;

	close(tmp);
	t = target(10, port, "/", 60000);
	reset();
	prober_set(p, &t);
	usleep(500 * 1000);
	/* rebind the same port: the replica "finished starting" */
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
		int one = 1;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		hs.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		setsockopt(hs.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		EXPECT_EQ_INT(0, bind(hs.fd, (struct sockaddr *)&a, sizeof(a)));
		listen(hs.fd, 16);
		hs.status = 200;
		hs.stop = 0;
		pthread_create(&hs.th, NULL, serve, &hs);
	}
	i = wait_result(10, 1, 5000); /* far less than the 60 s interval */
	EXPECT_TRUE(i >= 0);
	prober_free(p);
	http_stop(&hs);
}

TEST(removed_target_reports_nothing_more)
{
	struct prober *p = prober_new(on_result, NULL);
	int port, fd = listener(&port);
	struct probe_target t = target(11, port, "", 100);
	int before;

	reset();
	prober_set(p, &t);
	EXPECT_TRUE(wait_result(11, 1, 3000) >= 0);
	prober_remove(p, 11);
	usleep(50 * 1000);
	pthread_mutex_lock(&mu);
	before = nresults;
	pthread_mutex_unlock(&mu);
	usleep(400 * 1000);
	EXPECT_EQ_INT(before, nresults);
	prober_free(p);
	close(fd);
}

TEST(bad_address_is_reported)
{
	struct prober *p = prober_new(on_result, NULL);
	struct probe_target t = target(12, 80, "", 60000);
	int i;

	snprintf(t.addr, sizeof(t.addr), "not-an-ip");
	reset();
	prober_set(p, &t);
	i = wait_result(12, 0, 3000);
	EXPECT_TRUE(i >= 0);
	if (i >= 0)
		EXPECT_STREQ("bad address 'not-an-ip'", results[i].detail);
	prober_free(p);
}

UNIT_MAIN
