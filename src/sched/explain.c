/*
 * explain.c - the sentence that says why a replica fits nowhere.
 *
 * Only runs on failure, so it may take its time and allocate. It names the
 * filter that eliminated the last candidates: the static ones in the order
 * they ran (pin, labels, GPU vendor, VRAM, GPU count), then the capacity
 * that no remaining node has free (GPUs, memory, cpu), or, when each is
 * free somewhere but never all on one node, all of them together.
 */
#include "sched/internal.h"

#include <inttypes.h>

#include "base/buf.h"

#define MIB (INT64_C(1) << 20)

static const char *vendor_name(int vendor)
{
	return vendor == GPU_NVIDIA ? "nvidia" : vendor == GPU_AMD ? "amd" : "unknown";
}

static void put_memory(struct buf *b, int64_t bytes)
{
	if (bytes < 0)
		bytes = 0;
	if (bytes % MIB == 0)
		buf_printf(b, "%" PRId64 " MiB", bytes / MIB);
	else if (bytes >= MIB)
		buf_printf(b, "%.1f MiB", (double)bytes / (double)MIB);
	else
		buf_printf(b, "%" PRId64 " bytes", bytes);
}

/* Millicpus as the user writes cpus: 1500 -> "1.5", 2000 -> "2". */
static void put_cpu(struct buf *b, int64_t millis)
{
	int64_t frac;
	int digits = 3;

	if (millis < 0)
		millis = 0;
	frac = millis % 1000;
	buf_printf(b, "%" PRId64, millis / 1000);
	if (frac == 0)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	buf_printf(b, ".%0*" PRId64, digits, frac);
}

/* "nvidia GPUs with at least 16000 MiB"; the caller says how many. */
static void put_kind(struct buf *b, const struct want *w, int n)
{
	buf_printf(b, "%s GPU%s", vendor_name(w->vendor), n == 1 ? "" : "s");
	if (w->vram_min > 0)
		buf_printf(b, " with at least %" PRId64 " MiB", w->vram_min);
}

static void put_labels(struct buf *b, const struct scheduler_request *r)
{
	for (size_t i = 0; i < r->nlabels; i++)
		buf_printf(b, "%s%s=%s", i ? ", " : "", r->labels[i].key, r->labels[i].value);
}

static int node_has_label(const struct scheduler *s, int node, const struct kv *l)
{
	int id = strtab_find(&s->labels, l->key, '=', l->value);

	return id >= 0 && (s->label_nodes[(size_t)id * s->nwords + node / 64] >> (node % 64)) & 1;
}

static void why_labels(const struct scheduler *s, const struct want *w,
		       const struct survivors *sv, struct buf *b)
{
	const struct scheduler_request *r = w->r;
	int n = 0;

	if (sv->pin >= 0)
		buf_printf(b, "node '%s' does not have labels ", r->node);
	else
		buf_puts(b, "no node has labels ");
	if (sv->pin < 0 && sv->missing_label < 0) {
		put_labels(b, r);
		return;
	}
	for (size_t i = 0; i < r->nlabels; i++) {
		const struct kv *l = &r->labels[i];
		int lacks = sv->pin >= 0 ? !node_has_label(s, sv->pin, l)
					  : strtab_find(&s->labels, l->key, '=', l->value) < 0;

		if (lacks)
			buf_printf(b, "%s%s=%s", n++ ? ", " : "", l->key, l->value);
	}
}

/* " with labels zone=eu-1": the nodes the static filters looked at. */
static void put_scope(struct buf *b, const struct want *w, int with_gpu)
{
	if (w->r->nlabels > 0) {
		buf_puts(b, " with labels ");
		put_labels(b, w->r);
	}
	if (with_gpu && w->gpus)
		buf_printf(b, " %s an %s GPU", w->r->nlabels ? "and" : "with",
			   vendor_name(w->vendor));
}

