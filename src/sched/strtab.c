/*
 * strtab.c - open addressing with linear probing over FNV-1a hashes.
 */
#include "sched/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static uint32_t fnv(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint32_t hash_parts(const char *a, char sep, const char *b)
{
	uint32_t h = fnv(2166136261u, a);

	if (b == NULL)
		return h;
	h = (h ^ (unsigned char)sep) * 16777619u;
	return fnv(h, b);
}

static int key_equal(const char *key, const char *a, char sep, const char *b)
{
	size_t n = strlen(a);

	if (strncmp(key, a, n) != 0)
		return 0;
	if (b == NULL)
		return key[n] == '\0';
	return key[n] == sep && strcmp(key + n + 1, b) == 0;
}

/* "a<sep>b" or "a", malloc'd; plain copies, since printf costs more than the hashing. */
static char *join(const char *a, char sep, const char *b)
{
	size_t na = strlen(a), nb = b ? strlen(b) : 0;
	char *key = xmalloc(na + nb + 2);

	memcpy(key, a, na);
	key[na] = sep;
	if (b)
		memcpy(key + na + 1, b, nb);
	key[b ? na + 1 + nb : na] = '\0';
	return key;
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void strtab_release(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->slots);
	free(t->hashes);
	strtab_init(t);
}

static size_t probe(const struct strtab *t, uint32_t h, const char *a, char sep,
		    const char *b)
{
	size_t mask = t->nslots - 1, i = h & mask;

	while (t->slots[i] >= 0) {
		if (t->hashes[i] == h && key_equal(t->keys[t->slots[i]], a, sep, b))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

int strtab_find(const struct strtab *t, const char *a, char sep, const char *b)
{
	if (t->nslots == 0)
		return -1;
	return t->slots[probe(t, hash_parts(a, sep, b), a, sep, b)];
}

static void rehash(struct strtab *t)
{
	size_t nslots = t->nslots ? t->nslots * 2 : 16;

	free(t->slots);
	free(t->hashes);
	t->slots = xmalloc(nslots * sizeof(*t->slots));
	t->hashes = xmalloc(nslots * sizeof(*t->hashes));
	memset(t->slots, 0xff, nslots * sizeof(*t->slots));
	t->nslots = nslots;
	for (size_t id = 0; id < t->n; id++) {
		uint32_t h = hash_parts(t->keys[id], 0, NULL);
		size_t i = h & (nslots - 1);

		while (t->slots[i] >= 0)
			i = (i + 1) & (nslots - 1);
		t->slots[i] = (int32_t)id;
		t->hashes[i] = h;
	}
}

int strtab_add(struct strtab *t, const char *a, char sep, const char *b, int *added)
{
	uint32_t h = hash_parts(a, sep, b);
	size_t i;

	if (added)
		*added = 0;
	if (t->nslots && t->slots[i = probe(t, h, a, sep, b)] >= 0)
		return t->slots[i];
	if (2 * (t->n + 1) > t->nslots)
		rehash(t);
	i = probe(t, h, a, sep, b);
	XGROW(t->keys, t->keys_cap, t->n + 1);
	t->keys[t->n] = join(a, sep, b);
	t->slots[i] = (int32_t)t->n;
	t->hashes[i] = h;
	if (added)
		*added = 1;
	return (int)t->n++;
}

const char *strtab_key(const struct strtab *t, int id)
{
	return t->keys[id];
}
