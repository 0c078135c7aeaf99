/*
 * toml_tree.c - the parsed tree: values, tables with their hash index,
 * lookups and freeing.
 *
 * A table keeps its keys in document order in u.tab.items; once it has
 * INDEX_MIN keys it also gets an open-addressing index (u.tab.index) of
 * SipHash-1-3 values under a per-process random key, so that neither
 * duplicate detection nor toml_get() turns quadratic, even on keys chosen to
 * collide.
 */
#include "config/toml_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/xalloc.h"

#define INDEX_MIN 8  /* below this many keys a linear scan is cheaper */

/*
 * Items start at capacity 1, not xgrow's 8: most tables and arrays in a
 * config hold a few entries, and a hostile 4 MiB of "[[a]]\nx.y.z = 1"
 * would otherwise cost 60 bytes of memory per byte of input.
 */

struct tindex {
	uint32_t *slots;  /* 1 + item number; 0 when free */
	size_t mask;      /* number of slots - 1, a power of two - 1 */
};

static uint64_t sip_key[2];
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_init(void)
{
	struct timespec ts;

	if (getrandom(sip_key, sizeof(sip_key), GRND_NONBLOCK) == sizeof(sip_key))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);  /* still better than a fixed key */
	sip_key[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)ts.tv_sec;
	sip_key[1] = (uint64_t)(uintptr_t)&ts ^ 0xC2B2AE3D27D4EB4FULL;
}

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                              \
	do {                                                                  \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);     \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                        \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                        \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);     \
	} while (0)

static uint64_t siphash13(const unsigned char *in, size_t len)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ sip_key[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ sip_key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ sip_key[0];
	uint64_t v3 = 0x7465646279746573ULL ^ sip_key[1];
	uint64_t m, last = (uint64_t)len << 56;
	size_t i, k;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, in + i, 8);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	for (k = 0; i + k < len; k++)
		last |= (uint64_t)in[i + k] << (8 * k);
	v3 ^= last;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void index_put(struct tindex *ix, const struct toml_keyval *items, size_t i)
{
	size_t h = (size_t)siphash13((const unsigned char *)items[i].key,
				     items[i].key_len) & ix->mask;

	while (ix->slots[h] != 0)
		h = (h + 1) & ix->mask;
	ix->slots[h] = (uint32_t)(i + 1);
}

/* Sizes the index for the table's keys at a load of at most 1/2. */
static void index_rebuild(struct toml_value *tab)
{
	struct tindex *ix = tab->u.tab.index;
	size_t n = 16, i;

	pthread_once(&sip_once, sip_init);
	while (n < tab->u.tab.len * 4)
		n *= 2;
	if (ix == NULL)
		ix = tab->u.tab.index = xcalloc(1, sizeof(*ix));
	free(ix->slots);
	ix->slots = xcalloc(n, sizeof(*ix->slots));
	ix->mask = n - 1;
	for (i = 0; i < tab->u.tab.len; i++)
		index_put(ix, tab->u.tab.items, i);
}

static bool key_eq(const struct toml_keyval *kv, const char *key, size_t len)
{
	return kv->key_len == len && memcmp(kv->key, key, len) == 0;
}

struct toml_keyval *table_find(const struct toml_value *tab, const char *key, size_t len)
{
	const struct tindex *ix = tab->u.tab.index;
	struct toml_keyval *items = tab->u.tab.items;
	size_t h, i;

	if (ix == NULL) {
		for (i = 0; i < tab->u.tab.len; i++)
			if (key_eq(&items[i], key, len))
				return &items[i];
		return NULL;
	}
	h = (size_t)siphash13((const unsigned char *)key, len) & ix->mask;
	for (; ix->slots[h] != 0; h = (h + 1) & ix->mask)
		if (key_eq(&items[ix->slots[h] - 1], key, len))
			return &items[ix->slots[h] - 1];
	return NULL;
}

void table_add(struct toml_value *tab, char *key, size_t len, struct toml_pos pos,
	       struct toml_value *v)
{
	struct tindex *ix = tab->u.tab.index;
	struct toml_keyval *kv;

	if (tab->u.tab.cap == 0)
		tab->u.tab.items = xmalloc(sizeof(*kv) * (tab->u.tab.cap = 1));
	XGROW(tab->u.tab.items, tab->u.tab.cap, tab->u.tab.len + 1);
	kv = &tab->u.tab.items[tab->u.tab.len++];
	kv->key = key;
	kv->key_len = len;
	kv->pos = pos;
	kv->value = v;
	if (ix != NULL && tab->u.tab.len * 2 <= ix->mask + 1)
		index_put(ix, tab->u.tab.items, tab->u.tab.len - 1);
	else if (tab->u.tab.len >= INDEX_MIN)
		index_rebuild(tab);
}

void array_push(struct toml_value *arr, struct toml_value *v)
{
	if (arr->u.arr.cap == 0)
		arr->u.arr.items = xmalloc(sizeof(v) * (arr->u.arr.cap = 1));
	XGROW(arr->u.arr.items, arr->u.arr.cap, arr->u.arr.len + 1);
	arr->u.arr.items[arr->u.arr.len++] = v;
}

struct toml_value *value_new(enum toml_type type, struct toml_pos pos, int depth)
{
	struct toml_value *v = xcalloc(1, sizeof(*v));

	v->type = type;
	v->pos = pos;
	v->flags = (unsigned)depth << TF_DEPTH_SHIFT;
	return v;
}

static void table_release(struct toml_value *tab)
{
	struct tindex *ix = tab->u.tab.index;
	size_t i;

	for (i = 0; i < tab->u.tab.len; i++) {
		free(tab->u.tab.items[i].key);
		toml_free(tab->u.tab.items[i].value);
	}
	free(tab->u.tab.items);
	if (ix != NULL)
		free(ix->slots);
	free(ix);
}

/* Recursion is bounded: no container is deeper than TOML_MAX_DEPTH. */
void toml_free(struct toml_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->type == TOML_TABLE) {
		table_release(v);
	} else if (v->type == TOML_ARRAY) {
		for (i = 0; i < v->u.arr.len; i++)
			toml_free(v->u.arr.items[i]);
		free(v->u.arr.items);
	} else if (v->type == TOML_STRING) {
		free(v->u.str.ptr);
	}
	free(v);
}

const struct toml_keyval *toml_get_kv(const struct toml_value *table, const char *key)
{
	if (table == NULL || table->type != TOML_TABLE || key == NULL)
		return NULL;
	return table_find(table, key, strlen(key));
}

const struct toml_value *toml_get(const struct toml_value *table, const char *key)
{
	const struct toml_keyval *kv = toml_get_kv(table, key);

	return kv ? kv->value : NULL;
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE:
		return "table";
	case TOML_ARRAY:
		return "array";
	case TOML_STRING:
		return "string";
	case TOML_INTEGER:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "boolean";
	case TOML_DATETIME:
		return "offset date-time";
	case TOML_DATETIME_LOCAL:
		return "local date-time";
	case TOML_DATE_LOCAL:
		return "local date";
	case TOML_TIME_LOCAL:
		return "local time";
	}
	return "unknown type";
}
