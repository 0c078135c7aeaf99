/*
 * cmd_certs.c - `orca certs`: every domain's certificate as the server's
 * tls thread sees it: where it comes from, its issuer, until when it is
 * valid, and its state (with the last error and the next attempt when
 * obtaining or renewing it fails).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/format.h"
#include "cli/lines.h"
#include "cli/remote.h"
#include "cli/table.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: orca certs [-o table|json]\n\n"
		     "Lists every domain the proxy serves with its certificate: where it comes\n"
		     "from (acme, file from [[proxy.certificate]], or none), its issuer, notAfter,\n"
		     "and its state: valid, pending, issuing, renewing, failed (with the error\n"
		     "and the next attempt), expired, invalid (a brought file that does not\n"
		     "load) or none. ACME certificates are renewed at two thirds of their life.\n\n"
		     "options:\n"
		     "  -o, --output FORMAT  table (default) or json (the server's reply)\n"
		     "      --socket PATH    the server's socket (default $ORCA_SOCKET, else\n"
		     "                       orca.sock in the data directory)\n"
		     "  -h, --help           show this help\n");
}

static int parse(int argc, char **argv, const char **socket, int *json)
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
		if (ch == OPT_SOCKET) {
			*socket = optarg;
		} else if (ch == 'o' && (strcmp(optarg, "json") == 0 ||
					 strcmp(optarg, "table") == 0)) {
			*json = strcmp(optarg, "json") == 0;
		} else if (ch == 'o') {
			return args_error(EXIT_USAGE, "certs", "unknown output format '%s' "
					  "(table or json)", optarg);
		} else {
			usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? ARGS_HELP : EXIT_USAGE;
		}
	}
	if (optind < argc)
		return args_error(EXIT_USAGE, "certs", "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* "failed: <error> (next attempt in 30s)", or the state alone. */
static void state_cell(struct cli_table *t, const json_t *c, int64_t now)
{
	const char *state = lines_str(c, "state"), *err = lines_str(c, "last_error");
	int64_t next = lines_int(c, "next_attempt");
	char d[FMT_MAX];

	if (strcmp(state, "failed") == 0 && next > now)
		cli_table_addf(t, "failed: %s (next attempt in %s)", or_dash(err),
			       fmt_duration(d, next - now));
	else if (err[0] && strcmp(state, "valid") != 0)
		cli_table_addf(t, "%s: %s", state, err);
	else
		cli_table_add(t, state);
}

static void print_certs(const json_t *reply)
{
	static const char *const cols[] = { "DOMAIN", "SOURCE", "ISSUER", "NOT AFTER",
		"STATE" };
	const json_t *acme = json_object_get(reply, "acme"), *c;
	int64_t now = fmt_now_ms();
	struct cli_table t;
	char at[FMT_MAX];
	size_t i;

	cli_table_init(&t, sizeof(cols) / sizeof(cols[0]));
	for (i = 0; i < t.ncols; i++)
		cli_table_add(&t, cols[i]);
	json_array_foreach(json_object_get(reply, "certificates"), i, c) {
		cli_table_add(&t, lines_str(c, "domain"));
		cli_table_add(&t, lines_str(c, "source"));
		cli_table_add(&t, or_dash(lines_str(c, "issuer")));
		cli_table_add(&t, fmt_time(at, lines_int(c, "not_after")));
		state_cell(&t, c, now);
	}
	cli_table_print(&t, stdout);
	cli_table_release(&t);
	if (json_is_true(json_object_get(acme, "enabled")))
		printf("\nACME: %s%s%s\n", lines_str(acme, "directory"),
		       lines_str(acme, "account")[0] ? ", account " : "",
		       lines_str(acme, "account"));
	else
		printf("\nACME: off\n");
	if (lines_str(reply, "config_error")[0])
		printf("configuration: %s\n", lines_str(reply, "config_error"));
}

int cmd_certs(int argc, char **argv)
{
	const char *socket = NULL;
	json_t *reply = NULL;
	struct remote r;
	int json = 0, rc = parse(argc, argv, &socket, &json);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = remote_open(&r, "certs", socket)) != EXIT_OK)
		return rc;
	rc = remote_call(&r, "GET", "/api/v1/certs", NULL, &reply);
	if (rc == EXIT_OK && json)
		remote_print_json(reply);
	else if (rc == EXIT_OK)
		print_certs(reply);
	json_decref(reply);
	remote_close(&r);
	return rc;
}
