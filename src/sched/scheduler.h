/*
 * scheduler.h - where replicas run: nodes + service requests -> placements.
 *
 * Pure: no I/O, no clock, no logging, no threads, no globals. A struct
 * scheduler is a scratch model of the cluster that one thread builds for
 * one decision (a deploy, a dry run, a scale, a rollout step, a self-heal
 * pass) and then frees:
 *
 *	scheduler_new_from_config(&s, cfg, &host, e);     nodes
 *	scheduler_add(s, &req, "node-1", gpus, e);         each running replica
 *	scheduler_place(s, &req, 1, &p, e);                 one service, N more
 *	scheduler_plan(s, reqs, n, &plan, e);               many services
 *
 * Every placement returned is committed into the model, so later calls see
 * it. Running replicas never move, even when a better node exists.
 *
 * Filters, in order: placement.node; placement.labels (every pair must be on
 * the node, exactly); GPUs (`count` free GPUs of the vendor, each with at
 * least vram_min MiB; a GPU belongs to one replica at a time); free memory
 * and cpu (capacity minus allocations; a capacity of 0 is undeclared, which
 * means unlimited). Score: fewest replicas of the same service on the node
 * first (spread), then the node that ends up most utilised (bin-packing, so
 * that big holes stay free), then node order. Deterministic.
 *
 * A replica that fits nowhere gets a sentence naming the binding
 * constraint: "service 'data/db': no node has labels zone=eu-1".
 *
 * Called by reconcile/ and api/; calls only base/ and reads config/model.h.
 */
#ifndef ORCA_SCHED_SCHEDULER_H
#define ORCA_SCHED_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "config/model.h"

#define SCHEDULER_GPUS_MAX 64          /* per node: a replica's GPUs are a bit mask */
#define SCHEDULER_MEMORY_MAX (INT64_C(1) << 50)  /* per replica, bytes (1 PiB) */
#define SCHEDULER_CPU_MAX (INT64_C(1) << 30)     /* per replica, millicpus */
#define SCHEDULER_REPLICAS_MAX 100000            /* per service and call */
#define SCHEDULER_PLAN_MAX 1000000               /* new replicas in one plan */

struct scheduler;

/*
 * The machine orca runs on, for the implicit local node used when
 * cluster.toml declares none. Filled by the caller, or by
 * scheduler_host_detect(), the only function here that asks the OS.
 */
struct scheduler_host {
	const char *name;        /* NULL: "local"; copied */
	int64_t memory_bytes;    /* 0: unlimited */
	int64_t cpu_millis;      /* 0: unlimited */
};

/*
 * What one replica of a service needs. Every pointer is borrowed for the
 * call only. project + service name the service: replicas with the same
 * pair spread over nodes.
 */
struct scheduler_request {
	const char *project;
	const char *service;
	int replicas;              /* scheduler_plan: desired total, >= 0 */
	int64_t memory_bytes;      /* per replica; 0: no request */
	int64_t cpu_millis;        /* per replica; 0: no request */
	struct gpu_request gpu;    /* vendor GPU_NONE: no GPU */
	const char *node;          /* placement.node; NULL: any */
	const struct kv *labels;   /* placement.labels; all must match */
	size_t nlabels;
};

/* Where one new replica goes. */
struct scheduler_placement {
	int node;                  /* index in the node table (cluster.toml order) */
	const char *node_name;     /* owned by the scheduler */
	uint64_t gpus;             /* bit i: the node's GPU i, counting the
	                              [[node.gpus]] entries in order, each
	                              expanded to its count */
};

/* One request's share of a plan. */
struct scheduler_outcome {
	size_t first, count;       /* its new replicas: placements[first, first + count) */
	struct err err;            /* code 0: placed; else why not (nothing placed) */
};

struct scheduler_plan {
	struct scheduler_placement *placements;
	size_t nplacements;
	struct scheduler_outcome *outcomes;  /* one per request, in request order */
	size_t noutcomes;
	size_t nfailed;
};

/* What a node holds, for status and `GET /api/v1/nodes`. */
struct scheduler_usage {
	const char *name;          /* owned by the scheduler */
	int64_t memory_bytes, memory_used;  /* capacity 0: unlimited */
	int64_t cpu_millis, cpu_used;
	int gpus, gpus_used;
	int replicas;
};

/* Reads total memory and online cpus with sysconf(). The only I/O here. */
void scheduler_host_detect(struct scheduler_host *h);

/*
 * Builds a scheduler over nodes (copied: nothing is borrowed after the
 * call). Fails with ERR_INVALID on a duplicate node name, a node with more
 * than SCHEDULER_GPUS_MAX GPUs or an unknown GPU vendor. *out is freed with
 * scheduler_free.
 */
int scheduler_new(struct scheduler **out, const struct node *nodes, size_t nnodes,
		  struct err *e);
/*
 * The same over cfg's [[node]] table, or, when it declares none, over one
 * implicit local node named host->name ("local") with host's capacity.
 */
int scheduler_new_from_config(struct scheduler **out, const struct config *cfg,
			      const struct scheduler_host *host, struct err *e);
void scheduler_free(struct scheduler *s);

size_t scheduler_node_count(const struct scheduler *s);
void scheduler_node_usage(const struct scheduler *s, size_t node, struct scheduler_usage *u);

/*
 * Fills r from svc: its names, replicas, resources and placement, all
 * borrowed from svc. replicas is svc->replicas as is: for a wasm service
 * with replicas = "auto" the caller decides how many to ask for.
 */
void scheduler_request_from_service(struct scheduler_request *r, const struct service *svc);

/*
 * Records a replica that already runs (or is being started) on the node
 * named `node`, with r's needs. It keeps that node: its usage counts even
 * where it overcommits the node. gpus are the GPUs it holds; 0 for a GPU
 * request means "unknown": the scheduler takes the free GPUs it would have
 * picked (fewer when fewer are free). ERR_NOTFOUND when the node is not in
 * the table, ERR_INVALID for a bad request or GPU bits the node lacks.
 */
int scheduler_add(struct scheduler *s, const struct scheduler_request *r, const char *node,
		  uint64_t gpus, struct err *e);

/*
 * Places `count` more replicas of r's service (r->replicas is not read),
 * next to the ones already recorded: a rollout's surge replica is count 1.
 * All or nothing: on success out[0..count) is filled and committed; on
 * failure nothing changes and e says why (ERR_CONFLICT when capacity or
 * constraints cannot be met, ERR_NOTFOUND for an unknown placement.node,
 * ERR_INVALID for a bad request or count outside 0..SCHEDULER_REPLICAS_MAX).
 * out holds count entries, caller-owned.
 */
int scheduler_place(struct scheduler *s, const struct scheduler_request *r, int count,
		    struct scheduler_placement *out, struct err *e);

/*
 * Brings each service of reqs to reqs[i].replicas replicas, placing the
 * missing ones (it never removes any). Services are placed hardest first
 * (GPU, pinned, labelled, then biggest), each all or nothing, and the
 * outcomes come back in request order. A service appears at most once.
 * Returns 0 when everything was placed; otherwise the first failure's code,
 * with its message in e, and the rest in plan->outcomes. Services past
 * SCHEDULER_PLAN_MAX new replicas fail with ERR_TOOBIG. plan is released
 * with scheduler_plan_release in every case.
 */
int scheduler_plan(struct scheduler *s, const struct scheduler_request *reqs, size_t n,
		   struct scheduler_plan *plan, struct err *e);
void scheduler_plan_release(struct scheduler_plan *plan);

#endif
