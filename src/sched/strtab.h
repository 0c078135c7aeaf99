/*
 * strtab.h - a string -> dense id table for the scheduler (node names,
 * label pairs, services). Internal to sched/.
 *
 * Keys are two parts joined by a separator ("zone" '=' "eu-1", "data" '/'
 * "db"), so that lookups never build a string: the hot path hashes and
 * compares the parts in place; the first part must not hold the separator.
 * Ids run 0, 1, 2... in insertion order. The table owns copies of its keys.
 */
#ifndef ORCA_SCHED_STRTAB_H
#define ORCA_SCHED_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab {
	char **keys;       /* id -> "a<sep>b", owned */
	size_t n, keys_cap;
	int32_t *slots;    /* open addressing: id, or -1 when empty */
	uint32_t *hashes;  /* per slot */
	size_t nslots;     /* a power of two, at least 2n */
};

void strtab_init(struct strtab *t);
void strtab_release(struct strtab *t);
/* Returns the id of a<sep>b, or -1. b may be NULL: the key is a alone. */
int strtab_find(const struct strtab *t, const char *a, char sep, const char *b);
/* Returns the id of a<sep>b, adding it when absent; *added tells which (may be NULL). */
int strtab_add(struct strtab *t, const char *a, char sep, const char *b, int *added);
/* The key of id, owned by the table. */
const char *strtab_key(const struct strtab *t, int id);

#endif
