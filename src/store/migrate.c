/*
 * migrate.c - the schema, as a numbered list of steps.
 *
 * Step N takes a database from version N-1 to N, in its own transaction,
 * and is recorded in schema_version. Steps are append-only: never edit one
 * that has shipped; add a step. A database at a version above the last step
 * was written by a newer orca and is refused rather than guessed at.
 *
 * Conventions: STRICT tables; times are INTEGER milliseconds since the Unix
 * epoch; states are lowercase TEXT checked by a constraint, so the database
 * reads well in the sqlite3 shell; 0 (not NULL) means "none" for pointers.
 */
#include "store/internal.h"

static const char *const steps[] = {
	/* 1: desired state (revisions per project, "" = cluster.toml), deploys */
	"CREATE TABLE projects ("
	"  name TEXT PRIMARY KEY,"
	"  current_rev INTEGER NOT NULL DEFAULT 0,"
	"  good_rev INTEGER NOT NULL DEFAULT 0,"
	"  last_rev INTEGER NOT NULL DEFAULT 0," /* numbers never reused */
	"  created_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE revisions ("
	"  project TEXT NOT NULL REFERENCES projects(name),"
	"  number INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  spec TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  deploy_id INTEGER NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'failed',"
	"    'rolled_back', 'superseded')),"
	"  PRIMARY KEY (project, number)"
	") STRICT;"
	"CREATE TABLE deploys ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused */
	"  created_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL CHECK (state IN ('running', 'succeeded',"
	"    'failed', 'rolled_back')),"
	"  message TEXT NOT NULL DEFAULT '',"
	"  progress TEXT NOT NULL DEFAULT '{}'"
	") STRICT;"
	"CREATE TABLE deploy_projects ("
	"  deploy_id INTEGER NOT NULL REFERENCES deploys(id) ON DELETE CASCADE,"
	"  project TEXT NOT NULL,"
	"  PRIMARY KEY (deploy_id, project)"
	") STRICT;"
	"CREATE INDEX deploy_projects_by_project"
	"  ON deploy_projects(project, deploy_id);",

	/* 2: observed-state cache and per-service runtime records */
	"CREATE TABLE containers ("
	"  id TEXT PRIMARY KEY,"
	"  project TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  replica INTEGER NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX containers_by_project ON containers(project, id);"
	"CREATE TABLE service_runtime ("
	"  project TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  restart_count INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  backoff_until INTEGER NOT NULL DEFAULT 0,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (project, service)"
	") STRICT;",

	/* 3: event log */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused */
	"  ts INTEGER NOT NULL,"
	"  project TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  replica INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  message TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX events_by_project ON events(project, id);",

	/* 4: secrets: only ciphertext (see secrets.c for the format) */
	"CREATE TABLE secrets ("
	"  scope TEXT NOT NULL," /* project name, '' = cluster-wide */
	"  name TEXT NOT NULL,"
	"  alg INTEGER NOT NULL," /* 1: secretbox, per-record BLAKE2b subkey */
	"  nonce BLOB NOT NULL,"
	"  box BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (scope, name)"
	") STRICT;",

	/* 5: nodes that joined (their certificate's serial) and join tokens */
	"CREATE TABLE nodes ("
	"  name TEXT PRIMARY KEY,"
	"  serial TEXT NOT NULL," /* the issued certificate's, lowercase hex */
	"  address TEXT NOT NULL DEFAULT ''," /* where other nodes reach it */
	"  source TEXT NOT NULL DEFAULT ''," /* the address it joined from */
	"  state TEXT NOT NULL CHECK (state IN ('active', 'draining')),"
	"  labels TEXT NOT NULL DEFAULT '{}',"
	"  inventory TEXT NOT NULL DEFAULT '{}',"
	"  joined_at INTEGER NOT NULL,"
	"  seen_at INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE TABLE join_tokens ("
	"  id TEXT PRIMARY KEY,"
	"  hash TEXT NOT NULL," /* sha256 hex of the secret part */
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	") STRICT;",
};

#define NSTEPS ((int)(sizeof(steps) / sizeof(steps[0])))

int store_schema_latest(void)
{
	return NSTEPS;
}

int store_db_version(sqlite3 *db, int *version, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = store_sql_prepare(e, db, &stmt,
			       "SELECT COALESCE(MAX(version), 0) FROM schema_version", "");
	if (rc < 0)
		return rc;
	rc = store_sql_step(db, stmt, e);
	if (rc == 1) {
		*version = sqlite3_column_int(stmt, 0);
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int too_new(int version, struct err *e)
{
	return err_set(e, ERR_UNSUPPORTED,
		       "schema version %d is newer than this orca knows (%d): "
		       "it was written by a newer orca; run that version, or "
		       "restore a backup taken before the upgrade",
		       version, NSTEPS);
}

/* Applies one step if the database is below target; *done when it is not. */
static int step_once(sqlite3 *db, int target, int *done, struct err *e)
{
	int version = 0, rc;

	rc = store_sql_exec(db, "BEGIN IMMEDIATE", e);
	if (rc < 0)
		return rc;
	/* Read under the write lock: another connection may have migrated. */
	rc = store_db_version(db, &version, e);
	if (rc == 0 && version > NSTEPS)
		rc = too_new(version, e);
	if (rc < 0)
		goto out;
	*done = version >= target;
	if (*done)
		goto out;
	rc = store_sql_exec(db, steps[version], e);
	if (rc < 0) {
		err_wrap(e, "schema step %d", version + 1);
		goto out;
	}
	rc = store_sql_run(e, db, NULL,
			   "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
			   "iI", version + 1, store_now_ms());
out:
	if (rc == 0 && !*done)
		return store_sql_exec(db, "COMMIT", e);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_migrate(sqlite3 *db, int target, struct err *e)
{
	int done = 0, rc;

	if (target > NSTEPS)
		target = NSTEPS;
	rc = store_sql_exec(db,
			    "CREATE TABLE IF NOT EXISTS schema_version ("
			    "  version INTEGER PRIMARY KEY,"
			    "  applied_at INTEGER NOT NULL) STRICT", e);
	while (rc == 0 && !done)
		rc = step_once(db, target, &done, e);
	return rc;
}
