/*
 * cmd_lifecycle.c - `orca scale|stop|restart|rollback|promote SERVICE`: one POST
 * each, then the service's line, then (unless --no-wait) watching it
 * converge: running with every replica current and healthy, or stopped.
 *
 * The four differ only in their path, body and help, so one runner serves
 * them all, described by a table.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/follow.h"
#include "cli/lines.h"
#include "cli/remote.h"
#include "cli/target.h"

#define DEFAULT_TIMEOUT_MS (120 * 1000)

struct verb {
	const char *name;       /* the command and the API action */
	const char *synopsis;
	const char *about;
	int has_count;          /* scale: SERVICE N */
	int has_project;        /* stop: --project P instead of SERVICE */
	int same_revision;      /* promote: no new revision, only the rollout goes on */
};

static const struct verb scale = {
	"scale", "orca scale SERVICE N",
	"Sets the number of replicas of SERVICE to N (0 stops it) and waits until\n"
	"N replicas are running and healthy.\n", 1, 0,
};
static const struct verb stop = {
	"stop", "orca stop SERVICE | --project P",
	"Scales SERVICE, or every service of project P, to 0 and waits until\n"
	"nothing of it runs. 'orca deploy' of the project starts it again.\n", 0, 1,
};
static const struct verb restart = {
	"restart", "orca restart SERVICE",
	"Replaces every replica of SERVICE with a new container of the same spec,\n"
	"one by one as the service's rollout policy says, and waits until all are\n"
	"healthy.\n", 0, 0,
};
static const struct verb rollback = {
	"rollback", "orca rollback SERVICE",
	"Puts SERVICE back to its definition in the project's previous revision that\n"
	"differs, and waits until that rollout converges. Fails when there is none.\n",
	0, 0,
};

static const struct verb promote = {
	"promote", "orca promote SERVICE",
	"Ends the canary deploy of SERVICE: its new revision replaces the stable\n"
	"replicas as a rolling update, and this waits until that converges.\n"
	"'orca rollback SERVICE' aborts a canary instead.\n", 0, 0, 1,
};

struct lifecycle_args {
	const char *service, *project, *socket;
	int64_t count;
	int no_wait;
	struct follow_opts follow;
};

static void usage(const struct verb *v, FILE *out)
{
	fprintf(out, "usage: %s [--no-wait] [--timeout SECONDS]\n\n%s\n"
		     "SERVICE is PROJECT/SERVICE, or the service name when only one project\n"
		     "has it. Ctrl-C stops watching only: the change goes on (exit 130).\n\n"
		     "options:\n", v->synopsis, v->about);
	if (v->has_project)
		fprintf(out, "  -p, --project P      every service of project P\n");
	fprintf(out, "      --no-wait        print the service and return at once\n"
		     "      --timeout SECS   stop waiting after SECS seconds and exit 1\n"
		     "                       (default 120)\n"
		     "      --socket PATH    the server's socket (default $ORCA_SOCKET, else\n"
		     "                       orca.sock in the data directory)\n"
		     "  -h, --help           show this help\n");
}

