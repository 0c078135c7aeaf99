/*
 * exec.c - run a command in a running container: create the exec, start it
 * attached (the answer is the framed output until the command ends), then
 * read its exit code.
 */
#include "docker/logs.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "docker/internal.h"

#define EXIT_POLLS 100           /* the exit code lags the stream a little */
#define EXIT_POLL_NS 10000000L   /* 10 ms */
#define OUTPUT_MAX_DEFAULT (1u << 20)

static json_t *create_body(const struct docker_exec_opts *o)
{
	json_t *body = json_pack("{s:b, s:b, s:b, s:b, s:o, s:o}",
				 "AttachStdin", 0, "AttachStdout", 1,
				 "AttachStderr", 1, "Tty", 0,
				 "Cmd", docker_str_array(o->cmd),
				 "Env", docker_str_array(o->env));

	if (o->user)
		json_object_set_new(body, "User", json_string(o->user));
	if (o->workdir)
		json_object_set_new(body, "WorkingDir", json_string(o->workdir));
	return body;
}

static int exec_create(struct docker_client *c, const char *container,
		       const struct docker_exec_opts *o, char *path_out,
		       size_t n, struct err *e)
{
	char *esc = docker_url_escape(container);
	char *path = xasprintf("/containers/%s/exec", esc);
	json_t *body = create_body(o), *out = NULL;
	struct docker_request rq = { .method = "POST", .path = path,
				     .body = body };
	char id[DOCKER_ID_SIZE];
	int rc = docker_call(c, &rq, NULL, &out, e);

	if (rc == 0) {
		docker_json_copy(id, sizeof(id), out, "Id");
		snprintf(path_out, n, "/exec/%s", id);
	}
	json_decref(out);
	json_decref(body);
	free(path);
	free(esc);
	return rc;
}

struct attach {
	struct docker_frame_decoder dec;
	docker_output_fn fn;
	void *arg;
	int stopped;
};

static int on_output(void *arg, enum docker_stream stream, const char *data,
		     size_t len)
{
	struct attach *a = arg;

	if (a->fn(a->arg, stream, data, len) == 0)
		return 0;
	a->stopped = 1;
	return 1;
}

static int on_bytes(void *arg, const char *data, size_t len, struct err *e)
{
	struct attach *a = arg;

	return docker_frame_feed(&a->dec, data, len, on_output, a, e);
}

static int exec_start(struct docker_client *c, const char *exec_path,
		      const struct docker_exec_opts *o, struct attach *a,
		      struct err *e)
{
	char *path = xasprintf("%s/start", exec_path);
	json_t *body = json_pack("{s:b, s:b}", "Detach", 0, "Tty", 0);
	struct docker_request rq = { .method = "POST", .path = path,
				     .body = body, .timeout_ms = o->timeout_ms,
				     .on_data = on_bytes, .arg = a };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	if (rc == 0 && !a->stopped)
		rc = docker_frame_decoder_finish(&a->dec, e);
	json_decref(body);
	free(path);
	return rc;
}

/* GET /exec/{id}/json until the command is seen finished. */
static int exec_exit_code(struct docker_client *c, const char *exec_path,
			  int *code, struct err *e)
{
	const struct timespec pause = { 0, EXIT_POLL_NS };
	char *path = xasprintf("%s/json", exec_path);
	struct docker_request rq = { .path = path };
	json_t *j = NULL;
	int rc = 0;

	*code = -1;
	for (int i = 0; i < EXIT_POLLS && rc == 0; i++) {
		rc = docker_call(c, &rq, NULL, &j, e);
		if (rc == 0 && !docker_json_bool(j, "Running")) {
			*code = (int)docker_json_int(j, "ExitCode", -1);
			break;
		}
		json_decref(j);
		j = NULL;
		nanosleep(&pause, NULL);
	}
	json_decref(j);
	free(path);
	return rc;
}

int docker_exec_stream(struct docker_client *c, const char *container,
		       const struct docker_exec_opts *opts,
		       docker_output_fn fn, void *arg, int *exit_code,
		       struct err *e)
{
	struct attach a = { .fn = fn, .arg = arg };
	char exec_path[DOCKER_ID_SIZE + 8];
	int code = -1, rc;

	if (opts->cmd == NULL || opts->cmd[0] == NULL)
		return err_set(e, ERR_INVALID, "container '%s': exec: no command",
			       container);
	docker_frame_decoder_init(&a.dec, 0);
	rc = exec_create(c, container, opts, exec_path, sizeof(exec_path), e);
	if (rc == 0)
		rc = exec_start(c, exec_path, opts, &a, e);
	if (rc == 0 && !a.stopped)
		rc = exec_exit_code(c, exec_path, &code, e);
	if (rc < 0)
		err_wrap(e, "container '%s': exec '%s'", container, opts->cmd[0]);
	if (exit_code)
		*exit_code = code;
	docker_frame_decoder_release(&a.dec);
	return rc;
}

struct capture {
	struct docker_exec_result *res;
	size_t max;
};

static void append_capped(struct buf *b, const char *data, size_t len,
			  size_t max, int *truncated)
{
	size_t room = b->len < max ? max - b->len : 0;

	if (len > room) {
		len = room;
		*truncated = 1;
	}
	buf_append(b, data, len);
}

static int on_capture(void *arg, enum docker_stream stream, const char *data,
		      size_t len)
{
	struct capture *cap = arg;
	struct docker_exec_result *r = cap->res;

	append_capped(stream == DOCKER_STREAM_STDERR ? &r->err : &r->out, data,
		      len, cap->max, &r->truncated);
	return 0;
}

int docker_exec(struct docker_client *c, const char *container,
		const struct docker_exec_opts *opts, size_t max_output,
		struct docker_exec_result *res, struct err *e)
{
	struct capture cap = { .res = res,
			       .max = max_output ? max_output : OUTPUT_MAX_DEFAULT };

	memset(res, 0, sizeof(*res));
	buf_init(&res->out);
	buf_init(&res->err);
	/* Both bufs are NUL-terminated strings even when nothing came. */
	buf_append(&res->out, "", 0);
	buf_append(&res->err, "", 0);
	return docker_exec_stream(c, container, opts, on_capture, &cap,
				  &res->exit_code, e);
}

void docker_exec_result_release(struct docker_exec_result *res)
{
	buf_release(&res->out);
	buf_release(&res->err);
}
