/*
 * observed.c - the observed-state cache: one row per container or wasm
 * instance, as the control loop last saw it.
 */
#include "store/observed.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/internal.h"

#define COLUMNS "id, project, service, replica, revision, state, updated_at"

static void read_row(sqlite3_stmt *stmt, struct store_container *c)
{
	c->id = store_sql_text(stmt, 0);
	c->project = store_sql_text(stmt, 1);
	c->service = store_sql_text(stmt, 2);
	c->replica = sqlite3_column_int(stmt, 3);
	c->revision = sqlite3_column_int64(stmt, 4);
	c->state = store_sql_text(stmt, 5);
	c->updated_at_ms = sqlite3_column_int64(stmt, 6);
}

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
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_check_text("container id", id, STORE_ID_MAX, e);
	if (rc == 0)
		rc = store_sql_prepare(e, st->db, &stmt, "SELECT " COLUMNS
				       " FROM containers WHERE id = ?", "t", id);
	if (rc < 0)
		return rc;
	rc = store_sql_step(st->db, stmt, e);
	if (rc == 1)
		read_row(stmt, out);
	sqlite3_finalize(stmt);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "container '%s' not found", id);
	return rc < 0 ? rc : 0;
}

int store_container_list(struct store *st, const char *project,
			 const char *after, size_t limit,
			 struct store_container **out, size_t *n, struct err *e)
{
	struct store_container *v = NULL;
	size_t cap = 0, len = 0;
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	/* Two statements rather than "?1 IS NULL OR ...": each uses its index. */
	if (project)
		rc = store_sql_prepare(e, st->db, &stmt, "SELECT " COLUMNS
				       " FROM containers WHERE project = ? AND id > ?"
				       " ORDER BY id LIMIT ?", "ttI", project,
				       after ? after : "", (int64_t)store_limit(limit));
	else
		rc = store_sql_prepare(e, st->db, &stmt, "SELECT " COLUMNS
				       " FROM containers WHERE id > ? ORDER BY id LIMIT ?",
				       "tI", after ? after : "",
				       (int64_t)store_limit(limit));
	if (rc < 0)
		return rc;
	while ((rc = store_sql_step(st->db, stmt, e)) == 1) {
		XGROW(v, cap, len + 1);
		read_row(stmt, &v[len++]);
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		store_container_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
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
	for (size_t i = 0; i < n; i++)
		store_container_release(&v[i]);
	free(v);
}
