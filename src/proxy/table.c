/*
 * table.c - building the immutable routing table from a status snapshot,
 * and sharing it between the control thread and the loop threads.
 *
 * Only replicas the snapshot shows running and healthy (with an address)
 * become upstreams. A host and route claimed twice go to the first service
 * in project/service order. The table holds references on its upstreams,
 * service counters and apps; the last table_release() drops them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "proxy/internal.h"

#define HEADER_BYTES_DEFAULT (32 * 1024)
#define BODY_BYTES_DEFAULT (100 * 1024 * 1024)

struct entry {
	char *host;          /* lowercase; ".example.com" for a wildcard */
	bool wildcard;
	struct route route;
	size_t order;        /* insertion order: the first claim wins */
};

struct builder {
	struct entry *items;
	size_t n, cap;
	struct target **targets;
	size_t ntargets, tcap;
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int64_t num(const json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static bool replica_usable(const json_t *r)
{
	return strcmp(str(r, "state"), "running") == 0 && strcmp(str(r, "health"), "healthy") == 0 &&
	       str(r, "ip")[0] != '\0';
}

static void push_upstream(struct upstream ***arr, size_t *n, struct upstream *u)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = u;
	atomic_fetch_add(&u->tables, 1);
}

static void add_replicas(struct proxy *p, struct target *t, const json_t *svc, int port)
{
	json_t *reps = json_object_get(svc, "replicas"), *r;
	size_t i;

	json_array_foreach(reps, i, r) {
		struct upstream *u;
		json_t *probe = json_object_get(r, "last_probe");
		int rev = (int)num(r, "revision", 0);

		if (!replica_usable(r))
			continue;
		u = upstream_get(p, str(r, "container"), str(r, "ip"), port, rev);
		if (u == NULL)
			continue;
		if (json_is_true(json_object_get(probe, "ok")))
			atomic_store(&u->probe_ok_at_ms, num(probe, "at", 0));
		if (t->canary_revision && rev == t->canary_revision)
			push_upstream(&t->canary, &t->ncanary, u);
		else
			push_upstream(&t->ups, &t->nups, u);
	}
}

static struct target *make_target(struct proxy *p, const json_t *svc)
{
	struct target *t = xcalloc(1, sizeof(*t));
	json_t *limits = json_object_get(svc, "proxy"), *canary = json_object_get(svc, "canary");

	snprintf(t->project, sizeof(t->project), "%s", str(svc, "project"));
	snprintf(t->service, sizeof(t->service), "%s", str(svc, "name"));
	t->max_header_bytes = (size_t)num(limits, "max_header_bytes", HEADER_BYTES_DEFAULT);
	t->max_body_bytes = (size_t)num(limits, "max_body_bytes", BODY_BYTES_DEFAULT);
	if (json_is_object(canary)) {
		t->canary_revision = (int)num(canary, "revision", 0);
		t->canary_weight = (int)num(canary, "weight", 0);
	}
	t->stats = svcstats_get(p, t->project, t->service);
	if (t->canary_revision)
		svcstats_canary_started(t->stats, t->canary_revision);
	if (strcmp(str(svc, "runtime"), "wasm") == 0) {
		t->is_app = true;
		if (p->opts.app_get && json_is_true(json_object_get(svc, "ready")))
			t->app = p->opts.app_get(p->opts.app_opaque, t->project, t->service);
	} else {
		add_replicas(p, t, svc, (int)num(svc, "port", 0));
	}
	return t;
}

static void add_entry(struct builder *b, const char *domain, const char *pattern,
		      struct target *t)
{
	bool wild = strncmp(domain, "*.", 2) == 0;
	const char *name = wild ? domain + 2 : domain;
	char norm[300];
	struct route r;
	struct entry *e;

