/*
 * revision.c - adding, reading, listing and pruning revisions.
 *
 * The per-project pointers (current, good) and rollback are in project.c.
 */
#include "store/revision.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static const char *const state_names[] = {
	[STORE_REV_PENDING] = "pending",
	[STORE_REV_ACTIVE] = "active",
	[STORE_REV_FAILED] = "failed",
	[STORE_REV_ROLLED_BACK] = "rolled_back",
	[STORE_REV_SUPERSEDED] = "superseded",
};

#define NSTATES (sizeof(state_names) / sizeof(state_names[0]))

const char *store_revision_state_name(enum store_revision_state s)
{
	return store_enum_name(state_names, NSTATES, (int)s);
}

int store_revision_state_parse(const char *name, enum store_revision_state *out,
			       struct err *e)
{
	int i = 0;
	int rc = store_enum_parse("revision state", state_names, NSTATES, name,
				  &i, e);

	if (rc == 0)
		*out = (enum store_revision_state)i;
	return rc;
}

/* The columns read_row expects, in order. */
#define REV_COLUMNS "project, number, source, spec, created_at, deploy_id, state"
#define REV_META_COLUMNS "project, number, NULL, NULL, created_at, deploy_id, state"

static void read_row(sqlite3_stmt *stmt, void *row)
{
	const char *state = (const char *)sqlite3_column_text(stmt, 6);
	struct store_revision *r = row;

	r->project = store_sql_text(stmt, 0);
	r->number = sqlite3_column_int64(stmt, 1);
	r->source = sqlite3_column_type(stmt, 2) == SQLITE_NULL ? NULL
							      : store_sql_text(stmt, 2);
	r->spec = sqlite3_column_type(stmt, 3) == SQLITE_NULL ? NULL
							    : store_sql_text(stmt, 3);
	r->created_at_ms = sqlite3_column_int64(stmt, 4);
	r->deploy_id = sqlite3_column_int64(stmt, 5);
	if (state == NULL || store_revision_state_parse(state, &r->state, NULL) < 0)
		r->state = STORE_REV_FAILED;  /* the CHECK constraint forbids it */
}

static void release_row(void *row)
{
	store_revision_release(row);
}

static const struct store_row_type revision_row = {
	sizeof(struct store_revision), read_row, release_row
};

static int check_add(const char *project, const char *source, const char *spec,
		     struct err *e)
{
	int rc = store_check_scope("project", project, e);

	if (rc == 0)
		rc = store_check_text("source", source, STORE_SOURCE_MAX, e);
	if (rc == 0)
		rc = store_check_text("spec", spec, STORE_SPEC_MAX, e);
	return rc;
}

static int insert(struct store *st, const char *project, const char *source,
		  const char *spec, int64_t deploy_id, int64_t *number,
		  struct err *e)
{
	int64_t now = store_now_ms();
	int rc;

	rc = store_sql_run(e, st->db, NULL,
			   "INSERT INTO projects (name, created_at) VALUES (?, ?)"
			   " ON CONFLICT (name) DO NOTHING", "tI", project, now);
	if (rc < 0)
		return rc;
	/* On the right of SET, last_rev is the old value. */
	rc = store_sql_int64(e, st->db, number,
			     "UPDATE projects SET last_rev = last_rev + 1,"
			     " current_rev = last_rev + 1 WHERE name = ?"
			     " RETURNING last_rev", "t", project);
	if (rc < 0)
		return rc;
	return store_sql_run(e, st->db, NULL,
			     "INSERT INTO revisions (" REV_COLUMNS ")"
			     " VALUES (?, ?, ?, ?, ?, ?, 'pending')",
			     "tIttII", project, *number, source, spec, now, deploy_id);
}

int store_revision_add(struct store *st, const char *project, const char *source,
		       const char *spec, int64_t deploy_id, int64_t *number,
		       struct err *e)
{
	char who[STORE_WHO_MAX];
	struct store_txn t;
	int64_t n = 0;
	int rc;

	rc = check_add(project, source, spec, e);
	if (rc == 0)
		rc = store_txn_begin(st, &t, e);
	if (rc < 0)
		return err_wrap(e, "add revision");
	rc = store_txn_end(st, &t, insert(st, project, source, spec, deploy_id, &n, e), e);
	if (rc < 0)
		return err_wrap(e, "%s: add revision", store_who(who, sizeof(who), project));
	*number = n;
	return 0;
}

