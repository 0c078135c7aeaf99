/*
 * deploy.c - deploy history: one row per deploy, its projects beside it.
 */
#include "store/deploy.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/internal.h"

static const char *const state_names[] = {
	[STORE_DEPLOY_RUNNING] = "running",
	[STORE_DEPLOY_SUCCEEDED] = "succeeded",
	[STORE_DEPLOY_FAILED] = "failed",
	[STORE_DEPLOY_ROLLED_BACK] = "rolled_back",
};

#define NSTATES (sizeof(state_names) / sizeof(state_names[0]))

const char *store_deploy_state_name(enum store_deploy_state s)
{
	return store_enum_name(state_names, NSTATES, (int)s);
}

int store_deploy_state_parse(const char *name, enum store_deploy_state *out,
			     struct err *e)
{
	int i = 0;
	int rc = store_enum_parse("deploy state", state_names, NSTATES, name,
				  &i, e);

	if (rc == 0)
		*out = (enum store_deploy_state)i;
	return rc;
}

/*
 * The projects, comma-joined: names cannot hold a comma (store_check_scope)
 * and one query serves a whole list.
 */
#define DEPLOY_COLUMNS(progress) \
	"id, created_at, finished_at, state, message, " progress ", " \
	"(SELECT group_concat(project, ',') FROM (SELECT project" \
	" FROM deploy_projects WHERE deploy_id = deploys.id ORDER BY project))"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void split_projects(sqlite3_stmt *stmt, int col, struct store_deploy *d)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);
	size_t n = 1;

	if (s == NULL)
		return;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	d->projects = xcalloc(n, sizeof(char *));
	for (const char *p = s;; p++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		d->projects[d->nprojects++] = xstrndup(p, len);
		if (end == NULL)
			break;
		p = end;
	}
	qsort(d->projects, d->nprojects, sizeof(char *), cmp_str);
}

static void read_row(sqlite3_stmt *stmt, void *row)
{
	const char *state = (const char *)sqlite3_column_text(stmt, 3);
	struct store_deploy *d = row;

	d->id = sqlite3_column_int64(stmt, 0);
	d->created_at_ms = sqlite3_column_int64(stmt, 1);
	d->finished_at_ms = sqlite3_column_int64(stmt, 2);
	if (state == NULL || store_deploy_state_parse(state, &d->state, NULL) < 0)
		d->state = STORE_DEPLOY_FAILED;  /* the CHECK constraint forbids it */
	d->message = store_sql_text(stmt, 4);
	d->progress = sqlite3_column_type(stmt, 5) == SQLITE_NULL
		? NULL : store_sql_text(stmt, 5);
	split_projects(stmt, 6, d);
}

static void release_row(void *row)
{
	store_deploy_release(row);
}

static const struct store_row_type deploy_row = {
	sizeof(struct store_deploy), read_row, release_row
};

static int check_create(const char *const *projects, size_t nprojects,
			const char *message, struct err *e)
{
	int rc = 0;

	if (nprojects == 0 || nprojects > STORE_PROJECTS_MAX)
		return err_set(e, ERR_INVALID, "a deploy touches 1 to %d projects, not %zu",
			       STORE_PROJECTS_MAX, nprojects);
	for (size_t i = 0; i < nprojects && rc == 0; i++)
		rc = store_check_scope("project", projects[i], e);
	if (rc == 0 && message)
		rc = store_check_text("message", message, STORE_MESSAGE_MAX, e);
	return rc;
}

static int insert(struct store *st, const char *const *projects, size_t nprojects,
		  const char *message, int64_t *id, struct err *e)
{
	int rc;

	rc = store_sql_int64(e, st->db, id,
			     "INSERT INTO deploys (created_at, state, message)"
			     " VALUES (?, 'running', ?) RETURNING id",
			     "It", store_now_ms(), message ? message : "");
	for (size_t i = 0; i < nprojects && rc >= 0; i++)
		rc = store_sql_run(e, st->db, NULL,
				   "INSERT OR IGNORE INTO deploy_projects"
				   " (deploy_id, project) VALUES (?, ?)",
				   "It", *id, projects[i]);
	return rc < 0 ? rc : 0;
}