static int parse_opts(const struct verb *v, int argc, char **argv,
		      struct lifecycle_args *a)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t secs;
	int ch;

	args_reset();
	while ((ch = getopt_long(argc, argv, v->has_project ? "hp:" : "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(v, stdout);
			return ARGS_HELP;
		} else if (ch == 'p' && v->has_project) {
			a->project = optarg;
		} else if (ch == OPT_NO_WAIT) {
			a->no_wait = 1;
		} else if (ch == OPT_SOCKET) {
			a->socket = optarg;
		} else if (ch == OPT_TIMEOUT && args_int(optarg, 1, 86400, &secs) == 0) {
			a->follow.timeout_ms = secs * 1000;
		} else if (ch == OPT_TIMEOUT) {
			return args_error(EXIT_USAGE, v->name, "--timeout takes seconds "
					  "(1 to 86400), not '%s'", optarg);
		} else {
			usage(v, stderr);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static int parse_args(const struct verb *v, int argc, char **argv,
		      struct lifecycle_args *a)
{
	int want = (a->project != NULL ? 0 : 1) + v->has_count;

	if (argc - optind < want)
		return args_error(EXIT_USAGE, v->name, "missing %s (%s)",
				  argc == optind && a->project == NULL ? "SERVICE" : "N",
				  v->synopsis);
	if (argc - optind > want)
		return args_error(EXIT_USAGE, v->name, "unexpected argument '%s'",
				  argv[optind + want]);
	if (a->project == NULL)
		a->service = argv[optind];
	if (v->has_count && args_int(argv[optind + 1], 0, 10000, &a->count) < 0)
		return args_error(EXIT_USAGE, v->name, "N must be a number of replicas "
				  "(0 to 10000), not '%s'", argv[optind + 1]);
	a->follow.want_desired = v->has_count ? a->count
					      : strcmp(v->name, "stop") == 0 ? 0 : -1;
	return EXIT_OK;
}

/* The project and service (NULL with --project) meant; malloc'd. */
static int resolve(struct remote *r, const struct lifecycle_args *a, char **project,
		   char **service)
{
	if (a->project != NULL) {
		*project = xstrdup(a->project);
		*service = NULL;
		return EXIT_OK;
	}
	return target_resolve(r, a->service, project, service);
}

/* --no-wait: the reply's services, or that the server took the change. */
static void print_accepted(const struct verb *v, const json_t *reply, const char *project,
			   const char *service)
{
	const json_t *svc = json_object_get(reply, "service"), *s;
	struct buf line = BUF_INIT;
	size_t i;

	if (json_is_object(svc)) {
		lines_service(&line, svc, 0);
		printf("%s\n", buf_str(&line));
	} else if (json_is_object(json_object_get(reply, "project"))) {
		json_array_foreach(json_object_get(json_object_get(reply, "project"), "services"),
				   i, s) {
			buf_reset(&line);
			lines_service(&line, s, 0);
			printf("%s\n", buf_str(&line));
		}
	} else {
		char *arg = service ? xasprintf("%s/%s", project, service) : xstrdup(project);

		printf("%s: %s accepted; watch it with 'orca status %s'\n", arg, v->name, arg);
		free(arg);
	}
	buf_release(&line);
}

static int call(struct remote *r, const struct verb *v, const struct lifecycle_args *a,
		const char *project, const char *service)
{
	json_t *body = NULL, *reply = NULL;
	int64_t before = 0;
	char *path;
	int rc;

	if (v->has_count)
		body = json_pack("{s:I}", "replicas", (json_int_t)a->count);
	path = service ? remote_service_path(project, service, v->name)
		       : remote_project_path(project, v->name);
	rc = a->no_wait ? EXIT_OK : follow_project_revision(r, project, &before);
	if (v->same_revision)
		before--;   /* the revision it follows is the one running now */
	if (rc == EXIT_OK)
		rc = remote_call(r, "POST", path, body, &reply);
	if (rc == EXIT_OK && a->no_wait)
		print_accepted(v, reply, project, service);
	else if (rc == EXIT_OK)
		rc = follow_change(r, project, service, before, &a->follow);
	json_decref(reply);
	json_decref(body);
	free(path);
	return rc;
}

static int run(const struct verb *v, int argc, char **argv)
{
	struct lifecycle_args a = { .follow = { DEFAULT_TIMEOUT_MS, -1 } };
	char *project = NULL, *service = NULL;
	struct remote r;
	int rc = parse_opts(v, argc, argv, &a);

	if (rc == EXIT_OK)
		rc = parse_args(v, argc, argv, &a);
	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = remote_open(&r, v->name, a.socket)) != EXIT_OK)
		return rc;
	rc = resolve(&r, &a, &project, &service);
	if (rc == EXIT_OK)
		rc = call(&r, v, &a, project, service);
	free(project);
	free(service);
	remote_close(&r);
	return rc;
}

int cmd_scale(int argc, char **argv)
{
	return run(&scale, argc, argv);
}

int cmd_stop(int argc, char **argv)
{
	return run(&stop, argc, argv);
}

int cmd_restart(int argc, char **argv)
{
	return run(&restart, argc, argv);
}

int cmd_rollback(int argc, char **argv)
{
	return run(&rollback, argc, argv);
}

int cmd_promote(int argc, char **argv)
{
	return run(&promote, argc, argv);
}
