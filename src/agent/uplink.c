/*
 * uplink.c - what the node tells its server: the messages of its engine
 * threads (starts, removals, events, probes), the last instruction it
 * applied, and now and then the whole list of orca's containers here.
 *
 * Messages wait in outq until a report carrying them was answered 200: a
 * server that is away gets them when it is back, in order. At most
 * AGENT_OUTQ_MAX wait; beyond, the oldest go and the next report carries
 * the container list, from which the server learns the same.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/internal.h"
#include "agent/link.h"
#include "base/log.h"

#define REPORT_TIMEOUT_MS 10000
#define REPORT_BATCH 2000
#define LIST_EVERY_MS 10000

void agent_report(struct agent *a, json_t *msg)
{
	pthread_mutex_lock(&a->mu);
	if (json_array_size(a->outq) >= AGENT_OUTQ_MAX) {
		json_array_remove(a->outq, 0);
		a->outq_lost = true;
	}
	json_array_append_new(a->outq, msg);
	a->up_dirty = true;
	pthread_cond_broadcast(&a->up_cv);
	pthread_mutex_unlock(&a->mu);
}

/* Waits (at most until deadline) for something to say. */
static void wait_work(struct agent *a, int64_t deadline_ms)
{
	struct timespec ts;
	int64_t real;

	pthread_mutex_lock(&a->mu);
	while (!a->up_dirty && !atomic_load(&a->stopping) && agent_now_ms() < deadline_ms) {
		clock_gettime(CLOCK_REALTIME, &ts);
		real = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
		       (deadline_ms - agent_now_ms());
		ts.tv_sec = real / 1000;
		ts.tv_nsec = (real % 1000) * 1000000;
		pthread_cond_timedwait(&a->up_cv, &a->mu, &ts);
	}
	a->up_dirty = false;
	pthread_mutex_unlock(&a->mu);
}

/* The next report's body; *taken: how many messages it carries. */
static json_t *next_report(struct agent *a, bool with_list, size_t *taken)
{
	json_t *msgs = json_array(), *body;

	pthread_mutex_lock(&a->mu);
	*taken = json_array_size(a->outq) < REPORT_BATCH ? json_array_size(a->outq) : REPORT_BATCH;
	for (size_t i = 0; i < *taken; i++)
		json_array_append(msgs, json_array_get(a->outq, i));
	body = json_pack("{s:I, s:o}", "acked", (json_int_t)a->applied, "messages", msgs);
	pthread_mutex_unlock(&a->mu);
	if (with_list)
		json_object_set_new(body, "containers", agent_container_list(a));
	return body;
}

static void delivered(struct agent *a, size_t taken, int64_t acked)
{
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < taken; i++)
		json_array_remove(a->outq, 0);
	if (json_array_size(a->outq) > 0)
		a->up_dirty = true;
	pthread_mutex_unlock(&a->mu);
	a->reported_applied = acked;
}

static void *main_loop(void *arg)
{
	struct agent *a = arg;
	int64_t next_list = 0;

	while (!atomic_load(&a->stopping)) {
		bool lost, with_list;
		size_t taken = 0;
		json_t *body, *reply = NULL;
		struct err e = { 0 };
		long status = 0;
		int rc;

		wait_work(a, next_list ? next_list : agent_now_ms());
		if (atomic_load(&a->stopping))
			break;
		pthread_mutex_lock(&a->mu);
		lost = a->outq_lost;
		a->outq_lost = false;
		pthread_mutex_unlock(&a->mu);
		with_list = lost || agent_now_ms() >= next_list;
		body = next_report(a, with_list, &taken);
		rc = link_call(a->up, "POST", "/cluster/v1/report", body, REPORT_TIMEOUT_MS, &status,
			       &reply, &e);
		if (rc == 0 && status == 200) {
			delivered(a, taken, json_integer_value(json_object_get(body, "acked")));
			if (with_list)
				next_list = agent_now_ms() + LIST_EVERY_MS;
		} else {
			if (rc == 0 && (status == 401 || status == 403)) {
				agent_shut_out(a, link_error_message(reply, status));
				json_decref(body);
				json_decref(reply);
				break;
			}
			if (lost) {
				pthread_mutex_lock(&a->mu);
				a->outq_lost = true;   /* the list still has to go */
				pthread_mutex_unlock(&a->mu);
			}
			agent_sleep_until(a, agent_now_ms() + 500);
		}
		json_decref(body);
		json_decref(reply);
	}
	return NULL;
}

int agent_uplink_start(struct agent *a, struct err *e)
{
	struct link_opts lo = { .server = a->id.server, .ca = a->id.ca, .cert = a->id.cert,
				.key = a->id.key, .node = a->id.node };
	int rc;

	if ((a->up = link_new(&lo)) == NULL)
		return err_set(e, ERR_FAIL, "cannot start libcurl");
	rc = pthread_create(&a->up_thread, NULL, main_loop, a);
	if (rc != 0) {
		link_free(a->up);
		a->up = NULL;
		return err_errno(e, rc, "start the report thread");
	}
	a->up_started = true;
	return 0;
}

void agent_uplink_stop(struct agent *a)
{
	if (!a->up_started)
		return;
	pthread_mutex_lock(&a->mu);
	pthread_cond_broadcast(&a->up_cv);
	pthread_mutex_unlock(&a->mu);
	link_cancel(a->up);
	pthread_join(a->up_thread, NULL);
	link_free(a->up);
	a->up = NULL;
	a->up_started = false;
}
