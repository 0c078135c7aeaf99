/*
 * utf8.h - making arbitrary bytes safe for JSON text.
 */
#ifndef ORCA_BASE_UTF8_H
#define ORCA_BASE_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s[0..len), or 0 when invalid
 * (overlong, surrogate, above U+10FFFF, truncated). */
size_t utf8_seq_len(const unsigned char *s, size_t len);
/* A malloc'd copy of s[0..len) with each invalid byte replaced by U+FFFD
 * and NUL bytes by U+FFFD too; *out_len (may be NULL) gets its length. */
char *utf8_sanitize(const char *s, size_t len, size_t *out_len);

#endif
