/*
 * cmd_secrets.c - `orca secrets set|list|rm|import|get`: secrets over the
 * API, in a project's scope or cluster-wide (the scope "_cluster").
 *
 * Values travel one way only, to the server. Nothing here prints a value,
 * not even in an error; `orca secrets get` (cmd_secrets_get.c) reads one
 * back from the data directory, never over the API.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/format.h"
#include "cli/input.h"
#include "cli/lines.h"
#include "cli/remote.h"
#include "cli/secret_input.h"
#include "cli/table.h"
#include "store/dotenv.h"
#include "store/secrets.h"

static const char sub_help[] =
	"usage: orca secrets set [--project P] KEY [VALUE|-]\n"
	"       orca secrets list [--project P]\n"
	"       orca secrets rm [--project P] KEY\n"
	"       orca secrets import --project P FILE.env\n"
	"       orca secrets get [--project P] KEY [--data DIR]\n";

static const char scope_help[] =
	"  -p, --project P    the project's scope; without it, cluster-wide\n"
	"                     (the scope every project sees, '_cluster' in the API)\n";

static const char socket_help[] =
	"      --socket PATH  the server's socket (default $ORCA_SOCKET, else\n"
	"                     orca.sock in the data directory)\n"
	"  -h, --help         show this help\n";

static void usage(const char *sub, FILE *out)
{
	if (strcmp(sub, "set") == 0)
		fprintf(out, "usage: orca secrets set [--project P] KEY [VALUE|-]\n\n"
			     "Sets secret KEY, for ${secrets.KEY} in a service's env. The value is\n"
			     "VALUE, or (better: arguments show in shell history and ps) read from\n"
			     "stdin when VALUE is '-' or absent: typed on a terminal, one hidden\n"
			     "line; piped, at most 64 KiB, and a single line loses its final\n"
			     "newline while text of several lines is kept byte for byte.\n\n"
			     "options:\n%s%s", scope_help, socket_help);
	else if (strcmp(sub, "list") == 0)
		fprintf(out, "usage: orca secrets list [--project P]\n\n"
			     "Lists the names of the secrets of a scope and when each was last set;\n"
			     "never their values.\n\noptions:\n%s%s", scope_help, socket_help);
	else if (strcmp(sub, "rm") == 0)
		fprintf(out, "usage: orca secrets rm [--project P] KEY\n\n"
			     "Removes secret KEY. Services that use it keep running, but their\n"
			     "next deploy fails until it is set again.\n\noptions:\n%s%s",
			scope_help, socket_help);
	else
		fprintf(out, "usage: orca secrets import --project P FILE.env\n\n"
			     "Sets every KEY=VALUE of a .env file (comments, export, quotes as\n"
			     "usual) in project P's scope, or cluster-wide with --project _cluster.\n"
			     "The file is checked whole before anything is sent.\n\n"
			     "options:\n%s", socket_help);
}

struct secrets_args {
	const char *sub;       /* "set" */
	const char *cmd;       /* "secrets set", for messages */
	const char *project, *socket;
	char **pos;            /* positional arguments, borrowed */
	int npos;
};

static int parse(int argc, char **argv, struct secrets_args *a)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	args_reset();
	while ((ch = getopt_long(argc, argv, "hp:", opts, NULL)) != -1) {
		if (ch == 'p') {
			a->project = optarg;
		} else if (ch == OPT_SOCKET) {
			a->socket = optarg;
		} else {
			usage(a->sub, ch == 'h' ? stdout : stderr);
			return ch == 'h' ? ARGS_HELP : EXIT_USAGE;
		}
	}
	a->pos = argv + optind;
	a->npos = argc - optind;
	return EXIT_OK;
}

/* "PREP project 'backend'" or "PREP the cluster-wide scope", for messages. */
static void scope_words(const struct secrets_args *a, const char *prep, char *out,
			size_t n)
{
	if (a->project == NULL || strcmp(a->project, REMOTE_CLUSTER_SCOPE) == 0)
		snprintf(out, n, "%s the cluster-wide scope", prep);
	else
		snprintf(out, n, "%s project '%s'", prep, a->project);
}

