/*
 * sni.c - the table the proxy's TLS handshakes read: name -> SSL_CTX.
 *
 * One writer (the tls thread) publishes a new immutable table with an
 * atomic exchange; readers on any thread look names up without locks.
 * Reclamation uses hazard pointers: a reader announces the table it reads
 * in its own cache line and checks that it is still current; the writer,
 * after the exchange, waits until no slot holds the old table, then frees
 * it. Contexts are refcounted by OpenSSL: a lookup returns a reference of
 * its own, so a context stays alive for connections that use it however
 * many swaps happen meanwhile.
 *
 * Slots are handed to threads on their first lookup and never reclaimed;
 * threads beyond SNI_SLOTS (not the proxy's few loop threads) take a
 * mutex instead, which the writer also takes before it frees.
 */
#include "tls/internal.h"

#include <ctype.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "base/xalloc.h"

#define SNI_SLOTS 128
#define NAME_MAX_LEN 253

struct entry {
	char *name;
	SSL_CTX *ctx;
};

struct table {
	struct entry *items;       /* sorted by name */
	size_t n;
};

struct hazard {
	_Atomic(struct table *) p;
	char pad[64 - sizeof(void *)];
};

struct tls_sni {
	_Atomic(struct table *) cur;
	struct hazard slots[SNI_SLOTS];
	pthread_mutex_t shared_mu;
	pthread_mutex_t writer_mu;
};

static atomic_int next_slot;
static _Thread_local int my_slot = -2;   /* -2: not asked yet; -1: none left */

static int thread_slot(void)
{
	if (my_slot == -2) {
		int n = atomic_fetch_add(&next_slot, 1);

		my_slot = n < SNI_SLOTS ? n : -1;
	}
	return my_slot;
}

static void table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->items[i].name);
		SSL_CTX_free(t->items[i].ctx);
	}
	free(t->items);
	free(t);
}

struct tls_sni *tls_sni_new(void)
{
	struct tls_sni *s = xcalloc(1, sizeof(*s));

	atomic_init(&s->cur, xcalloc(1, sizeof(struct table)));
	for (size_t i = 0; i < SNI_SLOTS; i++)
		atomic_init(&s->slots[i].p, NULL);
	pthread_mutex_init(&s->shared_mu, NULL);
	pthread_mutex_init(&s->writer_mu, NULL);
	return s;
}

void tls_sni_free(struct tls_sni *s)
{
	if (s == NULL)
		return;
	table_free(atomic_load(&s->cur));
	pthread_mutex_destroy(&s->shared_mu);
	pthread_mutex_destroy(&s->writer_mu);
	free(s);
}

static struct table *acquire(struct tls_sni *s, int *slot)
{
	struct table *t;
	int i = thread_slot();

	*slot = i;
	if (i < 0) {
		pthread_mutex_lock(&s->shared_mu);
		return atomic_load(&s->cur);
	}
	do {
		t = atomic_load(&s->cur);
		atomic_store(&s->slots[i].p, t);
	} while (t != atomic_load(&s->cur));
	return t;
}

static void release(struct tls_sni *s, int slot)
{
	if (slot < 0)
		pthread_mutex_unlock(&s->shared_mu);
	else
		atomic_store(&s->slots[slot].p, NULL);
}

struct sortable {
	struct entry e;
	size_t order;
};

static int cmp_sortable(const void *a, const void *b)
{
	const struct sortable *x = a, *y = b;
	int c = strcmp(x->e.name, y->e.name);

	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

static struct table *table_new(const struct tls_sni_item *items, size_t n)
{
	struct table *t = xcalloc(1, sizeof(*t));
	struct sortable *v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		v[i].e.name = xstrdup(items[i].name);
		for (char *p = v[i].e.name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		v[i].e.ctx = items[i].ctx;
		v[i].order = i;
	}
	qsort(v, n, sizeof(*v), cmp_sortable);
	t->items = xcalloc(n + 1, sizeof(*t->items));
	for (size_t i = 0; i < n; i++) {
		if (t->n > 0 && strcmp(t->items[t->n - 1].name, v[i].e.name) == 0) {
			free(v[i].e.name);
			continue;
		}
		SSL_CTX_up_ref(v[i].e.ctx);
		t->items[t->n++] = v[i].e;
	}
	free(v);
	return t;
}

void tls_sni_publish(struct tls_sni *s, const struct tls_sni_item *items, size_t n)
{
	struct table *t = table_new(items, n), *old;

	pthread_mutex_lock(&s->writer_mu);
	old = atomic_exchange(&s->cur, t);
	/* readers without a slot hold shared_mu while they read */
	pthread_mutex_lock(&s->shared_mu);
	pthread_mutex_unlock(&s->shared_mu);
	for (size_t i = 0; i < SNI_SLOTS; i++)
		while (atomic_load(&s->slots[i].p) == old)
			sched_yield();
	table_free(old);
	pthread_mutex_unlock(&s->writer_mu);
}

/* Lowercase name without a trailing dot or ":port" into out; false when it
 * cannot be a host name. */
static bool normalize(const char *name, size_t len, bool strip_port, char *out)
{
	const char *colon;

	if (strip_port && len > 0 && name[0] != '[' &&
	    (colon = memchr(name, ':', len)) != NULL)
		len = (size_t)(colon - name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '\0')
			return false;
		out[i] = (char)tolower((unsigned char)name[i]);
	}
	out[len] = '\0';
	return true;
}

static struct entry *find(struct table *t, const char *name)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, t->items[mid].name);

		if (c == 0)
			return &t->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The exact entry, else the one for "*.<parent>". */
static struct entry *lookup(struct table *t, const char *name)
{
	struct entry *x = find(t, name);
	const char *dot;
	char wild[NAME_MAX_LEN + 3];

	if (x != NULL || (dot = strchr(name, '.')) == NULL || dot == name)
		return x;
	wild[0] = '*';
	memcpy(wild + 1, dot, strlen(dot) + 1);
	return find(t, wild);
}

SSL_CTX *tls_sni_get(struct tls_sni *s, const char *name, size_t len)
{
	char norm[NAME_MAX_LEN + 1];
	struct table *t;
	struct entry *x;
	SSL_CTX *ctx = NULL;
	int slot;

	if (!normalize(name, len, false, norm))
		return NULL;
	t = acquire(s, &slot);
	x = lookup(t, norm);
	if (x != NULL && SSL_CTX_up_ref(x->ctx))
		ctx = x->ctx;
	release(s, slot);
	return ctx;
}

bool tls_sni_has(struct tls_sni *s, const char *name, size_t len)
{
	char norm[NAME_MAX_LEN + 1];
	struct table *t;
	bool found;
	int slot;

	if (!normalize(name, len, true, norm))
		return false;
	t = acquire(s, &slot);
	found = lookup(t, norm) != NULL;
	release(s, slot);
	return found;
}
