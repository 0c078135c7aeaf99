/*
 * nodes.h - the nodes of the cluster as the scheduler and the status see
 * them: what cluster.toml declares, merged with what the cluster module
 * knows of the nodes that joined (cluster/cluster.h, cluster_members()).
 *
 * Rules. Without any [[node]] the server's own node is implicit, with the
 * machine's capacity. A declared node keeps its declared labels, capacity
 * and GPUs; an agent's --label adds keys the declaration lacks; a node that
 * declares no [[node.gpus]] is given the GPUs its agent detected. A node
 * that joined without being declared has its agent's labels, capacity and
 * GPUs. Only "ready" nodes take new replicas: not down, not draining, not
 * declared-but-never-joined ("unknown").
 *
 * Pure: no I/O, no clock. Used by the control loop (placement) and the API
 * (GET /api/v1/nodes).
 */
#ifndef ORCA_RECONCILE_NODES_H
#define ORCA_RECONCILE_NODES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/err.h"
#include "config/model.h"
#include "sched/scheduler.h"

struct node_table {
	struct node *nodes;          /* owned deep copies, for scheduler_new */
	size_t n;
	json_t *info;                /* array, nodes[i]'s facts: name, state, local,
				      * address, version, connected, heartbeat_ms_ago,
				      * down_ms, declared, detected_gpus */
};

/*
 * members: cluster_members()'s array, or NULL (a single node: the server's
 * own, ready). local: the server's node name. host: the machine's capacity
 * for the implicit local node.
 */
int node_table_build(struct node_table *t, const struct config *cfg, const json_t *members,
		     const char *local, const struct scheduler_host *host, struct err *e);
void node_table_release(struct node_table *t);

/* nodes[i]'s state: "ready", "down", "draining" or "unknown". */
const char *node_table_state(const struct node_table *t, size_t i);
bool node_table_ready(const struct node_table *t, size_t i);
/* The index of the node named name, or -1. */
long node_table_find(const struct node_table *t, const char *name);
/* How long nodes[i] has been down (ms), 0 when it is not. */
int64_t node_table_down_ms(const struct node_table *t, size_t i);

#endif