static char *secrets_path(const struct secrets_args *a, const char *key)
{
	struct buf b = BUF_INIT;
	char *base = remote_project_path(a->project ? a->project : REMOTE_CLUSTER_SCOPE,
					 "secrets");

	buf_puts(&b, base);
	free(base);
	if (key != NULL)
		remote_path_add(&b, key);
	return buf_steal(&b);
}

static int check_key(const struct secrets_args *a, const char *key)
{
	if (secrets_name_ok(key))
		return EXIT_OK;
	return args_error(EXIT_USAGE, a->cmd, "'%s' is not a secret name: letters, digits "
			  "and '_', not starting with a digit", key);
}

/* PUT one value; the body's copy of it goes with the request. */
static int put_value(struct remote *r, const struct secrets_args *a,
		     const char *key, const char *value, size_t len)
{
	json_t *v, *body;
	char *path;
	int rc;

	if (memchr(value, '\0', len) != NULL)
		return args_error(EXIT_FAILED, a->cmd, "the value of %s holds a NUL byte, "
				  "which no environment variable can", key);
	if ((v = json_stringn(value, len)) == NULL)
		return args_error(EXIT_FAILED, a->cmd, "the value of %s is not UTF-8 text",
				  key);
	body = json_pack("{s:o}", "value", v);
	path = secrets_path(a, key);
	rc = remote_call(r, "PUT", path, body, NULL);
	free(path);
	json_decref(body);
	return rc;
}

static int do_set(struct remote *r, const struct secrets_args *a)
{
	struct buf value = BUF_INIT;
	struct err e = { 0 };
	char where[96];
	int rc;

	if (a->npos < 1 || a->npos > 2)
		return args_error(EXIT_USAGE, a->cmd, a->npos ? "too many arguments (a value "
				  "with spaces needs quotes)" : "which secret? (KEY [VALUE|-])");
	if ((rc = check_key(a, a->pos[0])) != EXIT_OK)
		return rc;
	if (a->npos == 2 && strcmp(a->pos[1], "-") != 0)
		buf_puts(&value, a->pos[1]);
	else if (secret_input_read(STDIN_FILENO, a->pos[0], &value, &e) < 0)
		rc = args_error(EXIT_FAILED, a->cmd, "%s", e.msg);
	if (rc == EXIT_OK)
		rc = put_value(r, a, a->pos[0], buf_str(&value), value.len);
	scope_words(a, "in", where, sizeof(where));
	if (rc == EXIT_OK)
		printf("set %s %s\n", a->pos[0], where);
	secret_input_wipe(&value);
	return rc;
}

static void print_list(const struct secrets_args *a, const json_t *reply)
{
	char where[96], when[FMT_MAX];
	const json_t *s;
	struct cli_table t;
	size_t i;

	cli_table_init(&t, 2);
	cli_table_add(&t, "NAME");
	cli_table_add(&t, "UPDATED");
	json_array_foreach(json_object_get(reply, "secrets"), i, s) {
		cli_table_add(&t, lines_str(s, "name"));
		cli_table_add(&t, fmt_time(when, lines_int(s, "updated_at")));
	}
	scope_words(a, "in", where, sizeof(where));
	if (cli_table_rows(&t) > 1)
		cli_table_print(&t, stdout);
	else
		printf("no secrets %s\n", where);
	cli_table_release(&t);
}

static int do_list(struct remote *r, const struct secrets_args *a)
{
	json_t *reply = NULL;
	char *path;
	int rc;

	if (a->npos > 0)
		return args_error(EXIT_USAGE, a->cmd, "unexpected argument '%s'", a->pos[0]);
	path = secrets_path(a, NULL);
	rc = remote_call(r, "GET", path, NULL, &reply);
	if (rc == EXIT_OK)
		print_list(a, reply);
	json_decref(reply);
	free(path);
	return rc;
}

