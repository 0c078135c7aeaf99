/*
 * event.c - the event log: append, page through, prune.
 */
#include "store/event.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* Append prunes when the new id is a multiple of this: cheap, and the log
 * never grows past STORE_EVENTS_KEEP + PRUNE_EVERY rows. */
#define PRUNE_EVERY 1024

#define COLUMNS "id, ts, project, service, replica, kind, message"

static void read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_event *ev = row;

	ev->id = sqlite3_column_int64(stmt, 0);
	ev->ts_ms = sqlite3_column_int64(stmt, 1);
	ev->project = store_sql_text(stmt, 2);
	ev->service = store_sql_text(stmt, 3);
	ev->replica = sqlite3_column_int(stmt, 4);
	ev->kind = store_sql_text(stmt, 5);
	ev->message = store_sql_text(stmt, 6);
}

static void release_row(void *row)
{
	store_event_release(row);
}

static const struct store_row_type event_row = {
	sizeof(struct store_event), read_row, release_row
};

static int check_kind(const char *kind, struct err *e)
{
	size_t n = kind ? strnlen(kind, STORE_KIND_MAX + 1) : 0;

	if (n == 0 || n > STORE_KIND_MAX)
		return err_set(e, ERR_INVALID, "event kind must be 1 to %d bytes",
			       STORE_KIND_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = kind[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return err_set(e, ERR_INVALID, "event kind '%s': only [a-z0-9._-]",
				       kind);
	}
	return 0;
}

static int check_event(const struct store_event *ev, struct err *e)
{
	int rc = check_kind(ev->kind, e);

	if (rc == 0)
		rc = store_check_scope("project", ev->project ? ev->project : "", e);
	if (rc == 0)
		rc = store_check_scope("service", ev->service ? ev->service : "", e);
	if (rc == 0 && ev->replica < -1)
		rc = err_set(e, ERR_INVALID, "replica index %d: want -1 or more",
			     ev->replica);
	if (rc == 0)
		rc = store_check_text("message", ev->message ? ev->message : "",
				      STORE_MESSAGE_MAX, e);
	return rc;
}

static int insert(struct store *st, const struct store_event *ev, int64_t *id,
		  struct err *e)
{
	int rc;

	rc = store_sql_int64(e, st->db, id,
			     "INSERT INTO events (ts, project, service, replica,"
			     " kind, message) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			     "Ittitt", ev->ts_ms ? ev->ts_ms : store_now_ms(),
			     ev->project ? ev->project : "",
			     ev->service ? ev->service : "", ev->replica, ev->kind,
			     ev->message ? ev->message : "");
	if (rc >= 0 && *id % PRUNE_EVERY == 0)
		rc = store_event_prune(st, STORE_EVENTS_KEEP, NULL, e);
	return rc < 0 ? rc : 0;
}

int store_event_append(struct store *st, const struct store_event *ev,
		       int64_t *id, struct err *e)
{
	struct store_txn t;
	int64_t new_id = 0;
	int rc;

	rc = check_event(ev, e);
	if (rc == 0)
		rc = store_txn_begin(st, &t, e);
	if (rc == 0)
		rc = store_txn_end(st, &t, insert(st, ev, &new_id, e), e);
	if (rc < 0)
		return err_wrap(e, "append event");
	if (id)
		*id = new_id;
	return 0;
}

int store_event_list(struct store *st, int64_t after_id, const char *project,
		     size_t limit, struct store_event **out, size_t *n,
		     struct err *e)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (project == NULL)
		return store_sql_list(e, st->db, &event_row, limit, out, n,
				      "SELECT " COLUMNS " FROM events"
				      " WHERE id > ? ORDER BY id LIMIT ?", "I", after_id);
	rc = store_check_scope("project", project, e);
	if (rc == 0)
		rc = store_sql_list(e, st->db, &event_row, limit, out, n,
				    "SELECT " COLUMNS " FROM events WHERE project = ?"
				    " AND id > ? ORDER BY id LIMIT ?",
				    "tI", project, after_id);
	return rc;
}

int store_event_last_id(struct store *st, int64_t *id, struct err *e)
{
	int rc;

	*id = 0;
	rc = store_sql_int64(e, st->db, id, "SELECT COALESCE(MAX(id), 0) FROM events", "");
	return rc < 0 ? rc : 0;
}

int store_event_prune(struct store *st, size_t keep, size_t *deleted,
		      struct err *e)
{
	int changes = 0, rc;

	/* The keep-th newest id is the oldest kept; with fewer rows the
	 * subquery is NULL and nothing goes. */
	if (keep == 0)
		rc = store_sql_run(e, st->db, &changes, "DELETE FROM events", "");
	else
		rc = store_sql_run(e, st->db, &changes,
				   "DELETE FROM events WHERE id < (SELECT id FROM"
				   " events ORDER BY id DESC LIMIT 1 OFFSET ?)",
				   "I", (int64_t)keep - 1);
	if (rc < 0)
		return err_wrap(e, "prune events");
	if (deleted)
		*deleted = (size_t)changes;
	return 0;
}

void store_event_release(struct store_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->project);
	free(ev->service);
	free(ev->kind);
	free(ev->message);
	memset(ev, 0, sizeof(*ev));
}

void store_event_list_free(struct store_event *v, size_t n)
{
	store_rows_free(&event_row, v, n);
}
