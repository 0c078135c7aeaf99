/*
 * log.c - the end of every request: one access-log line (JSON, to the
 * server log, unless `[proxy] access_log = false`) and the service's
 * counters. Runs on the loop thread as an h2o logger, before the
 * request's memory goes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/log.h"
#include "proxy/internal.h"

struct logger {
	h2o_logger_t super;
	struct proxy *p;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static char *str(h2o_iovec_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s", (int)(v.len < n ? v.len : n - 1), v.base ? v.base : "");
	return buf;
}

static void write_line(const struct note *n, h2o_req_t *req, int64_t us)
{
	char host[256], path[1024], method[32], t[40];
	time_t now = time(NULL);
	struct tm tm;
	json_t *j;
	char *line;

	gmtime_r(&now, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:s, s:s, s:i}", "time", t,
		      "host", str(req->input.authority, host, sizeof(host)), "method",
		      str(req->input.method, method, sizeof(method)), "path",
		      str(req->input.path, path, sizeof(path)), "status", req->res.status,
		      "bytes", (json_int_t)req->bytes_sent, "duration_us", (json_int_t)us,
		      "service", n && n->service[0] ? n->service : "-", "upstream",
		      n && n->upstream[0] ? n->upstream : "-", "retries", n ? n->retries : 0);
	if (j == NULL)
		return;
	line = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (line)
		log_line("access %s", line);
	free(line);
	json_decref(j);
}

static void log_access(h2o_logger_t *self, h2o_req_t *req)
{
	struct logger *l = (struct logger *)self;
	struct note *n = note_of(req);
	int64_t us;

	if (n) {
		us = (int64_t)(now_us() - n->start_us);
	} else {   /* answered by h2o before any handler (413 at the head, 400) */
		struct timeval tv;

		gettimeofday(&tv, NULL);
		us = (int64_t)(tv.tv_sec - req->timestamps.request_begin_at.tv_sec) * 1000000 +
		     (tv.tv_usec - req->timestamps.request_begin_at.tv_usec);
	}
	if (n && n->stats)
		svcstats_record(n->stats, n->revision, req->res.status, us, req->bytes_sent);
	if (l->p->conf.access_log)
		write_line(n, req, us);
}

void accesslog_register(h2o_pathconf_t *pathconf, struct proxy *p)
{
	struct logger *l = (struct logger *)h2o_create_logger(pathconf, sizeof(*l));

	l->super.log_access = log_access;
	l->p = p;
}
