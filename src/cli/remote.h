/*
 * remote.h - what every command that talks to the orca server shares:
 * connecting (--socket, $ORCA_SOCKET, the default data directory), API
 * paths with escaped names, and printing a failed call the one way orca
 * does, with the exit code that goes with it (cli.h):
 *
 *	server unreachable        "orca CMD: cannot reach the orca server at ..."   4
 *	400 invalid_config        each detail "path:line:col: message", sorted,
 *	                          then "N errors"                                   3
 *	409 unsatisfiable         "service: message" per detail ("*": the whole
 *	                          deploy), then "N problems; nothing was changed"   1
 *	any other error reply     "orca CMD: MESSAGE", then "  DETAIL" per detail   1
 *
 * Everything goes to stderr. One struct remote per command run.
 */
#ifndef ORCA_CLI_REMOTE_H
#define ORCA_CLI_REMOTE_H

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "cli/client.h"

/* The project name of the cluster-wide secrets scope in the API. */
#define REMOTE_CLUSTER_SCOPE "_cluster"

struct remote {
	const char *cmd;      /* "deploy", "secrets set": the prefix of messages */
	struct client *cl;
};

/*
 * Resolves the address (socket_flag may be NULL) and makes the client.
 * Returns EXIT_OK, or prints why not and returns EXIT_FAILED. Connecting
 * happens at the first call.
 */
int remote_open(struct remote *r, const char *cmd, const char *socket_flag);
void remote_close(struct remote *r);

/*
 * Sends one request (body borrowed, may be NULL). EXIT_OK with *reply a new
 * reference (NULL for an empty reply; reply itself may be NULL); otherwise
 * the failure is printed (remote_report) and its exit code returned.
 */
int remote_call(struct remote *r, const char *method, const char *path,
		const json_t *body, json_t **reply);

/* Prints a failed call as the table above says; returns its exit code.
 * status is the HTTP status (0: none), reply the error document or NULL. */
int remote_report(const struct remote *r, int status, const json_t *reply,
		  const struct err *e);

/* Prints j as JSON indented by two, and a newline, on stdout (-o json). */
void remote_print_json(const json_t *j);

/* Appends "/" and seg percent-encoded (all but [A-Za-z0-9._~-]) to b. */
void remote_path_add(struct buf *b, const char *seg);
/* "/api/v1/projects/P/services/S" and "/ACTION" when action is not NULL;
 * malloc'd, the caller frees. */
char *remote_service_path(const char *project, const char *service,
			  const char *action);
/* "/api/v1/projects/P" and "/REST" when rest is not NULL; malloc'd. */
char *remote_project_path(const char *project, const char *rest);

#endif
