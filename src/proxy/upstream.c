/*
 * upstream.c - replicas as upstreams: the registry, the choice of one for
 * a request, and passive ejection.
 *
 * The registry (under reg_mu, touched only when a table is built and when
 * the last reference goes) finds an upstream by container id so that its
 * counters survive table swaps. On the request path everything is atomic:
 * choosing reads inflight counters, finishing decrements them.
 *
 * Choice: least outstanding requests between two replicas drawn at random
 * (power of two choices). A replica whose connections failed
 * PROXY_EJECT_FAILS times in a row is ejected until a health check passes
 * after the ejection; when every replica is ejected they are all used.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "proxy/internal.h"

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A reference unless the upstream is on its way out (refs already 0). */
static bool try_ref(struct upstream *u)
{
	int r = atomic_load(&u->refs);

	while (r > 0)
		if (atomic_compare_exchange_weak(&u->refs, &r, r + 1))
			return true;
	return false;
}

struct upstream *upstream_get(struct proxy *p, const char *id, const char *ip, int port,
			      int revision)
{
	struct upstream *u;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	if (port <= 0 || port > 65535 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return NULL;
	pthread_mutex_lock(&p->reg_mu);
	for (u = p->upstreams; u; u = u->next)
		if (strcmp(u->id, id) == 0 && memcmp(&u->addr, &sa, sizeof(sa)) == 0 && try_ref(u))
			goto out;
	u = xcalloc(1, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->addr_text, sizeof(u->addr_text), "%s:%d", ip, port);
	u->addr = sa;
	u->revision = revision;
	atomic_init(&u->refs, 1);
	u->next = p->upstreams;
	u->owner = p;
	p->upstreams = u;
out:
	pthread_mutex_unlock(&p->reg_mu);
	return u;
}

void upstream_put(struct upstream *u)
{
	struct proxy *p;

	if (u == NULL || atomic_fetch_sub(&u->refs, 1) != 1)
		return;
	p = u->owner;
	pthread_mutex_lock(&p->reg_mu);
	for (struct upstream **pp = &p->upstreams; *pp; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	pthread_mutex_unlock(&p->reg_mu);
	free(u);
}

int64_t proxy_inflight(struct proxy *p, const char *replica_id)
{
	int64_t n = 0;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->reg_mu);
	for (struct upstream *u = p->upstreams; u; u = u->next)
		if (strcmp(u->id, replica_id) == 0)
			/* a table still listing it may hand it out: not drained yet */
			n += atomic_load(&u->inflight) + (atomic_load(&u->tables) > 0);
	pthread_mutex_unlock(&p->reg_mu);
	return n;
}

/* Ejected, unless a health check passed since (then it is back). */
static bool ejected(struct upstream *u)
{
	long long at = atomic_load(&u->ejected_at_ms);

	if (at == 0)
		return false;
	if (atomic_load(&u->probe_ok_at_ms) > at) {
		atomic_compare_exchange_strong(&u->ejected_at_ms, &at, 0);
		atomic_store(&u->fails, 0);
		return false;
	}
	return true;
}

static bool was_tried(struct upstream *u, struct upstream *const *tried, size_t ntried)
{
	for (size_t i = 0; i < ntried; i++)
		if (tried[i] == u)
			return true;
	return false;
}

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64*: fast, per worker, good enough to spread load */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* The k-th (0-based) upstream that passes the filter. */
static struct upstream *nth(struct upstream **ups, size_t n, size_t k, bool allow_ejected,
			    struct upstream *const *tried, size_t ntried)
{
	for (size_t i = 0; i < n; i++) {
		if (was_tried(ups[i], tried, ntried) || (!allow_ejected && ejected(ups[i])))
			continue;
		if (k-- == 0)
			return ups[i];
	}
	return NULL;
}

struct upstream *upstream_pick(struct upstream **ups, size_t n, uint64_t *rng,
			       struct upstream *const *tried, size_t ntried)
{
	bool allow_ejected = false;
	size_t k = 0;
	struct upstream *a, *b;

	for (size_t i = 0; i < n; i++)
		k += !was_tried(ups[i], tried, ntried) && !ejected(ups[i]);
	if (k == 0) {   /* every replica ejected: better a try than a 503 */
		allow_ejected = true;
		for (size_t i = 0; i < n; i++)
			k += !was_tried(ups[i], tried, ntried);
	}
	if (k == 0)
		return NULL;
	if (k == 1)
		return nth(ups, n, 0, allow_ejected, tried, ntried);
	size_t i = next_rand(rng) % k, j = next_rand(rng) % (k - 1);

	if (j >= i)
		j++;
	a = nth(ups, n, i, allow_ejected, tried, ntried);
	b = nth(ups, n, j, allow_ejected, tried, ntried);
	return atomic_load(&b->inflight) < atomic_load(&a->inflight) ? b : a;
}

void upstream_failed(struct upstream *u)
{
	long long zero = 0;

	if (atomic_fetch_add(&u->fails, 1) + 1 >= PROXY_EJECT_FAILS)
		atomic_compare_exchange_strong(&u->ejected_at_ms, &zero, wall_ms());
}

void upstream_succeeded(struct upstream *u)
{
	if (atomic_load(&u->fails) != 0)
		atomic_store(&u->fails, 0);
}
