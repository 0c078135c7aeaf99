/*
 * check.c - rules that look at more than one service: unique names and
 * aliases, depends_on targets and cycles (within a project, while its TOML
 * tree is at hand for positions); placement nodes, internal names and
 * default domain names (across files, in config_check).
 *
 * Every rule is O(n log n) or linear in the number of services and edges,
 * so a hostile file with 100k services is still checked quickly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "config/loader.h"
#include "config/suggest.h"
#include "config/syntax.h"

#define SUGGEST_CANDIDATES_MAX 256  /* did-you-mean looks at this many names */
#define CYCLE_NAMES_MAX 16          /* a longer cycle is shown elided */

/* A DNS name in a project: a service's name or one of its aliases. */
struct dns_name {
	const char *name;
	size_t svc;
	bool alias;
	struct toml_pos pos;
};

static int cmp_pos(struct toml_pos a, struct toml_pos b)
{
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	return a.col < b.col ? -1 : a.col > b.col;
}

/* By name; then service names before aliases; then document order. */
static int cmp_dns_name(const void *pa, const void *pb)
{
	const struct dns_name *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c != 0)
		return c;
	if (a->alias != b->alias)
		return a->alias ? 1 : -1;
	return cmp_pos(a->pos, b->pos);
}

static size_t collect_names(const struct project *p, const struct toml_value *const *tabs,
			    struct dns_name **out)
{
	struct dns_name *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < p->nservices; i++) {
		const struct toml_value *name = toml_get(tabs[i], "name");
		const struct toml_value *al = toml_get(tabs[i], "aliases");

		if (p->services[i].name != NULL) {
			XGROW(v, cap, n + 1);
			v[n++] = (struct dns_name){ p->services[i].name, i, false, name->pos };
		}
		for (size_t j = 0; j < p->services[i].naliases; j++) {
			XGROW(v, cap, n + 1);
			v[n++] = (struct dns_name){ p->services[i].aliases[j], i, true,
						    al->u.arr.items[j]->pos };
		}
	}
	*out = v;
	return n;
}

static void report_clash(const struct cfile *f, const struct project *p,
			 const struct dns_name *first, const struct dns_name *dup)
{
	const char *owner = p->services[first->svc].name;
	char ctx[CTX_MAX];

	snprintf(ctx, sizeof(ctx), "service '%.60s'", p->services[dup->svc].name ? p->services[dup->svc].name : "?");
	if (!dup->alias)
		cfile_diag(f, dup->pos, NULL, "service name '%s' is already used by the service "
			   "at line %d", dup->name, first->pos.line);
	else if (!first->alias && first->svc == dup->svc)
		cfile_diag(f, dup->pos, ctx, "alias '%s' is the service's own name", dup->name);
	else if (!first->alias)
		cfile_diag(f, dup->pos, ctx, "alias '%s' is already the name of service '%s' "
			   "(line %d)", dup->name, owner, first->pos.line);
	else if (first->svc == dup->svc)
		cfile_diag(f, dup->pos, ctx, "alias '%s' is listed twice", dup->name);
	else
		cfile_diag(f, dup->pos, ctx, "alias '%s' is already an alias of service '%s' "
			   "(line %d)", dup->name, owner, first->pos.line);
}

/* Service names and aliases share one namespace: the project's network. */
static void check_names(const struct cfile *f, const struct project *p,
			const struct toml_value *const *tabs)
{
	struct dns_name *v;
	size_t n = collect_names(p, tabs, &v), first = 0;

	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_dns_name);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i].name, v[first].name) != 0)
			first = i;
		else
			report_clash(f, p, &v[first], &v[i]);
	}
	free(v);
}

/* Service names sorted, for lookups by depends_on. */
struct name_index {
	const char *name;
	size_t svc;
};

static int cmp_name_index(const void *pa, const void *pb)
{
	const struct name_index *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : (a->svc > b->svc) - (a->svc < b->svc);
}

static size_t build_index(const struct project *p, struct name_index **out)
{
	struct name_index *v = xcalloc(p->nservices, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < p->nservices; i++)
		if (p->services[i].name != NULL)
			v[n++] = (struct name_index){ p->services[i].name, i };
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name_index);
	*out = v;
	return n;
}

/* The first service named name, or -1. */
static long lookup(const struct name_index *idx, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(idx[mid].name, name);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(idx[lo].name, name) == 0 ? (long)idx[lo].svc : -1;
}

/* The service that has name among its aliases, or NULL. */
static const char *alias_owner(const struct project *p, const char *name)
{
	for (size_t i = 0; i < p->nservices; i++)
		for (size_t j = 0; j < p->services[i].naliases; j++)
			if (strcmp(p->services[i].aliases[j], name) == 0)
				return p->services[i].name;
	return NULL;
}

