/*
 * cli_fixture.h - running `orca ...` in-process against a fake API.
 *
 * The fake is the real API server (api/http.h, router.h) on a temp unix
 * socket, answering every route with canned replies that a test queues:
 * fake_reply("GET", "/api/v1/deploys/7", 200, "{...}") several times for
 * a sequence (the last one then sticks). Every request is logged as
 * "METHOD PATH[?QUERY] BODY" lines for the test to check. run_cli() calls
 * cli_main with stdin from a string and stdout/stderr captured.
 *
 * Static functions in a header, since each test_*.c is its own binary.
 */
#ifndef ORCA_TESTS_CLI_FIXTURE_H
#define ORCA_TESTS_CLI_FIXTURE_H

#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/http.h"
#include "api/router.h"
#include "base/buf.h"
#include "cli/cli.h"

#define CF_UNUSED __attribute__((unused))
#define FAKE_MAX 64

struct canned {
	char method[8];
	char path[200];       /* as sent, percent-encoded, no query */
	int status;
	char ctype[40];       /* "": one JSON reply; else streamed as is */
	char *body;
	int sigint;           /* send the process SIGINT before replying */
	int used;
};

static struct {
	pthread_mutex_t mu;
	struct canned c[FAKE_MAX];
	int n;
	struct buf log;
	char dir[64], sock[128];
	struct router *r;
	struct http_server *srv;
} fake = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void fake_log(struct http_req *req)
{
	static const char *const params[] = { "follow", "tail", "since", "after", "limit" };
	const char *body = http_req_body(req, NULL);
	char sep = '?';

	buf_printf(&fake.log, "%s %s", http_req_method(req), http_req_path(req));
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *v = http_req_query(req, params[i]);

		if (v != NULL) {
			buf_printf(&fake.log, "%c%s=%s", sep, params[i], v);
			sep = '&';
		}
	}
	buf_printf(&fake.log, "%s%s\n", body && body[0] ? " " : "", body ? body : "");
}

/* The first unused canned reply for the request, else the last used one. */
static int fake_find(struct http_req *req, struct canned *out)
{
	int last = -1;

	for (int i = 0; i < fake.n; i++) {
		struct canned *c = &fake.c[i];

		if (strcmp(c->method, http_req_method(req)) != 0 ||
		    strcmp(c->path, http_req_path(req)) != 0)
			continue;
		last = i;
		if (!c->used)
			break;
	}
	if (last < 0)
		return -1;
	fake.c[last].used = 1;
	*out = fake.c[last];
	out->body = strdup(fake.c[last].body);
	return 0;
}

static int fake_handle(struct http_req *req, void *arg, struct err *e)
{
	struct canned c;
	int found, rc;

	(void)arg;
	(void)e;
	pthread_mutex_lock(&fake.mu);
	fake_log(req);
	found = fake_find(req, &c);
	pthread_mutex_unlock(&fake.mu);
	if (found < 0)
		return http_reply_error(req, 404, "not_found", "no canned reply for %s %s",
					http_req_method(req), http_req_path(req));
	if (c.sigint)
		kill(getpid(), SIGINT);
	if (c.ctype[0] != '\0') {
		http_stream_begin(req, c.status, c.ctype);
		http_stream_write(req, c.body, strlen(c.body));
		rc = http_stream_end(req);
	} else {
		rc = http_reply(req, c.status, "application/json", c.body, strlen(c.body));
	}
	free(c.body);
	return rc;
}

static CF_UNUSED void fake_add(const char *method, const char *path, int status,
			       const char *ctype, const char *body, int sigint)
{
	struct canned *c;

	pthread_mutex_lock(&fake.mu);
	if (fake.n < FAKE_MAX) {
		c = &fake.c[fake.n++];
		memset(c, 0, sizeof(*c));
		snprintf(c->method, sizeof(c->method), "%s", method);
		snprintf(c->path, sizeof(c->path), "%s", path);
		snprintf(c->ctype, sizeof(c->ctype), "%s", ctype ? ctype : "");
		c->status = status;
		c->body = strdup(body);
		c->sigint = sigint;
	}
	pthread_mutex_unlock(&fake.mu);
}

static CF_UNUSED void fake_reply(const char *method, const char *path, int status,
				 const char *body)
{
	fake_add(method, path, status, NULL, body, 0);
}

