/*
 * observed.h - the observed-state cache and per-service runtime records.
 *
 * The control loop writes what it last saw of each container (or wasm
 * instance) so that status survives a restart and adoption has something to
 * compare with; Docker remains the truth and the cache is rewritten from it.
 * Runtime records keep what must not reset on restart: restart counts, the
 * last error and crash backoff. The store does not parse the state JSON.
 */
#ifndef ORCA_STORE_OBSERVED_H
#define ORCA_STORE_OBSERVED_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct store_container {
	char *id;                 /* Docker container id or wasm instance id */
	char *project;
	char *service;
	int replica;              /* replica index, >= 0 */
	int64_t revision;         /* the revision it runs */
	char *state;              /* JSON text */
	int64_t updated_at_ms;    /* 0 on put: now */
};

struct store_service_runtime {
	char *project;
	char *service;
	int restart_count;
	char *last_error;         /* "" when none */
	int64_t backoff_until_ms; /* 0: no backoff */
	int64_t updated_at_ms;    /* set by put */
};

/*
 * Inserts or replaces the row of c->id. Fields are borrowed; state at most
 * STORE_STATE_MAX bytes, id at most STORE_ID_MAX.
 */
int store_container_put(struct store *st, const struct store_container *c,
			struct err *e);
/* Deleting an absent id is not an error. */
int store_container_delete(struct store *st, const char *id, struct err *e);
/* Fills *out (released with store_container_release); ERR_NOTFOUND if absent. */
int store_container_get(struct store *st, const char *id,
			struct store_container *out, struct err *e);
/*
 * Rows ordered by id, of one project (NULL: all), with ids after `after`
 * (NULL or "": from the first), at most limit (capped at STORE_LIST_MAX).
 * Page on with the last id returned. Freed with store_container_list_free.
 */
int store_container_list(struct store *st, const char *project,
			 const char *after, size_t limit,
			 struct store_container **out, size_t *n, struct err *e);
void store_container_release(struct store_container *c);
void store_container_list_free(struct store_container *v, size_t n);

/* Inserts or replaces; fields borrowed, last_error may be NULL (""). */
int store_service_runtime_put(struct store *st,
			      const struct store_service_runtime *r,
			      struct err *e);
/* ERR_NOTFOUND when there is no record (a service that never restarted). */
int store_service_runtime_get(struct store *st, const char *project,
			      const char *service,
			      struct store_service_runtime *out, struct err *e);
/* Deleting an absent record is not an error. */
int store_service_runtime_delete(struct store *st, const char *project,
				 const char *service, struct err *e);
/* The records of one project ordered by service, at most STORE_LIST_MAX. */
int store_service_runtime_list(struct store *st, const char *project,
			       struct store_service_runtime **out, size_t *n,
			       struct err *e);
void store_service_runtime_release(struct store_service_runtime *r);
void store_service_runtime_list_free(struct store_service_runtime *v, size_t n);

#endif
