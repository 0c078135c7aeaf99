/*
 * place.c - placing one service's replicas: score the candidates, take the
 * best, commit, repeat.
 *
 * The static filters (filter.c) leave a candidate list; one pass scores
 * every candidate and finds the best for the first replica. Placing a
 * replica changes only its node's score, so later replicas read the best
 * from a tournament tree over the scores, updated in O(log candidates).
 * A call costs O(candidates + replicas * log candidates) and allocates
 * nothing.
 */
#include "sched/internal.h"

#include <float.h>

#define NO_FIT (-DBL_MAX)
/*
 * Utilisation lies in [0, 1], so a penalty of 2 per replica of the same
 * service already on the node puts spread first and bin-packing second.
 */
#define SPREAD_PENALTY 2.0

/* The score without GPUs; both loops below use it so that they agree to the bit. */
static inline double plain(double used_util, double memory, double mem_inv, double cpu,
			   double cpu_inv, double dims_inv, int spread)
{
	return (used_util + memory * mem_inv + cpu * cpu_inv) * dims_inv - SPREAD_PENALTY * spread;
}

/*
 * How used the node would be with one more replica (the mean over its
 * declared dimensions: memory, cpu, and GPUs for a GPU request), minus the
 * spread penalty; NO_FIT when the replica does not fit.
 */
static double score(const struct scheduler *s, const struct want *w, int node, uint64_t elig)
{
	const struct node_gpus *g = &s->gpus[node];
	int used;

	if (w->fit_memory > s->mem_free[node] || w->fit_cpu > s->cpu_free[node])
		return NO_FIT;
	if (w->gpus == 0)
		return plain(s->used_util[node], (double)w->memory, s->mem_inv[node],
			     (double)w->cpu, s->cpu_inv[node], s->dims_inv[0][node],
			     s->spread[node]);
	if (__builtin_popcountll(elig & g->free) < w->gpus)
		return NO_FIT;
	used = g->n - __builtin_popcountll(g->free) + w->gpus;
	return (s->used_util[node] + (double)w->memory * s->mem_inv[node] +
		(double)w->cpu * s->cpu_inv[node] + used * s->gpu_inv[node]) *
	       s->dims_inv[1][node] - SPREAD_PENALTY * s->spread[node];
}

static int score_all_gpu(struct scheduler *s, const struct want *w, size_t ncand)
{
	double best = NO_FIT;
	int at = -1;

	for (size_t i = 0; i < ncand; i++) {
		double v = s->score[i] = score(s, w, s->cand[i], s->elig[i]);

		if (v > best) {
			best = v;
			at = (int)i;
		}
	}
	return at;
}

/*
 * Scores every candidate; returns the best, the first in node order on a
 * tie, or -1. The hot loop of the scheduler, hence the arrays in locals:
 * the compiler cannot tell that writing a score leaves *s alone.
 */
static int score_all(struct scheduler *s, const struct want *w, size_t ncand)
{
	const int *cand = s->cand, *spread = s->spread;
	const int64_t *mem_free = s->mem_free, *cpu_free = s->cpu_free;
	const double *util = s->used_util, *mem_inv = s->mem_inv, *cpu_inv = s->cpu_inv;
	const double *dims_inv = s->dims_inv[0];
	const int64_t fit_memory = w->fit_memory, fit_cpu = w->fit_cpu;
	const double memory = (double)w->memory, cpu = (double)w->cpu;
	double *out = s->score, best = NO_FIT;
	int at = -1;

	if (w->gpus)
		return score_all_gpu(s, w, ncand);
	for (size_t i = 0; i < ncand; i++) {
		int n = cand[i];
		double v = NO_FIT;

		if (fit_memory <= mem_free[n] && fit_cpu <= cpu_free[n])
			v = plain(util[n], memory, mem_inv[n], cpu, cpu_inv[n], dims_inv[n], spread[n]);
		out[i] = v;
		if (v > best) {
			best = v;
			at = (int)i;
		}
	}
	return at;
}

