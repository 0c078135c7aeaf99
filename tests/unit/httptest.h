/*
 * httptest.h - raw-socket helpers for the API server's tests.
 *
 * Static functions in a header, since each test_*.c is its own binary.
 * Timeouts keep a broken server from hanging the suite.
 */
#ifndef ORCA_TESTS_HTTPTEST_H
#define ORCA_TESTS_HTTPTEST_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"

#define HT_UNUSED __attribute__((unused))

/* A client connection with what it has received and not yet taken. */
struct tconn {
	int fd;
	struct buf in;
	int eof;
};

HT_UNUSED static int ht_count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

HT_UNUSED static int ht_fds(void)
{
	return ht_count_dir("/proc/self/fd") - 1;  /* opendir's own */
}

HT_UNUSED static int ht_threads(void)
{
	return ht_count_dir("/proc/self/task");
}

HT_UNUSED static void ht_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

HT_UNUSED static long long ht_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

HT_UNUSED static struct tconn ht_unix(const char *path)
{
	struct tconn c = { -1, BUF_INIT, 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c.fd);
		c.fd = -1;
	}
	return c;
}

HT_UNUSED static struct tconn ht_tcp(int port)
{
	struct tconn c = { -1, BUF_INIT, 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c.fd);
		c.fd = -1;
	}
	return c;
}

HT_UNUSED static void ht_close(struct tconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_release(&c->in);
}

HT_UNUSED static int ht_send(struct tconn *c, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

HT_UNUSED static int ht_puts(struct tconn *c, const char *s)
{
	return ht_send(c, s, strlen(s));
}

/* Reads what arrives within timeout_ms; 0 on data, -1 on timeout or EOF. */
HT_UNUSED static int ht_read_some(struct tconn *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char tmp[65536];
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	n = recv(c->fd, tmp, sizeof(tmp), 0);
	if (n <= 0) {
		c->eof = 1;
		return -1;
	}
	buf_append(&c->in, tmp, (size_t)n);
	return 0;
}

/* Length of the first complete response in c->in, or 0. */
HT_UNUSED static size_t ht_complete(const struct tconn *c)
{
	const char *s = buf_str(&c->in), *end = strstr(s, "\r\n\r\n"), *cl, *z;
	size_t head;

	if (end == NULL)
		return 0;
	head = (size_t)(end - s) + 4;
	if (strncmp(s, "HTTP/1.1 1", 10) == 0)
		return head;  /* 100 Continue */
	cl = strcasestr(s, "\r\ncontent-length:");
	if (cl != NULL && cl < end) {
		size_t n = strtoul(cl + 17, NULL, 10);

		return c->in.len >= head + n ? head + n : 0;
	}
	if (strcasestr(s, "transfer-encoding: chunked") != NULL) {
		z = strstr(end, "\r\n0\r\n\r\n");
		return z ? (size_t)(z - s) + 7 : 0;
	}
	return c->eof ? c->in.len : 0;  /* until close */
}

/* Takes one response (head and body) into a malloc'd string, or NULL. */
HT_UNUSED static char *ht_response(struct tconn *c, int timeout_ms)
{
	long long end = ht_now_ms() + timeout_ms;
	size_t n;
	char *r;

	while ((n = ht_complete(c)) == 0) {
		if (c->eof || ht_now_ms() >= end)
			return NULL;
		ht_read_some(c, (int)(end - ht_now_ms()));
	}
	r = malloc(n + 1);
	memcpy(r, c->in.data, n);
	r[n] = '\0';
	buf_consume(&c->in, n);
	return r;
}

/* 1 when the server closed the connection within timeout_ms. */
HT_UNUSED static int ht_closed(struct tconn *c, int timeout_ms)
{
	long long end = ht_now_ms() + timeout_ms;

	while (!c->eof && ht_now_ms() < end)
		ht_read_some(c, (int)(end - ht_now_ms()));
	return c->eof;
}

/* The status code of a raw response, or -1. */
HT_UNUSED static int ht_status(const char *resp)
{
	if (resp == NULL || strncmp(resp, "HTTP/1.", 7) != 0 || strlen(resp) < 12)
		return -1;
	return atoi(resp + 9);
}

/* The body of a raw response (after the blank line), or "". */
HT_UNUSED static const char *ht_body(const char *resp)
{
	const char *p = resp ? strstr(resp, "\r\n\r\n") : NULL;

	return p ? p + 4 : "";
}

#endif