/* Vendor, VRAM or count. Both vendor names start with a vowel: "an". */
static void why_gpus_static(const struct scheduler *s, const struct want *w,
			    const struct survivors *sv, struct buf *b)
{
	struct want any = *w;

	if (!sv->vendor)
		any.vram_min = 0;  /* no GPU of that vendor at all: VRAM is beside the point */
	if (sv->pin >= 0 && !sv->vram) {
		buf_printf(b, "node '%s' has no ", w->r->node);
		put_kind(b, &any, 1);
	} else if (sv->pin >= 0) {
		int have = __builtin_popcountll(scheduler_gpu_kind(s, sv->pin, w->vendor, w->vram_min));

		buf_printf(b, "node '%s' has %d ", w->r->node, have);
		put_kind(b, w, have);
		buf_printf(b, ", a replica asks for %d", w->gpus);
	} else {
		buf_puts(b, "no node");
		put_scope(b, w, 0);
		if (!sv->vram) {
			buf_puts(b, " has an ");
			put_kind(b, &any, 1);
		} else {
			buf_printf(b, " has %d ", w->gpus);
			put_kind(b, w, w->gpus);
		}
	}
}

static int finish(const struct want *w, int code, struct buf *b, struct err *e)
{
	err_set(e, code, "service '%s/%s': %s", w->r->project, w->r->service, buf_str(b));
	buf_release(b);
	return code;
}

int scheduler_explain_static(const struct scheduler *s, const struct want *w,
			     const struct survivors *sv, struct err *e)
{
	struct buf b = BUF_INIT;
	int code = ERR_CONFLICT;

	if (w->r->node != NULL && sv->pin < 0) {
		code = ERR_NOTFOUND;
		buf_printf(&b, "no node is named '%s'", w->r->node);
	} else if (s->nnodes == 0) {
		buf_puts(&b, "the cluster has no nodes");
	} else if (!sv->labels) {
		why_labels(s, w, sv, &b);
	} else {
		why_gpus_static(s, w, sv, &b);
	}
	return finish(w, code, &b, e);
}

/* What the candidates have free right now. */
struct room {
	size_t ok_gpu, ok_mem, ok_cpu;
	int gpus_kind;                   /* GPUs of the right kind, free or not */
	int most_gpu, most_gpu_node;
	int64_t most_mem, most_cpu;
	int most_mem_node, most_cpu_node;
};

static void survey(const struct scheduler *s, const struct want *w, size_t ncand,
		   struct room *rm)
{
	*rm = (struct room){ .most_gpu_node = -1, .most_mem_node = -1, .most_cpu_node = -1 };
	for (size_t c = 0; c < ncand; c++) {
		int node = s->cand[c];
		uint64_t kind = w->gpus ? s->elig[c] : 0;  /* elig is only set for GPU requests */
		int g = __builtin_popcountll(kind & s->gpus[node].free);
		int64_t mem = s->mem_free[node], cpu = s->cpu_free[node];

		rm->gpus_kind += __builtin_popcountll(kind);
		rm->ok_gpu += g >= w->gpus;
		rm->ok_mem += w->memory == 0 || mem >= w->memory;
		rm->ok_cpu += w->cpu == 0 || cpu >= w->cpu;
		if (rm->most_gpu_node < 0 || g > rm->most_gpu)
			rm->most_gpu = g, rm->most_gpu_node = node;
		if (rm->most_mem_node < 0 || mem > rm->most_mem)
			rm->most_mem = mem, rm->most_mem_node = node;
		if (rm->most_cpu_node < 0 || cpu > rm->most_cpu)
			rm->most_cpu = cpu, rm->most_cpu_node = node;
	}
}

