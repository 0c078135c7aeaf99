/*
 * events.c - the Docker events reader thread.
 *
 * Streams container events for this server's containers and posts the ones
 * the loop cares about (die, oom, start, destroy). When the stream breaks,
 * it asks the loop for a resync (events may have been lost) and reconnects
 * from the last event's time. control_events_stop() cancels its client.
 */
#include "reconcile/loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

struct reader {
	struct control *c;
	int64_t last_ns;
};

static int on_event(void *arg, const struct docker_event *ev)
{
	struct reader *rd = arg;
	struct msg m = { .kind = MSG_EVENT };

	rd->last_ns = ev->time_ns;
	snprintf(m.id, sizeof(m.id), "%s", ev->id);
	snprintf(m.action, sizeof(m.action), "%s", ev->action);
	m.exit_code = ev->exit_code;
	mailbox_post(&rd->c->mb, &m);
	return 0;
}

static void *run(void *arg)
{
	struct control *c = arg;
	struct reader rd = { c, 0 };
	char *instance = xasprintf("%s=%s", LABEL_INSTANCE, c->instance);
	const char *types[] = { "container", NULL };
	const char *labels[] = { LABEL_MANAGED "=true", instance, NULL };
	const char *actions[] = { "die", "oom", "start", "destroy", NULL };
	struct docker_events_opts opts = { types, labels, actions, 0, 0 };
	struct timespec ts;
	char last[sizeof(((struct err *)0)->msg)] = "";

	/* start a little in the past: the adoption listing ran just before, and
	 * an event seen twice is harmless (a container id never runs twice) */
	clock_gettime(CLOCK_REALTIME, &ts);
	rd.last_ns = ((int64_t)ts.tv_sec - 5) * 1000000000 + ts.tv_nsec;
	for (;;) {
		struct err e = { 0 };
		struct msg resync = { .kind = MSG_RESYNC };
		int rc;

		opts.since_ns = rd.last_ns;
		rc = docker_events(c->ev_dc, &opts, on_event, &rd, &e);
		if (rc == -ECANCELED || docker_client_canceled(c->ev_dc))
			break;
		/* once per reason: an engine that is down fails every second */
		if (strcmp(last, rc < 0 ? e.msg : "stream ended") != 0)
			control_log("docker events: %s; reconnecting", rc < 0 ? e.msg : "stream ended");
		snprintf(last, sizeof(last), "%s", rc < 0 ? e.msg : "stream ended");
		mailbox_post(&c->mb, &resync);
		sleep(1);
	}
	free(instance);
	return NULL;
}

int control_events_start(struct control *c, struct err *e)
{
	int rc = docker_client_new(&c->ev_dc, c->docker_socket, e);

	if (rc < 0)
		return rc;
	rc = pthread_create(&c->events_thread, NULL, run, c);
	if (rc != 0) {
		docker_client_free(c->ev_dc);
		c->ev_dc = NULL;
		return err_errno(e, rc, "start the docker events thread");
	}
	c->events_started = true;
	return 0;
}

void control_events_stop(struct control *c)
{
	docker_client_cancel(c->ev_dc);
	pthread_join(c->events_thread, NULL);
	docker_client_free(c->ev_dc);
	c->ev_dc = NULL;
	c->events_started = false;
}
