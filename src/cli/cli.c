/*
 * cli.c - `orca COMMAND ...`: the command table and the top-level help.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/*
 * Grouped for `orca --help`: an entry without a name is a heading; an entry
 * without a function is a command this build lacks, and says so.
 */
static const struct cli_command commands[] = {
	{ NULL, "a config directory, no server needed:", NULL },
	{ "validate", "check a config directory and report every error", cmd_validate },
	{ "config", "print the normalised desired state of a config directory", cmd_config },
	{ NULL, "running the server:", NULL },
	{ "server", "run the orca server: API, control loop, health checks", cmd_server },
	{ "agent", "run this machine as a node of a cluster (orca node token)", cmd_agent },
	{ NULL, "talking to the server (--socket PATH or $ORCA_SOCKET):", NULL },
	{ "deploy", "validate a config directory and apply it, atomically", cmd_deploy },
	{ "status", "show services and replicas as observed", cmd_status },
	{ "logs", "print a service's logs (-f to follow)", cmd_logs },
	{ "scale", "set a service's number of replicas", cmd_scale },
	{ "stop", "stop a service, or every service of a project", cmd_stop },
	{ "restart", "replace a service's containers, one by one", cmd_restart },
	{ "rollback", "put a service back to its previous definition", cmd_rollback },
	{ "promote", "finish a canary deploy as a rolling update", cmd_promote },
	{ "exec", "run a command in a replica", cmd_exec },
	{ "events", "print what happened (-f to follow)", cmd_events },
	{ "secrets", "set, list, remove and import secrets; get reads one", cmd_secrets },
	{ "nodes", "list nodes, their state, capacity and use", cmd_nodes },
	{ "node", "add (token), drain or remove a node", cmd_node },
	{ "certs", "list domains and their TLS certificates", cmd_certs },
	{ NULL, "other:", NULL },
	{ "version", "print orca's version", cmd_version },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: orca COMMAND [ARGS...]\n\n"
		     "orca runs containers and WebAssembly components from a directory of\n"
		     "TOML files (cluster.toml, services/<project>/service.toml).\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (commands[i].name == NULL)
			fprintf(out, "\n%s\n", commands[i].summary);
		else
			fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(out, "\n'orca COMMAND --help' describes a command.\n"
		     "exit codes: 0 ok, 1 failed, 2 usage error, 3 invalid config,\n"
		     "            4 server unreachable, 130 stopped waiting (Ctrl-C)\n");
}

/* argv[0] becomes "orca NAME" for the call, so that getopt's own messages
 * read like every other error: "orca exec: invalid option -- 'l'". */
static int run(const struct cli_command *c, int argc, char **argv)
{
	char name[32], *saved = argv[0];
	int rc;

	if (c->run == NULL) {
		fprintf(stderr, "orca %s: not part of this build yet\n", c->name);
		return EXIT_FAILED;
	}
	snprintf(name, sizeof(name), "orca %s", c->name);
	argv[0] = name;
	rc = c->run(argc, argv);
	argv[0] = saved;
	return rc;
}

int cli_main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].name != NULL && strcmp(argv[1], commands[i].name) == 0)
			return run(&commands[i], argc - 1, argv + 1);
	fprintf(stderr, "orca: unknown command '%s'; see 'orca --help'\n", argv[1]);
	return EXIT_USAGE;
}
