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
	int64_t timeout_ms;     /* give up waiting after this long */
	int64_t want_desired;   /* converged needs this many desired; -1: any */
};

/* The revision of a project as the server reports it (0 when it has none),
 * to tell, after a lifecycle call, when the server has taken it in. */
int follow_project_revision(struct remote *r, const char *project,
			    int64_t *revision);

/*
 * After a lifecycle call on service of project (service NULL: every
 * service of the project): polls GET /api/v1/projects/{p} until its
 * revision is past before_revision (the change is in), then prints each
 * watched service's line when it changes, until every one has converged
 * (follow_converged), one has failed, or the timeout passes:
 *	"backend/api  deploying  2/3 healthy, 3 running"   per change of a line
 *	"backend/api running in 2.4 s"                     EXIT_OK
 *	"project backend stopped in 1.2 s"                 EXIT_OK
 *	"orca CMD: backend/api failed: LAST ERROR"         EXIT_FAILED
 *	"orca CMD: backend/api did not converge in 2m 00s; it goes on on the
 *	 server (see 'orca status backend/api')"           EXIT_FAILED
 */
int follow_change(struct remote *r, const char *project, const char *service,
		  int64_t before_revision, const struct follow_opts *o);

/*
 * Pure: 1 when a SERVICE has converged (running with every desired replica
 * current and healthy, or stopped with nothing running or draining; and
 * desired equal to want_desired unless that is -1), -1 when it failed, 0
 * otherwise.
 */
int follow_converged(const json_t *svc, int64_t want_desired);

#endif
