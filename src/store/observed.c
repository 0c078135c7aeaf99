/*
 * observed.c - the observed-state cache: one row per container or wasm
 * instance, as the control loop last saw it.
 */
#include "store/observed.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define COLUMNS "id, project, service, replica, revision, state, updated_at"

static void read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_container *c = row;

	c->id = store_sql_text(stmt, 0);
	c->project = store_sql_text(stmt, 1);
	c->service = store_sql_text(stmt, 2);
	c->replica = sqlite3_column_int(stmt, 3);
	c->revision = sqlite3_column_int64(stmt, 4);
	c->state = store_sql_text(stmt, 5);
	c->updated_at_ms = sqlite3_column_int64(stmt, 6);
}

static void release_row(void *row)
{
	store_container_release(row);
}

static const struct store_row_type container_row = {
	sizeof(struct store_container), read_row, release_row
};

static int check_container(const struct store_container *c, struct err *e)
{
	int rc = store_check_text("container id", c->id, STORE_ID_MAX, e);

	if (rc == 0 && c->id[0] == '\0')
		rc = err_set(e, ERR_INVALID, "container id is empty");
	if (rc == 0)
		rc = store_check_scope("project", c->project, e);
	if (rc == 0)
		rc = store_check_name("service", c->service, e);
	if (rc == 0 && c->replica < 0)
		rc = err_set(e, ERR_INVALID, "replica index %d is negative", c->replica);
	if (rc == 0)
		rc = store_check_text("state", c->state, STORE_STATE_MAX, e);
	return rc;
}

int store_container_put(struct store *st, const struct store_container *c,
			struct err *e)
{
	int64_t at = c->updated_at_ms ? c->updated_at_ms : store_now_ms();
	int rc;

	rc = check_container(c, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, NULL,
				   "INSERT OR REPLACE INTO containers (" COLUMNS ")"
				   " VALUES (?, ?, ?, ?, ?, ?, ?)", "tttiItI",
				   c->id, c->project, c->service, c->replica,
				   c->revision, c->state, at);
	if (rc < 0)
		return err_wrap(e, "container '%.*s'", STORE_ID_MAX,
				c->id ? c->id : "");
	return 0;
}

int store_container_delete(struct store *st, const char *id, struct err *e)
{
	int rc = store_check_text("container id", id, STORE_ID_MAX, e);

	if (rc == 0)
		rc = store_sql_run(e, st->db, NULL,
				   "DELETE FROM containers WHERE id = ?", "t", id);
	return rc < 0 ? err_wrap(e, "delete container") : 0;
}

int store_container_get(struct store *st, const char *id,
			struct store_container *out, struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_check_text("container id", id, STORE_ID_MAX, e);
	if (rc == 0)
		rc = store_sql_row(e, st->db, &container_row, out, "SELECT " COLUMNS
				   " FROM containers WHERE id = ?", "t", id);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "container '%s' not found", id);
	return rc < 0 ? rc : 0;
}

int store_container_list(struct store *st, const char *project,
			 const char *after, size_t limit,
			 struct store_container **out, size_t *n, struct err *e)
{
	/* Two statements rather than "?1 IS NULL OR ...": each uses its index. */
	if (project)
		return store_sql_list(e, st->db, &container_row, limit, out, n,
				      "SELECT " COLUMNS " FROM containers"
				      " WHERE project = ? AND id > ? ORDER BY id LIMIT ?",
				      "tt", project, after ? after : "");
	return store_sql_list(e, st->db, &container_row, limit, out, n,
			      "SELECT " COLUMNS " FROM containers"
			      " WHERE id > ? ORDER BY id LIMIT ?",
			      "t", after ? after : "");
}

void store_container_release(struct store_container *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c->project);
	free(c->service);
	free(c->state);
	memset(c, 0, sizeof(*c));
}

void store_container_list_free(struct store_container *v, size_t n)
{
	store_rows_free(&container_row, v, n);
}
