/*
 * cmd_deploy.c - `orca deploy [DIR]`: validate a config directory here,
 * send its files to the server, which applies them atomically, and follow
 * the rollout to its end.
 *
 * Validating locally first means a typo never reaches the server, and the
 * user sees the same diagnostics as `orca validate`. The server validates
 * again (it trusts no client) and may still refuse: invalid_config prints
 * like a local error, unsatisfiable names each service that cannot run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/paths.h"
#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/follow.h"
#include "cli/input.h"
#include "cli/lines.h"
#include "cli/load_config.h"
#include "cli/remote.h"
#include "cli/table.h"
#include "config/toml.h"

struct deploy_args {
	const char *dir, *socket;
	const char **projects;   /* --project values, borrowed from argv */
	size_t nprojects;
	int dry_run, no_wait;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: orca deploy [DIR] [--project P]... [--dry-run] [--no-wait]\n\n"
		     "Validates DIR (default .): cluster.toml and every\n"
		     "services/<project>/service.toml, all errors at once, and exits 3 when\n"
		     "there is any. Otherwise sends the files to the orca server, which applies\n"
		     "them atomically (every project or none), prints the plan, and follows the\n"
		     "rollout until it succeeds (exit 0) or fails (exit 1, with the reason).\n"
		     "Ctrl-C stops watching only: the deploy goes on (exit 130).\n\n"
		     "options:\n"
		     "  -p, --project P   deploy project P only (repeatable); the others are\n"
		     "                    left as they are on the server\n"
		     "      --dry-run     print what would change; change nothing\n"
		     "      --no-wait     print the plan and return while the deploy goes on\n"
		     "      --socket PATH the server's socket (default $ORCA_SOCKET, else\n"
		     "                    orca.sock in the data directory: $ORCA_DATA, else\n"
		     "                    [cluster] data_dir of DIR, else the default one)\n"
		     "  -h, --help        show this help\n");
}

