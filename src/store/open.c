/*
 * open.c - opening and closing the store, and the caller's transactions.
 */
#include "store/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/secrets.h"

int store_make_dir(const char *dir, struct err *e)
{
	char *path = xstrdup(dir);
	struct stat sb;
	int rc = 0;

	for (char *p = path + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			rc = err_errno(e, errno, "create directory '%s'", path);
		*p = c;
		if (c == '\0')
			break;
	}
	if (rc == 0 && stat(dir, &sb) < 0)
		rc = err_errno(e, errno, "data directory '%s'", dir);
	else if (rc == 0 && !S_ISDIR(sb.st_mode))
		rc = err_set(e, -ENOTDIR, "data directory '%s' is not a directory", dir);
	free(path);
	return rc;
}

/* SQLite would create the file with the umask's mode; we want 0600 (the WAL
 * and shm files inherit the database file's mode). */
/*
 * Creates orca.db with mode 0600 before SQLite does (SQLite would use the
 * umask). An existing file is never opened here: POSIX locks belong to the
 * process, so close() on any descriptor of the file would drop the locks
 * that this process's other SQLite connections hold on it, and another
 * process closing its own connection would then think it was the last one
 * and delete the WAL under the server's feet.
 */
static int create_db_file(const char *path, struct err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return err_errno(e, errno, "open '%s'", path);
	close(fd);
	return 0;
}

static int check_wal(sqlite3 *db, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = store_sql_prepare(e, db, &stmt, "PRAGMA journal_mode=WAL", "");
	if (rc < 0)
		return rc;
	rc = store_sql_step(db, stmt, e);
	if (rc == 1) {
		const char *mode = (const char *)sqlite3_column_text(stmt, 0);
		rc = mode && strcmp(mode, "wal") == 0 ? 0
			: err_set(e, ERR_UNSUPPORTED,
				  "cannot use WAL journal mode (got '%s'); is the "
				  "data directory on a network file system?",
				  mode ? mode : "");
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int configure(sqlite3 *db, struct err *e)
{
	int rc;

	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	rc = check_wal(db, e);
	if (rc < 0)
		return rc;
	/*
	 * synchronous=NORMAL: in WAL mode a commit is written to the WAL
	 * before it returns, so a killed orca (kill -9, crash) loses nothing;
	 * only a power loss or OS crash can drop the last few commits, and it
	 * never corrupts the database. FULL would fsync every commit, which
	 * the control loop's frequent small writes (progress, observed state)
	 * would pay for on every step.
	 */
	return store_sql_exec(db,
			      "PRAGMA synchronous=NORMAL;"
			      "PRAGMA foreign_keys=ON;"
			      "PRAGMA trusted_schema=OFF;", e);
}

static int open_db(struct store *st, struct err *e)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		    SQLITE_OPEN_NOFOLLOW;
	int rc;

	rc = create_db_file(st->db_path, e);
	if (rc < 0)
		return rc;
	rc = sqlite3_open_v2(st->db_path, &st->db, flags, NULL);
	if (rc != SQLITE_OK)
		return store_sql_fail(st->db, rc, "open", e);
	rc = configure(st->db, e);
	if (rc == 0)
		rc = store_migrate(st->db, store_schema_latest(), e);
	return rc;
}

/*
 * A missing master key file is created, unless secrets sealed with the old
 * one exist: a fresh key would make them unreadable without a word.
 */
static int load_key(struct store *st, struct err *e)
{
	int64_t sealed = 0;
	int rc;

	rc = store_sql_int64(e, st->db, &sealed,
			     "SELECT EXISTS (SELECT 1 FROM secrets)", "");
	if (rc < 0)
		return err_wrap(e, "store '%s'", st->db_path);
	return store_master_key_load(st->key_path, !sealed, &st->key, e);
}

int store_open(const char *data_dir, struct store **out, struct err *e)
{
	return store_open_key(data_dir, NULL, out, e);
}

int store_open_key(const char *data_dir, const char *key_path, struct store **out,
		   struct err *e)
{
	struct store *st;
	int rc;

	*out = NULL;
	if (data_dir == NULL || data_dir[0] == '\0')
		return err_set(e, ERR_INVALID, "store: no data directory given");
	if (sodium_init() < 0)
		return err_set(e, ERR_FAIL, "store: libsodium failed to initialise");
	/* One connection per thread needs at least SQLite's multi-thread mode. */
	if (!sqlite3_threadsafe())
		return err_set(e, ERR_UNSUPPORTED,
			       "store: this SQLite was built without thread support");
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(data_dir);
	st->db_path = xasprintf("%s/orca.db", data_dir);
	st->key_path = key_path ? xstrdup(key_path)
				: xasprintf("%s/%s", data_dir, SECRETS_KEY_FILE);
	rc = store_make_dir(data_dir, e);
	if (rc == 0 && (rc = open_db(st, e)) < 0)
		err_wrap(e, "store '%s'", st->db_path);
	if (rc == 0)
		rc = load_key(st, e);
	if (rc < 0) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(st->db);
	sodium_free(st->key);
	free(st->key_path);
	free(st->db_path);
	free(st->dir);
	free(st);
}

int store_schema_version(struct store *st, int *version, struct err *e)
{
	return store_db_version(st->db, version, e);
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

int store_begin(struct store *st, struct err *e)
{
	int rc;

	if (st->user_tx || !sqlite3_get_autocommit(st->db))
		return err_set(e, ERR_CONFLICT, "store: a transaction is already open");
	rc = store_sql_exec(st->db, "BEGIN IMMEDIATE", e);
	if (rc < 0)
		return err_wrap(e, "store: begin");
	st->user_tx = 1;
	return 0;
}

int store_commit(struct store *st, struct err *e)
{
	int rc;

	if (!st->user_tx)
		return err_set(e, ERR_CONFLICT, "store: no transaction is open");
	st->user_tx = 0;
	rc = store_sql_exec(st->db, "COMMIT", e);
	if (rc < 0) {
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return err_wrap(e, "store: commit");
	}
	return 0;
}

void store_rollback(struct store *st)
{
	if (!st->user_tx)
		return;
	st->user_tx = 0;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}
