/*
 * cmd_status.c - `orca status [PROJECT[/SERVICE]]`: the observed state,
 * one row per service, or one row per replica of one service.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/format.h"
#include "cli/lines.h"
#include "cli/remote.h"
#include "cli/table.h"
#include "cli/target.h"

struct status_args {
	const char *what, *socket;
	int json;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: orca status [PROJECT[/SERVICE]] [-o table|json]\n\n"
		     "Shows what is running, as observed (not merely requested): one row per\n"
		     "service, of every project or of PROJECT; with PROJECT/SERVICE, that\n"
		     "service and one row per replica. REPLICAS is healthy/desired.\n\n"
		     "options:\n"
		     "  -o, --output FORMAT  table (default) or json (the server's reply)\n"
		     "      --socket PATH    the server's socket (default $ORCA_SOCKET, else\n"
		     "                       orca.sock in the data directory)\n"
		     "  -h, --help           show this help\n");
}

static int parse(int argc, char **argv, struct status_args *a)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	args_reset();
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return ARGS_HELP;
		}
		if (ch == OPT_SOCKET)
			a->socket = optarg;
		else if (ch == 'o' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			a->json = strcmp(optarg, "json") == 0;
		else if (ch == 'o')
			return args_error(EXIT_USAGE, "status", "unknown output format '%s' "
					  "(table or json)", optarg);
		else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1)
		return args_error(EXIT_USAGE, "status", "unexpected argument '%s'",
				  argv[optind + 1]);
	a->what = optind < argc ? argv[optind] : NULL;
	return EXIT_OK;
}

static void service_header(struct cli_table *t)
{
	static const char *const cols[] = { "PROJECT", "SERVICE", "STATE", "REPLICAS",
		"RUNNING", "REVISION", "IMAGE", "RESTARTS", "LAST ERROR" };

	cli_table_init(t, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < t->ncols; i++)
		cli_table_add(t, cols[i]);
}

static void service_row(struct cli_table *t, const json_t *s)
{
	const char *image = lines_str(s, "image");

	if (image[0] == '\0')
		image = lines_str(s, "module");
	cli_table_add(t, lines_str(s, "project"));
	cli_table_add(t, lines_str(s, "name"));
	cli_table_add(t, lines_str(s, "state"));
	cli_table_addf(t, "%" PRId64 "/%" PRId64, lines_int(s, "healthy"), lines_int(s, "desired"));
	cli_table_addf(t, "%" PRId64, lines_int(s, "running"));
	cli_table_addf(t, "%" PRId64, lines_int(s, "revision"));
	cli_table_add(t, image[0] ? image : "-");
	cli_table_addf(t, "%" PRId64, lines_int(s, "restarts"));
	cli_table_add(t, lines_str(s, "last_error"));
}

static void add_project_rows(struct cli_table *t, const json_t *project)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(project, "services"), i, s)
		service_row(t, s);
}

/* "GET /healthz: 200 (ok, 5s ago)" */
static void probe_cell(struct cli_table *t, const json_t *probe, int64_t now)
{
	char ago[FMT_MAX];

	if (!json_is_object(probe)) {
		cli_table_add(t, "-");
		return;
	}
	cli_table_addf(t, "%s (%s, %s)", lines_str(probe, "detail"),
		   json_is_true(json_object_get(probe, "ok")) ? "ok" : "failed",
		   fmt_ago(ago, now, lines_int(probe, "at")));
}

static void print_replicas(const json_t *svc)
{
	static const char *const cols[] = { "INDEX", "CONTAINER", "STATE", "HEALTH",
		"REVISION", "IP", "STARTED", "LAST PROBE" };
	const json_t *reps = json_object_get(svc, "replicas"), *r;
	int64_t now = fmt_now_ms();
	char ago[FMT_MAX];
	struct cli_table t;
	size_t i;

	if (json_array_size(reps) == 0) {
		printf("no replicas\n");
		return;
	}
	cli_table_init(&t, sizeof(cols) / sizeof(cols[0]));
	for (i = 0; i < t.ncols; i++)
		cli_table_add(&t, cols[i]);
	json_array_foreach(reps, i, r) {
		const char *id = lines_str(r, "container"), *ip = lines_str(r, "ip");

		cli_table_addf(&t, "%" PRId64, lines_int(r, "index"));
		cli_table_addf(&t, "%.12s", id[0] ? id : "-");
		cli_table_add(&t, lines_str(r, "state"));
		cli_table_add(&t, lines_str(r, "health"));
		cli_table_addf(&t, "%" PRId64, lines_int(r, "revision"));
		cli_table_add(&t, ip[0] ? ip : "-");
		cli_table_add(&t, fmt_ago(ago, now, lines_int(r, "started_at")));
		probe_cell(&t, json_object_get(r, "last_probe"), now);
	}
	cli_table_print(&t, stdout);
	cli_table_release(&t);
}

