/*
 * cmd_secrets_get.c - `orca secrets get KEY`: a secret's value, read from
 * the data directory on this host, never over the API.
 *
 * The API never returns a value, so that a token able to read status can
 * never read secrets, and values never travel. Reading one back needs the
 * data directory (orca.db) and the master key: being the server's user on the
 * server's host is the permission.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/remote.h"
#include "store/secrets.h"
#include "store/store.h"

struct get_args {
	const char *project, *data, *key, *key_file;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: orca secrets get [--project P] KEY [--data DIR] [--key-file PATH]\n\n"
		     "Prints the value of secret KEY (with a newline after it on a terminal\n"
		     "only, so that `orca secrets get K > file` holds the value exactly).\n"
		     "The API never returns secret values, so this reads the server's data\n"
		     "directory directly: run it on the server's host, as its user.\n\n"
		     "options:\n"
		     "  -p, --project P  the project's scope; without it, cluster-wide\n"
		     "      --data DIR   the server's data directory (default $ORCA_DATA,\n"
		     "                   else /var/lib/orca for root, else\n"
		     "                   ~/.local/state/orca)\n"
		     "  -k, --key-file F the server's master key, when it is not in DIR\n"
		     "                   (default $ORCA_KEY_FILE, else\n"
		     "                   $CREDENTIALS_DIRECTORY/orca-master-key, else\n"
		     "                   DIR/master.key)\n"
		     "  -h, --help       show this help\n");
}

static int parse(int argc, char **argv, struct get_args *a)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "data", required_argument, NULL, OPT_DATA },
		{ "key-file", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	args_reset();
	while ((ch = getopt_long(argc, argv, "hp:k:", opts, NULL)) != -1) {
		if (ch == 'p') {
			a->project = optarg;
		} else if (ch == OPT_DATA) {
			a->data = optarg;
		} else if (ch == 'k') {
			a->key_file = optarg;
		} else {
			usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? ARGS_HELP : EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return args_error(EXIT_USAGE, "secrets get", optind == argc ? "which secret? "
				  "(KEY)" : "one KEY at a time");
	a->key = argv[optind];
	if (!secrets_name_ok(a->key))
		return args_error(EXIT_USAGE, "secrets get", "'%s' is not a secret name: "
				  "letters, digits and '_', not starting with a digit", a->key);
	return EXIT_OK;
}

/* Opens the store of an existing data directory; never creates one. */
static int open_store(const char *dir, const char *key_file, struct store **st)
{
	char *db = xasprintf("%s/orca.db", dir);
	struct err e = { 0 };
	struct stat sb;
	int rc = EXIT_OK;

	if (stat(db, &sb) < 0 && errno == EACCES)
		rc = args_error(EXIT_FAILED, "secrets get", "cannot read %s: permission denied "
				"(run as the server's user)", dir);
	else if (access(db, F_OK) < 0)
		rc = args_error(EXIT_FAILED, "secrets get", "no orca data in %s (give the "
				"server's data directory with --data DIR)", dir);
	else if (store_open_key(dir, key_file, st, &e) < 0)
		rc = args_error(EXIT_FAILED, "secrets get", "%s", e.msg);
	free(db);
	return rc;
}

static int print_value(struct store *st, const struct get_args *a)
{
	const char *scope = a->project && strcmp(a->project, REMOTE_CLUSTER_SCOPE) != 0
			    ? a->project : "";
	unsigned char *value = NULL;
	struct err e = { 0 };
	size_t len = 0;

	if (secrets_get(st, scope, a->key, &value, &len, &e) < 0) {
		if (e.code == ERR_NOTFOUND && scope[0] != '\0')
			return args_error(EXIT_FAILED, "secrets get", "no secret %s in project "
					  "'%s'", a->key, scope);
		if (e.code == ERR_NOTFOUND)
			return args_error(EXIT_FAILED, "secrets get", "no cluster-wide secret %s",
					  a->key);
		return args_error(EXIT_FAILED, "secrets get", "%s", e.msg);
	}
	fwrite(value, 1, len, stdout);
	if (isatty(STDOUT_FILENO))
		fputc('\n', stdout);
	fflush(stdout);
	secrets_value_free(value, len);
	return EXIT_OK;
}

int cmd_secrets_get(int argc, char **argv)
{
	struct get_args a = { NULL, NULL, NULL, NULL };
	struct store *st = NULL;
	struct err e = { 0 };
	char *dir = NULL, *key = NULL;
	int rc = parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	dir = a.data ? xstrdup(a.data) : paths_data_dir(&e);
	if (dir == NULL)
		return args_error(EXIT_FAILED, "secrets get", "%s", e.msg);
	key = paths_key_file(a.key_file);
	if (key && access(key, F_OK) < 0)   /* never create a key here */
		rc = args_error(EXIT_FAILED, "secrets get", "no master key at '%s': %s", key,
				strerror(errno));
	else
		rc = open_store(dir, key, &st);
	if (rc == EXIT_OK)
		rc = print_value(st, &a);
	store_close(st);
	free(key);
	free(dir);
	return rc;
}
