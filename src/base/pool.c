/*
 * pool.c - a pool as a list of separately malloc'd blocks.
 *
 * One malloc per allocation rather than carving big slabs: pools here hold
 * a few dozen small strings per request, and separate blocks keep every
 * allocation visible to AddressSanitizer, which matters more for code that
 * parses hostile input than the saved mallocs.
 */
#include "base/pool.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct pool_block {
	struct pool_block *next;
	alignas(max_align_t) unsigned char data[];
};

void pool_init(struct pool *p)
{
	p->blocks = NULL;
}

void pool_release(struct pool *p)
{
	struct pool_block *b, *next;

	for (b = p->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	p->blocks = NULL;
}

void *pool_alloc(struct pool *p, size_t n)
{
	struct pool_block *b;

	if (n > SIZE_MAX - sizeof(*b))
		n = SIZE_MAX - sizeof(*b);  /* xcalloc then aborts as for any OOM */
	b = xcalloc(1, sizeof(*b) + n);
	b->next = p->blocks;
	p->blocks = b;
	return b->data;
}

char *pool_strndup(struct pool *p, const char *s, size_t n)
{
	char *d = pool_alloc(p, n + 1);

	memcpy(d, s, n);
	return d;
}

char *pool_strdup(struct pool *p, const char *s)
{
	return pool_strndup(p, s, strlen(s));
}
