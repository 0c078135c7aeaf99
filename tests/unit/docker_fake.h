/*
 * docker_fake.h - a tiny fake Docker Engine on a unix socket, for unit tests
 * of src/docker's HTTP paths (statuses, error bodies, streams, cancel)
 * without a real engine. Header-only; one connection at a time, each
 * answered from a route table and closed.
 *
 *	static const struct fake_route routes[] = {
 *		{ "GET", "/v1.41/containers/x/json", 404, "{\"message\":\"No such container: x\"}" },
 *		{ NULL },
 *	};
 *	fake_start(&f); fake_routes(&f, routes); ... fake_stop(&f);
 *
 * GET /version answers with f.api_version ("1.41" unless set) and GET /_ping
 * with OK, unless a route says otherwise. Not a proof that a feature works
 * against Docker: test_docker_live.c is.
 */
#ifndef ORCA_TESTS_DOCKER_FAKE_H
#define ORCA_TESTS_DOCKER_FAKE_H

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/buf.h"

struct fake_route {
	const char *method;
	const char *target;          /* prefix of the request target */
	int status;
	const char *body;            /* NULL: empty */
	void (*write)(int fd);       /* instead of status and body */
};

struct fake_engine {
	char path[108];
	int listen_fd;
	pthread_t thread;
	int stop;
	pthread_mutex_t lock;
	const struct fake_route *routes;
	const char *api_version;
	const char *min_api_version; /* "1.12" unless set */
	char last_accept[128];       /* the last request's Accept header */
	struct buf log;              /* "METHOD target\n" per request */
	struct buf last_body;
};

static void fake_send(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void fake_sendf(int fd, const char *s)
{
	fake_send(fd, s, strlen(s));
}

static void fake_chunk(int fd, const void *data, size_t len)
{
	char head[32];

	snprintf(head, sizeof(head), "%zx\r\n", len);
	fake_sendf(fd, head);
	fake_send(fd, data, len);
	fake_sendf(fd, "\r\n");
}

/* Blocks until the client goes away (closes or shuts down its socket). */
static void fake_wait_hangup(int fd)
{
	char tmp[256];

	while (recv(fd, tmp, sizeof(tmp), 0) > 0)
		;
}

static void fake_reply(int fd, int status, const char *body)
{
	char head[256];
	size_t n = body ? strlen(body) : 0;

	snprintf(head, sizeof(head),
		 "HTTP/1.1 %d Fake\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, n);
	fake_sendf(fd, head);
	if (n)
		fake_send(fd, body, n);
}

/* Reads one request; fills method and target; returns 0 or -1. */
static int fake_read_request(struct fake_engine *f, int fd, char *method,
			     char *target, size_t n)
{
	struct buf in = BUF_INIT;
	char tmp[4096];
	const char *end, *cl, *sp1, *sp2;
	size_t body_len = 0, head_len;
	ssize_t got;

	while ((end = strstr(buf_str(&in), "\r\n\r\n")) == NULL) {
		got = recv(fd, tmp, sizeof(tmp), 0);
		if (got <= 0)
			goto fail;
		buf_append(&in, tmp, (size_t)got);
	}
	head_len = (size_t)(end - in.data) + 4;
	cl = strcasestr(in.data, "\r\ncontent-length:");
	if (cl && cl < end)
		body_len = strtoul(cl + 17, NULL, 10);
	while (in.len < head_len + body_len) {
		got = recv(fd, tmp, sizeof(tmp), 0);
		if (got <= 0)
			goto fail;
		buf_append(&in, tmp, (size_t)got);
	}
	sp1 = memchr(in.data, ' ', head_len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', head_len - (size_t)(sp1 + 1 - in.data)) : NULL;
	if (!sp2 || sp1 - in.data >= 16 || (size_t)(sp2 - sp1) > n)
		goto fail;
	snprintf(method, 16, "%.*s", (int)(sp1 - in.data), in.data);
	snprintf(target, n, "%.*s", (int)(sp2 - sp1 - 1), sp1 + 1);
	pthread_mutex_lock(&f->lock);
	f->last_accept[0] = '\0';
	if ((cl = strcasestr(in.data, "\r\naccept:")) != NULL && cl < end)
		snprintf(f->last_accept, sizeof(f->last_accept), "%.*s",
			 (int)strcspn(cl + 10, "\r"), cl + 10);
	buf_printf(&f->log, "%s %s\n", method, target);
	buf_reset(&f->last_body);
	buf_append(&f->last_body, in.data + head_len, body_len);
	pthread_mutex_unlock(&f->lock);
	buf_release(&in);
	return 0;
fail:
	buf_release(&in);
	return -1;
}

static void fake_answer(struct fake_engine *f, int fd)
{
	char method[16], target[2048], version[128];
	const struct fake_route *r;

	if (fake_read_request(f, fd, method, target, sizeof(target)) < 0)
		return;
	pthread_mutex_lock(&f->lock);
	r = f->routes;
	pthread_mutex_unlock(&f->lock);
	for (; r && r->method; r++) {
		if (strcmp(r->method, method) != 0 ||
		    strncmp(r->target, target, strlen(r->target)) != 0)
			continue;
		if (r->write)
			r->write(fd);
		else
			fake_reply(fd, r->status, r->body);
		return;
	}
	if (strcmp(target, "/version") == 0) {
		snprintf(version, sizeof(version),
			 "{\"Version\":\"99.0-fake\",\"ApiVersion\":\"%s\","
			 "\"MinAPIVersion\":\"%s\"}",
			 f->api_version ? f->api_version : "1.41",
			 f->min_api_version ? f->min_api_version : "1.12");
		fake_reply(fd, 200, version);
	} else if (strcmp(target, "/_ping") == 0) {
		fake_reply(fd, 200, "OK");
	} else {
		fake_reply(fd, 404, "{\"message\":\"fake: no route\"}");
	}
}

static void *fake_loop(void *arg)
{
	struct fake_engine *f = arg;

	for (;;) {
		int fd = accept(f->listen_fd, NULL, NULL);

		if (fd < 0 || f->stop) {
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		fake_answer(f, fd);
		close(fd);
	}
}

static void fake_start(struct fake_engine *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/tmp/orca-test-docker-fake-%d.sock",
		 (int)getpid());
	unlink(f->path);
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(f->listen_fd, 16) < 0) {
		perror("fake engine");
		abort();
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_create(&f->thread, NULL, fake_loop, f);
}

static void fake_routes(struct fake_engine *f, const struct fake_route *routes)
{
	pthread_mutex_lock(&f->lock);
	f->routes = routes;
	buf_reset(&f->log);
	pthread_mutex_unlock(&f->lock);
}

/* A copy of the request log, malloc'd. */
static char *fake_log(struct fake_engine *f)
{
	char *s;

	pthread_mutex_lock(&f->lock);
	s = strdup(buf_str(&f->log));
	pthread_mutex_unlock(&f->lock);
	return s;
}

static void fake_stop(struct fake_engine *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	f->stop = 1;
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	connect(fd, (struct sockaddr *)&sa, sizeof(sa));   /* wakes accept */
	pthread_join(f->thread, NULL);
	close(fd);
	close(f->listen_fd);
	unlink(f->path);
	pthread_mutex_destroy(&f->lock);
	buf_release(&f->log);
	buf_release(&f->last_body);
}

#endif
