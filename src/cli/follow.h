/*
 * follow.h - watching a change converge on the server, shared by deploy,
 * scale, stop, restart and rollback: poll every FOLLOW_POLL_MS, print a
 * line whenever a service's line changes, end with one sentence.
 *
 * Ctrl-C while watching stops the watching only: the change goes on on
 * the server, and the sentence says so and how to keep an eye on it
 * (exit EXIT_INTERRUPTED). Lines go to stdout, flushed each time; failures
 * to stderr.
 */
#ifndef ORCA_CLI_FOLLOW_H
#define ORCA_CLI_FOLLOW_H

#include <stdint.h>

#include <jansson.h>

#include "cli/remote.h"

#define FOLLOW_POLL_MS 200

/*
 * Follows deploy id (GET /api/v1/deploys/{id}) to its end. changes is the
 * deploy's change list: its unchanged services are not printed, and the
 * names set the width of the first column. Prints
 *	"backend/api  rolling  1/3 updated, 3 healthy"   per change of a line
 *	"deploy 7 succeeded in 4.2 s"                     EXIT_OK
 *	"deploy 7 failed: MESSAGE"                        EXIT_FAILED (stderr)
 */
int follow_deploy(struct remote *r, int64_t id, const json_t *changes);

struct follow_opts {
	int no_wait;            /* print the reply's lines only */
	int64_t timeout_ms;     /* give up waiting after this long */
	int64_t want_desired;   /* converged needs this many desired; -1: any */
};

/*
 * After a lifecycle call: prints the line of each service in reply
 * ({"service": SERVICE} or {"project": PROJECT}); then, unless no_wait,
 * polls that service or project until every service has converged
 * (follow_converged), one has failed, or the timeout passes:
 *	"backend/api running in 2.4 s"                  EXIT_OK
 *	"orca CMD: backend/api failed: LAST ERROR"        EXIT_FAILED
 *	"orca CMD: backend/api did not converge in 2m 00s (...)"  EXIT_FAILED
 */
int follow_change(struct remote *r, const json_t *reply,
		  const struct follow_opts *o);

/*
 * Pure: 1 when a SERVICE has converged (running with every desired replica
 * current and healthy, or stopped with nothing running; and desired equal
 * to want_desired unless that is -1), -1 when it failed, 0 otherwise.
 */
int follow_converged(const json_t *svc, int64_t want_desired);

#endif
