/*
 * cmd_exec.c - `orca exec SERVICE -- CMD...`: run a command in a replica
 * and pass on its output and exit code, as if it had run here.
 *
 * Not interactive: the server runs the command to its end and replies with
 * both streams (each capped at 1 MiB), so this suits `env`, `ls` or a
 * migration, not a shell session.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/lines.h"
#include "cli/remote.h"
#include "cli/target.h"

struct exec_args {
	const char *service, *socket;
	char **cmd;            /* borrowed from argv, ncmd entries */
	int ncmd;
	int64_t replica;       /* -1: the server picks the first running one */
};

static void usage(FILE *out)
{
	fprintf(out, "usage: orca exec SERVICE [--replica N] -- CMD [ARGS...]\n\n"
		     "Runs CMD in a replica of SERVICE (PROJECT/SERVICE, or the service name\n"
		     "when only one project has it), prints what it wrote to stdout and\n"
		     "stderr, and exits with its exit code (out of 0-255: 255). The command\n"
		     "runs to its end before anything is printed; each stream is capped at\n"
		     "1 MiB, and a note on stderr says when output was cut.\n\n"
		     "options:\n"
		     "      --replica N    the replica index (default: the first running one)\n"
		     "      --socket PATH  the server's socket (default $ORCA_SOCKET, else\n"
		     "                     orca.sock in the data directory)\n"
		     "  -h, --help         show this help\n");
}

static int parse(int argc, char **argv, struct exec_args *a)
{
	static const struct option opts[] = {
		{ "replica", required_argument, NULL, OPT_REPLICA },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	args_reset();
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return ARGS_HELP;
		} else if (ch == OPT_SOCKET) {
			a->socket = optarg;
		} else if (ch == OPT_REPLICA && args_int(optarg, 0, 10000, &a->replica) == 0) {
			continue;
		} else if (ch == OPT_REPLICA) {
			return args_error(EXIT_USAGE, "exec", "--replica takes a replica index, "
					  "not '%s'", optarg);
		} else {
			fprintf(stderr, "(put the command after '--': orca exec SERVICE -- CMD ...)\n");
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 2)
		return args_error(EXIT_USAGE, "exec", "missing %s (orca exec SERVICE -- CMD ...)",
				  optind == argc ? "SERVICE and CMD" : "CMD");
	a->service = argv[optind];
	a->cmd = argv + optind + 1;
	a->ncmd = argc - optind - 1;
	return EXIT_OK;
}

static json_t *exec_body(const struct exec_args *a)
{
	json_t *cmd = json_array(), *body;

	for (int i = 0; i < a->ncmd; i++) {
		json_t *s = json_string(a->cmd[i]);

		if (s == NULL) {
			json_decref(cmd);
			return NULL;
		}
		json_array_append_new(cmd, s);
	}
	body = json_pack("{s:o}", "cmd", cmd);
	if (a->replica >= 0)
		json_object_set_new(body, "replica", json_integer(a->replica));
	return body;
}

static void write_stream(const json_t *reply, const char *key, FILE *out)
{
	const json_t *s = json_object_get(reply, key);

	if (json_is_string(s))
		fwrite(json_string_value(s), 1, json_string_length(s), out);
	fflush(out);
}

/* Writes the command's output; returns its exit code, clamped. */
static int pass_on(const json_t *reply)
{
	const json_t *code = json_object_get(reply, "exit_code");
	json_int_t c;

	if (!json_is_integer(code))
		return args_error(EXIT_FAILED, "exec", "unexpected reply from the server");
	write_stream(reply, "stdout", stdout);
	write_stream(reply, "stderr", stderr);
	if (json_is_true(json_object_get(reply, "truncated")))
		fprintf(stderr, "orca exec: output cut at 1 MiB per stream\n");
	c = json_integer_value(code);
	return c >= 0 && c <= 255 ? (int)c : 255;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_args a = { .replica = -1 };
	char *project = NULL, *service = NULL, *path;
	json_t *body = NULL, *reply = NULL;
	struct remote r;
	int rc = parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((body = exec_body(&a)) == NULL)
		return args_error(EXIT_USAGE, "exec", "the command must be valid UTF-8 text");
	if ((rc = remote_open(&r, "exec", a.socket)) != EXIT_OK)
		goto out;
	rc = target_resolve(&r, a.service, &project, &service);
	if (rc == EXIT_OK) {
		path = remote_service_path(project, service, "exec");
		rc = remote_call(&r, "POST", path, body, &reply);
		free(path);
	}
	if (rc == EXIT_OK)
		rc = pass_on(reply);
	json_decref(reply);
	free(project);
	free(service);
	remote_close(&r);
out:
	json_decref(body);
	return rc;
}
