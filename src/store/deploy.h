/*
 * deploy.h - deploy history.
 *
 * A deploy is one `orca deploy` (or API apply) of one or more projects. Its
 * id is a monotonic integer never reused, even after old deploys are pruned.
 * The control loop keeps its progress JSON (per service and replica) up to
 * date; the API streams it. The store does not parse that JSON.
 */
#ifndef ORCA_STORE_DEPLOY_H
#define ORCA_STORE_DEPLOY_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

enum store_deploy_state {
	STORE_DEPLOY_RUNNING,
	STORE_DEPLOY_SUCCEEDED,
	STORE_DEPLOY_FAILED,
	STORE_DEPLOY_ROLLED_BACK,
};

struct store_deploy {
	int64_t id;
	int64_t created_at_ms;
	int64_t finished_at_ms;   /* 0 while running */
	enum store_deploy_state state;
	char *message;            /* "" when none */
	char **projects;          /* the projects it touched, sorted by name */
	size_t nprojects;
	char *progress;           /* JSON text; NULL in lists */
};

const char *store_deploy_state_name(enum store_deploy_state s);
int store_deploy_state_parse(const char *name, enum store_deploy_state *out,
			     struct err *e);

/*
 * Records a running deploy of nprojects projects (1..STORE_PROJECTS_MAX,
 * STORE_CLUSTER allowed; borrowed) with an initial message (may be NULL)
 * and progress "{}". *id receives its id.
 */
int store_deploy_create(struct store *st, const char *const *projects,
			size_t nprojects, const char *message, int64_t *id,
			struct err *e);
/* Replaces the progress JSON (borrowed, at most STORE_PROGRESS_MAX). */
int store_deploy_set_progress(struct store *st, int64_t id, const char *progress,
			      struct err *e);
/*
 * Sets the state and message (NULL: keep the message). Any state but
 * running stamps finished_at; running clears it.
 */
int store_deploy_set_state(struct store *st, int64_t id,
			   enum store_deploy_state state, const char *message,
			   struct err *e);
/* Fills *out (released with store_deploy_release); ERR_NOTFOUND if absent. */
int store_deploy_get(struct store *st, int64_t id, struct store_deploy *out,
		     struct err *e);
/*
 * Newest first, without progress, ids below `before` (0: from the newest),
 * at most limit (capped at STORE_LIST_MAX). Freed with store_deploy_list_free.
 */
int store_deploy_list(struct store *st, int64_t before, size_t limit,
		      struct store_deploy **out, size_t *n, struct err *e);
/* Deletes all but the newest `keep` deploys, never a running one; *deleted
 * may be NULL. */
int store_deploy_prune(struct store *st, size_t keep, size_t *deleted,
		       struct err *e);
void store_deploy_release(struct store_deploy *d);
void store_deploy_list_free(struct store_deploy *v, size_t n);

#endif
