/*
 * revision.h - desired state as numbered revisions per project.
 *
 * A revision is what `orca deploy` accepted for one project: the
 * service.toml text as written and the normalised spec JSON the control loop
 * acts on. Revisions are numbered 1, 2, ... per project and never reused.
 * Each project has two pointers: current (the desired revision, moved by
 * every new revision, always by compare-and-set) and good (the last
 * revision whose rollout became active), so that a failed rollout can go
 * back. A rollback is a new revision that takes a service's definition from
 * an older one (reconcile/spec.h's from_revision).
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
 * A new revision, as its writer planned it. base is the compare-and-set:
 * the project's current revision the writer read and built this one from
 * (0: the project had none). uses lists the older revisions whose text the
 * spec takes definitions from (rollbacks), which must still exist.
 */
struct store_revision_new {
	const char *source;       /* borrowed, at most STORE_SOURCE_MAX bytes */
	const char *spec;         /* borrowed, at most STORE_SPEC_MAX bytes */
	int64_t deploy_id;        /* the deploy that makes it; 0: none */
	int64_t base;             /* expected current revision; 0: none yet */
	const int64_t *uses;      /* borrowed; nuses numbers */
	size_t nuses;
};

/*
 * Records a new pending revision of project (created on first use) and makes
 * it the current one, only if the current revision is still r->base: the one
 * writer rule for current (deploy, scale, stop, restart, rollback and
 * automatic rollback all come here). When another writer moved current
 * first, or a revision in r->uses is gone (pruned), nothing is recorded and
 * the call fails with ERR_CONFLICT: re-read the current revision and plan
 * again. *number receives the new revision's number.
 */
int store_revision_add(struct store *st, const char *project,
		       const struct store_revision_new *r, int64_t *number,
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
 * What a revision's spec refers to: sets *out to a malloc'd array of *n
 * revision numbers (the older revisions it takes definitions from), or
 * leaves it NULL. The store does not know the spec's format; its writer does.
 */
typedef void (*store_refs_fn)(const char *spec, int64_t **out, size_t *n);
/*
 * Deletes the revisions of project that no rollback can reach, in one
 * transaction: it keeps the newest `keep`, the current and the good one, and
 * every revision that the spec of one of those refers to (refs, may be
 * NULL). *deleted (may be NULL) receives how many went.
 */
int store_revision_prune(struct store *st, const char *project, size_t keep,
			 store_refs_fn refs, size_t *deleted, struct err *e);
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
/*
 * Points current at an existing revision, if it is still expect (the same
 * compare-and-set as store_revision_add): ERR_NOTFOUND when number does not
 * exist, ERR_CONFLICT when current moved.
 */
int store_project_set_current(struct store *st, const char *project,
			      int64_t expect, int64_t number, struct err *e);
void store_project_release(struct store_project *p);
void store_project_list_free(struct store_project *v, size_t n);

#endif
