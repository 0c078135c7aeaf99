/*
 * xalloc.h - allocators that abort on out-of-memory.
 *
 * Everything sized by untrusted input must be capped before it reaches these;
 * hostile input gets an error, never an allocation failure.
 */
#ifndef ORCA_BASE_XALLOC_H
#define ORCA_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (of *cap elements of elem bytes) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define XGROW(arr, cap, need) xgrow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
