/*
 * h_logs.c - a service's logs (every replica, each line prefixed with its
 * index) and exec into one replica.
 *
 * Following logs runs one reader thread per replica, each with its own
 * Docker client; the connection thread watches the client and cancels the
 * readers when it goes away. Lines are written whole, under one mutex.
 */
#include "api/ctx.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/jsonx.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#define LOG_LINE_MAX (64 * 1024)
#define LOG_REPLICAS_MAX 64
#define EXEC_OUTPUT_MAX (1 << 20)

struct out {
	struct http_req *req;
	pthread_mutex_t mu;
	int broken;
};

struct reader {
	struct out *out;
	struct docker_client *dc;
	char id[80];
	int index;
	struct buf partial;
	struct docker_logs_opts opts;
	pthread_t thread;
	int done;
};

static int emit(struct reader *rd, const char *line, size_t len)
{
	struct out *o = rd->out;
	char prefix[24];
	int n = snprintf(prefix, sizeof(prefix), "[%d] ", rd->index);
	struct buf b = BUF_INIT;

	buf_append(&b, prefix, (size_t)n);
	buf_append(&b, line, len);
	buf_putc(&b, '\n');
	pthread_mutex_lock(&o->mu);
	if (!o->broken && http_stream_write(o->req, b.data, b.len) < 0)
		o->broken = 1;
	n = o->broken;
	pthread_mutex_unlock(&o->mu);
	buf_release(&b);
	return n;
}

static int on_output(void *arg, enum docker_stream stream, const char *data, size_t len)
{
	struct reader *rd = arg;
	const char *nl;

	(void)stream;
	buf_append(&rd->partial, data, len);
	while ((nl = memchr(rd->partial.data, '\n', rd->partial.len)) != NULL) {
		size_t n = (size_t)(nl - rd->partial.data);

		if (emit(rd, rd->partial.data, n))
			return 1;
		buf_consume(&rd->partial, n + 1);
	}
	if (rd->partial.len > LOG_LINE_MAX) {   /* a line without end: cut it */
		if (emit(rd, rd->partial.data, rd->partial.len))
			return 1;
		buf_reset(&rd->partial);
	}
	return 0;
}

