/*
 * logs.h - a container's output: its logs (GET /containers/{id}/logs) and
 * commands run in it (exec), both delivered per stream (stdout, stderr).
 */
#ifndef ORCA_DOCKER_LOGS_H
#define ORCA_DOCKER_LOGS_H

#include <stdint.h>

#include "base/buf.h"
#include "docker/client.h"
#include "docker/frame.h"

struct docker_logs_opts {
	int follow;          /* keep streaming new output until stopped */
	int tail;            /* last N lines; 0: all */
	int64_t since_ns;    /* unix time in ns; 0: from the start */
	int64_t until_ns;    /* unix time in ns; 0: no end */
	int timestamps;      /* prefix each line with its RFC 3339 time */
	int no_stdout;
	int no_stderr;
	int tty;             /* the container has a TTY: output is unframed
			      * and all of it reported as stdout */
};

/*
 * Streams the logs of container to fn, frame by frame, until the end (or,
 * with follow, until the container stops, fn returns nonzero, or the client
 * is canceled: -ECANCELED). opts may be NULL.
 */
int docker_container_logs(struct docker_client *c, const char *container,
			  const struct docker_logs_opts *opts,
			  docker_output_fn fn, void *arg, struct err *e);

struct docker_exec_opts {
	const char *const *cmd;    /* argv, required */
	const char *const *env;    /* "K=V", may be NULL */
	const char *user;          /* NULL: the container's */
	const char *workdir;       /* NULL: the container's */
	long timeout_ms;           /* 0: the client's; -1: none. On timeout the
				    * command may still run in the container. */
};

/*
 * Runs cmd in the running container, non-interactive, streaming its output
 * to fn (which may stop it early; the command then runs on unobserved) and
 * *exit_code (may be NULL) gets its exit status, -1 if unknown.
 */
int docker_exec_stream(struct docker_client *c, const char *container,
		       const struct docker_exec_opts *opts,
		       docker_output_fn fn, void *arg, int *exit_code,
		       struct err *e);

struct docker_exec_result {
	int exit_code;
	struct buf out;            /* stdout, at most max_output bytes */
	struct buf err;            /* stderr, at most max_output bytes */
	int truncated;             /* output beyond max_output was dropped */
};

/*
 * docker_exec_stream capturing the output, each stream capped at
 * max_output bytes (0: 1 MiB). Release res afterwards, also on failure.
 */
int docker_exec(struct docker_client *c, const char *container,
		const struct docker_exec_opts *opts, size_t max_output,
		struct docker_exec_result *res, struct err *e);
void docker_exec_result_release(struct docker_exec_result *res);

#endif
