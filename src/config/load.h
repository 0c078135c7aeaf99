/*
 * load.h - reading and validating orca's config files into a struct config.
 *
 * Every problem in every file is collected as a diagnostic (file, line,
 * column, message) rather than stopping at the first, so that a user fixes
 * everything in one round. A config with any diagnostic is invalid and must
 * not be applied. Keys that are valid but have no effect yet are reported
 * apart, in config->warnings (same shape), and never make a config invalid.
 * Nothing here logs or exits.
 */
#ifndef ORCA_CONFIG_LOAD_H
#define ORCA_CONFIG_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "config/model.h"

#define CONFIG_MAX_DIAGS 1000  /* after this many, one last "too many errors" */

struct diag {
	char *file;     /* as given to the loader; NULL: not about one file */
	int line, col;  /* 0 when the problem has no better place than the file */
	char *msg;      /* "unknown key 'replica' (did you mean 'replicas'?)" */
};

struct diags {
	struct diag *items;
	size_t len, cap;
};

void diags_release(struct diags *d);
/* Appends one diagnostic; the message is formatted printf-style. */
void diags_add(struct diags *d, const char *file, int line, int col,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Drops every diagnostic after the first n. */
void diags_truncate(struct diags *d, size_t n);
/* True once the "too many errors" line is in: later diags_add() are dropped. */
bool diags_full(const struct diags *d);
/* Sorts by file, line, column (stable) for printing. */
void diags_sort(struct diags *d);
/*
 * "path:line:col: message", "path: message" when line is 0, or the message
 * alone when there is no file. Returns a malloc'd string the caller frees.
 */
char *diag_format(const struct diag *dg);
/* The same with "warning: " before the message, for config->warnings. */
char *diag_format_warning(const struct diag *dg);

/*
 * Loads DIR/cluster.toml (optional) and every DIR/services/<project>/service.toml.
 * Returns a config (even a partial one, for tooling) in *out; the config is
 * valid only when d->len == 0 afterwards. The caller frees *out.
 */
void config_load_dir(const char *dir, struct config **out, struct diags *d);
/* DIR/cluster.toml alone (`orca server --config DIR`); a missing file is a
 * diagnostic here. */
void config_load_cluster(const char *dir, struct config **out, struct diags *d);

/*
 * The same from in-memory sources, for the server, which receives the files'
 * text over its API. file names are used in diagnostics and to resolve
 * module paths; project_dir may be NULL.
 */
struct config *config_new(void);
void config_add_cluster_text(struct config *c, const char *file,
			     const char *text, size_t len, struct diags *d);
void config_add_project_text(struct config *c, const char *project,
			     const char *project_dir, const char *file,
			     const char *text, size_t len, struct diags *d);
/* Cross-file rules (placement nodes, ...); call once after adding every file. */
void config_check(struct config *c, struct diags *d);

#endif