static int do_rm(struct remote *r, const struct secrets_args *a)
{
	char where[96], *path;
	int rc;

	if (a->npos != 1)
		return args_error(EXIT_USAGE, a->cmd, a->npos ? "one KEY at a time"
							      : "which secret? (KEY)");
	if ((rc = check_key(a, a->pos[0])) != EXIT_OK)
		return rc;
	path = secrets_path(a, a->pos[0]);
	rc = remote_call(r, "DELETE", path, NULL, NULL);
	free(path);
	scope_words(a, "from", where, sizeof(where));
	if (rc == EXIT_OK)
		printf("removed %s %s\n", a->pos[0], where);
	return rc;
}

static int import_entries(struct remote *r, const struct secrets_args *a,
			  const struct dotenv *env)
{
	char where[96];
	size_t i;
	int rc = EXIT_OK;

	for (i = 0; i < env->n && rc == EXIT_OK; i++)
		rc = put_value(r, a, env->entries[i].key, env->entries[i].value,
			       env->entries[i].len);
	scope_words(a, "into", where, sizeof(where));
	if (rc != EXIT_OK)
		args_error(rc, a->cmd, "stopped at %s (line %d): %zu of %zu secrets imported",
			   env->entries[i - 1].key, env->entries[i - 1].line, i - 1, env->n);
	else
		printf("imported %zu secret%s %s\n", env->n, env->n == 1 ? "" : "s", where);
	return rc;
}

static int do_import(struct remote *r, const struct secrets_args *a)
{
	struct dotenv env = { NULL, 0 };
	struct buf text = BUF_INIT;
	struct err e = { 0 };
	int rc = EXIT_OK;

	if (a->project == NULL)
		return args_error(EXIT_USAGE, a->cmd, "--project P is required (or "
				  "--project _cluster for cluster-wide secrets)");
	if (a->npos != 1)
		return args_error(EXIT_USAGE, a->cmd, a->npos ? "one FILE at a time"
							      : "which file? (FILE.env)");
	if (input_read_file(a->pos[0], DOTENV_TEXT_MAX, &text, &e) < 0)
		rc = args_error(EXIT_FAILED, a->cmd, "%s", e.msg);
	else if (dotenv_parse(buf_str(&text), text.len, &env, &e) < 0)
		rc = args_error(EXIT_FAILED, a->cmd, "%s: %s", a->pos[0], e.msg);
	else
		rc = import_entries(r, a, &env);
	dotenv_free(&env);
	secret_input_wipe(&text);
	return rc;
}

static int run(const char *sub, int argc, char **argv)
{
	char cmd[32];
	struct secrets_args a = { sub, cmd, NULL, NULL, NULL, 0 };
	struct remote r;
	int rc;

	snprintf(cmd, sizeof(cmd), "secrets %s", sub);
	if ((rc = parse(argc, argv, &a)) != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = remote_open(&r, cmd, a.socket)) != EXIT_OK)
		return rc;
	if (strcmp(sub, "set") == 0)
		rc = do_set(&r, &a);
	else if (strcmp(sub, "list") == 0)
		rc = do_list(&r, &a);
	else if (strcmp(sub, "rm") == 0)
		rc = do_rm(&r, &a);
	else
		rc = do_import(&r, &a);
	remote_close(&r);
	return rc;
}

/* Runs a subcommand with argv[0] "orca secrets SUB", for getopt's messages. */
static int run_sub(const char *sub, int argc, char **argv)
{
	char name[40], *saved = argv[0];
	int rc;

	snprintf(name, sizeof(name), "orca secrets %s", sub);
	argv[0] = name;
	rc = strcmp(sub, "get") == 0 ? cmd_secrets_get(argc, argv) : run(sub, argc, argv);
	argv[0] = saved;
	return rc;
}

int cmd_secrets(int argc, char **argv)
{
	static const char *const subs[] = { "set", "list", "rm", "import", "get" };
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub == NULL || strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		fputs(sub_help, sub ? stdout : stderr);
		return sub ? EXIT_OK : EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(sub, subs[i]) == 0)
			return run_sub(subs[i], argc - 1, argv + 1);
	fprintf(stderr, "orca secrets: unknown command '%s'\n%s", sub, sub_help);
	return EXIT_USAGE;
}
