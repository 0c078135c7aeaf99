/*
 * internal.h - the scheduler's tables, shared by the files of sched/ only.
 *
 * Laid out for the placement loop: per-node arrays (structure of arrays)
 * scanned in node order, node sets as bitsets (one word per 64 nodes) so
 * that a service's label and GPU-vendor filters are a few ANDs, and scratch
 * arrays sized once at scheduler_new so that placing a replica allocates
 * nothing.
 */
#ifndef ORCA_SCHED_INTERNAL_H
#define ORCA_SCHED_INTERNAL_H

#include <stdint.h>

#include "sched/scheduler.h"
#include "sched/strtab.h"

#define GPU_VENDORS 3  /* enum gpu_vendor: GPU_NONE, GPU_NVIDIA, GPU_AMD */

/* A node's GPUs: bit i is GPU i of the node. */
struct node_gpus {
	uint64_t vendor[GPU_VENDORS];  /* the GPUs of each vendor */
	uint64_t free;                 /* not held by any replica */
	int first;                     /* index of GPU 0 in scheduler.gpu_vram */
	int n;
};

/* Replicas of one service, as a list through scheduler.links. */
struct service_state {
	int head;                      /* last link added, -1: none */
	int count;
	unsigned plan_mark;            /* scheduler_plan: seen in plan number mark */
};

struct link {
	int node;
	int next;                      /* older replica of the same service, -1: end */
};

/* A request checked and flattened for the placement loop. */
struct want {
	const struct scheduler_request *r;
	int service;                   /* id in scheduler.services */
	int64_t memory, cpu;
	int64_t fit_memory, fit_cpu;   /* fits when <= free: the request, or
	                                  INT64_MIN when there is none */
	int gpus;                      /* 0: none */
	int vendor;
	int64_t vram_min;
};

/* Which static filters some node passed, for the failure message. */
struct survivors {
	int pin;                       /* node index; -1: not pinned or unknown */
	int missing_label;             /* a label pair no node has; -1: none */
	int labels, vendor, vram;      /* some node passed pin + labels, + GPU vendor, + VRAM */
};

struct scheduler {
	size_t nnodes, nwords;         /* nwords: 64-bit words per node set */
	struct strtab nodes;           /* name -> node index */
	struct strtab labels;          /* "key=value" -> label id */
	uint64_t *label_nodes;         /* label id * nwords: the nodes with it */
	size_t label_nodes_cap;
	uint64_t *vendor_nodes;        /* vendor * nwords: nodes with such a GPU */
	uint64_t *all_nodes;           /* nwords */

	int64_t *mem_cap, *mem_limit, *mem_used;   /* limit: cap, or INT64_MAX */
	int64_t *cpu_cap, *cpu_limit, *cpu_used;
	int64_t *mem_free, *cpu_free;  /* limit - used; negative when overcommitted */
	double *mem_inv, *cpu_inv;     /* 1 / cap; 0 when undeclared */
	double *used_util;             /* mem_used * mem_inv + cpu_used * cpu_inv */
	double *gpu_inv;               /* 1 / GPU count; 0 without GPUs */
	double *dims_inv[2];           /* 1 / dimensions scored: [0] without, [1] with GPUs */
	int *replicas;                 /* per node */
	struct node_gpus *gpus;
	int64_t *gpu_vram;             /* MiB, for every GPU of every node */

	struct strtab services;        /* "project/service" -> service id */
	struct service_state *svc;
	size_t svc_cap;
	struct link *links;
	size_t nlinks, links_cap;
	unsigned plan_mark;

	/* scratch for one scheduler_place call, sized nnodes */
	uint64_t *cand_bits;
	int *cand;                     /* candidate node indexes, ascending: all_cand
	                                  when nothing filters, else cand_buf */
	int *all_cand, *cand_buf;
	int *tree;                     /* tournament over score, room for every node */
	size_t tree_leaves;            /* of the current tree: a power of two >= candidates */
	uint64_t *elig;                /* per candidate: GPUs of the right kind */
	double *score;                 /* per candidate; NO_FIT when it cannot take one */
	int *spread;                   /* per node: replicas of the current service */
};

/* nodes.c */
void scheduler_node_refresh(struct scheduler *s, int node);
int scheduler_node_find(const struct scheduler *s, const char *name);
const char *scheduler_node_name(const struct scheduler *s, int node);

/* alloc.c: accounting */
int scheduler_want(struct scheduler *s, const struct scheduler_request *r,
		   struct want *w, struct err *e);
uint64_t scheduler_gpu_kind(const struct scheduler *s, int node, int vendor,
			    int64_t vram_min);
uint64_t scheduler_gpu_pick(const struct scheduler *s, int node, uint64_t usable, int n);
void scheduler_commit(struct scheduler *s, const struct want *w, int node, uint64_t gpus);
void scheduler_uncommit_last(struct scheduler *s, const struct want *w,
			     const struct scheduler_placement *p);

/* filter.c: the static filters; fills s->cand and s->elig, returns how many */
size_t scheduler_filter(struct scheduler *s, const struct want *w, struct survivors *sv);

/* explain.c: why a replica fits nowhere; returns the error code */
int scheduler_explain_static(const struct scheduler *s, const struct want *w,
			     const struct survivors *sv, struct err *e);
int scheduler_explain_dynamic(const struct scheduler *s, const struct want *w,
			      size_t ncand, int count, int placed, struct err *e);

#endif
