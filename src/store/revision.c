/*
 * revision.c - adding, reading, listing and pruning revisions.
 *
 * The per-project pointers (current, good) are in project.c.
 */
#include "store/revision.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
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

static int check_add(const char *project, const struct store_revision_new *r,
		     struct err *e)
{
	int rc = store_check_scope("project", project, e);

	if (rc == 0)
		rc = store_check_text("source", r->source, STORE_SOURCE_MAX, e);
	if (rc == 0)
		rc = store_check_text("spec", r->spec, STORE_SPEC_MAX, e);
	if (rc == 0 && r->base < 0)
		rc = err_set(e, ERR_INVALID, "base revision %lld: must not be negative",
			     (long long)r->base);
	return rc;
}

/* Every revision the new one takes a definition from still exists. */
static int check_uses(struct store *st, const char *project,
		      const struct store_revision_new *r, struct err *e)
{
	for (size_t i = 0; i < r->nuses; i++) {
		int64_t found = 0;
		int rc = store_sql_int64(e, st->db, &found,
					 "SELECT 1 FROM revisions WHERE project = ?"
					 " AND number = ?", "tI", project, r->uses[i]);

		if (rc < 0)
			return rc;
		if (rc == 0)
			return err_set(e, ERR_CONFLICT, "revision %lld is gone (pruned)",
				       (long long)r->uses[i]);
	}
	return 0;
}

/* current_rev moved from base to something else: say to what. */
static int moved(struct store *st, const char *project, int64_t base, struct err *e)
{
	int64_t now = 0;

	if (store_sql_int64(e, st->db, &now, "SELECT current_rev FROM projects"
			    " WHERE name = ?", "t", project) < 0)
		return e->code;
	return err_set(e, ERR_CONFLICT, "the current revision moved from %lld to %lld "
		       "meanwhile", (long long)base, (long long)now);
}

static int insert(struct store *st, const char *project,
		  const struct store_revision_new *r, int64_t *number, struct err *e)
{
	int64_t now = store_now_ms();
	int rc;

	rc = store_sql_run(e, st->db, NULL,
			   "INSERT INTO projects (name, created_at) VALUES (?, ?)"
			   " ON CONFLICT (name) DO NOTHING", "tI", project, now);
	if (rc == 0)
		rc = check_uses(st, project, r, e);
	if (rc < 0)
		return rc;
	/* The compare-and-set. On the right of SET, last_rev is the old value. */
	rc = store_sql_int64(e, st->db, number,
			     "UPDATE projects SET last_rev = last_rev + 1,"
			     " current_rev = last_rev + 1 WHERE name = ?"
			     " AND current_rev = ? RETURNING last_rev", "tI",
			     project, r->base);
	if (rc == 0)
		return moved(st, project, r->base, e);
	if (rc < 0)
		return rc;
	return store_sql_run(e, st->db, NULL,
			     "INSERT INTO revisions (" REV_COLUMNS ")"
			     " VALUES (?, ?, ?, ?, ?, ?, 'pending')",
			     "tIttII", project, *number, r->source, r->spec, now,
			     r->deploy_id);
}

int store_revision_add(struct store *st, const char *project,
		       const struct store_revision_new *r, int64_t *number,
		       struct err *e)
{
	char who[STORE_WHO_MAX];
	struct store_txn t;
	int64_t n = 0;
	int rc;

	rc = check_add(project, r, e);
	if (rc == 0)
		rc = store_txn_begin(st, &t, e);
	if (rc < 0)
		return err_wrap(e, "add revision");
	rc = store_txn_end(st, &t, insert(st, project, r, &n, e), e);
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

/* Appends number, and what its spec refers to, to the JSON array keep. */
static void keep_row(sqlite3_stmt *stmt, store_refs_fn refs, struct buf *keep)
{
	int64_t *refs_out = NULL;
	size_t n = 0;

	buf_printf(keep, "%s%lld", keep->len > 1 ? "," : "",
		   (long long)sqlite3_column_int64(stmt, 0));
	if (refs == NULL || sqlite3_column_type(stmt, 1) == SQLITE_NULL)
		return;
	refs((const char *)sqlite3_column_text(stmt, 1), &refs_out, &n);
	for (size_t i = 0; i < n; i++)
		buf_printf(keep, ",%lld", (long long)refs_out[i]);
	free(refs_out);
}

static int prune(struct store *st, const char *project, size_t keep,
		 store_refs_fn refs, int *changes, struct err *e)
{
	struct buf kept = BUF_INIT;
	sqlite3_stmt *stmt;
	int rc;

	rc = store_sql_prepare(e, st->db, &stmt,
			       "SELECT number, spec FROM revisions WHERE project = ?1"
			       " AND (number IN (SELECT number FROM revisions"
			       "  WHERE project = ?1 ORDER BY number DESC LIMIT ?2)"
			       " OR number IN (SELECT current_rev FROM projects"
			       "  WHERE name = ?1 UNION SELECT good_rev FROM projects"
			       "  WHERE name = ?1))", "tI", project, (int64_t)keep);
	if (rc < 0)
		return rc;
	buf_putc(&kept, '[');
	while ((rc = store_sql_step(st->db, stmt, e)) == 1)
		keep_row(stmt, refs, &kept);
	sqlite3_finalize(stmt);
	buf_putc(&kept, ']');
	if (rc == 0)
		rc = store_sql_run(e, st->db, changes,
				   "DELETE FROM revisions WHERE project = ? AND number"
				   " NOT IN (SELECT value FROM json_each(?))", "tt",
				   project, buf_str(&kept));
	buf_release(&kept);
	return rc;
}

int store_revision_prune(struct store *st, const char *project, size_t keep,
			 store_refs_fn refs, size_t *deleted, struct err *e)
{
	struct store_txn t;
	int changes = 0, rc;

	rc = store_check_scope("project", project, e);
	if (rc == 0)
		rc = store_txn_begin(st, &t, e);
	if (rc == 0)
		rc = store_txn_end(st, &t, prune(st, project, keep, refs, &changes, e), e);
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