static void report_unknown_dep(const struct cfile *f, const char *ctx,
			       const struct project *p, const char *dep, struct toml_pos pos)
{
	const char *cands[SUGGEST_CANDIDATES_MAX], *hint, *owner;
	size_t n = 0;

	if (diags_full(f->d))
		return;  /* the work below is per name: stop once nobody will read it */
	if ((owner = alias_owner(p, dep)) != NULL) {
		cfile_diag(f, pos, ctx, "depends_on '%s' is an alias; name the service '%s'", dep,
			   owner);
		return;
	}
	for (size_t i = 0; i < p->nservices && n < SUGGEST_CANDIDATES_MAX; i++)
		cands[n++] = p->services[i].name;
	hint = suggest_closest(dep, cands, n);
	cfile_diag(f, pos, ctx, "depends_on '%s' is not a service of project '%s'%s%s%s", dep,
		   p->name, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
}

/* The dependency graph: edges[i] are service indexes; pos[i] where each is written. */
struct graph {
	size_t n;
	size_t **edges;
	struct toml_pos **pos;
	size_t *nedges;
};

static void graph_release(struct graph *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->edges[i]);
		free(g->pos[i]);
	}
	free(g->edges);
	free(g->pos);
	free(g->nedges);
}

/*
 * Resolves one service's depends_on, reporting unknown and repeated names.
 * seen[t] == i + 1 when service i already listed t: linear, not quadratic.
 */
static void resolve_deps(const struct cfile *f, const struct project *p, size_t i,
			 const struct toml_value *deps, const struct name_index *idx,
			 size_t nidx, size_t *seen, struct graph *g)
{
	char ctx[CTX_MAX];

	snprintf(ctx, sizeof(ctx), "service '%.60s'", p->services[i].name);
	g->edges[i] = xcalloc(deps->u.arr.len, sizeof(size_t));
	g->pos[i] = xcalloc(deps->u.arr.len, sizeof(struct toml_pos));
	for (size_t j = 0; j < p->services[i].ndepends_on; j++) {
		const char *dep = p->services[i].depends_on[j];
		struct toml_pos pos = deps->u.arr.items[j]->pos;
		long t = lookup(idx, nidx, dep);

		if (t < 0) {
			report_unknown_dep(f, ctx, p, dep, pos);
		} else if (seen[t] == i + 1) {
			cfile_diag(f, pos, ctx, "depends_on '%s' is listed twice", dep);
		} else {
			seen[t] = i + 1;
			g->edges[i][g->nedges[i]] = (size_t)t;
			g->pos[i][g->nedges[i]++] = pos;
		}
	}
}

static void report_cycle(const struct cfile *f, const struct project *p,
			 const size_t *stack, size_t from, size_t top, struct toml_pos pos)
{
	struct buf b = BUF_INIT;
	size_t len = top - from;

	for (size_t k = from; k < top; k++) {
		if (len > CYCLE_NAMES_MAX && k == from + CYCLE_NAMES_MAX / 2) {
			buf_puts(&b, "... -> ");
			k = top - CYCLE_NAMES_MAX / 2;
		}
		buf_printf(&b, "%s -> ", p->services[stack[k]].name);
	}
	buf_puts(&b, p->services[stack[from]].name);
	cfile_diag(f, pos, NULL, "depends_on cycle: %s", buf_str(&b));
	buf_release(&b);
}

enum { WHITE, GREY, BLACK };

/* Iterative DFS from root; each back edge is one cycle, reported at that edge. */
static void dfs(const struct cfile *f, const struct project *p, const struct graph *g,
		size_t root, char *color, size_t *stack, size_t *next, size_t *depth_of)
{
	size_t top = 0;

	stack[top] = root;
	next[top++] = 0;
	color[root] = GREY;
	while (top > 0) {
		size_t u = stack[top - 1], e = next[top - 1]++;
		size_t v;

		if (e == g->nedges[u]) {
			color[u] = BLACK;
			top--;
			continue;
		}
		v = g->edges[u][e];
		if (color[v] == GREY)
			report_cycle(f, p, stack, depth_of[v], top, g->pos[u][e]);
		if (color[v] != WHITE)
			continue;
		color[v] = GREY;
		depth_of[v] = top;
		stack[top] = v;
		next[top++] = 0;
	}
}

static void check_cycles(const struct cfile *f, const struct project *p, const struct graph *g)
{
	char *color = xcalloc(g->n, 1);
	size_t *stack = xcalloc(g->n, sizeof(size_t));
	size_t *next = xcalloc(g->n, sizeof(size_t));
	size_t *depth_of = xcalloc(g->n, sizeof(size_t));

	for (size_t i = 0; i < g->n; i++)
		if (color[i] == WHITE) {
			depth_of[i] = 0;
			dfs(f, p, g, i, color, stack, next, depth_of);
		}
	free(color);
	free(stack);
	free(next);
	free(depth_of);
}

