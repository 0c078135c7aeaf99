/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Embedded by value (buf_init/buf_release). The caller that owns the struct
 * owns the bytes; buf_steal hands them over as a malloc'd string.
 */
#ifndef ORCA_BASE_BUF_H
#define ORCA_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Drops the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Returns the bytes as a malloc'd string (never NULL) and resets b. */
char *buf_steal(struct buf *b);
/* Returns data, or "" for an empty never-grown buffer. Borrowed. */
const char *buf_str(const struct buf *b);

#endif