/* The better of two candidates (-1: none); a tie goes to a, the earlier one. */
static int winner(const struct scheduler *s, int a, int b)
{
	if (a < 0 || b < 0)
		return a < 0 ? b : a;
	return s->score[b] > s->score[a] ? b : a;
}

static void tree_build(struct scheduler *s, size_t ncand)
{
	size_t leaves = 1;

	while (leaves < ncand)
		leaves *= 2;
	s->tree_leaves = leaves;
	for (size_t i = 0; i < leaves; i++)
		s->tree[leaves + i] = i < ncand ? (int)i : -1;
	for (size_t j = leaves - 1; j >= 1; j--)
		s->tree[j] = winner(s, s->tree[2 * j], s->tree[2 * j + 1]);
}

/* After candidate c's score changed: replays its matches; returns the new best or -1. */
static int tree_update(struct scheduler *s, int c)
{
	size_t j = (s->tree_leaves + (size_t)c) / 2;

	for (; j >= 1; j /= 2)
		s->tree[j] = winner(s, s->tree[2 * j], s->tree[2 * j + 1]);
	c = s->tree[1];
	return c >= 0 && s->score[c] > NO_FIT ? c : -1;
}

/* Counts, per node, the replicas of w's service, in the scratch s->spread. */
static void spread_load(struct scheduler *s, const struct want *w)
{
	for (int l = s->svc[w->service].head; l >= 0; l = s->links[l].next)
		s->spread[s->links[l].node]++;
}

/* Zeroes s->spread again: every node it counted holds one of the service's links. */
static void spread_clear(struct scheduler *s, const struct want *w)
{
	for (int l = s->svc[w->service].head; l >= 0; l = s->links[l].next)
		s->spread[s->links[l].node] = 0;
}

static void place_one(struct scheduler *s, const struct want *w, int c,
		      struct scheduler_placement *p)
{
	int node = s->cand[c];
	uint64_t elig = w->gpus ? s->elig[c] : 0, gpus = 0;

	if (w->gpus)
		gpus = scheduler_gpu_pick(s, node, elig & s->gpus[node].free, w->gpus);
	scheduler_commit(s, w, node, gpus);
	s->spread[node]++;
	p->node = node;
	p->node_name = scheduler_node_name(s, node);
	p->gpus = gpus;
	s->score[c] = score(s, w, node, elig);
}

static int place_all(struct scheduler *s, const struct want *w, size_t ncand, int count,
		     struct scheduler_placement *out, struct err *e)
{
	int placed = 0, rc = 0, c;

	spread_load(s, w);
	c = score_all(s, w, ncand);
	if (c >= 0 && count > 1)
		tree_build(s, ncand);
	for (; placed < count; placed++) {
		if (c < 0) {
			rc = scheduler_explain_dynamic(s, w, ncand, count, placed, e);
			break;
		}
		place_one(s, w, c, &out[placed]);
		if (placed + 1 < count)
			c = tree_update(s, c);
	}
	spread_clear(s, w);
	if (rc < 0)
		while (placed-- > 0)
			scheduler_uncommit_last(s, w, &out[placed]);
	return rc;
}

int scheduler_place(struct scheduler *s, const struct scheduler_request *r, int count,
		    struct scheduler_placement *out, struct err *e)
{
	struct survivors sv;
	struct want w;
	size_t ncand;

	if (scheduler_want(s, r, &w, e) < 0)
		return e->code;
	if (count < 0 || count > SCHEDULER_REPLICAS_MAX)
		return err_set(e, ERR_INVALID, "service '%s/%s': %d replicas", r->project,
			       r->service, count);
	if (count == 0)
		return 0;
	ncand = scheduler_filter(s, &w, &sv);
	if (ncand == 0)
		return scheduler_explain_static(s, &w, &sv, e);
	return place_all(s, &w, ncand, count, out, e);
}
