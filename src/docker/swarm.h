/*
 * swarm.h - the engine's swarm mode, as far as orca uses it: the network
 * layer under a cluster of several nodes (attachable overlay networks for
 * plain containers). orca never creates swarm services.
 *
 *	info       GET /info: the engine's own view (state, managers, runtimes)
 *	init/join  make this engine a manager of a new swarm, or join one
 *	leave      leave it (force: even as the last manager)
 *	tokens     the join tokens (managers only)
 *	nodes      the swarm's nodes, and promoting one to manager
 */
#ifndef ORCA_DOCKER_SWARM_H
#define ORCA_DOCKER_SWARM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "docker/client.h"

#define DOCKER_SWARM_PORT 2377
#define DOCKER_SWARM_TOKEN_MAX 256

/* GET /info as it is; *out a new reference. */
int docker_info(struct docker_client *c, json_t **out, struct err *e);

struct docker_swarm_state {
	char node_id[DOCKER_ID_SIZE];      /* "" when not in a swarm */
	char state[16];                    /* inactive pending active error locked */
	bool manager;                      /* ControlAvailable */
	char cluster_id[DOCKER_ID_SIZE];
	char node_addr[64];
	char error[256];
	int managers, nodes;               /* as the engine counts them (managers only) */
};

/* The swarm part of GET /info. */
int docker_swarm_state(struct docker_client *c, struct docker_swarm_state *s, struct err *e);

/* POST /swarm/init, listening on 0.0.0.0:2377 and advertising addr. */
int docker_swarm_init(struct docker_client *c, const char *advertise_addr, struct err *e);
/* POST /swarm/join through remote ("10.0.0.1:2377") with token. */
int docker_swarm_join(struct docker_client *c, const char *advertise_addr, const char *remote,
		      const char *token, struct err *e);
int docker_swarm_leave(struct docker_client *c, bool force, struct err *e);
/* The worker and manager join tokens (GET /swarm; managers only). */
int docker_swarm_tokens(struct docker_client *c, char worker[DOCKER_SWARM_TOKEN_MAX],
			char manager[DOCKER_SWARM_TOKEN_MAX], struct err *e);

struct docker_swarm_node {
	char id[DOCKER_ID_SIZE];
	char hostname[128];
	char addr[64];                     /* Status.Addr */
	char role[16];                     /* worker, manager */
	char state[16];                    /* ready, down, unknown, disconnected */
	char reachability[16];             /* managers: reachable, unreachable, "" */
	bool leader;
	long long version;
};

/* GET /nodes (managers only); *out is a malloc'd array of *n. */
int docker_swarm_nodes(struct docker_client *c, struct docker_swarm_node **out, size_t *n,
		       struct err *e);
/* Makes node a manager (POST /nodes/{id}/update with its current version). */
int docker_swarm_promote(struct docker_client *c, const struct docker_swarm_node *node,
			 struct err *e);
/* DELETE /nodes/{id}?force=1: a node gone for good. */
int docker_swarm_node_remove(struct docker_client *c, const char *id, struct err *e);

#endif
