/*
 * mailbox.c - a mutex, a condition variable and a list.
 */
#include "reconcile/mailbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"

int64_t mailbox_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mailbox_init(struct mailbox *mb)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&mb->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&mb->cond, &ca);
	pthread_condattr_destroy(&ca);
	mb->head = mb->tail = NULL;
}

void mailbox_release(struct mailbox *mb)
{
	mailbox_free_list(mb->head);
	pthread_cond_destroy(&mb->cond);
	pthread_mutex_destroy(&mb->mu);
}

void mailbox_post(struct mailbox *mb, const struct msg *m)
{
	struct msg *copy = xmalloc(sizeof(*copy));

	*copy = *m;
	copy->next = NULL;
	pthread_mutex_lock(&mb->mu);
	if (mb->tail)
		mb->tail->next = copy;
	else
		mb->head = copy;
	mb->tail = copy;
	pthread_cond_signal(&mb->cond);
	pthread_mutex_unlock(&mb->mu);
}

struct msg *mailbox_wait(struct mailbox *mb, int64_t deadline_ms)
{
	struct msg *list;
	struct timespec ts = { deadline_ms / 1000, (deadline_ms % 1000) * 1000000 };

	pthread_mutex_lock(&mb->mu);
	while (mb->head == NULL) {
		int rc = deadline_ms ? pthread_cond_timedwait(&mb->cond, &mb->mu, &ts)
				     : pthread_cond_wait(&mb->cond, &mb->mu);

		if (rc == ETIMEDOUT)
			break;
	}
	list = mb->head;
	mb->head = mb->tail = NULL;
	pthread_mutex_unlock(&mb->mu);
	return list;
}

void mailbox_free_list(struct msg *list)
{
	while (list) {
		struct msg *next = list->next;

		free(list);
		list = next;
	}
}
