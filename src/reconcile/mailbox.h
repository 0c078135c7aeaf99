/*
 * mailbox.h - messages to the control loop from other threads.
 *
 * The control loop owns the world; API threads, the Docker events reader,
 * the prober and the reaper only post messages here. Posting never blocks
 * for long and never fails (the queue is bounded by what the system does:
 * a burst of events is coalesced by the loop, not by the queue).
 */
#ifndef ORCA_RECONCILE_MAILBOX_H
#define ORCA_RECONCILE_MAILBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "reconcile/probe.h"

enum msg_kind {
	MSG_DEPLOY,       /* a deploy was recorded: arg = deploy id */
	MSG_RELOAD,       /* a project got a new revision outside a deploy */
	MSG_EVENT,        /* a Docker container event */
	MSG_PROBE,        /* a health check result */
	MSG_REMOVED,      /* the reaper removed (or failed to remove) a container */
	MSG_RESYNC,       /* compare everything with Docker again */
	MSG_PULLED,       /* the puller finished (or failed) a pull */
	MSG_PROMOTE,      /* end a canary: project, id = service name */
	MSG_STOP,
};

struct msg {
	enum msg_kind kind;
	int64_t arg;
	char project[64];
	char id[80];              /* container id */
	char action[32];          /* MSG_EVENT: die, oom, start, destroy */
	int exit_code;
	char error[512];          /* MSG_REMOVED, MSG_PULLED: "" on success */
	char service[64];         /* MSG_PULLED */
	char image[336];          /* MSG_PULLED: the reference pulled */
	struct probe_result probe;
	struct msg *next;
};

struct mailbox {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct msg *head, *tail;
};

void mailbox_init(struct mailbox *mb);
void mailbox_release(struct mailbox *mb);
/* Copies m. Any thread. */
void mailbox_post(struct mailbox *mb, const struct msg *m);
/* Waits until a message arrives or deadline_ms (CLOCK_MONOTONIC) passes
 * (0: no deadline); returns the queued messages as a list the caller frees
 * with mailbox_free_list, or NULL on timeout. */
struct msg *mailbox_wait(struct mailbox *mb, int64_t deadline_ms);
void mailbox_free_list(struct msg *list);
int64_t mailbox_now_ms(void);

#endif
