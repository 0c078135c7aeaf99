/*
 * pool.h - memory that lives exactly as long as one unit of work.
 *
 * A request (or any short task) allocates from its pool and frees it all at
 * once with pool_release; nothing allocated here is freed on its own.
 * Embedded by value (pool_init/pool_release). Not thread-safe: a pool
 * belongs to the thread doing the work. Allocations abort on out-of-memory,
 * so callers cap input-sized requests first.
 */
#ifndef ORCA_BASE_POOL_H
#define ORCA_BASE_POOL_H

#include <stddef.h>

struct pool_block;

struct pool {
	struct pool_block *blocks;
};

#define POOL_INIT { NULL }

void pool_init(struct pool *p);
/* Frees every allocation; the pool may be used again. */
void pool_release(struct pool *p);
/* Zeroed memory aligned for any type. */
void *pool_alloc(struct pool *p, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *pool_strndup(struct pool *p, const char *s, size_t n);
char *pool_strdup(struct pool *p, const char *s);

#endif
