/*
 * echo.c - the test backend behind orca's proxy (image orca-test/echo:1).
 *
 * A small HTTP/1.1 server, a thread per connection, keep-alive. It exists
 * to show what arrives and to send what the proxy must carry:
 *
 *   GET  /healthz             "ok"
 *   GET  /headers             the request head exactly as received
 *   GET  /cookies             two Set-Cookie, Location, Cache-Control
 *   GET  /download?bytes=N    N bytes, written 64 KiB at a time (chunked
 *                             with &chunked=1, else Content-Length)
 *   POST /upload              reads the body (Content-Length or chunked)
 *                             and answers "bytes=N fnv=HEX"
 *   GET  /status/NNN          that status
 *   GET  /slow?ms=N           waits N ms first
 *   GET  /ws                  a WebSocket echo (text and binary frames)
 *   anything else             "hostname=H\nmessage=M\n"
 *
 * Every response carries X-Backend (hostname) and X-Message ($APP_MESSAGE).
 * With FAIL=1 in the environment every request but /healthz gets a 500.
 * Test code: it trusts its input more than a real server would.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX (64 * 1024)

static char host[256], message[256];
static int fail_all;

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

struct conn {
	int fd;
	char buf[HEAD_MAX];
	size_t len;      /* bytes in buf */
};

static ssize_t fill(struct conn *c)
{
	ssize_t r;

	if (c->len == sizeof(c->buf))
		return -1;
	r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (r > 0)
		c->len += (size_t)r;
	return r;
}

static void consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* Reads exactly n body bytes (part may already be buffered), hashing them. */
static int read_body(struct conn *c, size_t n, uint32_t *fnv, size_t *total)
{
	while (n > 0) {
		size_t take;

		if (c->len == 0 && fill(c) <= 0)
			return -1;
		take = c->len < n ? c->len : n;
		for (size_t i = 0; i < take; i++)
			*fnv = (*fnv ^ (unsigned char)c->buf[i]) * 16777619u;
		*total += take;
		consume(c, take);
		n -= take;
	}
	return 0;
}

static char *find_line(struct conn *c)
{
	char *e;

	while ((e = memmem(c->buf, c->len, "\r\n", 2)) == NULL)
		if (fill(c) <= 0)
			return NULL;
	return e;
}

static int read_chunked(struct conn *c, uint32_t *fnv, size_t *total)
{
	for (;;) {
		char *e = find_line(c);
		size_t n;

		if (e == NULL)
			return -1;
		n = strtoul(c->buf, NULL, 16);
		consume(c, (size_t)(e - c->buf) + 2);
		if (n == 0) {   /* trailers end with an empty line */
			while ((e = find_line(c)) != NULL && e != c->buf)
				consume(c, (size_t)(e - c->buf) + 2);
			if (e == NULL)
				return -1;
			consume(c, 2);
			return 0;
		}
		if (read_body(c, n, fnv, total) < 0 || find_line(c) == NULL)
			return -1;
		consume(c, 2);
	}
}

static const char *header(const char *head, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);

	for (const char *p = strstr(head, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2;

		if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
			const char *v = l + nl + 1, *end = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(out, outsz, "%.*s", (int)(end - v), v);
			return out;
		}
	}
	return NULL;
}

static int respond(int fd, int status, const char *extra, const char *body, size_t len,
		   int keep)
{
	char head[2048];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nX-Backend: %s\r\nX-Message: %s\r\n"
			 "Connection: %s\r\n%s\r\n",
			 status, len, host, message, keep ? "keep-alive" : "close", extra ? extra : "");

	if (write_all(fd, head, (size_t)n) < 0 || write_all(fd, body, len) < 0)
		return -1;
	return 0;
}

static long query_num(const char *path, const char *key, long dflt)
{
	const char *q = strchr(path, '?'), *p;
	size_t kl = strlen(key);

	for (p = q; p; p = strchr(p + 1, '&'))
		if (strncmp(p + 1, key, kl) == 0 && p[1 + kl] == '=')
			return strtol(p + 2 + kl, NULL, 10);
	return dflt;
}

