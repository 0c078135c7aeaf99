/*
 * runtime.c - per-service runtime records that must survive a restart:
 * restart count, last error, crash backoff.
 */
#include "store/observed.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define COLUMNS "project, service, restart_count, last_error, backoff_until, updated_at"

static void read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_service_runtime *r = row;

	r->project = store_sql_text(stmt, 0);
	r->service = store_sql_text(stmt, 1);
	r->restart_count = sqlite3_column_int(stmt, 2);
	r->last_error = store_sql_text(stmt, 3);
	r->backoff_until_ms = sqlite3_column_int64(stmt, 4);
	r->updated_at_ms = sqlite3_column_int64(stmt, 5);
}

static void release_row(void *row)
{
	store_service_runtime_release(row);
}

static const struct store_row_type runtime_row = {
	sizeof(struct store_service_runtime), read_row, release_row
};

static int check_key(const char *project, const char *service, struct err *e)
{
	int rc = store_check_scope("project", project, e);

	return rc < 0 ? rc : store_check_name("service", service, e);
}

int store_service_runtime_put(struct store *st,
			      const struct store_service_runtime *r,
			      struct err *e)
{
	const char *error = r->last_error ? r->last_error : "";
	int rc;

	rc = check_key(r->project, r->service, e);
	if (rc == 0)
		rc = store_check_text("last error", error, STORE_MESSAGE_MAX, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, NULL,
				   "INSERT OR REPLACE INTO service_runtime (" COLUMNS ")"
				   " VALUES (?, ?, ?, ?, ?, ?)", "ttitII",
				   r->project, r->service, r->restart_count, error,
				   r->backoff_until_ms, store_now_ms());
	return rc < 0 ? err_wrap(e, "service runtime record") : 0;
}

int store_service_runtime_get(struct store *st, const char *project,
			      const char *service,
			      struct store_service_runtime *out, struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_key(project, service, e);
	if (rc == 0)
		rc = store_sql_row(e, st->db, &runtime_row, out, "SELECT " COLUMNS
				   " FROM service_runtime"
				   " WHERE project = ? AND service = ?",
				   "tt", project, service);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "service '%s/%s' has no runtime record",
			       project, service);
	return rc < 0 ? rc : 0;
}

int store_service_runtime_delete(struct store *st, const char *project,
				 const char *service, struct err *e)
{
	int rc = check_key(project, service, e);

	if (rc == 0)
		rc = store_sql_run(e, st->db, NULL,
				   "DELETE FROM service_runtime"
				   " WHERE project = ? AND service = ?",
				   "tt", project, service);
	return rc < 0 ? err_wrap(e, "delete service runtime record") : 0;
}

int store_service_runtime_list(struct store *st, const char *project,
			       struct store_service_runtime **out, size_t *n,
			       struct err *e)
{
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_check_scope("project", project, e);
	/* The call takes no limit: 0 is store_limit's STORE_LIST_MAX. */
	if (rc == 0)
		rc = store_sql_list(e, st->db, &runtime_row, 0, out, n,
				    "SELECT " COLUMNS " FROM service_runtime"
				    " WHERE project = ? ORDER BY service LIMIT ?",
				    "t", project);
	return rc;
}

void store_service_runtime_release(struct store_service_runtime *r)
{
	if (r == NULL)
		return;
	free(r->project);
	free(r->service);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

void store_service_runtime_list_free(struct store_service_runtime *v, size_t n)
{
	store_rows_free(&runtime_row, v, n);
}
