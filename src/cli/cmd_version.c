/*
 * cmd_version.c - `orca version`.
 */
#include <getopt.h>
#include <stdio.h>

#include <wasmtime.h>

#include "cli/cli.h"

int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: orca version\n\nprints orca's version and the "
			       "versions of the runtimes it embeds\n");
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "orca version: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	printf("orca %s (%s)\nwasmtime %s\n", ORCA_VERSION, ORCA_GIT_REV,
	       WASMTIME_VERSION);
	return EXIT_OK;
}
