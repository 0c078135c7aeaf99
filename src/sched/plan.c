/*
 * plan.c - placing many services at once: the missing replicas of each,
 * hardest first, each service all or nothing.
 *
 * Hardest first because a GPU or pinned service has few candidates while a
 * small unconstrained one fits almost anywhere; placing the easy ones first
 * would only take room the hard ones cannot find elsewhere.
 */
#include "sched/internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct order {
	size_t i;
	const struct scheduler_request *r;
};

static int cmp_desc(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b;
}

/* GPU, then pinned, then more labels, then memory, then cpu; then input order. */
static int harder_first(const void *pa, const void *pb)
{
	const struct order *a = pa, *b = pb;
	const struct scheduler_request *x = a->r, *y = b->r;
	int c;

	if ((c = cmp_desc(x->gpu.vendor != GPU_NONE && x->gpu.count > 0,
			  y->gpu.vendor != GPU_NONE && y->gpu.count > 0)) ||
	    (c = cmp_desc(x->node != NULL, y->node != NULL)) ||
	    (c = cmp_desc((int64_t)x->nlabels, (int64_t)y->nlabels)) ||
	    (c = cmp_desc(x->memory_bytes, y->memory_bytes)) ||
	    (c = cmp_desc(x->cpu_millis, y->cpu_millis)))
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* How many replicas reqs[i] lacks, or a negative code (in o->err). */
static int missing(struct scheduler *s, const struct scheduler_request *r,
		   struct scheduler_outcome *o)
{
	struct want w;
	struct service_state *sv;

	if (scheduler_want(s, r, &w, &o->err) < 0)
		return o->err.code;
	sv = &s->svc[w.service];
	if (r->replicas < 0 || r->replicas > SCHEDULER_REPLICAS_MAX)
		return err_set(&o->err, ERR_INVALID, "service '%s/%s': %d replicas",
			       r->project, r->service, r->replicas);
	if (sv->plan_mark == s->plan_mark)
		return err_set(&o->err, ERR_INVALID, "service '%s/%s' appears twice in the plan",
			       r->project, r->service);
	sv->plan_mark = s->plan_mark;
	return r->replicas > sv->count ? r->replicas - sv->count : 0;
}

/* Moves each outcome's placements down over the room failed ones left. */
static void compact(struct scheduler_plan *p)
{
	size_t at = 0;

	for (size_t i = 0; i < p->noutcomes; i++) {
		struct scheduler_outcome *o = &p->outcomes[i];

		memmove(p->placements + at, p->placements + o->first,
			o->count * sizeof(*p->placements));
		o->first = at;
		at += o->count;
	}
	p->nplacements = at;
}

static int first_failure(const struct scheduler_plan *p, struct err *e)
{
	for (size_t i = 0; i < p->noutcomes; i++) {
		const struct err *oe = &p->outcomes[i].err;

		if (oe->code == 0)
			continue;
		if (p->nfailed == 1)
			return err_set(e, oe->code, "%s", oe->msg);
		return err_set(e, oe->code, "%s (and %zu more service%s cannot be placed)",
			       oe->msg, p->nfailed - 1, p->nfailed == 2 ? "" : "s");
	}
	return 0;
}

int scheduler_plan(struct scheduler *s, const struct scheduler_request *reqs, size_t n,
		   struct scheduler_plan *p, struct err *e)
{
	struct order *order = xcalloc(n, sizeof(*order));
	size_t total = 0, nvalid = 0;

	memset(p, 0, sizeof(*p));
	p->outcomes = xcalloc(n, sizeof(*p->outcomes));
	p->noutcomes = n;
	s->plan_mark++;
	for (size_t i = 0; i < n; i++) {
		int need = missing(s, &reqs[i], &p->outcomes[i]);

		if (need >= 0 && total + (size_t)need > SCHEDULER_PLAN_MAX)
			need = err_set(&p->outcomes[i].err, ERR_TOOBIG,
				       "service '%s/%s': the plan holds more than %d new replicas",
				       reqs[i].project, reqs[i].service, SCHEDULER_PLAN_MAX);
		if (need < 0) {
			p->nfailed++;
			continue;
		}
		p->outcomes[i].first = total;
		p->outcomes[i].count = (size_t)need;
		total += (size_t)need;
		order[nvalid++] = (struct order){ .i = i, .r = &reqs[i] };
	}
	qsort(order, nvalid, sizeof(*order), harder_first);
	p->placements = xcalloc(total, sizeof(*p->placements));
	for (size_t k = 0; k < nvalid; k++) {
		struct scheduler_outcome *o = &p->outcomes[order[k].i];

		if (scheduler_place(s, order[k].r, (int)o->count, p->placements + o->first,
				    &o->err) < 0) {
			o->count = 0;
			p->nfailed++;
		}
	}
	free(order);
	compact(p);
	return first_failure(p, e);
}

void scheduler_plan_release(struct scheduler_plan *p)
{
	free(p->placements);
	free(p->outcomes);
	memset(p, 0, sizeof(*p));
}
