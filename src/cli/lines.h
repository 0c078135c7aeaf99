/*
 * lines.h - one-line renderings of the API's objects, shared by the
 * commands that print them (deploy, status, scale, events, ...).
 *
 * Pure: JSON in, text appended to a buf, no newline. Fields the server
 * left out read as "" or 0, so an older or newer server still prints.
 * Control characters in server strings become spaces (a message must not
 * break a line or drive the terminal).
 */
#ifndef ORCA_CLI_LINES_H
#define ORCA_CLI_LINES_H

#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"

/* A string field, or "" when absent or not a string. Borrowed from o. */
const char *lines_str(const json_t *o, const char *key);
/* An integer field (a real is truncated), or 0. */
int64_t lines_int(const json_t *o, const char *key);

/*
 * A deploy's service progress (GET /api/v1/deploys/{id}), the name padded
 * to name_width:
 *	"backend/api  rolling  1/3 updated, 3 healthy"
 *	"backend/api  failed  0/3 updated, 3 healthy  replica 0 did not ..."
 */
void lines_deploy_service(struct buf *b, const json_t *svc, int name_width);

/*
 * A SERVICE of the status API, the name padded to name_width:
 *	"backend/api  running  3/3 healthy, 3 running"
 *	"backend/api  degraded  1/3 healthy, 3 running, 2 outdated  last error: ..."
 * The last error shows unless the service is running or stopped.
 */
void lines_service(struct buf *b, const json_t *svc, int name_width);

/* "backend/api" from a SERVICE's project and name. */
void lines_service_name(struct buf *b, const json_t *svc);

/*
 * An EVENT, its time local:
 *	"2026-11-29 14:03:01  backend/api[0]  replica.crashed  replica 0 exited ..."
 * The subject is project/service[replica], as much of it as the event has,
 * or "-".
 */
void lines_event(struct buf *b, const json_t *ev);

/* A deploy's change list in counts: "1 to create, 2 to update, 1 unchanged";
 * "nothing to change" when every service is unchanged or there are none. */
void lines_change_counts(struct buf *b, const json_t *changes);

#endif
