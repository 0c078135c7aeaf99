/*
 * cmd_validate.c - `orca validate [DIR]`: check a config directory and
 * report every error at once, or one summary line per project.
 */
#include <getopt.h>
#include <stdio.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli/load_config.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: orca validate [DIR]\n\n"
		     "Checks DIR (default .): cluster.toml and every\n"
		     "services/<project>/service.toml. Prints one line per project when\n"
		     "everything is valid; otherwise every error as path:line:col: message\n"
		     "on stderr and exits 3. Keys that are valid but have no effect yet are\n"
		     "reported as path:line:col: warning: message, and do not fail.\n\n"
		     "options:\n"
		     "  -h, --help   show this help\n");
}

/* "backend: 3 services (api x3, worker x2, db x1)" */
static void print_summary(const struct project *p)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s: %zu service%s", p->name, p->nservices,
		   p->nservices == 1 ? "" : "s");
	for (size_t i = 0; i < p->nservices; i++) {
		const struct service *s = &p->services[i];

		buf_puts(&b, i == 0 ? " (" : ", ");
		if (s->replicas_auto)
			buf_printf(&b, "%s auto", s->name);
		else
			buf_printf(&b, "%s x%d", s->name, s->replicas);
	}
	if (p->nservices > 0)
		buf_putc(&b, ')');
	printf("%s\n", buf_str(&b));
	buf_release(&b);
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *c;
	const char *dir = ".";
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "orca validate: unexpected argument '%s'\n", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (optind < argc)
		dir = argv[optind];
	if ((rc = cli_load_config_files(dir, &c)) != EXIT_OK)
		return rc;
	cli_print_warnings(c);
	for (size_t i = 0; i < c->nprojects; i++)
		print_summary(&c->projects[i]);
	config_free(c);
	return EXIT_OK;
}