static int parse(int argc, char **argv, struct deploy_args *a)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	a->projects = xcalloc((size_t)argc, sizeof(*a->projects));
	args_reset();
	while ((ch = getopt_long(argc, argv, "hp:", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': a->projects[a->nprojects++] = optarg; break;
		case OPT_DRY_RUN: a->dry_run = 1; break;
		case OPT_NO_WAIT: a->no_wait = 1; break;
		case OPT_SOCKET: a->socket = optarg; break;
		case 'h': usage(stdout); return ARGS_HELP;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1)
		return args_error(EXIT_USAGE, "deploy", "unexpected argument '%s'",
				  argv[optind + 1]);
	a->dir = optind < argc ? argv[optind] : ".";
	return EXIT_OK;
}

static int selected(const struct deploy_args *a, const char *name)
{
	if (a->nprojects == 0)
		return 1;
	for (size_t i = 0; i < a->nprojects; i++)
		if (strcmp(a->projects[i], name) == 0)
			return 1;
	return 0;
}

/* Every --project must name a project of the directory. */
static int check_projects(const struct deploy_args *a, const struct config *c)
{
	struct buf names = BUF_INIT;
	int rc = EXIT_OK;

	for (size_t i = 0; i < a->nprojects && rc == EXIT_OK; i++) {
		if (config_find_project(c, a->projects[i]) != NULL)
			continue;
		for (size_t j = 0; j < c->nprojects; j++)
			buf_printf(&names, "%s%s", j ? ", " : "", c->projects[j].name);
		rc = args_error(EXIT_USAGE, "deploy", "no project '%s' in %s (projects: %s)",
				a->projects[i], a->dir, names.len ? buf_str(&names) : "none");
	}
	buf_release(&names);
	return rc;
}

/*
 * {"name": NAME, "file": FILE, "source": the text of path}, without name
 * when it is NULL; NULL with e set when path cannot be read.
 */
static json_t *source_doc(const char *name, const char *path, const char *file,
			  struct err *e)
{
	struct buf text = BUF_INIT;
	json_t *doc = NULL, *src;

	if (input_read_file(path, TOML_MAX_BYTES, &text, e) < 0)
		goto out;
	src = json_stringn(buf_str(&text), text.len);
	if (src == NULL) {
		err_set(e, ERR_INVALID, "%s: not valid UTF-8 text", path);
		goto out;
	}
	doc = json_object();
	if (name != NULL)
		json_object_set_new(doc, "name", json_string(name));
	json_object_set_new(doc, "file", json_string(file));
	json_object_set_new(doc, "source", src);
out:
	buf_release(&text);
	return doc;
}

static int add_cluster(json_t *body, const char *dir, struct err *e)
{
	char *path = xasprintf("%s/cluster.toml", dir);
	json_t *doc = source_doc(NULL, path, "cluster.toml", e);

	free(path);
	if (doc == NULL)
		return e->code == -ENOENT ? 0 : e->code;
	json_object_set_new(body, "cluster", doc);
	return 0;
}

static int add_projects(json_t *body, const struct deploy_args *a,
			const struct config *c, struct err *e)
{
	json_t *arr = json_array();

	json_object_set_new(body, "projects", arr);
	for (size_t i = 0; i < c->nprojects; i++) {
		const struct project *p = &c->projects[i];
		char *file;
		json_t *doc;

		if (!selected(a, p->name))
			continue;
		file = xasprintf("services/%s/service.toml", p->name);
		doc = source_doc(p->name, p->file, file, e);
		free(file);
		if (doc == NULL)
			return e->code;
		json_array_append_new(arr, doc);
	}
	return 0;
}

/* The POST /api/v1/deploy body, or NULL after printing why not. */
static json_t *build_body(const struct deploy_args *a, const struct config *c)
{
	json_t *body = json_pack("{s:b}", "dry_run", a->dry_run);
	struct err e = { 0 };

	if (add_cluster(body, a->dir, &e) < 0 || add_projects(body, a, c, &e) < 0) {
		args_error(EXIT_FAILED, "deploy", "%s", e.msg);
		json_decref(body);
		return NULL;
	}
	return body;
}

/* "deploy 7: 1 to update, 1 unchanged" and one line per service. */
static void print_plan(const json_t *d, int dry_run)
{
	const json_t *changes = json_object_get(d, "changes"), *ch;
	struct buf counts = BUF_INIT;
	struct cli_table t;
	size_t i;

	lines_change_counts(&counts, changes);
	if (dry_run)
		printf("dry run: %s (nothing was changed)\n", buf_str(&counts));
	else
		printf("deploy %" PRId64 ": %s\n", lines_int(d, "id"), buf_str(&counts));
	cli_table_init(&t, 3);
	t.indent = "  ";
	json_array_foreach(changes, i, ch) {
		cli_table_add(&t, lines_str(ch, "service"));
		cli_table_add(&t, lines_str(ch, "change"));
		if (lines_int(ch, "revision") > 0)
			cli_table_addf(&t, "revision %" PRId64, lines_int(ch, "revision"));
		else
			cli_table_add(&t, "");
	}
	cli_table_print(&t, stdout);
	fflush(stdout);
	cli_table_release(&t);
	buf_release(&counts);
}

/* The server's warnings: keys of the deployed files that have no effect yet. */
static void print_warnings(const json_t *d)
{
	const json_t *w;
	size_t i;

	json_array_foreach(json_object_get(d, "warnings"), i, w) {
		const char *file = lines_str(w, "file");

		if (lines_int(w, "line") > 0)
			fprintf(stderr, "%s:%" PRId64 ":%" PRId64 ": warning: %s\n", file,
				lines_int(w, "line"), lines_int(w, "col"), lines_str(w, "message"));
		else
			fprintf(stderr, "%s%swarning: %s\n", file, *file ? ": " : "",
				lines_str(w, "message"));
	}
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0';
}

/* --socket; else, when neither $ORCA_SOCKET nor $ORCA_DATA chooses the
 * server, the socket in the [cluster] data_dir of the deployed directory
 * (where 'orca server --config DIR' keeps it); else NULL: the default. */
static char *server_socket(const struct deploy_args *a, const struct config *c)
{
	if (a->socket != NULL)
		return xstrdup(a->socket);
	if (c->cluster.data_dir == NULL || env_set("ORCA_SOCKET") || env_set("ORCA_DATA"))
		return NULL;
	return paths_socket_in(c->cluster.data_dir);
}

static int send_deploy(const struct deploy_args *a, const struct config *c)
{
	struct remote r;
	json_t *body, *reply = NULL, *d;
	char *socket;
	int rc;

	if ((body = build_body(a, c)) == NULL)
		return EXIT_FAILED;
	socket = server_socket(a, c);
	rc = remote_open(&r, "deploy", socket);
	free(socket);
	if (rc != EXIT_OK)
		goto out_body;
	rc = remote_call(&r, "POST", "/api/v1/deploy", body, &reply);
	d = json_object_get(reply, "deploy");
	if (rc == EXIT_OK && !json_is_object(d))
		rc = args_error(EXIT_FAILED, "deploy", "unexpected reply from the server");
	if (rc != EXIT_OK)
		goto out;
	print_warnings(d);
	print_plan(d, a->dry_run);
	if (a->no_wait && !a->dry_run)
		printf("deploy %" PRId64 " goes on on the server; watch it with 'orca status'\n",
		       lines_int(d, "id"));
	else if (!a->dry_run)
		rc = follow_deploy(&r, lines_int(d, "id"), json_object_get(d, "changes"));
out:
	json_decref(reply);
	remote_close(&r);
out_body:
	json_decref(body);
	return rc;
}

int cmd_deploy(int argc, char **argv)
{
	struct deploy_args a = { 0 };
	struct config *c = NULL;
	int rc = parse(argc, argv, &a);

	if (rc == ARGS_HELP)
		rc = EXIT_OK;
	else if (rc == EXIT_OK && (rc = cli_load_config(a.dir, &c)) == EXIT_OK &&
		 (rc = check_projects(&a, c)) == EXIT_OK)
		rc = send_deploy(&a, c);
	config_free(c);
	free(a.projects);
	return rc;
}
