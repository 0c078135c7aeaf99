/*
 * agent.h - `orca agent`: one node of a cluster, driven by its server.
 *
 * The agent joins once (a join token, then its own certificate), then
 * heartbeats every AGENT_HEARTBEAT_MS with what the node has, takes the
 * server's instructions for its engine and reports what it observes. It
 * never decides placement. It runs until SIGTERM or SIGINT (workloads keep
 * running), or until the server revokes its certificate (orca node rm).
 */
#ifndef ORCA_AGENT_AGENT_H
#define ORCA_AGENT_AGENT_H

#include <jansson.h>

#include "base/err.h"
#include "base/log.h"

#define AGENT_HEARTBEAT_MS 1000
#define AGENT_INVENTORY_EVERY_MS 30000

struct agent_opts {
	const char *data_dir;        /* identity and state */
	const char *join;            /* https://SERVER:PORT; NULL: already joined */
	const char *token;           /* with join */
	const char *node;            /* the name to join as; NULL: the host name */
	const char *advertise;       /* the address other nodes use; NULL: the one
				      * the connection to the server uses */
	const json_t *labels;        /* {"k": "v"} from --label; borrowed */
	const char *docker_socket;   /* NULL: DOCKER_HOST or the default */
	const char *inventory_root;  /* tests: a fake "/" for GPU detection */
	const char *log_file;
	enum log_format log_format;
};

/* Runs the agent until a signal or revocation. 0 after a signal; < 0 with
 * e when it could not start or was shut out (e says why). */
int agent_run(const struct agent_opts *o, struct err *e);

#endif
