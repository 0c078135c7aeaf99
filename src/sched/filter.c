/*
 * filter.c - the static filters of one request: placement.node,
 * placement.labels and the GPU kind (vendor, VRAM, count). They depend on
 * what nodes are, not on what runs there, so they run once per
 * scheduler_place call, as ANDs over node bitsets, and leave the candidate
 * list that scoring walks.
 */
#include "sched/internal.h"

#include <string.h>

static int any_words(const uint64_t *b, size_t n)
{
	uint64_t any = 0;

	for (size_t i = 0; i < n; i++)
		any |= b[i];
	return any != 0;
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

/* The nodes of cand_bits with w's GPUs become the candidates. */
static size_t filter_gpus(struct scheduler *s, const struct want *w, struct survivors *sv)
{
	size_t n = 0;

	for (size_t k = 0; k < s->nwords; k++) {
		for (uint64_t m = s->cand_bits[k]; m; m &= m - 1) {
			int node = (int)(k * 64) + __builtin_ctzll(m);
			uint64_t kind = w->gpus ? scheduler_gpu_kind(s, node, w->vendor, w->vram_min) : 0;

			if (w->gpus && kind == 0)
				continue;
			sv->vram = 1;
			if (w->gpus && __builtin_popcountll(kind) < w->gpus)
				continue;
			s->cand_buf[n] = node;
			s->elig[n++] = kind;
		}
	}
	return n;
}

size_t scheduler_filter(struct scheduler *s, const struct want *w, struct survivors *sv)
{
	const struct scheduler_request *r = w->r;
	uint64_t *b = s->cand_bits;

	*sv = (struct survivors){ .pin = -1, .missing_label = -1 };
	if (r->node == NULL && r->nlabels == 0 && w->gpus == 0) {
		s->cand = s->all_cand;  /* nothing to filter: every node, elig unused */
		sv->labels = sv->vendor = sv->vram = s->nnodes > 0;
		return s->nnodes;
	}
	s->cand = s->cand_buf;
	if (r->node != NULL) {
		memset(b, 0, s->nwords * sizeof(*b));
		sv->pin = scheduler_node_find(s, r->node);
		if (sv->pin >= 0)
			b[sv->pin / 64] |= UINT64_C(1) << (sv->pin % 64);
	} else {
		memcpy(b, s->all_nodes, s->nwords * sizeof(*b));
	}
	filter_labels(s, r, sv);
	sv->labels = any_words(b, s->nwords);
	if (w->gpus)
		and_words(b, s->vendor_nodes + (size_t)w->vendor * s->nwords, s->nwords);
	sv->vendor = any_words(b, s->nwords);
	return filter_gpus(s, w, sv);
}
