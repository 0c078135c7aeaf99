/*
 * logs.c - GET /containers/{id}/logs, decoded frame by frame.
 */
#include "docker/logs.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "docker/internal.h"

/* Glue between the HTTP stream and the frame decoder. */
struct output {
	struct docker_frame_decoder dec;
	int raw;                     /* TTY: unframed */
	docker_output_fn fn;
	void *arg;
};

static int on_bytes(void *arg, const char *data, size_t len, struct err *e)
{
	struct output *o = arg;

	if (o->raw)
		return o->fn(o->arg, DOCKER_STREAM_STDOUT, data, len) ? DOCKER_STOP : 0;
	return docker_frame_feed(&o->dec, data, len, o->fn, o->arg, e);
}

static void logs_query(struct buf *q, const struct docker_logs_opts *o)
{
	char tail[16];

	docker_query_add(q, "stdout", o->no_stdout ? "0" : "1");
	docker_query_add(q, "stderr", o->no_stderr ? "0" : "1");
	docker_query_add(q, "follow", o->follow ? "1" : "0");
	docker_query_add(q, "timestamps", o->timestamps ? "1" : "0");
	if (o->tail > 0) {
		snprintf(tail, sizeof(tail), "%d", o->tail);
		docker_query_add(q, "tail", tail);
	}
	docker_query_time(q, "since", o->since_ns);
	docker_query_time(q, "until", o->until_ns);
}

int docker_container_logs(struct docker_client *c, const char *container,
			  const struct docker_logs_opts *opts,
			  docker_output_fn fn, void *arg, struct err *e)
{
	static const struct docker_logs_opts defaults;
	const struct docker_logs_opts *o = opts ? opts : &defaults;
	struct output out = { .raw = o->tty, .fn = fn, .arg = arg };
	char *esc = docker_url_escape(container);
	struct buf path = BUF_INIT;
	struct docker_request rq = { .timeout_ms = -1, .on_data = on_bytes,
				     .arg = &out };
	int rc;

	docker_frame_decoder_init(&out.dec, 0);
	buf_printf(&path, "/containers/%s/logs", esc);
	logs_query(&path, o);
	rq.path = path.data;
	rc = docker_call(c, &rq, NULL, NULL, e);
	if (rc == 0 && !out.raw)
		rc = docker_frame_decoder_finish(&out.dec, e);
	if (rc < 0)
		err_wrap(e, "container '%s': logs", container);
	docker_frame_decoder_release(&out.dec);
	buf_release(&path);
	free(esc);
	return rc;
}
