/*
 * table.h - plain text tables for the CLI: a header row, then rows, each
 * column as wide as its widest cell, two spaces between columns, no
 * trailing spaces (the last column is never padded).
 *
 *	struct cli_table t;
 *	cli_table_init(&t, 3);
 *	cli_table_add(&t, "NAME"); cli_table_add(&t, "STATE"); cli_table_add(&t, "AGE");
 *	cli_table_addf(&t, "%s/%s", project, service); ...
 *	cli_table_print(&t, stdout);
 *	cli_table_release(&t);
 *
 * Cells are filled left to right, row after row. Widths count UTF-8 code
 * points. Cells come from the server and from users: control characters
 * (newlines, escape sequences) become spaces, so a cell can neither break
 * the layout nor drive the terminal.
 */
#ifndef ORCA_CLI_TABLE_H
#define ORCA_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"

struct cli_table {
	size_t ncols;
	char **cells;       /* row-major, owned */
	size_t ncells, cap;
	const char *indent; /* printed before each row; "" by default */
};

void cli_table_init(struct cli_table *t, size_t ncols);
void cli_table_release(struct cli_table *t);
/* Adds one cell, copied; NULL is an empty cell. */
void cli_table_add(struct cli_table *t, const char *cell);
void cli_table_addf(struct cli_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Rows filled so far, the header included. */
size_t cli_table_rows(const struct cli_table *t);
/* Renders into b (appended); a last partial row is completed with empty cells. */
void cli_table_render(const struct cli_table *t, struct buf *b);
void cli_table_print(const struct cli_table *t, FILE *out);

/* The number of UTF-8 code points in s. */
size_t cli_table_width(const char *s);

#endif
