/*
 * alloc.c - accounting: what a request asks for, which GPUs it takes, and
 * recording replicas (running ones and new placements) against nodes.
 */
#include "sched/internal.h"

#include <string.h>

#include "base/xalloc.h"

void scheduler_request_from_service(struct scheduler_request *r, const struct service *svc)
{
	memset(r, 0, sizeof(*r));
	r->project = svc->project;
	r->service = svc->name;
	r->replicas = svc->replicas;
	r->memory_bytes = svc->memory_bytes;
	r->cpu_millis = svc->cpu_millis;
	r->gpu = svc->gpu;
	r->node = svc->placement_node;
	r->labels = svc->placement_labels;
	r->nlabels = svc->nplacement_labels;
}

static int service_id(struct scheduler *s, const struct scheduler_request *r)
{
	int added, id = strtab_add(&s->services, r->project, '/', r->service, &added);

	if (added) {
		XGROW(s->svc, s->svc_cap, (size_t)id + 1);
		s->svc[id] = (struct service_state){ .head = -1 };
	}
	return id;
}

static int check_request(const struct scheduler_request *r, struct err *e)
{
	const struct gpu_request *g = &r->gpu;

	if (r->memory_bytes < 0 || r->memory_bytes > SCHEDULER_MEMORY_MAX)
		return err_set(e, ERR_INVALID, "memory %lld bytes is out of range",
			       (long long)r->memory_bytes);
	if (r->cpu_millis < 0 || r->cpu_millis > SCHEDULER_CPU_MAX)
		return err_set(e, ERR_INVALID, "cpu %lld millicpus is out of range",
			       (long long)r->cpu_millis);
	if (g->vendor < GPU_NONE || g->vendor >= GPU_VENDORS || g->count < 0 ||
	    g->vram_min_mib < 0 || (g->vendor == GPU_NONE && g->count > 0))
		return err_set(e, ERR_INVALID, "invalid GPU request");
	if (r->nlabels > 0 && r->labels == NULL)
		return err_set(e, ERR_INVALID, "labels missing");
	for (size_t i = 0; i < r->nlabels; i++)
		if (r->labels[i].key == NULL || r->labels[i].value == NULL)
			return err_set(e, ERR_INVALID, "label %zu is empty", i + 1);
	return 0;
}

int scheduler_want(struct scheduler *s, const struct scheduler_request *r,
		   struct want *w, struct err *e)
{
	if (r->project == NULL || r->service == NULL)
		return err_set(e, ERR_INVALID, "a scheduler request needs a project and a service");
	if (check_request(r, e) < 0)
		return err_wrap(e, "service '%s/%s'", r->project, r->service);
	w->r = r;
	w->service = service_id(s, r);
	w->memory = r->memory_bytes;
	w->cpu = r->cpu_millis;
	w->fit_memory = w->memory > 0 ? w->memory : INT64_MIN;  /* no request fits anywhere */
	w->fit_cpu = w->cpu > 0 ? w->cpu : INT64_MIN;
	w->vendor = r->gpu.vendor;
	w->gpus = r->gpu.vendor != GPU_NONE ? r->gpu.count : 0;
	w->vram_min = r->gpu.vram_min_mib;
	return 0;
}

uint64_t scheduler_gpu_kind(const struct scheduler *s, int node, int vendor, int64_t vram_min)
{
	const struct node_gpus *g = &s->gpus[node];
	uint64_t kind = g->vendor[vendor], m = kind;

	if (vram_min <= 0)
		return kind;
	for (; m; m &= m - 1) {
		int i = __builtin_ctzll(m);

		if (s->gpu_vram[g->first + i] < vram_min)
			kind &= ~(UINT64_C(1) << i);
	}
	return kind;
}

/*
 * Best fit: the n usable GPUs with the least VRAM (lowest index on a tie),
 * so that big GPUs stay free for the requests that need them. Takes all of
 * usable when it holds n or fewer.
 */
uint64_t scheduler_gpu_pick(const struct scheduler *s, int node, uint64_t usable, int n)
{
	const int64_t *vram = s->gpu_vram + s->gpus[node].first;
	uint64_t taken = 0;

	if (__builtin_popcountll(usable) <= n)
		return usable;
	for (; n > 0; n--) {
		int best = -1;

		for (uint64_t m = usable & ~taken; m; m &= m - 1) {
			int i = __builtin_ctzll(m);

			if (best < 0 || vram[i] < vram[best])
				best = i;
		}
		if (best < 0)  /* cannot happen: usable holds more than n */
			break;
		taken |= UINT64_C(1) << best;
	}
	return taken;
}

static int64_t add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

void scheduler_commit(struct scheduler *s, const struct want *w, int node, uint64_t gpus)
{
	struct service_state *sv = &s->svc[w->service];

	s->mem_used[node] = add_sat(s->mem_used[node], w->memory);
	s->cpu_used[node] = add_sat(s->cpu_used[node], w->cpu);
	s->gpus[node].free &= ~gpus;
	s->replicas[node]++;
	scheduler_node_refresh(s, node);
	XGROW(s->links, s->links_cap, s->nlinks + 1);
	s->links[s->nlinks] = (struct link){ .node = node, .next = sv->head };
	sv->head = (int)s->nlinks++;
	sv->count++;
}

/* Undoes the last scheduler_commit of w's service, made by scheduler_place. */
void scheduler_uncommit_last(struct scheduler *s, const struct want *w,
			     const struct scheduler_placement *p)
{
	struct service_state *sv = &s->svc[w->service];

	s->mem_used[p->node] -= w->memory;
	s->cpu_used[p->node] -= w->cpu;
	s->gpus[p->node].free |= p->gpus;
	s->replicas[p->node]--;
	scheduler_node_refresh(s, p->node);
	sv->head = s->links[sv->head].next;
	sv->count--;
	s->nlinks--;
}

int scheduler_add(struct scheduler *s, const struct scheduler_request *r, const char *node,
		  uint64_t gpus, struct err *e)
{
	struct want w;
	int n;

	if (scheduler_want(s, r, &w, e) < 0)
		return e->code;
	n = node ? scheduler_node_find(s, node) : -1;
	if (n < 0)
		return err_set(e, ERR_NOTFOUND, "service '%s/%s': node '%s' is not in the cluster",
			       r->project, r->service, node ? node : "");
	if (s->gpus[n].n < SCHEDULER_GPUS_MAX && gpus >> s->gpus[n].n)
		return err_set(e, ERR_INVALID, "service '%s/%s': node '%s' has no GPU %d",
			       r->project, r->service, node, 63 - __builtin_clzll(gpus));
	if (gpus == 0 && w.gpus > 0) {
		uint64_t usable = scheduler_gpu_kind(s, n, w.vendor, w.vram_min) & s->gpus[n].free;

		gpus = scheduler_gpu_pick(s, n, usable, w.gpus);
	}
	scheduler_commit(s, &w, n, gpus);
	return 0;
}
