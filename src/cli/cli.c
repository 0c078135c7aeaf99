/*
 * cli.c - `orca COMMAND ...`: the command table and the top-level help.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_command commands[] = {
	{ "validate", "check a config directory and report every error", cmd_validate },
	{ "config", "print the normalised desired state of a config directory", cmd_config },
	{ "version", "print orca's version", cmd_version },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: orca COMMAND [ARGS...]\n\n"
		     "orca runs containers and WebAssembly components from a directory of\n"
		     "TOML files (cluster.toml, services/<project>/service.toml).\n\n"
		     "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'orca COMMAND --help' describes a command.\n"
		     "exit codes: 0 ok, 1 failed, 2 usage error, 3 invalid config,\n"
		     "            4 server unreachable\n");
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
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "orca: unknown command '%s'; see 'orca --help'\n", argv[1]);
	return EXIT_USAGE;
}
