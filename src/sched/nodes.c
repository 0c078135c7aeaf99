/*
 * nodes.c - the node table: capacities, labels and GPUs copied out of
 * struct node into arrays and bitsets, plus the implicit local node.
 */
#include "sched/internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define NODE_ARRAYS(X) \
	X(mem_cap) X(mem_limit) X(mem_used) X(cpu_cap) X(cpu_limit) X(cpu_used) \
	X(mem_free) X(cpu_free) X(mem_inv) X(cpu_inv) X(used_util) X(gpu_inv) \
	X(dims_inv[0]) X(dims_inv[1]) X(replicas) X(gpus) X(all_cand) X(cand_buf) \
	X(elig) X(score) X(spread)

/* The leaves of a tournament tree over n candidates: a power of two >= n. */
static size_t tree_size(size_t n)
{
	size_t leaves = 1;

	while (leaves < n)
		leaves *= 2;
	return leaves;
}

static struct scheduler *alloc_tables(size_t nnodes)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));

	s->nnodes = nnodes;
	s->nwords = (nnodes + 63) / 64;
#define ALLOC(f) s->f = xcalloc(nnodes, sizeof(*s->f));
	NODE_ARRAYS(ALLOC)
#undef ALLOC
	for (size_t i = 0; i < nnodes; i++)
		s->all_cand[i] = (int)i;
	s->tree = xcalloc(2 * tree_size(nnodes), sizeof(*s->tree));
	s->vendor_nodes = xcalloc(GPU_VENDORS * s->nwords, sizeof(uint64_t));
	s->all_nodes = xcalloc(s->nwords, sizeof(uint64_t));
	s->cand_bits = xcalloc(s->nwords, sizeof(uint64_t));
	strtab_init(&s->nodes);
	strtab_init(&s->labels);
	strtab_init(&s->services);
	return s;
}

void scheduler_free(struct scheduler *s)
{
	if (s == NULL)
		return;
#define FREE(f) free(s->f);
	NODE_ARRAYS(FREE)
#undef FREE
	free(s->tree);
	free(s->vendor_nodes);
	free(s->all_nodes);
	free(s->cand_bits);
	free(s->label_nodes);
	free(s->gpu_vram);
	free(s->svc);
	free(s->links);
	strtab_release(&s->nodes);
	strtab_release(&s->labels);
	strtab_release(&s->services);
	free(s);
}

static void set_bit(uint64_t *set, size_t i)
{
	set[i / 64] |= UINT64_C(1) << (i % 64);
}

static void add_labels(struct scheduler *s, const struct node *nd, size_t i)
{
	for (size_t k = 0; k < nd->nlabels; k++) {
		int id = strtab_add(&s->labels, nd->labels[k].key, '=', nd->labels[k].value, NULL);
		size_t need = ((size_t)id + 1) * s->nwords, old = s->label_nodes_cap;

		if (need > old) {
			XGROW(s->label_nodes, s->label_nodes_cap, need);
			memset(s->label_nodes + old, 0,
			       (s->label_nodes_cap - old) * sizeof(uint64_t));
		}
		set_bit(s->label_nodes + (size_t)id * s->nwords, i);
	}
}

static int add_gpus(struct scheduler *s, const struct node *nd, size_t i, size_t *ngpu,
		    size_t *gpu_cap, struct err *e)
{
	struct node_gpus *g = &s->gpus[i];

	g->first = (int)*ngpu;
	for (size_t k = 0; k < nd->ngpus; k++) {
		const struct node_gpu *ng = &nd->gpus[k];

		if (ng->vendor <= GPU_NONE || ng->vendor >= GPU_VENDORS)
			return err_set(e, ERR_INVALID, "node '%s': unknown GPU vendor %d",
				       nd->name, (int)ng->vendor);
		if (ng->count < 0 || ng->count > SCHEDULER_GPUS_MAX - g->n)
			return err_set(e, ERR_INVALID, "node '%s': more than %d GPUs",
				       nd->name, SCHEDULER_GPUS_MAX);
		for (int c = 0; c < ng->count; c++, g->n++) {
			XGROW(s->gpu_vram, *gpu_cap, *ngpu + 1);
			s->gpu_vram[(*ngpu)++] = ng->vram_mib;
			g->vendor[ng->vendor] |= UINT64_C(1) << g->n;
		}
		if (ng->count > 0)
			set_bit(s->vendor_nodes + (size_t)ng->vendor * s->nwords, i);
	}
	g->free = g->n == SCHEDULER_GPUS_MAX ? UINT64_MAX : (UINT64_C(1) << g->n) - 1;
	return 0;
}

