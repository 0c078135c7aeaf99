/*
 * sql.c - thin helpers over the SQLite API: error mapping, binding from a
 * format string, per-call transactions, argument checks.
 *
 * Nothing here ever binds or reports secret plaintext; callers bind only
 * ciphertext for secrets.
 */
#include "store/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"

static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ERR_TIMEOUT;
	case SQLITE_CONSTRAINT:
		return ERR_CONFLICT;
	case SQLITE_TOOBIG:
		return ERR_TOOBIG;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	default:
		return ERR_FAIL;
	}
}

int store_sql_fail(sqlite3 *db, int rc, const char *what, struct err *e)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	return err_set(e, code_of(rc), "%s: sqlite: %s", what, msg);
}

int store_sql_exec(sqlite3 *db, const char *sql, struct err *e)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_sql_fail(db, rc, "exec", e);
	return 0;
}

static int bind_args(sqlite3_stmt *stmt, const char *fmt, va_list ap)
{
	int rc = SQLITE_OK;
	const char *s;
	const void *p;
	size_t n;

	for (int i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 't':
			s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC)
			       : sqlite3_bind_null(stmt, i);
			break;
		case 'i':
			rc = sqlite3_bind_int(stmt, i, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(stmt, i, va_arg(ap, int64_t));
			break;
		case 'b':
			p = va_arg(ap, const void *);
			n = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(stmt, i, p, n, SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	return rc;
}

static int vprepare(struct err *e, sqlite3 *db, sqlite3_stmt **out,
		    const char *sql, const char *fmt, va_list ap)
{
	int rc;

	*out = NULL;
	rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);
	if (rc != SQLITE_OK)
		return store_sql_fail(db, rc, "prepare", e);
	rc = bind_args(*out, fmt, ap);
	if (rc != SQLITE_OK) {
		store_sql_fail(db, rc, "bind", e);
		sqlite3_finalize(*out);
		*out = NULL;
		return e ? e->code : ERR_FAIL;
	}
	return 0;
}

int store_sql_prepare(struct err *e, sqlite3 *db, sqlite3_stmt **out,
		      const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vprepare(e, db, out, sql, fmt, ap);
	va_end(ap);
	return rc;
}

int store_sql_step(sqlite3 *db, sqlite3_stmt *stmt, struct err *e)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sql_fail(db, rc, "step", e);
}

