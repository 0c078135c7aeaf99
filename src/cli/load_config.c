/*
 * load_config.c - load a config directory, or print why it is invalid.
 */
#include "cli/load_config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "config/load.h"
#include "tls/tls.h"

void cli_print_diags(struct diags *d)
{
	size_t n = d->len;

	diags_sort(d);
	for (size_t i = 0; i < d->len; i++) {
		char *line = diag_format(&d->items[i]);

		fprintf(stderr, "%s\n", line);
		free(line);
	}
	if (diags_full(d))
		n--;  /* the "too many errors" line is not one */
	fprintf(stderr, "%zu%s error%s\n", n, diags_full(d) ? "+" : "", n == 1 ? "" : "s");
}

static int load(const char *dir, bool check_files, struct config **out)
{
	struct diags d = { 0 };
	struct config *c = NULL;

	*out = NULL;
	config_load_dir(dir, &c, &d);
	if (check_files && d.len == 0)
		tls_check_files(c, &d);
	if (d.len > 0) {
		cli_print_diags(&d);
		diags_release(&d);
		config_free(c);
		return EXIT_INVALID;
	}
	*out = c;
	return EXIT_OK;
}

void cli_print_warnings(const struct config *c)
{
	diags_sort(c->warnings);
	for (size_t i = 0; i < c->warnings->len; i++) {
		char *line = diag_format_warning(&c->warnings->items[i]);

		fprintf(stderr, "%s\n", line);
		free(line);
	}
}

int cli_load_config(const char *dir, struct config **out)
{
	return load(dir, false, out);
}

int cli_load_config_files(const char *dir, struct config **out)
{
	return load(dir, true, out);
}
