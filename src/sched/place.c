/*
 * place.c - placing one service's replicas: filter, score, pick, commit.
 *
 * Per call, the static filters (pin, labels, GPU kind) run once over node
 * bitsets and leave a candidate list; every candidate gets a score; each
 * replica then takes the best candidate, and only that candidate's score
 * is recomputed, since nothing else changed. A call costs O(candidates)
 * plus O(candidates) per replica, and allocates nothing.
 */
#include "sched/internal.h"

#include <float.h>
#include <string.h>

#define NO_FIT (-DBL_MAX)
/*
 * Utilisation lies in [0, 1], so a penalty of 2 per replica of the same
 * service already on the node puts spread first and bin-packing second.
 */
#define SPREAD_PENALTY 2.0

static size_t popcount_words(const uint64_t *b, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (size_t)__builtin_popcountll(b[i]);
	return c;
}

static void and_words(uint64_t *b, const uint64_t *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] &= m[i];
}

static void filter_labels(struct scheduler *s, const struct scheduler_request *r,
			  struct survivors *sv)
{
	uint64_t *b = s->cand_bits;

	for (size_t i = 0; i < r->nlabels; i++) {
		int id = strtab_find(&s->labels, r->labels[i].key, '=', r->labels[i].value);

		if (id < 0) {
			if (sv->missing_label < 0)
				sv->missing_label = (int)i;
			memset(b, 0, s->nwords * sizeof(*b));
			continue;
		}
		and_words(b, s->label_nodes + (size_t)id * s->nwords, s->nwords);
	}
}

/* Appends the nodes of cand_bits that hold w's GPUs to the candidate list. */
static size_t filter_gpus(struct scheduler *s, const struct want *w, struct survivors *sv)
{
	size_t n = 0;

	for (size_t k = 0; k < s->nwords; k++) {
		for (uint64_t m = s->cand_bits[k]; m; m &= m - 1) {
			int node = (int)(k * 64) + __builtin_ctzll(m);
			uint64_t kind = w->gpus ? scheduler_gpu_kind(s, node, w->vendor, w->vram_min) : 0;

			if (w->gpus && kind == 0)
				continue;
			sv->vram++;
			if (w->gpus && __builtin_popcountll(kind) < w->gpus)
				continue;
			sv->count++;
			s->cand[n] = node;
			s->elig[n++] = kind;
		}
	}
	return n;
}

/* The static filters: fills s->cand and s->elig; returns how many nodes passed. */
static size_t filter(struct scheduler *s, const struct want *w, struct survivors *sv)
{
	const struct scheduler_request *r = w->r;
	uint64_t *b = s->cand_bits;

	*sv = (struct survivors){ .pin = -1, .missing_label = -1 };
	if (r->node != NULL) {
		memset(b, 0, s->nwords * sizeof(*b));
		sv->pin = scheduler_node_find(s, r->node);
		if (sv->pin >= 0)
			b[sv->pin / 64] |= UINT64_C(1) << (sv->pin % 64);
	} else {
		memcpy(b, s->all_nodes, s->nwords * sizeof(*b));
	}
	filter_labels(s, r, sv);
	sv->labels = popcount_words(b, s->nwords);
	if (w->gpus)
		and_words(b, s->vendor_nodes + (size_t)w->vendor * s->nwords, s->nwords);
	sv->vendor = popcount_words(b, s->nwords);
	return filter_gpus(s, w, sv);
}

/* How much the node would be used with one more replica, minus the spread penalty. */
static double score(const struct scheduler *s, const struct want *w, int node, uint64_t elig)
{
	const struct node_gpus *g = &s->gpus[node];
	double u;
	int used;

	if ((w->memory > 0 && w->memory > s->mem_limit[node] - s->mem_used[node]) ||
	    (w->cpu > 0 && w->cpu > s->cpu_limit[node] - s->cpu_used[node]))
		return NO_FIT;
	u = (double)(s->mem_used[node] + w->memory) * s->mem_inv[node] +
	    (double)(s->cpu_used[node] + w->cpu) * s->cpu_inv[node];
	if (w->gpus == 0)
		return u * s->dims_inv[0][node] - SPREAD_PENALTY * s->spread[node];
	if (__builtin_popcountll(elig & g->free) < w->gpus)
		return NO_FIT;
	used = g->n - __builtin_popcountll(g->free) + w->gpus;
	u += used * s->gpu_inv[node];
	return u * s->dims_inv[1][node] - SPREAD_PENALTY * s->spread[node];
}

/* The best candidate; the first in node order on a tie; -1 when none fits. */
static int pick(const struct scheduler *s, size_t ncand)
{
	double best = NO_FIT;
	int at = -1;

	for (size_t i = 0; i < ncand; i++) {
		if (s->score[i] > best) {
			best = s->score[i];
			at = (int)i;
		}
	}
	return at;
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
	uint64_t gpus = 0;

	if (w->gpus)
		gpus = scheduler_gpu_pick(s, node, s->elig[c] & s->gpus[node].free, w->gpus);
	scheduler_commit(s, w, node, gpus);
	s->spread[node]++;
	p->node = node;
	p->node_name = scheduler_node_name(s, node);
	p->gpus = gpus;
	s->score[c] = score(s, w, node, s->elig[c]);
}

static int place_all(struct scheduler *s, const struct want *w, size_t ncand, int count,
		     struct scheduler_placement *out, struct err *e)
{
	int placed, rc = 0;

	spread_load(s, w);
	for (size_t i = 0; i < ncand; i++)
		s->score[i] = score(s, w, s->cand[i], s->elig[i]);
	for (placed = 0; placed < count; placed++) {
		int c = pick(s, ncand);

		if (c < 0) {
			rc = scheduler_explain_dynamic(s, w, ncand, count, placed, e);
			break;
		}
		place_one(s, w, c, &out[placed]);
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
	if (count < 0)
		return err_set(e, ERR_INVALID, "service '%s/%s': %d replicas", r->project,
			       r->service, count);
	if (count == 0)
		return 0;
	ncand = filter(s, &w, &sv);
	if (ncand == 0)
		return scheduler_explain_static(s, &w, &sv, e);
	return place_all(s, &w, ncand, count, out, e);
}