	if (host_normalize(name, strlen(name), norm, sizeof(norm)) < 0 ||
	    route_parse(pattern, &r) < 0)
		return;
	XGROW(b->items, b->cap, b->n + 1);
	e = &b->items[b->n];
	e->host = xasprintf("%s%s", wild ? "." : "", norm);
	e->wildcard = wild;
	e->route = r;
	e->route.target = t;
	e->order = b->n++;
}

/* Routes of a service: its `routes` (or http trigger routes for an app),
 * or everything when it has none. */
static void add_service(struct builder *b, struct proxy *p, const json_t *svc)
{
	json_t *domains = json_object_get(svc, "domains"), *routes, *d, *r;
	bool app = strcmp(str(svc, "runtime"), "wasm") == 0;
	struct target *t;
	size_t i, j;

	routes = json_object_get(svc, app ? "http_routes" : "routes");
	if (!json_is_array(domains) || json_array_size(domains) == 0 ||
	    (app && json_array_size(routes) == 0))
		return;
	if (!app && num(svc, "port", 0) <= 0)
		return;
	t = make_target(p, svc);
	XGROW(b->targets, b->tcap, b->ntargets + 1);
	b->targets[b->ntargets++] = t;
	json_array_foreach(domains, i, d) {
		if (!json_is_string(d))
			continue;
		if (json_array_size(routes) == 0)
			add_entry(b, json_string_value(d), "/*", t);
		json_array_foreach(routes, j, r)
			if (json_is_string(r))
				add_entry(b, json_string_value(d), json_string_value(r), t);
	}
}

/* The more specific route first: a longer prefix, and at equal length an
 * exact path before a subtree ("/a" before the pattern "/a/" + "*"). */
static size_t weight(const struct route *r)
{
	return r->subtree ? r->len - 1 : r->len;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if (x->wildcard != y->wildcard)
		return x->wildcard ? 1 : -1;
	if ((c = strcmp(x->host, y->host)) != 0)
		return c;
	if (weight(&x->route) != weight(&y->route))
		return weight(&x->route) > weight(&y->route) ? -1 : 1;
	if (x->route.subtree != y->route.subtree)
		return x->route.subtree ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorted entries into hosts; a host and route claimed twice keeps the first. */
static void group(struct table *t, struct builder *b)
{
	if (b->n)
		qsort(b->items, b->n, sizeof(*b->items), cmp_entry);
	t->hosts = xcalloc(b->n + 1, sizeof(*t->hosts));
	for (size_t i = 0; i < b->n; i++) {
		struct entry *e = &b->items[i];
		struct host *h = t->nhosts ? &t->hosts[t->nhosts - 1] : NULL;

		if (h == NULL || h->wildcard != e->wildcard || strcmp(h->name, e->host) != 0) {
			h = &t->hosts[t->nhosts++];
			h->name = e->host;
			h->wildcard = e->wildcard;
			t->nexact += !e->wildcard;
		} else {
			const struct route *last = &h->routes[h->nroutes - 1];

			free(e->host);
			if (last->subtree == e->route.subtree &&
			    strcmp(last->prefix, e->route.prefix) == 0) {
				free(e->route.prefix);
				continue;
			}
		}
		h->routes = xrealloc(h->routes, (h->nroutes + 1) * sizeof(*h->routes));
		h->routes[h->nroutes++] = e->route;
	}
}

/* Snapshot order is project then service, both sorted by the control loop;
 * sort anyway so that "first" never depends on it. */
static int cmp_svc(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(str(x, "project"), str(y, "project"));

	return c ? c : strcmp(str(x, "name"), str(y, "name"));
}

struct table *table_build(struct proxy *p, const json_t *snapshot, struct err *e)
{
	struct table *t = xcalloc(1, sizeof(*t));
	struct builder b = { 0 };
	json_t *projects = json_object_get(snapshot, "projects"), *proj, *svc;
	json_t **svcs = NULL;
	size_t i, j, n = 0;

	(void)e;
	json_array_foreach(projects, i, proj)
		json_array_foreach(json_object_get(proj, "services"), j, svc) {
			svcs = xrealloc(svcs, (n + 1) * sizeof(*svcs));
			svcs[n++] = svc;
		}
	if (n)
		qsort(svcs, n, sizeof(*svcs), cmp_svc);
	for (i = 0; i < n; i++)
		add_service(&b, p, svcs[i]);
	free(svcs);
	group(t, &b);
	free(b.items);
	t->targets = b.targets;
	t->ntargets = b.ntargets;
	for (i = 0; i < t->ntargets; i++)
		if (t->targets[i]->max_body_bytes > t->max_body_bytes)
			t->max_body_bytes = t->targets[i]->max_body_bytes;
	atomic_init(&t->refs, 1);
	t->owner = p;
	t->generation = ++p->generation;
	return t;
}

static void target_free(struct proxy *p, struct target *t)
{
	for (size_t i = 0; i < t->nups; i++) {
		atomic_fetch_sub(&t->ups[i]->tables, 1);
		upstream_put(t->ups[i]);
	}
	for (size_t i = 0; i < t->ncanary; i++) {
		atomic_fetch_sub(&t->canary[i]->tables, 1);
		upstream_put(t->canary[i]);
	}
	if (t->app.arg && p->opts.app_put)
		p->opts.app_put(p->opts.app_opaque, t->app.arg);
	svcstats_put(t->stats);
	free(t->ups);
	free(t->canary);
	free(t);
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nhosts; i++) {
		for (size_t j = 0; j < t->hosts[i].nroutes; j++)
			free(t->hosts[i].routes[j].prefix);
		free(t->hosts[i].routes);
		free(t->hosts[i].name);
	}
	for (size_t i = 0; i < t->ntargets; i++)
		target_free(t->owner, t->targets[i]);
	free(t->targets);
	free(t->hosts);
	free(t);
}

/*
 * Readers take a reference between loading the pointer and using it; the
 * swap on the control thread must not free a table a reader is about to
 * reference. A reader increments first and re-checks that the table is
 * still current; the writer holds its own reference until every reader
 * that could have loaded the old pointer has incremented (the "readers"
 * counter below brackets that window).
 */
static atomic_int readers_in_window;

struct table *table_acquire(struct proxy *p)
{
	struct table *t;

	atomic_fetch_add(&readers_in_window, 1);
	t = atomic_load(&p->current);
	if (t)
		atomic_fetch_add(&t->refs, 1);
	atomic_fetch_sub(&readers_in_window, 1);
	return t;
}

void table_release(struct table *t)
{
	if (t && atomic_fetch_sub(&t->refs, 1) == 1)
		table_free(t);
}

/* Control thread: installs t (its reference moves in) and drops the old. */
void table_swap(struct proxy *p, struct table *t)
{
	struct table *old = atomic_exchange(&p->current, t);

	while (atomic_load(&readers_in_window) != 0)
		;   /* a reader between its load and its increment: a few instructions */
	table_release(old);
}