/* The one candidate: "node 'w1' has 512 MiB of memory free, a replica asks for 1024 MiB". */
static void why_node_full(const struct scheduler *s, const struct want *w,
			  const struct room *rm, struct buf *b)
{
	const char *name = scheduler_node_name(s, s->cand[0]);

	if (rm->ok_gpu == 0) {
		buf_printf(b, "node '%s' has %d free ", name, rm->most_gpu);
		put_kind(b, w, rm->most_gpu);
		buf_printf(b, ", a replica asks for %d", w->gpus);
	} else if (rm->ok_mem == 0) {
		buf_printf(b, "node '%s' has ", name);
		put_memory(b, rm->most_mem);
		buf_puts(b, " of memory free, a replica asks for ");
		put_memory(b, w->memory);
	} else {
		buf_printf(b, "node '%s' has ", name);
		put_cpu(b, rm->most_cpu);
		buf_puts(b, " cpu free, a replica asks for ");
		put_cpu(b, w->cpu);
		buf_puts(b, " cpu");
	}
}

static void why_no_gpu_free(const struct scheduler *s, const struct want *w,
			    const struct room *rm, struct buf *b)
{
	buf_puts(b, "no node");
	put_scope(b, w, 0);
	if (w->gpus == 1)
		buf_puts(b, " has a free ");
	else
		buf_printf(b, " has %d free ", w->gpus);
	put_kind(b, w, w->gpus);
	if (rm->most_gpu > 0)
		buf_printf(b, " (the most is %d, on '%s')", rm->most_gpu,
			   scheduler_node_name(s, rm->most_gpu_node));
	else  /* each candidate has at least w->gpus of the kind: two or more in all */
		buf_printf(b, " (all %d are in use)", rm->gpus_kind);
}

/* Each dimension is free somewhere, never all on one node. */
static void why_no_node_has_all(const struct want *w, struct buf *b)
{
	int n = (w->gpus > 0) + (w->memory > 0) + (w->cpu > 0), i = 0;

	buf_puts(b, "no node");
	put_scope(b, w, 0);
	buf_puts(b, " has ");
	if (w->gpus > 0) {
		buf_printf(b, "%d ", w->gpus);
		put_kind(b, w, w->gpus);
		i++;
	}
	if (w->memory > 0) {
		buf_puts(b, i == 0 ? "" : i == n - 1 ? " and " : ", ");
		put_memory(b, w->memory);
		buf_puts(b, " of memory");
		i++;
	}
	if (w->cpu > 0) {
		buf_puts(b, i == 0 ? "" : " and ");
		put_cpu(b, w->cpu);
		buf_puts(b, " cpu");
	}
	buf_puts(b, " free at once");
}

static void why_no_room(const struct scheduler *s, const struct want *w,
			const struct room *rm, struct buf *b)
{
	if (rm->ok_gpu == 0) {
		why_no_gpu_free(s, w, rm, b);
	} else if (rm->ok_mem == 0) {
		buf_puts(b, "no node");
		put_scope(b, w, 1);
		buf_puts(b, " has ");
		put_memory(b, w->memory);
		buf_puts(b, " of memory free (the most is ");
		put_memory(b, rm->most_mem);
		buf_printf(b, ", on '%s')", scheduler_node_name(s, rm->most_mem_node));
	} else if (rm->ok_cpu == 0) {
		buf_puts(b, "no node");
		put_scope(b, w, 1);
		buf_puts(b, " has ");
		put_cpu(b, w->cpu);
		buf_puts(b, " cpu free (the most is ");
		put_cpu(b, rm->most_cpu);
		buf_printf(b, ", on '%s')", scheduler_node_name(s, rm->most_cpu_node));
	} else {
		why_no_node_has_all(w, b);
	}
}

int scheduler_explain_dynamic(const struct scheduler *s, const struct want *w,
			      size_t ncand, int count, int placed, struct err *e)
{
	struct buf b = BUF_INIT;
	struct room rm;

	survey(s, w, ncand, &rm);
	if (count > 1 && placed > 0)
		buf_printf(&b, "no node can fit %d replicas: %d placed, then ", count, placed);
	if (ncand == 1)
		why_node_full(s, w, &rm, &b);
	else
		why_no_room(s, w, &rm, &b);
	return finish(w, ERR_CONFLICT, &b, e);
}
