/*
 * cmd_nodes.c - `orca nodes`: each node with what it has and what is used.
 */
#include <getopt.h>
#include <inttypes.h>
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
	fprintf(out, "usage: orca nodes [-o table|json]\n\n"
		     "Prints the cluster's name, then lists its nodes: state (ready, down,\n"
		     "draining, or unknown for a declared node that never joined), the time\n"
		     "since its last heartbeat, memory, CPUs and GPUs as used/capacity (with\n"
		     "their models), the replicas placed on each, its agent's version and its\n"
		     "labels. -o json adds the GPUs each node detected itself.\n\n"
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
			return args_error(EXIT_USAGE, "nodes", "unknown output format '%s' "
					  "(table or json)", optarg);
		} else {
			usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? ARGS_HELP : EXIT_USAGE;
		}
	}
	if (optind < argc)
		return args_error(EXIT_USAGE, "nodes", "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

/* "k=v,k2=v2" in the server's order, or "-". */
static void labels_cell(struct cli_table *t, const json_t *labels)
{
	struct buf b = BUF_INIT;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)labels, k, v)
		buf_printf(&b, "%s%s=%s", b.len ? "," : "", k,
			   json_is_string(v) ? json_string_value(v) : "?");
	cli_table_add(t, b.len ? buf_str(&b) : "-");
	buf_release(&b);
}

/* "1/2", or "1/2 L4" with the models cluster.toml gives. */
static void gpus_cell(struct cli_table *t, const json_t *n)
{
	struct buf b = BUF_INIT;
	const json_t *m;
	size_t i;

	buf_printf(&b, "%" PRId64 "/%" PRId64, lines_int(n, "gpus_used"), lines_int(n, "gpus"));
	json_array_foreach(json_object_get(n, "gpu_models"), i, m)
		buf_printf(&b, "%s%s", i ? "," : " ", json_is_string(m) ? json_string_value(m) : "?");
	cli_table_add(t, buf_str(&b));
	buf_release(&b);
}

/* "-" for the server's own node or none, else "0.4s" / "12s" / "3m". */
static void heartbeat_cell(struct cli_table *t, const json_t *n)
{
	const json_t *hb = json_object_get(n, "heartbeat_ms_ago");
	int64_t ms = json_integer_value(hb);

	if (!json_is_integer(hb))
		cli_table_add(t, "-");
	else if (ms < 10000)
		cli_table_addf(t, "%.1fs", (double)ms / 1000);
	else if (ms < 600000)
		cli_table_addf(t, "%" PRId64 "s", ms / 1000);
	else
		cli_table_addf(t, "%" PRId64 "m", ms / 60000);
}

static void node_row(struct cli_table *t, const json_t *n)
{
	char a[FMT_MAX], b[FMT_MAX];
	const char *state = lines_str(n, "state"), *version = lines_str(n, "version");

	cli_table_add(t, lines_str(n, "name"));
	cli_table_add(t, state[0] ? state : "ready");
	heartbeat_cell(t, n);
	if (lines_int(n, "memory_bytes") > 0)
		cli_table_addf(t, "%s/%s", fmt_bytes(a, lines_int(n, "memory_used")),
			   fmt_bytes(b, lines_int(n, "memory_bytes")));
	else
		cli_table_add(t, "-");
	if (lines_int(n, "cpu_millis") > 0)
		cli_table_addf(t, "%s/%s", fmt_cpus(a, lines_int(n, "cpu_used")),
			   fmt_cpus(b, lines_int(n, "cpu_millis")));
	else
		cli_table_add(t, "-");
	gpus_cell(t, n);
	cli_table_addf(t, "%" PRId64, lines_int(n, "replicas"));
	cli_table_add(t, version[0] ? version : "-");
	labels_cell(t, json_object_get(n, "labels"));
}

static void print_nodes(const json_t *reply)
{
	static const char *const cols[] = { "NAME", "STATE", "HEARTBEAT", "MEMORY", "CPU",
		"GPUS", "REPLICAS", "VERSION", "LABELS" };
	const json_t *n;
	struct cli_table t;
	size_t i;

	if (json_is_string(json_object_get(reply, "cluster")))
		printf("cluster %s\n", lines_str(reply, "cluster"));
	cli_table_init(&t, sizeof(cols) / sizeof(cols[0]));
	for (i = 0; i < t.ncols; i++)
		cli_table_add(&t, cols[i]);
	json_array_foreach(json_object_get(reply, "nodes"), i, n)
		node_row(&t, n);
	cli_table_print(&t, stdout);
	cli_table_release(&t);
}

int cmd_nodes(int argc, char **argv)
{
	const char *socket = NULL;
	json_t *reply = NULL;
	struct remote r;
	int json = 0, rc = parse(argc, argv, &socket, &json);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = remote_open(&r, "nodes", socket)) != EXIT_OK)
		return rc;
	rc = remote_call(&r, "GET", "/api/v1/nodes", NULL, &reply);
	if (rc == EXIT_OK && json)
		remote_print_json(reply);
	else if (rc == EXIT_OK)
		print_nodes(reply);
	json_decref(reply);
	remote_close(&r);
	return rc;
}