static void set_capacity(struct scheduler *s, const struct node *nd, size_t i)
{
	int dims = (nd->memory_bytes > 0) + (nd->cpu_millis > 0);

	s->mem_cap[i] = nd->memory_bytes;
	s->mem_limit[i] = nd->memory_bytes > 0 ? nd->memory_bytes : INT64_MAX;
	s->mem_inv[i] = nd->memory_bytes > 0 ? 1.0 / (double)nd->memory_bytes : 0;
	s->cpu_cap[i] = nd->cpu_millis;
	s->cpu_limit[i] = nd->cpu_millis > 0 ? nd->cpu_millis : INT64_MAX;
	s->cpu_inv[i] = nd->cpu_millis > 0 ? 1.0 / (double)nd->cpu_millis : 0;
	s->gpu_inv[i] = s->gpus[i].n > 0 ? 1.0 / s->gpus[i].n : 0;
	s->dims_inv[0][i] = dims > 0 ? 1.0 / dims : 0;
	s->dims_inv[1][i] = 1.0 / (dims + 1);
	scheduler_node_refresh(s, (int)i);
}

/* Derives what the placement loop reads from a node's capacity and usage. */
void scheduler_node_refresh(struct scheduler *s, int node)
{
	s->mem_free[node] = s->mem_limit[node] - s->mem_used[node];
	s->cpu_free[node] = s->cpu_limit[node] - s->cpu_used[node];
	s->used_util[node] = (double)s->mem_used[node] * s->mem_inv[node] +
			     (double)s->cpu_used[node] * s->cpu_inv[node];
}

static int add_node(struct scheduler *s, const struct node *nd, size_t i, size_t *ngpu,
		    size_t *gpu_cap, struct err *e)
{
	int added;

	if (nd->name == NULL || nd->name[0] == '\0')
		return err_set(e, ERR_INVALID, "node %zu has no name", i + 1);
	if (nd->memory_bytes < 0 || nd->cpu_millis < 0)
		return err_set(e, ERR_INVALID, "node '%s': negative capacity", nd->name);
	strtab_add(&s->nodes, nd->name, 0, NULL, &added);
	if (!added)
		return err_set(e, ERR_INVALID, "node '%s' is declared twice", nd->name);
	set_bit(s->all_nodes, i);
	add_labels(s, nd, i);
	if (add_gpus(s, nd, i, ngpu, gpu_cap, e) < 0)
		return e->code;
	set_capacity(s, nd, i);
	return 0;
}

int scheduler_new(struct scheduler **out, const struct node *nodes, size_t nnodes,
		  struct err *e)
{
	struct scheduler *s;
	size_t ngpu = 0, gpu_cap = 0;
	int rc = 0;

	*out = NULL;
	if (nnodes > INT32_MAX / 4)
		return err_set(e, ERR_TOOBIG, "%zu nodes is too many", nnodes);
	s = alloc_tables(nnodes);
	for (size_t i = 0; i < nnodes; i++) {
		rc = add_node(s, &nodes[i], i, &ngpu, &gpu_cap, e);
		if (rc < 0)
			goto out_free;
	}
	*out = s;
	return 0;
out_free:
	scheduler_free(s);
	return rc;
}

int scheduler_new_from_config(struct scheduler **out, const struct config *cfg,
			      const struct scheduler_host *host, struct err *e)
{
	struct node local = { 0 };

	if (cfg->cluster.nnodes > 0)
		return scheduler_new(out, cfg->cluster.nodes, cfg->cluster.nnodes, e);
	local.name = (char *)(host && host->name ? host->name : "local");
	local.memory_bytes = host ? host->memory_bytes : 0;
	local.cpu_millis = host ? host->cpu_millis : 0;
	return scheduler_new(out, &local, 1, e);
}

size_t scheduler_node_count(const struct scheduler *s)
{
	return s->nnodes;
}

int scheduler_node_find(const struct scheduler *s, const char *name)
{
	return strtab_find(&s->nodes, name, 0, NULL);
}

const char *scheduler_node_name(const struct scheduler *s, int node)
{
	return strtab_key(&s->nodes, node);
}

void scheduler_node_usage(const struct scheduler *s, size_t node, struct scheduler_usage *u)
{
	const struct node_gpus *g = &s->gpus[node];

	u->name = scheduler_node_name(s, (int)node);
	u->memory_bytes = s->mem_cap[node];
	u->memory_used = s->mem_used[node];
	u->cpu_millis = s->cpu_cap[node];
	u->cpu_used = s->cpu_used[node];
	u->gpus = g->n;
	u->gpus_used = g->n - __builtin_popcountll(g->free);
	u->replicas = s->replicas[node];
}
