/*
 * events.h - the engine's event stream (GET /events): a container started,
 * died, was OOM-killed, changed health.
 *
 * Long-running: run it on its own thread with its own client, and stop it
 * from any thread with docker_client_cancel() on that client (it returns
 * -ECANCELED at once), or by returning nonzero from the callback (the call
 * returns 0). It also returns 0 when until_ns is reached, and
 * ERR_UNAVAILABLE when the engine goes away (restart). To resume, call again
 * with since_ns = the last event's time_ns (the engine replays from there,
 * so that event may come twice), then resync: events that happened while
 * disconnected may be lost.
 */
#ifndef ORCA_DOCKER_EVENTS_H
#define ORCA_DOCKER_EVENTS_H

#include <stdint.h>

#include "docker/client.h"

struct docker_event {
	char type[16];            /* "container", "network", "image", ... */
	char action[32];          /* "start", "die", "oom", "health_status",
				   * "exec_start": before any ": " */
	char detail[128];         /* after ": ", e.g. "healthy"; "" when none */
	char id[DOCKER_ID_SIZE];  /* Actor.ID: the container id */
	char name[128];           /* Actor.Attributes.name */
	int exit_code;            /* Attributes.exitCode on "die", else -1 */
	int64_t time_ns;          /* unix time in ns */
	/* Actor.Attributes: for containers its labels plus "name", "image",
	 * "exitCode", "signal". Borrowed for the callback. */
	struct docker_labels attributes;
};

/* An event, borrowed for the call. Returns 0 to go on, nonzero to stop. */
typedef int (*docker_event_fn)(void *arg, const struct docker_event *ev);

struct docker_events_opts {
	const char *const *types;    /* "container", ...; NULL: all */
	const char *const *labels;   /* "orca.managed=true"; NULL: all */
	const char *const *actions;  /* "die", "start", ...; NULL: all */
	int64_t since_ns;            /* replay from here; 0: only new ones */
	int64_t until_ns;            /* end the stream here; 0: never */
};

/* Streams events to fn; see the header comment for how it ends. */
int docker_events(struct docker_client *c, const struct docker_events_opts *opts,
		  docker_event_fn fn, void *arg, struct err *e);

/* Pure, for tests: one JSON event record into ev (release it after). */
int docker_event_parse(const char *json, size_t len, struct docker_event *ev,
		       struct err *e);
void docker_event_release(struct docker_event *ev);

#endif
