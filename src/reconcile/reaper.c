/*
 * reaper.c - stops and removes containers off the control thread.
 *
 * A graceful stop can take STOP_TIMEOUT_S; the control loop must not wait
 * for it. The reaper has its own Docker client and a queue; each job ends
 * with a MSG_REMOVED to the loop.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"

struct job {
	char id[80];
	struct job *next;
};

struct reaper {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct job *head, *tail;
	bool stop;
	struct docker_client *dc;
	struct mailbox *mb;
};

static void job_free(struct job *j)
{
	free(j);
}

static int reap(struct reaper *rp, const struct job *j, struct err *e)
{
	struct err ignore = { 0 };
	int rc;

	struct docker_container_info info = { 0 };

	/* leave every network first: DNS stops naming it before it stops */
	if (docker_container_inspect(rp->dc, j->id, &info, &ignore) == 0) {
		for (size_t i = 0; i < info.nnets; i++)
			docker_network_disconnect(rp->dc, info.nets[i].network, j->id, 1, &ignore);
		docker_container_info_release(&info);
	}
	rc = docker_container_stop(rp->dc, j->id, STOP_TIMEOUT_S, e);
	if (rc == 0 || rc == ERR_NOTFOUND)
		rc = docker_container_remove(rp->dc, j->id, 1, 1, e);
	if (rc == ERR_NOTFOUND) {
		err_clear(e);
		rc = 0;
	}
	return rc;
}

static void *run(void *arg)
{
	struct reaper *rp = arg;

	for (;;) {
		struct job *j;
		struct msg m = { .kind = MSG_REMOVED };
		struct err e = { 0 };

		pthread_mutex_lock(&rp->mu);
		while (rp->head == NULL && !rp->stop)
			pthread_cond_wait(&rp->cond, &rp->mu);
		j = rp->head;
		if (j) {
			rp->head = j->next;
			if (rp->head == NULL)
				rp->tail = NULL;
		}
		pthread_mutex_unlock(&rp->mu);
		if (j == NULL)
			break;   /* stopping, and the queue is empty */
		if (reap(rp, j, &e) < 0) {
			snprintf(m.error, sizeof(m.error), "%s", e.msg);
			sleep(1);   /* the loop will ask again; do not spin */
		}
		snprintf(m.id, sizeof(m.id), "%s", j->id);
		mailbox_post(rp->mb, &m);
		job_free(j);
	}
	return NULL;
}

struct reaper *reaper_start(const char *docker_socket, struct mailbox *mb, struct err *e)
{
	struct reaper *rp = xcalloc(1, sizeof(*rp));
	int rc;

	rp->mb = mb;
	pthread_mutex_init(&rp->mu, NULL);
	pthread_cond_init(&rp->cond, NULL);
	if (docker_client_new(&rp->dc, docker_socket, e) < 0)
		goto fail;
	rc = pthread_create(&rp->thread, NULL, run, rp);
	if (rc == 0)
		return rp;
	err_errno(e, rc, "start the reaper thread");
fail:
	docker_client_free(rp->dc);
	pthread_cond_destroy(&rp->cond);
	pthread_mutex_destroy(&rp->mu);
	free(rp);
	return NULL;
}

/* Finishes the queued removals (each is bounded by the stop timeout). */
void reaper_stop(struct reaper *rp)
{
	pthread_mutex_lock(&rp->mu);
	rp->stop = true;
	pthread_cond_signal(&rp->cond);
	pthread_mutex_unlock(&rp->mu);
	pthread_join(rp->thread, NULL);
	docker_client_free(rp->dc);
	pthread_cond_destroy(&rp->cond);
	pthread_mutex_destroy(&rp->mu);
	free(rp);
}

void reaper_remove(struct reaper *rp, const char *id)
{
	struct job *j = xcalloc(1, sizeof(*j));

	snprintf(j->id, sizeof(j->id), "%s", id);
	pthread_mutex_lock(&rp->mu);
	if (rp->tail)
		rp->tail->next = j;
	else
		rp->head = j;
	rp->tail = j;
	pthread_cond_signal(&rp->cond);
	pthread_mutex_unlock(&rp->mu);
}
