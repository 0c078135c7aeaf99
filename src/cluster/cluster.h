/*
 * cluster.h - the server's side of a cluster of several nodes: who may join,
 * who is alive, and the listener the agents talk to.
 *
 * cluster_start() serves the agents on --cluster-listen (HTTPS, mutual TLS
 * after the join; see listen.c) and keeps the member table: the nodes that
 * joined (their certificate's serial, in the store), their last heartbeat,
 * inventory and drain state. A node that misses heartbeats for
 * node_down_after is down. The server's own node is always a member and
 * never heartbeats.
 *
 * The control loop reads the table through cluster_members() and is poked
 * through opts.changed whenever a node's state changes (any thread; must
 * not block). The API calls cluster_token(), cluster_drain(),
 * cluster_remove() and cluster_nodes_json().
 *
 * Threads: the listener's own (http.h), one ticker that finds down nodes;
 * every public function may be called from any thread.
 */
#ifndef ORCA_CLUSTER_CLUSTER_H
#define ORCA_CLUSTER_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

#define CLUSTER_NODE_DOWN_AFTER_MS 5000
#define CLUSTER_RESCHEDULE_AFTER_MS 10000
#define CLUSTER_TOKEN_TTL_MS (24LL * 3600 * 1000)
#define CLUSTER_TOKEN_TTL_MAX_MS (30LL * 24 * 3600 * 1000)

struct cluster_srv;

struct cluster_opts {
	const char *data_dir;
	const char *key_file;        /* the master key (store_open_key); NULL: in data_dir */
	const char *listen;          /* "0.0.0.0:7443"; NULL: no agents can join */
	const char *advertise;       /* the address nodes reach the server at; NULL:
				      * the host of listen when it is not a wildcard */
	const char *node;            /* the server's own node name */
	const char *inventory_root;  /* tests: a fake "/" for GPU detection */
	const char *docker_socket;   /* for the server's own node's inventory */
	void (*changed)(void *arg);  /* a node joined, left, went down or up */
	void *changed_arg;
	/* a node's report (POST /cluster/v1/report, body borrowed for the
	 * call), on a listener thread; must not block for long */
	void (*report)(void *arg, const char *node, const json_t *body);
	void *report_arg;
};

int cluster_start(const struct cluster_opts *o, struct cluster_srv **out, struct err *e);
/* Stops the listener and the ticker; NULL is fine. */
void cluster_stop(struct cluster_srv *cl);

/* True when agents can join (a listener runs). */
bool cluster_listening(const struct cluster_srv *cl);
/* "https://ADDR:PORT", what agents --join; "" when not listening. */
const char *cluster_url(const struct cluster_srv *cl);

/* A new join token valid ttl_ms (0: CLUSTER_TOKEN_TTL_MS): {"token",
 * "expires_at", "join": "orca agent --join ... --token ..."}. */
int cluster_token(struct cluster_srv *cl, int64_t ttl_ms, json_t **out, struct err *e);

/* draining true: no new replicas go to node, the control loop moves the
 * ones there; false: back to work. ERR_NOTFOUND for an unknown node;
 * ERR_INVALID for the server's own node. */
int cluster_drain(struct cluster_srv *cl, const char *node, bool draining, struct err *e);
/*
 * Queues an instruction for a remote node (steals cmd; "op" and its fields;
 * "seq" is added here). It reaches the node in order, once, even across
 * reconnections. ERR_NOTFOUND for an unknown node, ERR_TOOBIG when the node
 * has CLUSTER_OUTBOX_MAX unacknowledged instructions. Any thread.
 */
#define CLUSTER_OUTBOX_MAX 20000
#define CLUSTER_REPORT_MAX 10000
int cluster_send(struct cluster_srv *cl, const char *node, json_t *cmd, struct err *e);
void cluster_kick(struct cluster_srv *cl);

/* Revokes a node: its certificate stops working at once. */
int cluster_remove(struct cluster_srv *cl, const char *node, struct err *e);

/*
 * The member table for the control loop and the API, a new reference:
 * [{"name", "local": bool, "address", "state": "ready"|"down"|"draining"|
 *   "unknown", "connected": bool, "heartbeat_ms_ago": int|null,
 *   "down_since_ms": int (monotonic ms since it went down, 0 when up),
 *   "labels": {}, "inventory": {...}|null, "version": "", "joined_at": ms}]
 * in name order, the server's own node first.
 */
json_t *cluster_members(struct cluster_srv *cl);

#endif