int store_sql_run(struct err *e, sqlite3 *db, int *changes, const char *sql,
		  const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vprepare(e, db, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	while ((rc = store_sql_step(db, stmt, e)) == 1)
		;
	if (rc == 0 && changes)
		*changes = sqlite3_changes(db);
	sqlite3_finalize(stmt);
	return rc;
}

int store_sql_int64(struct err *e, sqlite3 *db, int64_t *out, const char *sql,
		    const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	int found = 0, rc;
	va_list ap;

	va_start(ap, fmt);
	rc = vprepare(e, db, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	while ((rc = store_sql_step(db, stmt, e)) == 1) {
		if (!found)
			*out = sqlite3_column_int64(stmt, 0);
		found = 1;
	}
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : found;
}

int store_sql_row(struct err *e, sqlite3 *db, const struct store_row_type *t,
		  void *row, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vprepare(e, db, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	/* A get by key: its one row, not stepped on to SQLITE_DONE. */
	rc = store_sql_step(db, stmt, e);
	if (rc == 1)
		t->read(stmt, row);
	sqlite3_finalize(stmt);
	return rc;
}

/* Binds the statement's last parameter, a list's LIMIT, to store_limit(). */
static int bind_limit(struct err *e, sqlite3 *db, sqlite3_stmt *stmt,
		      size_t limit)
{
	int rc = sqlite3_bind_int64(stmt, sqlite3_bind_parameter_count(stmt),
				    (sqlite3_int64)store_limit(limit));

	return rc == SQLITE_OK ? 0 : store_sql_fail(db, rc, "bind", e);
}

/* Appends each row of stmt to the array *v of *n records, zeroed then read. */
static int collect(struct err *e, sqlite3 *db, sqlite3_stmt *stmt,
		   const struct store_row_type *t, void **v, size_t *n)
{
	size_t cap = 0;
	char *row;
	int rc;

	while ((rc = store_sql_step(db, stmt, e)) == 1) {
		xgrow(v, &cap, *n + 1, t->size);
		row = (char *)*v + *n * t->size;
		memset(row, 0, t->size);
		t->read(stmt, row);
		(*n)++;
	}
	return rc;
}

int store_sql_list(struct err *e, sqlite3 *db, const struct store_row_type *t,
		   size_t limit, void *out, size_t *n, const char *sql,
		   const char *fmt, ...)
{
	sqlite3_stmt *stmt;
	void *v = NULL;
	size_t len = 0;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vprepare(e, db, &stmt, sql, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = bind_limit(e, db, stmt, limit);
	if (rc == 0)
		rc = collect(e, db, stmt, t, &v, &len);
	sqlite3_finalize(stmt);
	if (rc < 0) {
		/* The caller gets none of a list that failed half-way. */
		store_rows_free(t, v, len);
		v = NULL;
		len = 0;
	}
	/* out is a T **: copied as bytes, as xgrow writes through its void **,
	 * so that callers need no cast. */
	memcpy(out, &v, sizeof(v));
	*n = len;
	return rc;
}

void store_rows_free(const struct store_row_type *t, void *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t->release((char *)v + i * t->size);
	free(v);
}

char *store_sql_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return xstrdup(s ? (const char *)s : "");
}

int store_txn_begin(struct store *st, struct store_txn *t, struct err *e)
{
	t->savepoint = !sqlite3_get_autocommit(st->db);
	/* IMMEDIATE takes the write lock now: a deferred read that later
	 * wants to write can fail with SQLITE_BUSY without waiting. */
	return store_sql_exec(st->db, t->savepoint ? "SAVEPOINT store_op"
						    : "BEGIN IMMEDIATE", e);
}

int store_txn_end(struct store *st, struct store_txn *t, int rc, struct err *e)
{
	if (rc == 0) {
		rc = store_sql_exec(st->db, t->savepoint ? "RELEASE store_op"
							  : "COMMIT", e);
		if (rc == 0)
			return 0;
	}
	/* Errors here mean SQLite already rolled everything back. */
	if (t->savepoint)
		sqlite3_exec(st->db, "ROLLBACK TO store_op; RELEASE store_op",
			     NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

size_t store_limit(size_t limit)
{
	return limit == 0 || limit > STORE_LIST_MAX ? STORE_LIST_MAX : limit;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int store_check_scope(const char *what, const char *name, struct err *e)
{
	size_t n;

	if (name == NULL)
		return err_set(e, ERR_INVALID, "%s name missing", what);
	n = strnlen(name, STORE_NAME_MAX + 1);
	if (n > STORE_NAME_MAX)
		return err_set(e, ERR_INVALID, "%s name longer than %d bytes",
			       what, STORE_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i]))
			return err_set(e, ERR_INVALID,
				       "%s name '%.*s': only letters, digits, '-', '_' and '.' are allowed",
				       what, (int)n, name);
	return 0;
}

int store_check_name(const char *what, const char *name, struct err *e)
{
	if (name && name[0] == '\0')
		return err_set(e, ERR_INVALID, "%s name is empty", what);
	return store_check_scope(what, name, e);
}

int store_check_text(const char *what, const char *s, size_t max, struct err *e)
{
	if (s == NULL)
		return err_set(e, ERR_INVALID, "%s missing", what);
	if (strnlen(s, max + 1) > max)
		return err_set(e, ERR_TOOBIG, "%s larger than %zu bytes", what, max);
	return 0;
}

const char *store_enum_name(const char *const *names, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? names[i] : "unknown";
}

int store_enum_parse(const char *what, const char *const *names, size_t n,
		     const char *name, int *i, struct err *e)
{
	for (size_t k = 0; k < n; k++) {
		if (strcmp(name, names[k]) == 0) {
			*i = (int)k;
			return 0;
		}
	}
	return err_set(e, ERR_INVALID, "unknown %s '%s'", what, name);
}

const char *store_who(char *buf, size_t size, const char *project)
{
	if (project == NULL || project[0] == '\0')
		snprintf(buf, size, "the cluster");
	else
		snprintf(buf, size, "project '%s'", project);
	return buf;
}

int64_t store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
