/*
 * http_pool.c - the worker threads that run handlers which may block.
 *
 * A fixed number of threads and a bounded queue (over it the loop answers
 * 503 at once). Requests from the unix socket are taken first, and TCP
 * requests may occupy all workers but one, so that a flood of remote calls
 * (each waiting on the deploy lock, say) never leaves the local operator
 * without a thread. Workers block every async signal.
 */
#include <signal.h>
#include <stdlib.h>

#include "api/http_int.h"
#include "base/xalloc.h"

struct queue {
	struct http_req *head, *tail;
};

struct http_pool {
	struct http_server *srv;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct queue local, remote;     /* unix first */
	int queued, queue_max;
	int busy_remote, max_remote;
	int stopping;
	pthread_t *threads;
	int nthreads;
};

static void push(struct queue *q, struct http_req *req)
{
	req->next_job = NULL;
	if (q->tail)
		q->tail->next_job = req;
	else
		q->head = req;
	q->tail = req;
}

static struct http_req *pop(struct queue *q)
{
	struct http_req *req = q->head;

	if (req != NULL) {
		q->head = req->next_job;
		if (q->head == NULL)
			q->tail = NULL;
	}
	return req;
}

/* The next request a worker may take, or NULL; p->mu held. */
static struct http_req *next_job(struct http_pool *p, int *remote)
{
	struct http_req *req = pop(&p->local);

	*remote = 0;
	if (req == NULL && p->busy_remote < p->max_remote) {
		req = pop(&p->remote);
		*remote = req != NULL;
	}
	if (req != NULL)
		p->queued--;
	p->busy_remote += *remote;
	return req;
}

static void *worker_main(void *arg)
{
	struct http_pool *p = arg;
	struct http_req *req;
	int remote;

	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		req = next_job(p, &remote);
		if (req == NULL) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		http_run_handler(req);
		pthread_mutex_lock(&p->mu);
		if (remote) {
			p->busy_remote--;
			pthread_cond_signal(&p->cv);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int http_pool_submit(struct http_pool *p, struct http_req *req)
{
	int local = req->peer.kind == HTTP_PEER_UNIX;

	pthread_mutex_lock(&p->mu);
	if (p->stopping || p->queued >= p->queue_max) {
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	push(local ? &p->local : &p->remote, req);
	p->queued++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

struct http_pool *http_pool_start(struct http_server *srv, int workers,
				  int queue_max, struct err *e)
{
	struct http_pool *p = xcalloc(1, sizeof(*p));
	sigset_t all, old;
	int rc = 0;

	p->srv = srv;
	p->queue_max = queue_max;
	p->max_remote = workers > 1 ? workers - 1 : 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->threads = xcalloc((size_t)workers, sizeof(pthread_t));
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (p->nthreads < workers && rc == 0) {
		rc = pthread_create(&p->threads[p->nthreads], NULL, worker_main, p);
		p->nthreads += rc == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_errno(e, rc, "start the API worker threads");
		http_pool_stop(p);
		return NULL;
	}
	return p;
}

void http_pool_stop(struct http_pool *p)
{
	struct queue dropped = { NULL, NULL };
	struct http_req *req;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	while ((req = pop(&p->local)) != NULL)
		push(&dropped, req);
	while ((req = pop(&p->remote)) != NULL)
		push(&dropped, req);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	while ((req = pop(&dropped)) != NULL) {
		http_resp_close(req);
		http_reply_error(req, 503, "unavailable", "the orca server is stopping");
		http_req_unref(req);
	}
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p);
}
