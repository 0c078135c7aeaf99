/*
 * toml.h - a TOML 1.0 parser that keeps source positions.
 *
 * toml_parse() turns a document into a tree of struct toml_value. Every value
 * and every key remembers where it was written (1-based line and column, the
 * column counted in Unicode code points) so that config errors can point at
 * the exact spot. Tables keep their keys in document order.
 *
 * Bounded: documents over TOML_MAX_BYTES and nesting deeper than
 * TOML_MAX_DEPTH are rejected with an error; parsing is linear-ish in the
 * input (duplicate-key detection is hashed, never quadratic).
 *
 * This module only parses. It never logs, never exits and knows nothing of
 * orca's config keys (see config/model.h for that).
 */
#ifndef ORCA_CONFIG_TOML_H
#define ORCA_CONFIG_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TOML_MAX_BYTES (4u << 20)  /* 4 MiB per document */
#define TOML_MAX_DEPTH 64          /* nested arrays / inline tables / key parts */

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,        /* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL,  /* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,      /* 1979-05-27 */
	TOML_TIME_LOCAL,      /* 07:32:00 */
};

struct toml_pos {
	int line;  /* 1-based */
	int col;   /* 1-based, in code points */
};

struct toml_datetime {
	int year, month, day;          /* unset parts are 0 */
	int hour, minute, second;
	int nanosecond;
	int frac_digits;               /* digits written after '.', 0 if none */
	int offset_minutes;            /* TOML_DATETIME only; 0 for Z */
	bool offset_z;                 /* written as Z/z rather than +00:00 */
};

struct toml_value;

struct toml_keyval {
	char *key;                     /* NUL-terminated */
	size_t key_len;                /* == strlen(key) unless a quoted key wrote
	                                * "\u0000": then key holds all key_len bytes
	                                * and toml_get() never matches it */
	struct toml_pos pos;           /* where the key was written */
	struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	struct toml_pos pos;           /* where the value starts; for tables the header */
	union {
		struct {
			char *ptr;             /* NUL-terminated; len excludes it; may hold \0 */
			size_t len;
		} str;
		int64_t integer;
		double flt;
		bool boolean;
		struct toml_datetime dt;
		struct {
			struct toml_value **items;
			size_t len, cap;
		} arr;
		struct {
			struct toml_keyval *items;  /* document order */
			size_t len, cap;
			void *index;                /* private: hash index for lookup */
		} tab;
	} u;
	unsigned flags;                /* private to the parser */
};

/*
 * Parses src[0..len). On success stores the root table in *out (free with
 * toml_free) and returns 0. On error returns ERR_INVALID or ERR_TOOBIG, sets
 * *errpos to the offending spot and e->msg to a message without a location
 * ("expected '=' after key 'name'"). A document over TOML_MAX_BYTES gets
 * ERR_TOOBIG and errpos 0:0 (no better place than the file); nesting deeper
 * than TOML_MAX_DEPTH gets ERR_TOOBIG at the bracket or key that went over.
 * The depth counted is that of containers in the tree: the root is 0, each
 * table (header part, dotted-key part, inline table) and each array adds 1.
 */
int toml_parse(const char *src, size_t len, struct toml_value **out,
	       struct toml_pos *errpos, struct err *e);
void toml_free(struct toml_value *v);

/* Looks a key up in a table; NULL when absent or when v is not a table. */
const struct toml_value *toml_get(const struct toml_value *table, const char *key);
/* Same, returning the key/value pair (for the key's position). */
const struct toml_keyval *toml_get_kv(const struct toml_value *table, const char *key);

/* "string", "integer", "table", ... as a person would say it. */
const char *toml_type_name(enum toml_type t);

#endif
