/*
 * cmd_node.c - `orca node token|drain|activate|rm`: adding, emptying and
 * removing the nodes of a cluster.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/lines.h"
#include "cli/remote.h"

#define DRAIN_TIMEOUT_S 300

static void usage(FILE *out)
{
	fprintf(out,
		"usage: orca node token [--ttl SECONDS]\n"
		"       orca node drain NAME [--no-wait]\n"
		"       orca node activate NAME\n"
		"       orca node rm NAME [--force]\n\n"
		"  token     print a join token, and the command that runs on the new node:\n"
		"            orca agent --join https://SERVER:PORT --token TOKEN\n"
		"            (valid 24 hours, or --ttl SECONDS, at most 30 days)\n"
		"  drain     place nothing more on NAME and move its replicas to other\n"
		"            nodes, rolling (each new one healthy before the old one\n"
		"            stops); waits until NAME runs nothing (--no-wait: return)\n"
		"  activate  NAME takes replicas again\n"
		"  rm        revoke NAME: its certificate stops working and its agent\n"
		"            exits. A node that still runs replicas is refused unless\n"
		"            --force (its replicas are then replaced elsewhere)\n\n"
		"options:\n"
		"      --socket PATH    the server's socket (default $ORCA_SOCKET, else\n"
		"                       orca.sock in the data directory)\n"
		"  -h, --help           show this help\n");
}

struct node_args {
	const char *verb, *name, *socket;
	long ttl_s;
	int force, no_wait;
};

static int parse(int argc, char **argv, struct node_args *a)
{
	static const struct option opts[] = {
		{ "ttl", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-wait", no_argument, NULL, 'w' },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	args_reset();
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			a->ttl_s = strtol(optarg, &end, 10);
			if (end == optarg || *end || a->ttl_s < 1 || a->ttl_s > 30L * 86400)
				return args_error(EXIT_USAGE, "node", "--ttl wants seconds, 1 to "
						  "2592000, not '%s'", optarg);
			break;
		case 'f': a->force = 1; break;
		case 'w': a->no_wait = 1; break;
		case OPT_SOCKET: a->socket = optarg; break;
		default:
			usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? ARGS_HELP : EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return args_error(EXIT_USAGE, "node", "which one: token, drain, activate or rm?");
	a->verb = argv[optind++];
	if (strcmp(a->verb, "token") != 0) {
		if (optind >= argc)
			return args_error(EXIT_USAGE, "node", "%s needs a node name", a->verb);
		a->name = argv[optind++];
	}
	if (optind < argc)
		return args_error(EXIT_USAGE, "node", "unexpected argument '%s'", argv[optind]);
	if (strcmp(a->verb, "token") && strcmp(a->verb, "drain") && strcmp(a->verb, "activate") &&
	    strcmp(a->verb, "rm"))
		return args_error(EXIT_USAGE, "node", "unknown subcommand '%s' (token, drain, "
				  "activate, rm)", a->verb);
	return EXIT_OK;
}

static int token(struct remote *r, const struct node_args *a)
{
	json_t *body = a->ttl_s ? json_pack("{s:I}", "ttl_ms", (json_int_t)a->ttl_s * 1000) : NULL;
	json_t *reply = NULL;
	int rc = remote_call(r, "POST", "/api/v1/nodes/token", body, &reply);

	if (rc == EXIT_OK) {
		time_t exp = (time_t)(lines_int(reply, "expires_at") / 1000);
		char when[64];

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&exp));
		printf("On the new node (valid until %s):\n\n  %s\n", when, lines_str(reply, "join"));
	}
	json_decref(body);
	json_decref(reply);
	return rc;
}

/* Replicas on node according to GET /api/v1/nodes, -1 when unknown. */
static int replicas_on(struct remote *r, const char *node)
{
	json_t *reply = NULL, *n;
	size_t i;
	int count = -1;

	if (remote_call(r, "GET", "/api/v1/nodes", NULL, &reply) != EXIT_OK)
		return -1;
	json_array_foreach(json_object_get(reply, "nodes"), i, n)
		if (strcmp(lines_str(n, "name"), node) == 0)
			count = (int)lines_int(n, "replicas");
	json_decref(reply);
	return count;
}

static int wait_empty(struct remote *r, const char *node)
{
	int left = -1;

	for (int s = 0; s < DRAIN_TIMEOUT_S * 2; s++) {
		left = replicas_on(r, node);
		if (left == 0) {
			printf("node %s runs nothing now\n", node);
			return EXIT_OK;
		}
		if (left < 0)
			return EXIT_FAILED;
		usleep(500 * 1000);
	}
	fprintf(stderr, "orca node drain: node %s still runs %d replica%s after %d s (they "
		"may have nowhere else to go: orca status says why)\n", node, left,
		left == 1 ? "" : "s", DRAIN_TIMEOUT_S);
	return EXIT_FAILED;
}

static int act(struct remote *r, const struct node_args *a)
{
	struct buf path = BUF_INIT;
	const char *method = "POST";
	json_t *reply = NULL;
	int rc;

	buf_puts(&path, "/api/v1/nodes");
	remote_path_add(&path, a->name);
	if (strcmp(a->verb, "rm") == 0) {
		method = "DELETE";
		if (a->force)
			buf_puts(&path, "?force=1");
	} else {
		buf_printf(&path, "/%s", a->verb);
	}
	rc = remote_call(r, method, path.data, NULL, &reply);
	if (rc == EXIT_OK && strcmp(a->verb, "rm") == 0)
		printf("node %s removed\n", a->name);
	else if (rc == EXIT_OK)
		printf("node %s %s\n", a->name, lines_str(reply, "state"));
	if (rc == EXIT_OK && strcmp(a->verb, "drain") == 0 && !a->no_wait)
		rc = wait_empty(r, a->name);
	json_decref(reply);
	buf_release(&path);
	return rc;
}

int cmd_node(int argc, char **argv)
{
	struct node_args a = { 0 };
	struct remote r;
	int rc = parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = remote_open(&r, "node", a.socket)) != EXIT_OK)
		return rc;
	rc = strcmp(a.verb, "token") == 0 ? token(&r, &a) : act(&r, &a);
	remote_close(&r);
	return rc;
}
