/*
 * project.c - projects and their two pointers: current (desired, moved
 * only by compare-and-set) and good (last active, moved by activation).
 */
#include "store/revision.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static void read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_project *p = row;

	p->name = store_sql_text(stmt, 0);
	p->current_rev = sqlite3_column_int64(stmt, 1);
	p->good_rev = sqlite3_column_int64(stmt, 2);
}

static void release_row(void *row)
{
	store_project_release(row);
}

static const struct store_row_type project_row = {
	sizeof(struct store_project), read_row, release_row
};

int store_project_get(struct store *st, const char *name,
		      struct store_project *out, struct err *e)
{
	char who[STORE_WHO_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_check_scope("project", name, e);
	if (rc == 0)
		rc = store_sql_row(e, st->db, &project_row, out,
				   "SELECT name, current_rev, good_rev FROM projects"
				   " WHERE name = ?", "t", name);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "%s has no revision yet",
			       store_who(who, sizeof(who), name));
	return rc < 0 ? rc : 0;
}

int store_project_list(struct store *st, const char *after, size_t limit,
		       struct store_project **out, size_t *n, struct err *e)
{
	return store_sql_list(e, st->db, &project_row, limit, out, n,
			      "SELECT name, current_rev, good_rev FROM projects"
			      " WHERE name > ? ORDER BY name LIMIT ?",
			      "t", after ? after : "");
}

/* Sets one pointer column to an existing revision. */
static int set_pointer(struct store *st, const char *sql, const char *project,
		       int64_t number, struct err *e)
{
	char who[STORE_WHO_MAX];
	int changes = 0, rc;

	rc = store_sql_run(e, st->db, &changes, sql, "tI", project, number);
	if (rc == 0 && changes == 0)
		rc = err_set(e, ERR_NOTFOUND, "%s has no revision %lld",
			     store_who(who, sizeof(who), project), (long long)number);
	return rc;
}

#define SET_GOOD "UPDATE projects SET good_rev = ?2 WHERE name = ?1" \
	" AND EXISTS (SELECT 1 FROM revisions WHERE project = ?1 AND number = ?2)"

int store_project_set_current(struct store *st, const char *project,
			      int64_t expect, int64_t number, struct err *e)
{
	char who[STORE_WHO_MAX];
	int changes = 0, rc;
	int64_t found = 0;

	rc = store_check_scope("project", project, e);
	if (rc == 0)
		rc = store_sql_int64(e, st->db, &found, "SELECT 1 FROM revisions"
				     " WHERE project = ? AND number = ?", "tI", project, number);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "%s has no revision %lld",
			       store_who(who, sizeof(who), project), (long long)number);
	if (rc > 0)
		rc = store_sql_run(e, st->db, &changes, "UPDATE projects SET current_rev = ?"
				   " WHERE name = ? AND current_rev = ?", "ItI", number,
				   project, expect);
	if (rc == 0 && changes == 0)
		rc = err_set(e, ERR_CONFLICT, "%s: the current revision is not %lld any more",
			     store_who(who, sizeof(who), project), (long long)expect);
	return rc < 0 ? rc : 0;
}

/*
 * Runs a pointer move in its own transaction once project is a valid name;
 * number is the move's argument.
 */
static int move(struct store *st, const char *project, int64_t *number,
		int (*fn)(struct store *, const char *, int64_t *, struct err *),
		struct err *e)
{
	struct store_txn t;
	int rc;

	rc = store_check_scope("project", project, e);
	if (rc == 0)
		rc = store_txn_begin(st, &t, e);
	if (rc < 0)
		return rc;
	return store_txn_end(st, &t, fn(st, project, number, e), e);
}

static int activate(struct store *st, const char *project, int64_t *in,
		    struct err *e)
{
	int64_t number = *in;
	int rc;

	rc = set_pointer(st, "UPDATE revisions SET state = 'active'"
			 " WHERE project = ?1 AND number = ?2", project, number, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, NULL,
				   "UPDATE revisions SET state = 'superseded'"
				   " WHERE project = ?1 AND number != ?2"
				   " AND state = 'active'", "tI", project, number);
	if (rc == 0)
		rc = set_pointer(st, SET_GOOD, project, number, e);
	return rc;
}

int store_revision_activate(struct store *st, const char *project,
			    int64_t number, struct err *e)
{
	return move(st, project, &number, activate, e);
}

void store_project_release(struct store_project *p)
{
	if (p == NULL)
		return;
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void store_project_list_free(struct store_project *v, size_t n)
{
	store_rows_free(&project_row, v, n);
}