static int download(int fd, const char *path, int keep)
{
	long n = query_num(path, "bytes", 0);
	int chunked = query_num(path, "chunked", 0) == 1;
	static char block[65536];
	char head[512];

	memset(block, 'x', sizeof(block));
	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		 "%s%ld\r\nX-Backend: %s\r\nConnection: %s\r\n\r\n",
		 chunked ? "Transfer-Encoding: chunked\r\nX-Len: " : "Content-Length: ", n, host,
		 keep ? "keep-alive" : "close");
	if (write_all(fd, head, strlen(head)) < 0)
		return -1;
	while (n > 0) {
		size_t k = n < (long)sizeof(block) ? (size_t)n : sizeof(block);
		char sz[32];

		if (chunked && (snprintf(sz, sizeof(sz), "%zx\r\n", k), write_all(fd, sz, strlen(sz))) < 0)
			return -1;
		if (write_all(fd, block, k) < 0 || (chunked && write_all(fd, "\r\n", 2) < 0))
			return -1;
		n -= (long)k;
	}
	return chunked ? write_all(fd, "0\r\n\r\n", 5) : 0;
}

/* --- WebSocket: SHA-1 and base64 for the handshake, then echo frames --- */

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
	size_t total = ((len + 8) / 64 + 1) * 64;
	unsigned char *m = calloc(1, total);

	memcpy(m, msg, len);
	m[len] = 0x80;
	for (int i = 0; i < 8; i++)
		m[total - 1 - i] = (unsigned char)(((uint64_t)len * 8) >> (8 * i));
	for (size_t off = 0; off < total; off += 64) {
		uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 |
			       (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
		for (int i = 16; i < 80; i++)
			w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
		for (int i = 0; i < 80; i++) {
			uint32_t f, k, t;

			if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
			else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
			else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
			else { f = b ^ c ^ d; k = 0xCA62C1D6; }
			t = rol(a, 5) + f + e + k + w[i];
			e = d; d = c; c = rol(b, 30); b = a; a = t;
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
	}
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
	free(m);
}

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = '\0';
}

static int need(struct conn *c, size_t n)
{
	while (c->len < n)
		if (fill(c) <= 0)
			return -1;
	return 0;
}

