/*
 * cmd_server.c - `orca server`: runs the daemon in the foreground.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/load_config.h"
#include "config/load.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: orca server [--data DIR | --config DIR] [--socket PATH] [--listen HOST:PORT]\n"
		"                   [--node NAME] [--key-file PATH] [--log FILE]\n"
		"                   [--log-format text|json] [--pull-stall SECONDS]\n"
		"                   [--cluster-listen HOST:PORT [--advertise ADDR]]\n\n"
		"Runs the orca server in the foreground: the API on a unix socket, the\n"
		"control loop that keeps the deployed services running, health checks and\n"
		"self-healing. Stop it with SIGTERM or Ctrl-C: the workloads keep running,\n"
		"and the next server adopts them.\n\n"
		"  --data DIR          state directory (default: $ORCA_DATA, else [cluster]\n"
		"                      data_dir of --config, else /var/lib/orca as root,\n"
		"                      else ~/.local/state/orca)\n"
		"  --config DIR        read DIR/cluster.toml (validated) for its data_dir\n"
		"  --socket PATH       API socket (default: DIR/orca.sock)\n"
		"  --listen HOST:PORT  also serve the API on this loopback TCP address\n"
		"  --node NAME         this server's node in cluster.toml (default: local)\n"
		"  --cluster-listen HOST:PORT  let agents of other nodes join here (mutual\n"
		"                      TLS with certificates of the server's CA in DIR/ca;\n"
		"                      orca node token makes a join token)\n"
		"  --advertise ADDR    the address other nodes reach this one at (default:\n"
		"                      HOST of --cluster-listen, or the first interface's)\n"
		"  --key-file PATH     the master key that seals secrets (default:\n"
		"                      $ORCA_KEY_FILE, else $CREDENTIALS_DIRECTORY/\n"
		"                      orca-master-key under systemd, else DIR/master.key);\n"
		"                      created when missing and no secret exists yet;\n"
		"                      refused when group or others may read it\n"
		"  --log FILE          append the log to FILE instead of stderr; SIGHUP\n"
		"                      reopens it (after logrotate moved it)\n"
		"  --log-format F      text (default) or json: one JSON object per line with\n"
		"                      time, level, msg and fields such as project, service\n"
		"  --pull-stall SECONDS  an image pull that makes no progress for this long\n"
		"                      fails (default: 60; a long pull that progresses is fine)\n\n"
		"The Docker Engine is reached at $DOCKER_HOST (unix:// only) or\n"
		"/var/run/docker.sock.\n");
}

/*
 * The data directory when --data is not given: $ORCA_DATA, else the
 * data_dir of DIR/cluster.toml when config_dir is given, else the default.
 * NULL after printing why (an invalid cluster.toml: EXIT_INVALID in *rc).
 */
static char *default_data_dir(const char *config_dir, int *rc)
{
	const char *env = getenv("ORCA_DATA");
	struct diags d = { 0 };
	struct config *c = NULL;
	const struct config_loc *loc;
	struct err e = { 0 };
	char *dir = NULL;

	*rc = EXIT_FAILED;
	if (config_dir != NULL) {
		config_load_cluster(config_dir, &c, &d);
		if (d.len > 0) {
			cli_print_diags(&d);
			*rc = EXIT_INVALID;
			goto out;
		}
		cli_print_warnings(c);
		loc = &c->cluster.data_dir_loc;
		if (c->cluster.data_dir != NULL && env != NULL && env[0] != '\0')
			fprintf(stderr, "%s:%d:%d: warning: [cluster] data_dir has no effect: "
				"$ORCA_DATA (%s) chooses the data directory\n", loc->file,
				loc->line, loc->col, env);
		else if (c->cluster.data_dir != NULL)
			dir = xstrdup(c->cluster.data_dir);
	}
	if (dir == NULL && (dir = paths_data_dir(&e)) == NULL)
		fprintf(stderr, "orca server: %s\n", e.msg);
out:
	diags_release(&d);
	config_free(c);
	return dir;
}

/* 1 to 86400 whole seconds, in ms. */
static int parse_seconds(const char *arg, long *ms)
{
	char *end;
	long s = strtol(arg, &end, 10);

	if (end == arg || *end || s < 1 || s > 86400) {
		fprintf(stderr, "orca server: --pull-stall wants whole seconds from 1 to 86400, "
			"not '%s'\n", arg);
		return -1;
	}
	*ms = s * 1000;
	return 0;
}

int cmd_server(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "node", required_argument, NULL, 'n' },
		{ "log", required_argument, NULL, 'L' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "log-format", required_argument, NULL, 'F' },
		{ "pull-stall", required_argument, NULL, 'p' },
		{ "cluster-listen", required_argument, NULL, 'j' },
		{ "advertise", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct api_opts o = { 0 };
	struct err e = { 0 };
	const char *config_dir = NULL;
	char *data = NULL, *key = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.data_dir = optarg; break;
		case 'c': config_dir = optarg; break;
		case 's': o.socket_path = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'n': o.node = optarg; break;
		case 'j': o.cluster_listen = optarg; break;
		case 'a': o.advertise = optarg; break;
		case 'L': o.log_file = optarg; break;
		case 'k': o.key_file = optarg; break;
		case 'F':
			if (log_format_parse(optarg, &o.log_format, &e) < 0) {
				fprintf(stderr, "orca server: %s\n", e.msg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (parse_seconds(optarg, &o.pull_stall_ms) < 0)
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "orca server: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (o.data_dir != NULL && config_dir != NULL) {
		fprintf(stderr, "orca server: --data and --config both choose the data "
			"directory; give one\n");
		return EXIT_USAGE;
	}
	if (o.data_dir == NULL) {
		if ((data = default_data_dir(config_dir, &rc)) == NULL)
			return rc;
		o.data_dir = data;
	}
	key = paths_key_file(o.key_file);
	o.key_file = key;
	rc = api_serve(&o, &e);
	if (rc < 0)
		fprintf(stderr, "orca server: %s\n", e.msg);
	free(data);
	free(key);
	return rc < 0 ? EXIT_FAILED : EXIT_OK;
}
