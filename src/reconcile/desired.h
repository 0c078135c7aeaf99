/*
 * desired.h - a project's desired state, read back from its current revision.
 *
 * The revision's service.toml text is parsed again with the same loader that
 * validated it at deploy time (one parser, one set of rules), then the
 * revision's meta (spec.h) is applied: replica overrides, and services whose
 * definition comes from an older revision (rollbacks), whose text is parsed
 * too. Services are sorted by name.
 */
#ifndef ORCA_RECONCILE_DESIRED_H
#define ORCA_RECONCILE_DESIRED_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "config/model.h"
#include "reconcile/spec.h"
#include "store/store.h"

struct desired {
	char *project;
	int64_t revision;          /* 0: the project has no revision */
	int64_t good_revision;     /* the last one that became active; 0 none */
	char *source;              /* the revision's text */
	struct rev_meta meta;
	struct config **cfgs;      /* parsed texts; services point into them */
	size_t ncfgs;
	struct service **services; /* borrowed from cfgs, overrides applied */
	size_t nservices;
};

/* Loads the current revision of project. */
int desired_load(struct store *st, const char *project, struct desired *out,
		 struct err *e);
/* Loads a given revision (for rollbacks and history). */
int desired_load_revision(struct store *st, const char *project, int64_t number,
			  struct desired *out, struct err *e);
/* Parses one project text into a fresh config; the caller frees it. */
int desired_parse(const char *project, const char *text, struct config **out,
		  struct err *e);
struct service *desired_find(const struct desired *d, const char *name);

/* The cluster.toml of the current cluster revision, parsed; an empty config
 * when none was ever deployed. The caller frees *out. */
int desired_cluster(struct store *st, struct config **out, struct err *e);

/*
 * "NAME@updated_ms;..." for each secret s's env names, resolved the way a
 * container sees them (the project's own, else cluster-wide): the part of
 * the spec hash that makes a changed secret roll the service. A name set in
 * neither scope is reported through missing (may be NULL) and left out.
 */
typedef void (*desired_missing_fn)(void *arg, const struct service *s, const char *name);
int desired_secret_stamps(struct store *st, const struct service *s, struct buf *out,
			  desired_missing_fn missing, void *arg, struct err *e);
void desired_release(struct desired *d);

#endif
