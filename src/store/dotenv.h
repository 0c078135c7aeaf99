/*
 * dotenv.h - a .env parser for `orca secrets import`.
 *
 * A pure function from text to a list of KEY=VALUE pairs; no I/O, no
 * environment, no variable expansion. Accepted, one entry per line:
 *
 *	# a comment                 blank lines too
 *	KEY=value                   unquoted: surrounding blanks trimmed,
 *	export KEY = value          a " #" starts a trailing comment
 *	KEY='literal $x \n'         single quotes: taken as written
 *	KEY="a\nb \"q\" \\"         double quotes: \n \r \t \" \\ \$ escapes
 *
 * Quoted values may span lines; CRLF line ends are accepted. KEY is
 * [A-Za-z_][A-Za-z0-9_]*; a key given twice, a NUL byte, an unknown escape
 * or text after a closing quote is an error. Errors name the line:
 * "line 3: expected KEY=VALUE". Values may hold secrets: no error message
 * quotes one, and dotenv_free wipes them.
 */
#ifndef ORCA_STORE_DOTENV_H
#define ORCA_STORE_DOTENV_H

#include <stddef.h>

#include "base/err.h"

#define DOTENV_TEXT_MAX (1 << 20)     /* the whole file */
#define DOTENV_LINE_MAX (64 << 10)    /* one logical line, quotes included */
#define DOTENV_ENTRIES_MAX 1000
#define DOTENV_KEY_MAX 128

struct dotenv_entry {
	char *key;
	char *value;              /* NUL-terminated, never holds a NUL */
	size_t len;               /* strlen(value) */
	int line;                 /* where the entry starts, 1-based */
};

struct dotenv {
	struct dotenv_entry *entries;  /* in file order */
	size_t n;
};

/*
 * Parses len bytes of text (borrowed; need not be NUL-terminated) into *out,
 * which the caller releases with dotenv_free. On failure *out is empty.
 */
int dotenv_parse(const char *text, size_t len, struct dotenv *out, struct err *e);
/* Wipes every value and frees. */
void dotenv_free(struct dotenv *d);

#endif
