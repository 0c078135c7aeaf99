/*
 * internal.h - what the files of src/agent/ share; not for use outside.
 *
 * struct agent is set up by agent_run() before any thread starts; after
 * that each thread owns its own part (noted below) and the rest is under
 * mu.
 */
#ifndef ORCA_AGENT_INTERNAL_H
#define ORCA_AGENT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/agent.h"
#include "agent/ident.h"
#include "agent/inventory.h"

struct link;
struct docker_client;

struct agent {
	const struct agent_opts *o;
	struct agent_ident id;
	struct inventory inv;              /* read-only once threads run */
	pthread_mutex_t mu;
	pthread_cond_t cv;                 /* broadcast when stopping */
	atomic_int stopping;
	char shut_out[512];                /* under mu: why the server refused us */

	/* heartbeat thread (heartbeat.c) */
	pthread_t hb_thread;
	bool hb_started;
	struct link *hb;
	bool connected;
	int64_t last_ok_ms;                /* monotonic: last answer from the server */
	int64_t inventory_sent_ms;
	bool mtu_sent;
	struct docker_client *dc_hb;

	/* instructions from the server (channel.c): the commands thread owns
	 * its link and epoch; applied is written under mu */
	pthread_t cmd_thread;
	bool cmd_started;
	struct link *cmd;
	char epoch[17];
	int64_t applied;              /* under mu: the last seq carried out */

	/* reports to the server (uplink.c): outq and want_list under mu */
	pthread_t up_thread;
	bool up_started;
	struct link *up;
	json_t *outq;                 /* messages not yet delivered */
	bool outq_lost;               /* some were dropped: send the container list */
	bool up_dirty;
	pthread_cond_t up_cv;
	int64_t reported_applied;     /* uplink thread: acked in its last report */

	struct docker_client *dc;       /* commands thread's engine client */
	struct docker_client *dc_list;  /* uplink thread's (the container list) */
};

int64_t agent_now_ms(void);
void agent_sleep_until(struct agent *a, int64_t deadline_ms);
/* The server no longer accepts this node: stop the agent with why. */
void agent_shut_out(struct agent *a, const char *why);

int agent_heartbeat_start(struct agent *a, struct err *e);
void agent_heartbeat_stop(struct agent *a);

#define AGENT_OUTQ_MAX 100000
#define AGENT_STREAM_STALL_MS 10000   /* the server writes a keep-alive every 2 s */

int agent_channel_start(struct agent *a, struct err *e);
void agent_channel_stop(struct agent *a);
int agent_uplink_start(struct agent *a, struct err *e);
void agent_uplink_stop(struct agent *a);
/* A message for the server (steals msg). Any thread. */
void agent_report(struct agent *a, json_t *msg);

/* exec.c: carries out one instruction (its "op"); results go through
 * agent_report. Called on the commands thread, in order. */
void agent_exec(struct agent *a, const json_t *cmd);
/* orca's containers on this node: [{"id", "name", "state", "labels",
 * "networks": {"net": "ip"}}]. Uplink thread. */
json_t *agent_container_list(struct agent *a);

#endif
