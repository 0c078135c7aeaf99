/*
 * cmd_agent.c - `orca agent`: runs a node of a cluster in the foreground.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agent/agent.h"
#include "agent/ident.h"
#include "base/xalloc.h"
#include "cli/cli.h"

#define LABELS_MAX 64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: orca agent [--join https://SERVER:PORT --token TOKEN] [--node NAME]\n"
		"                  [--data DIR] [--advertise ADDR] [--label KEY=VALUE]...\n"
		"                  [--log FILE] [--log-format text|json]\n\n"
		"Runs this machine as a node of an orca cluster: it joins the server once\n"
		"with a token from `orca node token`, then heartbeats, runs the replicas\n"
		"the server places here and reports what it sees. Stop it with SIGTERM or\n"
		"Ctrl-C: the workloads keep running. It exits when the server removes the\n"
		"node (orca node rm).\n\n"
		"  --join URL          the server's cluster address (orca server\n"
		"                      --cluster-listen); needed until the node has joined\n"
		"  --token TOKEN       the join token ($ORCA_JOIN_TOKEN); used once\n"
		"  --node NAME         this node's name (default: the host name)\n"
		"  --data DIR          where the node's key and certificate live (default:\n"
		"                      $ORCA_AGENT_DATA, else /var/lib/orca-agent)\n"
		"  --advertise ADDR    the address other nodes reach this one at (default:\n"
		"                      the one the connection to the server uses)\n"
		"  --label KEY=VALUE   a label of this node, for placement.labels (cluster.toml\n"
		"                      [[node]] labels, when it declares the node, come first)\n"
		"  --log FILE          append the log to FILE instead of stderr\n"
		"  --log-format F      text (default) or json\n\n"
		"The Docker Engine is reached at $DOCKER_HOST (unix:// only) or\n"
		"/var/run/docker.sock.\n");
}

static int add_label(json_t *labels, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char key[64];

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(key) || strlen(eq + 1) > 255 ||
	    json_object_size(labels) >= LABELS_MAX) {
		fprintf(stderr, "orca agent: --label wants KEY=VALUE (key up to 63 bytes, value up "
			"to 255, at most %d labels), not '%s'\n", LABELS_MAX, arg);
		return -1;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
	json_object_set_new(labels, key, json_string(eq + 1));
	return 0;
}

static char *default_dir(void)
{
	const char *env = getenv("ORCA_AGENT_DATA"), *home = getenv("HOME");

	if (env && env[0])
		return xstrdup(env);
	if (geteuid() == 0 || home == NULL)
		return xstrdup("/var/lib/orca-agent");
	return xasprintf("%s/.local/state/orca-agent", home);
}

int cmd_agent(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "join", required_argument, NULL, 'j' },
		{ "token", required_argument, NULL, 't' },
		{ "node", required_argument, NULL, 'n' },
		{ "data", required_argument, NULL, 'd' },
		{ "advertise", required_argument, NULL, 'a' },
		{ "label", required_argument, NULL, 'l' },
		{ "log", required_argument, NULL, 'L' },
		{ "log-format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct agent_opts o = { 0 };
	json_t *labels = json_object();
	struct err e = { 0 };
	char *dir = NULL;
	int c, rc = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o.join = optarg; break;
		case 't': o.token = optarg; break;
		case 'n': o.node = optarg; break;
		case 'd': o.data_dir = optarg; break;
		case 'a': o.advertise = optarg; break;
		case 'L': o.log_file = optarg; break;
		case 'l':
			if (add_label(labels, optarg) < 0)
				goto out;
			break;
		case 'F':
			if (log_format_parse(optarg, &o.log_format, &e) < 0) {
				fprintf(stderr, "orca agent: %s\n", e.msg);
				goto out;
			}
			break;
		case 'h': usage(stdout); rc = EXIT_OK; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "orca agent: unexpected argument '%s'\n", argv[optind]);
		goto out;
	}
	if (o.token == NULL)
		o.token = getenv("ORCA_JOIN_TOKEN");
	if (o.join && o.token == NULL) {
		fprintf(stderr, "orca agent: --join needs --token (or $ORCA_JOIN_TOKEN)\n");
		goto out;
	}
	if (o.node && agent_check_node_name(o.node, &e) < 0) {
		fprintf(stderr, "orca agent: %s\n", e.msg);
		goto out;
	}
	if (o.data_dir == NULL)
		o.data_dir = dir = default_dir();
	o.labels = labels;
	o.inventory_root = getenv("ORCA_TEST_INVENTORY_ROOT");
	rc = agent_run(&o, &e) < 0 ? EXIT_FAILED : EXIT_OK;
	if (rc != EXIT_OK)
		fprintf(stderr, "orca agent: %s\n", e.msg);
out:
	json_decref(labels);
	free(dir);
	return rc;
}
