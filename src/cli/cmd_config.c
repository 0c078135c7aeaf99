/*
 * cmd_config.c - `orca config [DIR] [-o json]`: the normalised desired
 * state of a config directory, as the server would store it.
 *
 * JSON is the only format: it is what the API speaks and what scripts
 * read; printing TOML back would need a TOML writer for no user need yet.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/load_config.h"
#include "config/json.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: orca config [DIR] [-o json]\n\n"
		     "Prints the desired state that DIR (default .) describes, validated and\n"
		     "normalised: defaults filled in, memory in bytes, cpu in millicpus,\n"
		     "durations in milliseconds, keys sorted. An invalid config prints its\n"
		     "errors on stderr and exits 3.\n\n"
		     "options:\n"
		     "  -o, --output FORMAT   json (the default and only format)\n"
		     "  -h, --help            show this help\n");
}

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *c;
	const char *dir = ".";
	char *text;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		if (ch == 'o' && strcmp(optarg, "json") == 0)
			continue;
		if (ch == 'o')
			fprintf(stderr, "orca config: unknown output format '%s' (json is the "
				"only one)\n", optarg);
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "orca config: unexpected argument '%s'\n", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (optind < argc)
		dir = argv[optind];
	if ((rc = cli_load_config(dir, &c)) != EXIT_OK)
		return rc;
	cli_print_warnings(c);
	text = config_json_text(c);
	fputs(text, stdout);
	free(text);
	config_free(c);
	return EXIT_OK;
}
