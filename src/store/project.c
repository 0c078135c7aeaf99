/*
 * project.c - projects and their two pointers: current (desired) and good
 * (last active), with activation and rollback moving them consistently.
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

#define SET_CURRENT "UPDATE projects SET current_rev = ?2 WHERE name = ?1" \
	" AND EXISTS (SELECT 1 FROM revisions WHERE project = ?1 AND number = ?2)"
#define SET_GOOD "UPDATE projects SET good_rev = ?2 WHERE name = ?1" \
	" AND EXISTS (SELECT 1 FROM revisions WHERE project = ?1 AND number = ?2)"

int store_project_set_current(struct store *st, const char *project,
			      int64_t number, struct err *e)
{
	int rc = store_check_scope("project", project, e);

	return rc < 0 ? rc : set_pointer(st, SET_CURRENT, project, number, e);
}

/*
 * Runs a pointer move in its own transaction once project is a valid name;
 * number is the move's argument (activate) or result (rollback).
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

static int rollback(struct store *st, const char *project, int64_t *number,
		    struct err *e)
{
	struct store_project p;
	char who[STORE_WHO_MAX];
	int rc;

	rc = store_project_get(st, project, &p, e);
	if (rc < 0)
		return rc;
	store_who(who, sizeof(who), project);
	if (p.good_rev == 0)
		rc = err_set(e, ERR_NOTFOUND,
			     "%s has no known good revision to roll back to", who);
	else if (p.current_rev == p.good_rev)
		rc = err_set(e, ERR_CONFLICT,
			     "%s is at its known good revision %lld already", who,
			     (long long)p.good_rev);
	if (rc == 0)
		rc = store_revision_set_state(st, project, p.current_rev,
					      STORE_REV_ROLLED_BACK, e);
	if (rc == 0)
		rc = set_pointer(st, SET_CURRENT, project, p.good_rev, e);
	if (rc == 0)
		*number = p.good_rev;
	store_project_release(&p);
	return rc;
}

int store_project_rollback(struct store *st, const char *project,
			   int64_t *number, struct err *e)
{
	return move(st, project, number, rollback, e);
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