static void fake_clear(void)
{
	pthread_mutex_lock(&fake.mu);
	for (int i = 0; i < fake.n; i++)
		free(fake.c[i].body);
	fake.n = 0;
	buf_release(&fake.log);
	pthread_mutex_unlock(&fake.mu);
}

/* The request log so far, as a malloc'd string. */
static CF_UNUSED char *fake_requests(void)
{
	char *s;

	pthread_mutex_lock(&fake.mu);
	s = strdup(buf_str(&fake.log));
	pthread_mutex_unlock(&fake.mu);
	return s;
}

static int fake_start(void)
{
	static const char *const patterns[] = {
		"/api/v1/status", "/api/v1/deploy", "/api/v1/deploys/{id}",
		"/api/v1/projects/{p}", "/api/v1/projects/{p}/{what}",
		"/api/v1/projects/{p}/secrets/{k}", "/api/v1/projects/{p}/services/{s}",
		"/api/v1/projects/{p}/services/{s}/{action}", "/api/v1/events",
		"/api/v1/nodes",
	};
	static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
	struct http_server_config cfg = { .handler = router_handle };
	struct err e = { 0 };

	snprintf(fake.dir, sizeof(fake.dir), "/tmp/orca-cli-XXXXXX");
	if (mkdtemp(fake.dir) == NULL)
		return -1;
	snprintf(fake.sock, sizeof(fake.sock), "%s/orca.sock", fake.dir);
	fake.r = router_new();
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		for (size_t m = 0; m < 4; m++)
			router_add(fake.r, methods[m], patterns[i], fake_handle, NULL, &e);
	cfg.unix_path = fake.sock;
	cfg.handler_arg = fake.r;
	fake.srv = http_server_start(&cfg, &e);
	setenv("ORCA_SOCKET", fake.sock, 1);
	setenv("TZ", "UTC", 1);
	return fake.srv != NULL ? 0 : -1;
}

static CF_UNUSED void fake_stop(void)
{
	http_server_stop(fake.srv);
	router_free(fake.r);
	rmdir(fake.dir);
	fake_clear();
}

#define FAKE_START()                                                   \
	do {                                                           \
		if (fake_start() < 0) {                                \
			UNIT_FAIL_AT("fake API did not start");        \
			return;                                        \
		}                                                      \
	} while (0)

/* --- running the CLI */

struct run {
	int rc;
	char *out, *err;
};

static char *slurp(FILE *f)
{
	struct buf b = BUF_INIT;
	char tmp[4096];
	size_t n;

	rewind(f);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	return buf_steal(&b);
}

/* Runs `orca ARGS...` with input on stdin; stdout and stderr captured. */
static CF_UNUSED void run_argv(struct run *r, const char *input, int argc,
			       const char *const *args)
{
	FILE *out = tmpfile(), *err = tmpfile(), *in = tmpfile();
	char **argv = calloc((size_t)argc + 2, sizeof(*argv));
	int fd1, fd2, fd0;

	argv[0] = strdup("orca");
	for (int i = 0; i < argc; i++)
		argv[i + 1] = strdup(args[i]);
	fputs(input ? input : "", in);
	fflush(in);
	rewind(in);
	fflush(stdout);
	fflush(stderr);
	fd1 = dup(1);
	fd2 = dup(2);
	fd0 = dup(0);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	dup2(fileno(in), 0);
	r->rc = cli_main(argc + 1, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(fd1, 1);
	dup2(fd2, 2);
	dup2(fd0, 0);
	close(fd1);
	close(fd2);
	close(fd0);
	fclose(in);
	r->out = slurp(out);
	r->err = slurp(err);
	for (int i = 0; i <= argc; i++)
		free(argv[i]);
	free(argv);
}

static CF_UNUSED void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define RUN_IN(r, input, ...)                                          \
	do {                                                           \
		const char *const a_[] = { __VA_ARGS__ };              \
		run_argv((r), (input), (int)(sizeof(a_) / sizeof(a_[0])), a_); \
	} while (0)
#define RUN(r, ...) RUN_IN(r, NULL, __VA_ARGS__)

/* Writes text to DIR/rel, creating directories on the way. */
static CF_UNUSED void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* rm -r dir */
static CF_UNUSED void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
