/*
 * revision.h - desired state as numbered revisions per project.
 *
 * A revision is what `orca deploy` accepted for one project: the
 * service.toml text as written and the normalised spec JSON the control loop
 * acts on. Revisions are numbered 1, 2, ... per project and never reused.
 * Each project has two pointers: current (the desired revision, moved by
 * every new revision and by rollback) and good (the last revision whose
 * rollout became active), so that a failed rollout can go back.
 *
 * cluster.toml is revisioned the same way under the project name
 * STORE_CLUSTER (""); store_project_list leaves it out.
 *
 * Several projects at once: wrap the calls in store_begin/store_commit
 * (store.h) so that every new revision is recorded or none.
 */
#ifndef ORCA_STORE_REVISION_H
#define ORCA_STORE_REVISION_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define STORE_CLUSTER ""

enum store_revision_state {
	STORE_REV_PENDING,      /* recorded, rollout not finished */
	STORE_REV_ACTIVE,       /* rolled out and healthy */
	STORE_REV_FAILED,       /* its rollout failed */
	STORE_REV_ROLLED_BACK,  /* undone in favour of the known good one */
	STORE_REV_SUPERSEDED,   /* was active until a newer one became active */
};

struct store_revision {
	char *project;
	int64_t number;
	char *source;             /* NULL in lists */
	char *spec;               /* NULL in lists */
	int64_t created_at_ms;
	int64_t deploy_id;        /* the deploy that created it; 0: none */
	enum store_revision_state state;
};

struct store_project {
	char *name;
	int64_t current_rev;      /* 0: none yet */
	int64_t good_rev;         /* 0: nothing became active yet */
};

/* "pending", "active", ...; and back (ERR_INVALID for an unknown name). */
const char *store_revision_state_name(enum store_revision_state s);
int store_revision_state_parse(const char *name, enum store_revision_state *out,
			       struct err *e);

/*
 * Records a new pending revision of project (created on first use) and makes
 * it the current one. source and spec are borrowed, at most STORE_SOURCE_MAX
 * and STORE_SPEC_MAX bytes. *number receives the new revision's number.
 */
int store_revision_add(struct store *st, const char *project, const char *source,
		       const char *spec, int64_t deploy_id, int64_t *number,
		       struct err *e);
/* Fills *out (released with store_revision_release); ERR_NOTFOUND if absent. */
int store_revision_get(struct store *st, const char *project, int64_t number,
		       struct store_revision *out, struct err *e);
/* The current revision; ERR_NOTFOUND if the project has none. */
int store_revision_current(struct store *st, const char *project,
			   struct store_revision *out, struct err *e);
/*
 * Newest first, without source and spec, numbers below `before` (0: from the
 * newest), at most limit (capped at STORE_LIST_MAX). *out is a malloc'd
 * array freed with store_revision_list_free; *n may be 0.
 */
int store_revision_list(struct store *st, const char *project, int64_t before,
			size_t limit, struct store_revision **out, size_t *n,
			struct err *e);
int store_revision_set_state(struct store *st, const char *project,
			     int64_t number, enum store_revision_state state,
			     struct err *e);
/*
 * A rollout finished well: marks the revision active, the previous good one
 * superseded, and points good at it.
 */
int store_revision_activate(struct store *st, const char *project,
			    int64_t number, struct err *e);
/*
 * Deletes all but the newest `keep` revisions of project, never the current
 * or the good one. *deleted (may be NULL) receives how many went.
 */
int store_revision_prune(struct store *st, const char *project, size_t keep,
			 size_t *deleted, struct err *e);
void store_revision_release(struct store_revision *r);
void store_revision_list_free(struct store_revision *v, size_t n);

/* ERR_NOTFOUND when the project has no revision yet. */
int store_project_get(struct store *st, const char *name,
		      struct store_project *out, struct err *e);
/*
 * Projects by name, names after `after` (NULL or "": from the first), at
 * most limit (capped at STORE_LIST_MAX). The cluster ("") is not listed.
 * *out is freed with store_project_list_free.
 */
int store_project_list(struct store *st, const char *after, size_t limit,
		       struct store_project **out, size_t *n, struct err *e);
/* Points current at an existing revision (ERR_NOTFOUND otherwise). */
int store_project_set_current(struct store *st, const char *project,
			      int64_t number, struct err *e);
/*
 * Goes back to the known good revision: the current one, if different, is
 * marked rolled back and current points at good. *number receives it.
 * ERR_NOTFOUND when no revision ever became active, ERR_CONFLICT when the
 * current revision is the good one already.
 */
int store_project_rollback(struct store *st, const char *project,
			   int64_t *number, struct err *e);
void store_project_release(struct store_project *p);
void store_project_list_free(struct store_project *v, size_t n);

#endif
