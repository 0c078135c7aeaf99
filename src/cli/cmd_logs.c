/*
 * cmd_logs.c - `orca logs SERVICE`: a service's log lines, each prefixed
 * by the server with its replica ("[0] listening on 8080"), copied to
 * stdout as they arrive.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/remote.h"
#include "cli/target.h"

struct logs_args {
	const char *service, *socket, *since;
	int follow;
	int64_t tail;          /* -1: the server's default */
};

static void usage(FILE *out)
{
	fprintf(out, "usage: orca logs SERVICE [-f] [--tail N] [--since T]\n\n"
		     "Prints the logs of every replica of SERVICE (PROJECT/SERVICE, or the\n"
		     "service name when only one project has it), each line prefixed with\n"
		     "its replica index: \"[0] listening on 8080\".\n\n"
		     "options:\n"
		     "  -f, --follow       keep printing new lines until Ctrl-C\n"
		     "      --tail N       start with the last N lines of each replica\n"
		     "      --since T      lines since T: unix seconds, or a duration back\n"
		     "                     from now (30s, 10m, 2h, 1d)\n"
		     "      --socket PATH  the server's socket (default $ORCA_SOCKET, else\n"
		     "                     orca.sock in the data directory)\n"
		     "  -h, --help         show this help\n");
}

/* Unix seconds, or digits and one of s, m, h, d. */
static int since_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && (s[n] == '\0' || (strchr("smhd", s[n]) != NULL && s[n + 1] == '\0'));
}

static int parse(int argc, char **argv, struct logs_args *a)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, OPT_TAIL },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	args_reset();
	while ((ch = getopt_long(argc, argv, "hf", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': a->follow = 1; break;
		case OPT_SOCKET: a->socket = optarg; break;
		case OPT_TAIL:
			if (args_int(optarg, 0, 1000000, &a->tail) < 0)
				return args_error(EXIT_USAGE, "logs", "--tail takes a number of "
						  "lines, not '%s'", optarg);
			break;
		case OPT_SINCE:
			if (!since_ok(optarg))
				return args_error(EXIT_USAGE, "logs", "--since takes unix seconds "
						  "or a duration like 10m, not '%s'", optarg);
			a->since = optarg;
			break;
		case 'h': usage(stdout); return ARGS_HELP;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind == argc)
		return args_error(EXIT_USAGE, "logs", "which service? (orca logs SERVICE)");
	if (argc - optind > 1)
		return args_error(EXIT_USAGE, "logs", "unexpected argument '%s'",
				  argv[optind + 1]);
	a->service = argv[optind];
	return EXIT_OK;
}

static int print_line(const struct client_event *ev, void *arg)
{
	(void)arg;
	fwrite(ev->data, 1, ev->len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	return 0;
}

static char *logs_path(const struct logs_args *a, const char *project,
		       const char *service)
{
	char *base = remote_service_path(project, service, "logs");
	struct buf b = BUF_INIT;
	char sep = '?';

	buf_puts(&b, base);
	free(base);
	if (a->follow) {
		buf_printf(&b, "%cfollow=1", sep);
		sep = '&';
	}
	if (a->tail >= 0) {
		buf_printf(&b, "%ctail=%" PRId64, sep, a->tail);
		sep = '&';
	}
	if (a->since != NULL)
		buf_printf(&b, "%csince=%s", sep, a->since);
	return buf_steal(&b);
}

static int stream_logs(struct remote *r, const char *path)
{
	struct err e = { 0 };
	int status = 0, rc;

	rc = client_stream(r->cl, "GET", path, NULL, print_line, NULL, &status, &e);
	if (rc == -EINTR || rc == 0)
		return EXIT_OK;  /* Ctrl-C is how `logs -f` ends */
	return remote_report(r, status, NULL, &e);
}

int cmd_logs(int argc, char **argv)
{
	struct logs_args a = { .tail = -1 };
	char *project = NULL, *service = NULL, *path;
	struct remote r;
	int rc = parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = remote_open(&r, "logs", a.socket)) != EXIT_OK)
		return rc;
	rc = target_resolve(&r, a.service, &project, &service);
	if (rc == EXIT_OK) {
		path = logs_path(&a, project, service);
		rc = stream_logs(&r, path);
		free(path);
	}
	free(project);
	free(service);
	remote_close(&r);
	return rc;
}