static void *read_one(void *arg)
{
	struct reader *rd = arg;
	struct err e = { 0 };

	if (docker_container_logs(rd->dc, rd->id, &rd->opts, on_output, rd, &e) < 0 &&
	    !docker_client_canceled(rd->dc))
		emit(rd, e.msg, strlen(e.msg));
	if (rd->partial.len)
		emit(rd, rd->partial.data, rd->partial.len);
	__atomic_store_n(&rd->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* "1764424000" (unix seconds) or "10m" (that long ago). */
static int parse_since(const char *s, int64_t *ns, struct err *e)
{
	char *end;
	double v = strtod(s, &end);
	double mult = 0;

	if (end == s || v < 0)
		goto bad;
	if (*end == '\0') {
		*ns = (int64_t)(v * 1e9);
		return 0;
	}
	if (strcmp(end, "s") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else
		goto bad;
	*ns = ((int64_t)time(NULL) - (int64_t)(v * mult)) * 1000000000;
	return 0;
bad:
	return err_set(e, ERR_INVALID, "query parameter 'since' must be unix seconds or a "
		       "duration such as 10m, not '%s'", s);
}

static int log_opts(struct http_req *req, struct docker_logs_opts *o, struct err *e)
{
	int64_t tail = 0;
	int follow = 0;
	const char *since = http_req_query(req, "since");

	memset(o, 0, sizeof(*o));
	if (http_req_query_bool(req, "follow", &follow, e) < 0 ||
	    http_req_query_int(req, "tail", &tail, e) < 0)
		return ERR_INVALID;
	if (tail < 0 || tail > 1000000)
		return err_set(e, ERR_INVALID, "query parameter 'tail' must be between 0 and 1000000");
	if (since && parse_since(since, &o->since_ns, e) < 0)
		return ERR_INVALID;
	o->follow = follow;
	o->tail = (int)tail;
	return 0;
}

static size_t collect(struct api *a, json_t *svc, struct out *o, const struct docker_logs_opts *opts,
		      struct reader *rds, struct err *e)
{
	json_t *r;
	size_t i, n = 0;

	json_array_foreach(json_object_get(svc, "replicas"), i, r) {
		struct reader *rd = &rds[n];

		if (n == LOG_REPLICAS_MAX)
			break;
		memset(rd, 0, sizeof(*rd));
		rd->out = o;
		rd->index = (int)json_integer_value(json_object_get(r, "index"));
		rd->opts = *opts;
		snprintf(rd->id, sizeof(rd->id), "%s", json_string_value(json_object_get(r, "container")));
		if (docker_client_new(&rd->dc, a->docker_socket, e) < 0)
			break;
		n++;
	}
	return n;
}

static void follow_all(struct out *o, struct reader *rds, size_t n)
{
	size_t started = 0;

	for (size_t i = 0; i < n; i++)
		if (pthread_create(&rds[i].thread, NULL, read_one, &rds[i]) == 0)
			started = i + 1;
	for (;;) {
		size_t done = 0;

		for (size_t i = 0; i < started; i++)
			done += __atomic_load_n(&rds[i].done, __ATOMIC_ACQUIRE);
		if (done == started || !http_stream_alive(o->req) ||
		    __atomic_load_n(&o->broken, __ATOMIC_RELAXED))
			break;
		usleep(200 * 1000);
	}
	for (size_t i = 0; i < started; i++) {
		docker_client_cancel(rds[i].dc);
		pthread_join(rds[i].thread, NULL);
	}
}

static int logs(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	struct docker_logs_opts opts;
	struct reader *rds;
	struct out o = { req, PTHREAD_MUTEX_INITIALIZER, 0 };
	json_t *svc;
	size_t n;
	int rc = log_opts(req, &opts, e);

	if (rc < 0)
		return rc;
	svc = api_find_service(a, http_req_param(req, "project"), http_req_param(req, "service"), e);
	if (svc == NULL)
		return ERR_NOTFOUND;
	rds = xcalloc(LOG_REPLICAS_MAX, sizeof(*rds));
	n = collect(a, svc, &o, &opts, rds, e);
	json_decref(svc);
	rc = http_stream_begin(req, 200, "text/plain; charset=utf-8");
	if (rc == 0 && opts.follow) {
		follow_all(&o, rds, n);
	} else {
		for (size_t i = 0; rc == 0 && i < n && !o.broken; i++)
			read_one(&rds[i]);
	}
	for (size_t i = 0; i < n; i++) {
		docker_client_free(rds[i].dc);
		buf_release(&rds[i].partial);
	}
	free(rds);
	pthread_mutex_destroy(&o.mu);
	return 0;
}

static int parse_exec(json_t *body, const char ***argv, int64_t *replica, struct err *e)
{
	static const char *const fields[] = { "cmd", "replica", NULL };
	json_t *cmd = NULL, *v;
	size_t i;

	if (jsonx_expect_object(body, "request body", e) < 0 ||
	    jsonx_check_fields(body, fields, e) < 0 ||
	    jsonx_get_array(body, "cmd", JSONX_REQUIRED, &cmd, e) < 0 ||
	    jsonx_get_int_range(body, "replica", JSONX_OPTIONAL, 0, 1000, replica, e) < 0)
		return ERR_INVALID;
	if (json_array_size(cmd) == 0 || json_array_size(cmd) > 256)
		return err_set(e, ERR_INVALID, "'cmd' must hold 1 to 256 strings");
	*argv = xcalloc(json_array_size(cmd) + 1, sizeof(char *));
	json_array_foreach(cmd, i, v) {
		if (!json_is_string(v))
			return err_set(e, ERR_INVALID, "'cmd' must hold strings only");
		(*argv)[i] = json_string_value(v);
	}
	return 0;
}

/* The container of replica index (or the first running one when -1). */
static int pick(json_t *svc, int64_t index, char id[80], struct err *e)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(svc, "replicas"), i, r) {
		if (strcmp(json_string_value(json_object_get(r, "state")), "running") != 0)
			continue;
		if (index >= 0 && json_integer_value(json_object_get(r, "index")) != index)
			continue;
		snprintf(id, 80, "%s", json_string_value(json_object_get(r, "container")));
		return 0;
	}
	if (index >= 0)
		return err_set(e, ERR_NOTFOUND, "replica %lld is not running", (long long)index);
	return err_set(e, ERR_CONFLICT, "no replica is running");
}

/* Command output is bytes; JSON strings are UTF-8: invalid bytes become U+FFFD. */
static int reply_exec(struct http_req *req, const struct docker_exec_result *res)
{
	size_t nout, nerr;
	char *out = utf8_sanitize(buf_str(&res->out), res->out.len, &nout);
	char *err = utf8_sanitize(buf_str(&res->err), res->err.len, &nerr);
	int rc = http_reply_json(req, 200, json_pack("{s:i, s:s%, s:s%, s:b}", "exit_code",
						     res->exit_code, "stdout", out, nout, "stderr",
						     err, nerr, "truncated", res->truncated));

	free(out);
	free(err);
	return rc;
}

static int exec_cmd(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;
	struct docker_exec_opts opts = { 0 };
	struct docker_exec_result res = { 0 };
	struct docker_client *dc = api_docker(a, e);
	json_t *body = NULL, *svc = NULL;
	const char **argv = NULL;
	int64_t index = -1;
	char id[80];
	int rc = http_req_json(req, &body, e);

	if (rc == 0)
		rc = parse_exec(body, &argv, &index, e);
	if (rc == 0 && dc == NULL)
		rc = ERR_FAIL;
	if (rc == 0 && (svc = api_find_service(a, http_req_param(req, "project"),
					       http_req_param(req, "service"), e)) == NULL)
		rc = ERR_NOTFOUND;
	if (rc == 0)
		rc = pick(svc, index, id, e);
	opts.cmd = argv;
	opts.timeout_ms = -1;
	if (rc == 0)
		rc = docker_exec(dc, id, &opts, EXEC_OUTPUT_MAX, &res, e);
	if (rc == 0)
		rc = reply_exec(req, &res);
	docker_exec_result_release(&res);
	free(argv);
	json_decref(svc);
	json_decref(body);
	return rc;
}

int api_routes_logs(struct router *r, struct api *a, struct err *e)
{
	if (router_add(r, "GET", "/api/v1/projects/{project}/services/{service}/logs", logs, a, e) < 0 ||
	    router_add(r, "POST", "/api/v1/projects/{project}/services/{service}/exec", exec_cmd, a,
		       e) < 0)
		return ERR_FAIL;
	return 0;
}
