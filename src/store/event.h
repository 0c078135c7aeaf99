/*
 * event.h - the event log: what happened, in order, bounded.
 *
 * Ids grow monotonically and are never reused, so a reader (the SSE stream,
 * `orca events --follow`) pages on with the last id it saw. The log keeps
 * the newest STORE_EVENTS_KEEP events: store_event_append prunes now and
 * then, store_event_prune does it on demand.
 */
#ifndef ORCA_STORE_EVENT_H
#define ORCA_STORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct store_event {
	int64_t id;
	int64_t ts_ms;            /* 0 on append: now */
	char *project;            /* "" when cluster-wide */
	char *service;            /* "" when not about one service */
	int replica;              /* -1 when not about one replica */
	char *kind;               /* "replica.started", "deploy.failed", ... */
	char *message;
};

/*
 * Appends ev (fields borrowed; ev->id ignored; project and service may be
 * NULL for ""). kind is 1..STORE_KIND_MAX bytes of [a-z0-9._-], message at
 * most STORE_MESSAGE_MAX. *id (may be NULL) receives the new id.
 */
int store_event_append(struct store *st, const struct store_event *ev,
		       int64_t *id, struct err *e);
/*
 * Oldest first, ids above after_id, of one project (NULL: all), at most
 * limit (capped at STORE_LIST_MAX). Freed with store_event_list_free.
 */
int store_event_list(struct store *st, int64_t after_id, const char *project,
		     size_t limit, struct store_event **out, size_t *n,
		     struct err *e);
/* The newest id, 0 when the log is empty: where a follower starts. */
int store_event_last_id(struct store *st, int64_t *id, struct err *e);
/* Deletes all but the newest `keep` events; *deleted may be NULL. */
int store_event_prune(struct store *st, size_t keep, size_t *deleted,
		      struct err *e);
void store_event_release(struct store_event *ev);
void store_event_list_free(struct store_event *v, size_t n);

#endif
