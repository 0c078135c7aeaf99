/*
 * probe.c - orca-probe, a tiny static client baked into the test images.
 *
 * Debian's busybox is linked statically against glibc, whose resolver needs
 * NSS modules the images do not have, so busybox wget and nc cannot resolve
 * names. This client is linked statically against musl, whose resolver reads
 * /etc/resolv.conf itself: it is how end-to-end tests check what a container
 * can reach by name.
 *
 *   orca-probe get URL [TIMEOUT_S]        exit 0 on HTTP 2xx/3xx, body on stdout
 *   orca-probe tcp HOST PORT [TIMEOUT_S]  exit 0 when a connection is accepted
 *   orca-probe loop URL STOPFILE          GET until STOPFILE exists; print counts
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int dial(const char *host, const char *port, int timeout_s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct timeval tv = { timeout_s, 0 };
	int fd, rc = getaddrinfo(host, port, &hints, &ai);

	if (rc != 0) {
		fprintf(stderr, "orca-probe: resolve %s: %s\n", host, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "orca-probe: connect %s:%s: %s\n", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* http://host:port/path */
static int split(const char *url, char *host, char *port, char *path)
{
	if (sscanf(url, "http://%255[^:/]:%15[0-9]%1023s", host, port, path) == 3)
		return 0;
	if (sscanf(url, "http://%255[^:/]:%15[0-9]", host, port) == 2) {
		strcpy(path, "/");
		return 0;
	}
	fprintf(stderr, "orca-probe: want http://host:port/path, not '%s'\n", url);
	return -1;
}

static int get(const char *url, int timeout_s, int quiet)
{
	char host[256], port[16], path[1024], req[1400], buf[65536];
	int fd, status = 0;
	size_t len = 0;
	ssize_t n;

	if (split(url, host, port, path) < 0 || (fd = dial(host, port, timeout_s)) < 0)
		return 2;
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
	if (write(fd, req, (size_t)n) != n) {
		close(fd);
		return 2;
	}
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
		fprintf(stderr, "orca-probe: %s: no HTTP response (%s)\n", url,
			n < 0 ? strerror(errno) : "closed");
		return 2;
	}
	if (!quiet) {
		char *body = strstr(buf, "\r\n\r\n");

		fputs(body ? body + 4 : "", stdout);
	}
	return status >= 200 && status < 400 ? 0 : 1;
}

static int loop(const char *url, const char *stopfile)
{
	long ok = 0, fail = 0;

	while (access(stopfile, F_OK) != 0) {
		if (get(url, 5, 1) == 0)
			ok++;
		else
			fail++;
	}
	printf("ok=%ld fail=%ld\n", ok, fail);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "get") == 0)
		return get(argv[2], argc > 3 ? atoi(argv[3]) : 5, 0);
	if (argc >= 4 && strcmp(argv[1], "tcp") == 0) {
		int fd = dial(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 5);

		if (fd >= 0)
			close(fd);
		return fd >= 0 ? 0 : 1;
	}
	if (argc == 4 && strcmp(argv[1], "loop") == 0)
		return loop(argv[2], argv[3]);
	fprintf(stderr, "usage: orca-probe get URL [TIMEOUT_S] | tcp HOST PORT [TIMEOUT_S] | "
		"loop URL STOPFILE\n");
	return 64;
}
