/*
 * target.h - which service a command means. Every service command takes
 * SERVICE as "project/service", or a bare "service" when exactly one
 * project has a service of that name (the server's GET /api/v1/status
 * says which); otherwise the user is asked to say which:
 *
 *	'api' is in projects backend, payments: say which, e.g. backend/api
 */
#ifndef ORCA_CLI_TARGET_H
#define ORCA_CLI_TARGET_H

#include <jansson.h>

#include "base/err.h"
#include "cli/remote.h"

/*
 * Splits arg. "p/s" gives both, "s" gives *project = NULL. Malloc'd
 * strings the caller frees. ERR_INVALID for an empty part or more than
 * one '/'.
 */
int target_parse(const char *arg, char **project, char **service,
		 struct err *e);

/*
 * Pure: the one project of a status reply ({"projects": [...]}) that has
 * a service named service, into *project (malloc'd). ERR_INVALID when
 * several have it (the sentence above), ERR_NOTFOUND when none does.
 */
int target_pick(const json_t *status, const char *service, char **project,
		struct err *e);

/*
 * The whole rule, asking the server when the name is bare. Returns
 * EXIT_OK with both strings set, or prints "orca CMD: ..." and returns
 * EXIT_USAGE (malformed, ambiguous), EXIT_FAILED (no such service) or the
 * exit code of a failed call.
 */
int target_resolve(struct remote *r, const char *arg, char **project,
		   char **service);

#endif