/* Proxied traffic per revision (the canary beside the stable one). */
static void print_traffic(const json_t *svc)
{
	static const char *const cols[] = { "REVISION", "ROLE", "REQUESTS", "REQ/S", "5XX",
		"P99" };
	const json_t *tr = json_object_get(svc, "traffic"), *r;
	const json_t *canary = json_object_get(svc, "canary");
	struct cli_table t;
	size_t i;

	if (json_array_size(tr) == 0)
		return;
	cli_table_init(&t, sizeof(cols) / sizeof(cols[0]));
	for (i = 0; i < t.ncols; i++)
		cli_table_add(&t, cols[i]);
	json_array_foreach(tr, i, r) {
		int is_canary = json_is_object(canary) &&
				 lines_int(canary, "revision") == lines_int(r, "revision");

		cli_table_addf(&t, "%" PRId64, lines_int(r, "revision"));
		if (is_canary)
			cli_table_addf(&t, "canary %" PRId64 "%%", lines_int(canary, "weight"));
		else
			cli_table_add(&t, json_is_object(canary) ? "stable" : "-");
		cli_table_addf(&t, "%" PRId64, lines_int(r, "requests"));
		cli_table_addf(&t, "%.1f", json_number_value(json_object_get(r, "rate_per_s")));
		cli_table_addf(&t, "%.1f%%", 100 * json_number_value(json_object_get(r, "error_rate")));
		cli_table_addf(&t, "%" PRId64 " ms", lines_int(r, "p99_ms"));
	}
	printf("\n");
	cli_table_print(&t, stdout);
	cli_table_release(&t);
}

static void print_table(const json_t *reply)
{
	const json_t *svc = json_object_get(reply, "service"), *p;
	struct cli_table t;
	size_t i;

	service_header(&t);
	if (json_is_object(svc))
		service_row(&t, svc);
	else if (json_is_object(json_object_get(reply, "project")))
		add_project_rows(&t, json_object_get(reply, "project"));
	else
		json_array_foreach(json_object_get(reply, "projects"), i, p)
			add_project_rows(&t, p);
	if (cli_table_rows(&t) > 1)
		cli_table_print(&t, stdout);
	else if (json_is_object(json_object_get(reply, "project")))
		printf("no services in project '%s'\n",
		       lines_str(json_object_get(reply, "project"), "name"));
	else
		printf("nothing deployed yet (deploy with 'orca deploy DIR')\n");
	cli_table_release(&t);
	if (json_is_object(svc)) {
		printf("\n");
		print_replicas(svc);
		print_traffic(svc);
	}
}

/* Certificates that need attention (failed, expired, not loadable), after
 * the whole status: one line each, with the error and the next attempt. */
static void print_cert_problems(struct remote *r)
{
	json_t *reply = NULL, *c;
	int64_t now = fmt_now_ms();
	char d[FMT_MAX];
	size_t i, shown = 0;

	if (remote_call(r, "GET", "/api/v1/certs", NULL, &reply) != EXIT_OK)
		return;
	json_array_foreach(json_object_get(reply, "certificates"), i, c) {
		const char *state = lines_str(c, "state");
		int64_t next = lines_int(c, "next_attempt");

		if (strcmp(state, "failed") != 0 && strcmp(state, "expired") != 0 &&
		    strcmp(state, "invalid") != 0)
			continue;
		printf("%scertificate %s: %s%s%s", shown++ == 0 ? "\n" : "", lines_str(c, "domain"),
		       state, lines_str(c, "last_error")[0] ? ": " : "", lines_str(c, "last_error"));
		if (strcmp(state, "failed") == 0 && next > now)
			printf(" (next attempt in %s)", fmt_duration(d, next - now));
		printf("\n");
	}
	json_decref(reply);
}

/* The API path for the argument: everything, a project, or a service. */
static int path_for(const char *what, char **path)
{
	char *project = NULL, *service = NULL;
	struct err e = { 0 };

	if (what == NULL) {
		*path = xstrdup("/api/v1/status");
		return EXIT_OK;
	}
	if (target_parse(what, &project, &service, &e) < 0)
		return args_error(EXIT_USAGE, "status", "'%s' is neither PROJECT nor "
				  "PROJECT/SERVICE", what);
	if (project == NULL)
		*path = remote_project_path(service, NULL);
	else
		*path = remote_service_path(project, service, NULL);
	free(project);
	free(service);
	return EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	struct status_args a = { 0 };
	json_t *reply = NULL;
	char *path = NULL;
	struct remote r;
	int rc = parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = path_for(a.what, &path)) != EXIT_OK)
		return rc;
	if ((rc = remote_open(&r, "status", a.socket)) != EXIT_OK)
		goto out;
	rc = remote_call(&r, "GET", path, NULL, &reply);
	if (rc == EXIT_OK && a.json)
		remote_print_json(reply);
	else if (rc == EXIT_OK)
		print_table(reply);
	if (rc == EXIT_OK && !a.json && a.what == NULL)
		print_cert_problems(&r);
	json_decref(reply);
	remote_close(&r);
out:
	free(path);
	return rc;
}
