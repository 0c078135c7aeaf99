/*
 * toml_internal.h - what the toml_*.c files share; no other module may
 * include it.
 *
 *   toml.c           toml_parse: the document, headers, key placement rules
 *   toml_text.c      UTF-8 and control-character check, positions, errors
 *   toml_string.c    the four string kinds, escapes, keys
 *   toml_scalar.c    booleans, integers, floats
 *   toml_datetime.c  dates and times
 *   toml_value.c     value dispatch, arrays, inline tables
 *   toml_tree.c      values, tables with their hash index, lookups, free
 */
#ifndef ORCA_CONFIG_TOML_INTERNAL_H
#define ORCA_CONFIG_TOML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "config/toml.h"

/*
 * toml_value.flags: the low bits say how a container came to be (they decide
 * what may still be added to it), the high bits hold its depth in the tree.
 */
enum {
	TF_HEADER = 1u << 0,    /* table defined by [h], or an element of [[h]] */
	TF_IMPLICIT = 1u << 1,  /* table created as a header's leading part */
	TF_DOTTED = 1u << 2,    /* table created or extended by a dotted key */
	TF_INLINE = 1u << 3,    /* inline table: closed once its '}' is read */
	TF_AOT = 1u << 4,       /* array created by [[h]]; others are static */
};
#define TF_DEPTH_SHIFT 8

/* A dotted key has at most this many parts: one per nesting level + the last. */
#define TOML_MAX_KEY_PARTS (TOML_MAX_DEPTH + 1)

struct toml_keypart {
	char *s;      /* malloc'd, NUL-terminated; NULL once handed to a table */
	size_t len;
	size_t off;   /* where it starts in the document */
	struct toml_pos pos;  /* the same, taken while reading (positions are
	                       * cheap only when asked for in document order) */
};

struct parser {
	const char *src;
	size_t len;
	size_t i;                  /* read offset */
	size_t start;              /* 3 after a BOM, else 0 */
	size_t pc_off;             /* a cached offset and its position, so */
	struct toml_pos pc_pos;    /* that positions cost O(distance) */
	struct toml_value *root;
	struct toml_value *cur;    /* the table the current section adds to */
	struct buf scratch;        /* string and number bytes being decoded */
	struct toml_pos *errpos;
	struct err *e;
};

/* The byte at i (+k), or 0 at the end: the text check rejects NUL bytes. */
static inline int peek(const struct parser *p)
{
	return p->i < p->len ? (unsigned char)p->src[p->i] : 0;
}

static inline int peek_at(const struct parser *p, size_t k)
{
	return p->i + k < p->len ? (unsigned char)p->src[p->i + k] : 0;
}

static inline bool at_newline(const struct parser *p)
{
	return peek(p) == '\n' || (peek(p) == '\r' && peek_at(p, 1) == '\n');
}

static inline bool is_bare_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static inline bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int value_depth(const struct toml_value *v)
{
	return (int)(v->flags >> TF_DEPTH_SHIFT);
}

/* toml_text.c */
int text_check(struct parser *p);
struct toml_pos text_pos(struct parser *p, size_t off);
int text_fail(struct parser *p, size_t off, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "'x'", "end of line", "end of file", "U+00A0 ' '": what is at off. */
const char *text_what(const struct parser *p, size_t off, char *out, size_t size);
void text_skip_ws(struct parser *p);
void text_skip_comment(struct parser *p);
/* Skips whitespace, newlines and comments (inside arrays). */
void text_skip_blank(struct parser *p);
/* Appends a key part to b as written in messages: bare, or "quoted". */
void text_key_append(struct buf *b, const char *s, size_t len);
/* Shortens b to at most max bytes on a code point boundary, adding "...". */
const char *text_trunc(struct buf *b, size_t max);
/* "a" or "an", for "is already defined as an integer". */
const char *text_article(const char *noun);
void text_put_utf8(struct buf *b, unsigned long cp);

/* toml_string.c */
int string_parse(struct parser *p, bool multi_ok, char **out, size_t *len);
/* Parses a dotted key and the whitespace after it. */
int key_parse(struct parser *p, struct toml_keypart *parts, int *n);
void keyparts_release(struct toml_keypart *parts, int n);
/* Formats parts[0..n) for a message into b; returns its string. */
const char *keyparts_name(struct buf *b, const struct toml_keypart *parts, int n);

/* toml_scalar.c, toml_datetime.c */
int scalar_parse(struct parser *p, struct toml_value **out);
int datetime_parse(struct parser *p, size_t start, size_t end, struct toml_value *v);

/* toml_value.c: depth is the one a container value would have. */
int value_parse(struct parser *p, int depth, struct toml_value **out);

/* toml.c: parses one `key = value` into tab (a section or an inline table). */
int keyval_parse(struct parser *p, struct toml_value *tab);

/* toml_tree.c */
struct toml_value *value_new(enum toml_type type, struct toml_pos pos, int depth);
struct toml_keyval *table_find(const struct toml_value *tab, const char *key, size_t len);
/* Appends key (ownership taken) = v; the key must not be present. */
void table_add(struct toml_value *tab, char *key, size_t len, struct toml_pos pos,
	       struct toml_value *v);
void array_push(struct toml_value *arr, struct toml_value *v);

#endif
