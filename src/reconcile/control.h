/*
 * control.h - the control loop: makes what runs match what is desired.
 *
 * control_start() opens its own store connection and Docker clients, adopts
 * the containers that carry this server's labels, and starts four threads:
 * the control loop (owner of every struct svc), the Docker events reader,
 * the prober (health checks) and the reaper (stops and removes containers
 * without blocking the loop). Other threads talk to it only through the
 * functions below, which post messages or read the immutable snapshot.
 *
 * control_stop() stops the threads and leaves every workload running.
 */
#ifndef ORCA_RECONCILE_CONTROL_H
#define ORCA_RECONCILE_CONTROL_H

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

struct control;

struct control_opts {
	const char *data_dir;
	const char *docker_socket;   /* NULL: DOCKER_HOST or the default */
	const char *node;            /* this server's node name; NULL: "local" */
	int64_t resync_ms;           /* full comparison with Docker; 0: 10 s */
	const char *key_file;        /* the master key; NULL: in data_dir */
	long pull_stall_ms;          /* a pull without progress this long fails;
				      * 0: DOCKER_PULL_STALL_MS_DEFAULT */
	/* Called on the control thread after each new snapshot (borrowed for
	 * the call); must not block. NULL: nobody listens. */
	void (*publish)(void *arg, json_t *snapshot);
	void *publish_arg;
	/* Requests in flight to a replica through the proxy; any thread. With
	 * it, a leaving replica of a service with a domain is removed when this
	 * is 0 or at [service.deploy] drain; without it (NULL), after a fixed
	 * RECONCILE_DRAIN_MS. */
	int64_t (*inflight)(void *arg, const char *replica_id);
	void *inflight_arg;
	/* Proxied requests and 5xx answers of a service since its canary began:
	 * of the canary revision, and of every other revision together.
	 * Returns -1 when the proxy has none. Any thread; NULL: no automatic
	 * abort of canaries. */
	int (*canary_counts)(void *arg, const char *project, const char *service, int revision,
			     int64_t counts[4]);
	void *canary_counts_arg;
};

int control_start(const struct control_opts *o, struct control **out, struct err *e);
void control_stop(struct control *c);

/* A deploy was recorded in the store: roll it out. Any thread. */
void control_post_deploy(struct control *c, int64_t deploy_id);
/* Ends the canary of project/service: the rollout goes on as a rolling
 * replacement. ERR_NOTFOUND / ERR_CONFLICT (no canary) are known only to the
 * control thread: this only posts. */
void control_post_promote(struct control *c, const char *project, const char *service);
/* A project got a new revision outside a deploy (scale, restart, ...). */
void control_post_reload(struct control *c, const char *project);
/* The latest observed state (docs/API.md's status document plus
 * "containers" by id), a new reference the caller decrefs and must not
 * modify. Any thread. */
json_t *control_status(struct control *c);
/* This server's instance id: the value of the orca.instance label. */
const char *control_instance(const struct control *c);
/* The node name this server runs replicas on. */
const char *control_node(const struct control *c);

#endif