int store_deploy_create(struct store *st, const char *const *projects,
			size_t nprojects, const char *message, int64_t *id,
			struct err *e)
{
	struct store_txn t;
	int64_t new_id = 0;
	int rc;

	rc = check_create(projects, nprojects, message, e);
	if (rc == 0)
		rc = store_txn_begin(st, &t, e);
	if (rc == 0)
		rc = store_txn_end(st, &t, insert(st, projects, nprojects, message,
						  &new_id, e), e);
	if (rc < 0)
		return err_wrap(e, "create deploy");
	*id = new_id;
	return 0;
}

/* The result of an UPDATE of one deploy. */
static int updated(int64_t id, int rc, int changes, struct err *e)
{
	if (rc < 0)
		return err_wrap(e, "deploy %lld", (long long)id);
	if (changes == 0)
		return err_set(e, ERR_NOTFOUND, "deploy %lld not found", (long long)id);
	return 0;
}

int store_deploy_set_progress(struct store *st, int64_t id, const char *progress,
			      struct err *e)
{
	int changes = 0, rc;

	rc = store_check_text("progress", progress, STORE_PROGRESS_MAX, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, &changes,
				   "UPDATE deploys SET progress = ? WHERE id = ?",
				   "tI", progress, id);
	return updated(id, rc, changes, e);
}

int store_deploy_set_state(struct store *st, int64_t id,
			   enum store_deploy_state state, const char *message,
			   struct err *e)
{
	int64_t finished = state == STORE_DEPLOY_RUNNING ? 0 : store_now_ms();
	int changes = 0, rc = 0;

	if ((size_t)state >= NSTATES)
		rc = err_set(e, ERR_INVALID, "invalid state %d", (int)state);
	if (rc == 0 && message)
		rc = store_check_text("message", message, STORE_MESSAGE_MAX, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, &changes,
				   "UPDATE deploys SET state = ?,"
				   " message = COALESCE(?, message), finished_at = ?"
				   " WHERE id = ?", "ttII", state_names[state],
				   message, finished, id);
	return updated(id, rc, changes, e);
}

int store_deploy_get(struct store *st, int64_t id, struct store_deploy *out,
		     struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_sql_row(e, st->db, &deploy_row, out,
			   "SELECT " DEPLOY_COLUMNS("progress")
			   " FROM deploys WHERE id = ?", "I", id);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "deploy %lld not found", (long long)id);
	return rc < 0 ? rc : 0;
}

int store_deploy_list(struct store *st, int64_t before, size_t limit,
		      struct store_deploy **out, size_t *n, struct err *e)
{
	return store_sql_list(e, st->db, &deploy_row, limit, out, n,
			      "SELECT " DEPLOY_COLUMNS("NULL") " FROM deploys"
			      " WHERE ?1 <= 0 OR id < ?1 ORDER BY id DESC LIMIT ?2",
			      "I", before);
}

int store_deploy_prune(struct store *st, size_t keep, size_t *deleted,
		       struct err *e)
{
	int changes = 0, rc;

	rc = store_sql_run(e, st->db, &changes,
			   "DELETE FROM deploys WHERE state != 'running' AND id NOT IN"
			   " (SELECT id FROM deploys ORDER BY id DESC LIMIT ?)",
			   "I", (int64_t)keep);
	if (rc < 0)
		return err_wrap(e, "prune deploys");
	if (deleted)
		*deleted = (size_t)changes;
	return 0;
}

void store_deploy_release(struct store_deploy *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nprojects; i++)
		free(d->projects[i]);
	free(d->projects);
	free(d->message);
	free(d->progress);
	memset(d, 0, sizeof(*d));
}

void store_deploy_list_free(struct store_deploy *v, size_t n)
{
	store_rows_free(&deploy_row, v, n);
}