/* Reads the row sql selects; binds ?1 = project and, when number > 0, ?2. */
static int get_one(struct store *st, const char *sql, const char *project,
		   int64_t number, struct store_revision *out, struct err *e)
{
	char who[STORE_WHO_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_check_scope("project", project, e);
	if (rc < 0)
		return rc;
	rc = store_sql_row(e, st->db, &revision_row, out, sql,
			   number > 0 ? "tI" : "t", project, number);
	store_who(who, sizeof(who), project);
	if (rc == 0 && number > 0)
		return err_set(e, ERR_NOTFOUND, "%s has no revision %lld", who,
			       (long long)number);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "%s has no current revision", who);
	return rc < 0 ? err_wrap(e, "%s", who) : 0;
}

int store_revision_get(struct store *st, const char *project, int64_t number,
		       struct store_revision *out, struct err *e)
{
	if (number <= 0) {
		memset(out, 0, sizeof(*out));
		return err_set(e, ERR_INVALID, "revision number %lld: must be positive",
			       (long long)number);
	}
	return get_one(st, "SELECT " REV_COLUMNS " FROM revisions"
		       " WHERE project = ? AND number = ?", project, number, out, e);
}

int store_revision_current(struct store *st, const char *project,
			   struct store_revision *out, struct err *e)
{
	return get_one(st, "SELECT " REV_COLUMNS " FROM revisions"
		       " WHERE project = ?1 AND number ="
		       " (SELECT current_rev FROM projects WHERE name = ?1)",
		       project, 0, out, e);
}

int store_revision_list(struct store *st, const char *project, int64_t before,
			size_t limit, struct store_revision **out, size_t *n,
			struct err *e)
{
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_check_scope("project", project, e);
	if (rc == 0)
		rc = store_sql_list(e, st->db, &revision_row, limit, out, n,
				    "SELECT " REV_META_COLUMNS " FROM revisions"
				    " WHERE project = ? AND (?2 <= 0 OR number < ?2)"
				    " ORDER BY number DESC LIMIT ?",
				    "tI", project, before);
	return rc;
}

int store_revision_set_state(struct store *st, const char *project,
			     int64_t number, enum store_revision_state state,
			     struct err *e)
{
	char who[STORE_WHO_MAX];
	int changes = 0, rc;

	if ((size_t)state >= NSTATES)
		return err_set(e, ERR_INVALID, "invalid revision state %d", (int)state);
	rc = store_check_scope("project", project, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, &changes,
				   "UPDATE revisions SET state = ?"
				   " WHERE project = ? AND number = ?",
				   "ttI", state_names[state], project, number);
	store_who(who, sizeof(who), project);
	if (rc < 0)
		return err_wrap(e, "%s: set revision state", who);
	if (changes == 0)
		return err_set(e, ERR_NOTFOUND, "%s has no revision %lld", who,
			       (long long)number);
	return 0;
}

int store_revision_prune(struct store *st, const char *project, size_t keep,
			 size_t *deleted, struct err *e)
{
	int changes = 0, rc;

	rc = store_check_scope("project", project, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, &changes,
				   "DELETE FROM revisions WHERE project = ?1"
				   " AND number NOT IN (SELECT number FROM revisions"
				   "  WHERE project = ?1 ORDER BY number DESC LIMIT ?2)"
				   " AND number NOT IN (SELECT current_rev FROM projects"
				   "  WHERE name = ?1 UNION SELECT good_rev FROM projects"
				   "  WHERE name = ?1)",
				   "tI", project, (int64_t)keep);
	if (rc < 0)
		return err_wrap(e, "prune revisions");
	if (deleted)
		*deleted = (size_t)changes;
	return 0;
}

void store_revision_release(struct store_revision *r)
{
	if (r == NULL)
		return;
	free(r->project);
	free(r->source);
	free(r->spec);
	memset(r, 0, sizeof(*r));
}

void store_revision_list_free(struct store_revision *v, size_t n)
{
	store_rows_free(&revision_row, v, n);
}
