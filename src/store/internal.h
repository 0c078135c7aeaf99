/*
 * internal.h - what the files of src/store/ share; nothing outside
 * src/store/ (tests aside) may include it.
 *
 * The SQL helpers bind arguments from a short format string so that each
 * query reads as one call:
 *	't'  const char *      text; NULL binds SQL NULL
 *	'i'  int               integer
 *	'I'  int64_t           integer (pass an int64_t, not an int literal)
 *	'b'  const void *, size_t   blob
 */
#ifndef ORCA_STORE_INTERNAL_H
#define ORCA_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct store {
	sqlite3 *db;
	char *dir;                /* the data directory */
	char *db_path;            /* <dir>/orca.db */
	char *key_path;           /* the master key's file */
	unsigned char *key;       /* master key, sodium_malloc'd, 32 bytes */
	int user_tx;              /* store_begin is open */
};

/*
 * One store operation's own transaction: a BEGIN IMMEDIATE when none is
 * open, else a savepoint inside the caller's, so that a failed call undoes
 * only itself. store_txn_end commits when rc is 0, else rolls back, and
 * returns rc (or the commit's error).
 */
struct store_txn {
	int savepoint;
};
int store_txn_begin(struct store *st, struct store_txn *t, struct err *e);
int store_txn_end(struct store *st, struct store_txn *t, int rc, struct err *e);

/* Sets e from the connection's last error, prefixed by what; returns the code. */
int store_sql_fail(sqlite3 *db, int rc, const char *what, struct err *e);
/* Runs sql (no arguments, may hold several statements). */
int store_sql_exec(sqlite3 *db, const char *sql, struct err *e);
/* Prepares sql and binds the arguments described by fmt (see above). */
int store_sql_prepare(struct err *e, sqlite3 *db, sqlite3_stmt **out,
		      const char *sql, const char *fmt, ...);
/* Steps once: 1 for a row, 0 when done, or a negative code with e set. */
int store_sql_step(sqlite3 *db, sqlite3_stmt *stmt, struct err *e);
/*
 * Prepares, binds, steps to the end and finalizes a statement returning no
 * rows. *changes (may be NULL) receives the rows it changed.
 */
int store_sql_run(struct err *e, sqlite3 *db, int *changes, const char *sql,
		  const char *fmt, ...);
/*
 * Runs a statement and reads column 0 of its first row as an integer:
 * returns 1 with *out set when there is a row, 0 when there is none.
 */
int store_sql_int64(struct err *e, sqlite3 *db, int64_t *out, const char *sql,
		    const char *fmt, ...);
/*
 * How one row becomes one record, for store_sql_row and store_sql_list:
 * read fills a zeroed record of size bytes from the statement's current
 * row; release frees what read allocated.
 */
struct store_row_type {
	size_t size;
	void (*read)(sqlite3_stmt *stmt, void *row);
	void (*release)(void *row);
};
/*
 * Reads the first row sql selects into *row with t->read: returns 1 when
 * there was one, 0 when there was none (*row untouched), or a negative code.
 */
int store_sql_row(struct err *e, sqlite3 *db, const struct store_row_type *t,
		  void *row, const char *sql, const char *fmt, ...);
/*
 * Reads every row sql selects into *out, a malloc'd array of *n records
 * (out is the caller's T ** for the T that t reads) freed with
 * store_rows_free. The last parameter of sql is its LIMIT, bound here to
 * store_limit(limit); fmt describes the others. On failure *out is NULL and
 * *n is 0.
 */
int store_sql_list(struct err *e, sqlite3 *db, const struct store_row_type *t,
		   size_t limit, void *out, size_t *n, const char *sql,
		   const char *fmt, ...);
/* Releases n records of type t and frees the array v (NULL is fine). */
void store_rows_free(const struct store_row_type *t, void *v, size_t n);
/* A malloc'd copy of a text column; "" for NULL. */
char *store_sql_text(sqlite3_stmt *stmt, int col);

/* A list limit: 0 or over STORE_LIST_MAX means STORE_LIST_MAX. */
size_t store_limit(size_t limit);
/* Checks a project or service name: 1..STORE_NAME_MAX of [A-Za-z0-9._-]. */
int store_check_name(const char *what, const char *name, struct err *e);
/* The same, also accepting "" (the cluster, or cluster-wide). */
int store_check_scope(const char *what, const char *name, struct err *e);
/* Checks that s is non-NULL text of at most max bytes. */
int store_check_text(const char *what, const char *s, size_t max, struct err *e);

/* An enum stored as text: names[i] for 0 <= i < n, else "unknown". */
const char *store_enum_name(const char *const *names, size_t n, int i);
/* Sets *i to name's index in names; else ERR_INVALID "unknown <what> 'name'". */
int store_enum_parse(const char *what, const char *const *names, size_t n,
		     const char *name, int *i, struct err *e);

/* "project 'web'", or "the cluster" for "": the subject of messages. */
#define STORE_WHO_MAX (STORE_NAME_MAX + 16)
const char *store_who(char *buf, size_t size, const char *project);

/* mkdir -p with mode 0700 for every directory it creates. */
int store_make_dir(const char *dir, struct err *e);

/* Migrates db to version target (tests use it to build older databases). */
int store_migrate(sqlite3 *db, int target, struct err *e);
int store_db_version(sqlite3 *db, int *version, struct err *e);

/*
 * Loads the key file at path into a sodium_malloc'd key; creates it (in an
 * existing directory) when absent if may_create, else fails with
 * ERR_NOTFOUND.
 */
int store_master_key_load(const char *path, int may_create, unsigned char **key,
			  struct err *e);

#endif