static void websocket(struct conn *c, const char *key)
{
	char cat[320], acc[64], head[640];
	unsigned char dig[20];

	snprintf(cat, sizeof(cat), "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	sha1((unsigned char *)cat, strlen(cat), dig);
	base64(dig, 20, acc);
	snprintf(head, sizeof(head), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nX-Backend: %s\r\n\r\n", acc, host);
	if (write_all(c->fd, head, strlen(head)) < 0)
		return;
	for (;;) {
		unsigned char *b = (unsigned char *)c->buf, mask[4], out[14];
		size_t len, hl = 2, ol = 2;
		int op;

		if (need(c, 2) < 0)
			return;
		op = b[0] & 15;
		len = b[1] & 127;
		if (len == 126) { if (need(c, 4) < 0) return; len = (size_t)b[2] << 8 | b[3]; hl = 4; }
		else if (len == 127) return;   /* not needed by the tests */
		if (len > sizeof(c->buf) - 16 || need(c, hl + 4 + len) < 0)
			return;
		memcpy(mask, b + hl, 4);
		for (size_t i = 0; i < len; i++)
			b[hl + 4 + i] ^= mask[i % 4];
		out[0] = (unsigned char)(0x80 | op);
		if (len < 126) out[1] = (unsigned char)len;
		else { out[1] = 126; out[2] = (unsigned char)(len >> 8); out[3] = (unsigned char)len; ol = 4; }
		if (write_all(c->fd, out, ol) < 0 || write_all(c->fd, b + hl + 4, len) < 0 || op == 8)
			return;
		consume(c, hl + 4 + len);
	}
}

/* One request; returns 1 to keep the connection, 0 to close it. */
static int serve_one(struct conn *c)
{
	char *end, method[16] = "", path[2048] = "", route[2048], v[256], body[HEAD_MAX + 256];
	size_t hl, total = 0;
	uint32_t fnv = 2166136261u;
	int keep, n;

	while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL)
		if (fill(c) <= 0)
			return 0;
	hl = (size_t)(end - c->buf) + 4;
	char head[HEAD_MAX + 1];
	memcpy(head, c->buf, hl);
	head[hl] = '\0';
	consume(c, hl);
	sscanf(head, "%15s %2047s", method, path);
	snprintf(route, sizeof(route), "%.*s", (int)strcspn(path, "?"), path);
	keep = !(header(head, "connection", v, sizeof(v)) && strcasecmp(v, "close") == 0) &&
	       strstr(head, "HTTP/1.1\r\n") != NULL;
	if (header(head, "transfer-encoding", v, sizeof(v)) && strcasecmp(v, "chunked") == 0) {
		if (read_chunked(c, &fnv, &total) < 0)
			return 0;
	} else if (header(head, "content-length", v, sizeof(v))) {
		if (read_body(c, strtoul(v, NULL, 10), &fnv, &total) < 0)
			return 0;
	}
	if (strcmp(route, "/healthz") == 0)
		return respond(c->fd, 200, NULL, "ok", 2, keep) == 0 && keep;
	if (fail_all)
		return respond(c->fd, 500, NULL, "failing\n", 8, keep) == 0 && keep;
	if (strcmp(route, "/ws") == 0 && header(head, "sec-websocket-key", v, sizeof(v))) {
		websocket(c, v);
		return 0;
	}
	if (strcmp(route, "/headers") == 0)
		return respond(c->fd, 200, "Content-Type: text/plain\r\n", head, hl, keep) == 0 && keep;
	if (strcmp(route, "/cookies") == 0)
		return respond(c->fd, 200, "Set-Cookie: a=1; Path=/\r\nSet-Cookie: b=2; HttpOnly\r\n"
			       "Location: /elsewhere?x=1\r\nContent-Type: text/x-orca; charset=utf-8\r\n"
			       "Cache-Control: no-store\r\n", "cookies\n", 8, keep) == 0 && keep;
	if (strncmp(path, "/download", 9) == 0)
		return download(c->fd, path, keep) == 0 && keep;
	if (strcmp(route, "/upload") == 0) {
		n = snprintf(body, sizeof(body), "bytes=%zu fnv=%08x\n", total, fnv);
		return respond(c->fd, 200, NULL, body, (size_t)n, keep) == 0 && keep;
	}
	if (strncmp(path, "/status/", 8) == 0) {
		n = atoi(path + 8);
		return respond(c->fd, n >= 200 ? n : 500, NULL, "status\n", 7, keep) == 0 && keep;
	}
	if (strncmp(path, "/slow", 5) == 0) {
		long ms = query_num(path, "ms", 1000);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
	}
	n = snprintf(body, sizeof(body), "hostname=%s\nmessage=%s\n", host, message);
	return respond(c->fd, 200, "Content-Type: text/plain\r\n", body, (size_t)n, keep) == 0 &&
	       keep;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct timeval tv = { 60, 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (serve_one(c))
		;
	close(c->fd);
	free(c);
	return NULL;
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *port = getenv("PORT"), *msg = getenv("APP_MESSAGE"), *f = getenv("FAIL");
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	gethostname(host, sizeof(host));
	snprintf(message, sizeof(message), "%s", msg ? msg : "");
	fail_all = f && strcmp(f, "1") == 0;
	sa.sin_port = htons((uint16_t)(port ? atoi(port) : 8080));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0) {
		perror("echo: listen");
		return 1;
	}
	for (;;) {
		struct conn *c = malloc(sizeof(*c));
		pthread_t t;
		pthread_attr_t at;

		c->len = 0;
		if ((c->fd = accept(fd, NULL, NULL)) < 0) {
			free(c);
			continue;
		}
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&at, 512 * 1024);
		if (pthread_create(&t, &at, conn_main, c) != 0) {
			close(c->fd);
			free(c);
		}
		pthread_attr_destroy(&at);
	}
}