static void check_depends_on(const struct cfile *f, const struct project *p,
			     const struct toml_value *const *tabs)
{
	struct graph g = { .n = p->nservices };
	struct name_index *idx;
	size_t nidx = build_index(p, &idx);
	size_t *seen = xcalloc(p->nservices, sizeof(size_t));

	g.edges = xcalloc(g.n, sizeof(*g.edges));
	g.pos = xcalloc(g.n, sizeof(*g.pos));
	g.nedges = xcalloc(g.n, sizeof(*g.nedges));
	for (size_t i = 0; i < p->nservices; i++)
		if (p->services[i].name != NULL && p->services[i].ndepends_on > 0)
			resolve_deps(f, p, i, toml_get(tabs[i], "depends_on"), idx, nidx, seen,
				     &g);
	check_cycles(f, p, &g);
	graph_release(&g);
	free(seen);
	free(idx);
}

void config_check_project(const struct cfile *f, const struct project *p,
			  const struct toml_value *const *tabs)
{
	check_names(f, p, tabs);
	check_depends_on(f, p, tabs);
}

static void check_placement(const struct config *c, const struct service *s,
			    struct diags *d)
{
	const char *cands[SUGGEST_CANDIDATES_MAX], *hint;
	size_t n = 0;

	if (s->placement_node == NULL || c->cluster.nnodes == 0 ||
	    config_find_node(c, s->placement_node) != NULL)
		return;
	for (size_t i = 0; i < c->cluster.nnodes && n < SUGGEST_CANDIDATES_MAX; i++)
		cands[n++] = c->cluster.nodes[i].name;
	hint = suggest_closest(s->placement_node, cands, n);
	diags_add(d, s->placement_node_loc.file, s->placement_node_loc.line,
		  s->placement_node_loc.col,
		  "service '%s': placement.node '%s' is not a [[node]] of cluster.toml%s%s%s",
		  s->name ? s->name : "?", s->placement_node, hint ? " (did you mean '" : "",
		  hint ? hint : "", hint ? "'?)" : "");
}

struct internal_name {
	const struct service *s;
	size_t order;  /* projects are sorted: the later one is the error */
};

static int cmp_internal(const void *pa, const void *pb)
{
	const struct internal_name *a = pa, *b = pb;
	int c = strcmp(a->s->name, b->s->name);

	return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* Internal services share the orca-internal network: one name, one service. */
static void check_internal_names(const struct config *c, struct diags *d)
{
	struct internal_name *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < c->nprojects; i++)
		for (size_t j = 0; j < c->projects[i].nservices; j++) {
			const struct service *s = &c->projects[i].services[j];

			if (!s->internal || s->name == NULL)
				continue;
			XGROW(v, cap, n + 1);
			v[n] = (struct internal_name){ s, n };
			n++;
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_internal);
	for (size_t i = 1; i < n; i++) {
		const struct service *a = v[i - 1].s, *b = v[i].s;

		if (strcmp(a->name, b->name) != 0 || strcmp(a->project, b->project) == 0)
			continue;
		diags_add(d, b->loc.file, b->loc.line, b->loc.col,
			  "service '%s': internal = true, but project '%s' has an internal "
			  "service '%s' too (%s:%d); names on the orca-internal network must "
			  "be unique", b->name, a->project, a->name, a->loc.file, a->loc.line);
	}
	free(v);
}

/*
 * Does it serve HTTP, as far as the config shows: a container whose port
 * answers an HTTP health check, or a wasm service with an http: trigger?
 * A port with a TCP check only may be a database or a cache, which a proxy
 * must not publish unless asked (`domain`).
 */
static bool serves_http(const struct service *s)
{
	if (s->runtime == RUNTIME_CONTAINER)
		return s->port != 0 && s->health.path != NULL;
	for (size_t i = 0; i < s->ntriggers; i++)
		if (s->triggers[i].kind == TRIGGER_HTTP)
			return true;
	return false;
}

/* [cluster] domain names each service that serves HTTP and has no `domain`
 * of its own <service>.<project>.<cluster domain>. */
static void default_domain(const struct config *c, struct service *s, struct diags *d)
{
	const char *why;
	char *name;

	free(s->default_domain);
	s->default_domain = NULL;
	if (c->cluster.domain == NULL || s->name == NULL || s->ndomains > 0 || !serves_http(s))
		return;
	name = xasprintf("%s.%s.%s", s->name, s->project, c->cluster.domain);
	if ((why = syntax_hostname(name)) != NULL) {
		diags_add(d, s->loc.file, s->loc.line, s->loc.col, "service '%s': its default "
			  "name '%s' is invalid (%s); give it a 'domain'", s->name, name, why);
		free(name);
		return;
	}
	s->default_domain = name;
}

void config_check(struct config *c, struct diags *d)
{
	for (size_t i = 0; i < c->nprojects && !diags_full(d); i++)
		for (size_t j = 0; j < c->projects[i].nservices; j++) {
			check_placement(c, &c->projects[i].services[j], d);
			default_domain(c, &c->projects[i].services[j], d);
		}
	check_internal_names(c, d);
	config_check_tls(c, d);
}
