/*
 * load_config.h - for commands that read a config directory (validate,
 * config, deploy): load it and print its diagnostics the one way orca does.
 */
#ifndef ORCA_CLI_LOAD_CONFIG_H
#define ORCA_CLI_LOAD_CONFIG_H

#include "config/model.h"

/*
 * Loads dir. When valid, stores the config in *out (the caller frees it)
 * and returns EXIT_OK. Otherwise prints every diagnostic, sorted, one per
 * line on stderr, then "N errors", and returns EXIT_INVALID.
 */
int cli_load_config(const char *dir, struct config **out);
/* The same, and the files the config names (certificates, CA bundles) are
 * read and checked on this host too (tls_check_files). */
int cli_load_config_files(const char *dir, struct config **out);

/* Prints every diagnostic, sorted, one per line on stderr, then "N errors". */
struct diags;
void cli_print_diags(struct diags *d);

/* Prints c->warnings (keys with no effect yet), sorted, one
 * "path:line:col: warning: message" per line on stderr. */
void cli_print_warnings(const struct config *c);

#endif
