/*
 * store_fixture.h - temp data directories, an open store in them, and raw
 * access to the files, for the store and secrets tests. Header-only: each
 * test binary is one file. Include after unit.h.
 */
#ifndef ORCA_TESTS_STORE_FIXTURE_H
#define ORCA_TESTS_STORE_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/revision.h"
#include "store/store.h"
#include "unit.h"

/* A fresh directory under $TMPDIR; the data dir is "<it>/data" (not yet
 * created, so that store_open's mkdir is exercised). Free with fixture_rm. */
static inline char *fixture_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *templ = xasprintf("%s/orca-store-XXXXXX", tmp ? tmp : "/tmp");

	if (mkdtemp(templ) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return templ;
}

static inline char *fixture_data(const char *dir)
{
	return xasprintf("%s/data", dir);
}

static inline int fixture_rm_one(const char *path, const struct stat *sb,
				 int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void fixture_rm(char *dir)
{
	nftw(dir, fixture_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* The whole file as a malloc'd buffer (*len bytes), or NULL if absent. */
static inline unsigned char *fixture_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t cap = 0, n = 0, r;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		XGROW(data, cap, n + 65536);
		r = fread(data + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return data;
}

/* True when needle occurs in the file at path (false when it is absent). */
static inline int fixture_file_contains(const char *path, const void *needle,
					size_t nlen)
{
	size_t len;
	unsigned char *data = fixture_read(path, &len);
	int found = data && memmem(data, len, needle, nlen) != NULL;

	free(data);
	return found;
}

/* A store open on a fresh data directory. */
struct fx {
	char *dir;                /* the temp directory, removed by fx_close */
	char *data;               /* <dir>/data, the store's data directory */
	char *key;                /* <data>/master.key */
	struct store *st;
};

static inline void fx_open(struct fx *f)
{
	struct err e = { 0 };

	f->dir = fixture_dir();
	f->data = fixture_data(f->dir);
	f->key = xasprintf("%s/master.key", f->data);
	f->st = NULL;
	EXPECT_EQ_INT(0, store_open(f->data, &f->st, &e));
	if (e.code)
		fprintf(stderr, "  store_open: %s\n", e.msg);
}

/* Closes and opens the store again, expecting want from store_open. */
static inline void fx_reopen(struct fx *f, int want, struct err *e)
{
	store_close(f->st);
	f->st = NULL;
	EXPECT_EQ_INT(want, store_open(f->data, &f->st, e));
}

static inline void fx_close(struct fx *f)
{
	store_close(f->st);
	free(f->key);
	free(f->data);
	fixture_rm(f->dir);
}

/* A raw connection beside the store, as an operator's sqlite3 shell. */
static inline sqlite3 *fx_raw_open(const char *data)
{
	char *path = xasprintf("%s/orca.db", data);
	sqlite3 *db = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		fprintf(stderr, "  raw open: %s\n", sqlite3_errmsg(db));
	free(path);
	return db;
}

/* The project's current revision, 0 when it has none. */
static inline int64_t fx_current(struct store *st, const char *project)
{
	struct store_project p = { 0 };
	struct err e = { 0 };
	int64_t n = 0;

	if (project && store_project_get(st, project, &p, &e) == 0)
		n = p.current_rev;
	store_project_release(&p);
	return n;
}

/* store_revision_add made from the current revision, as a lone writer. */
static inline int fx_add(struct store *st, const char *project, const char *source,
			 const char *spec, int64_t deploy_id, int64_t *number, struct err *e)
{
	struct store_revision_new r = { source, spec, deploy_id, 0, NULL, 0 };

	r.base = fx_current(st, project);
	return store_revision_add(st, project, &r, number, e);
}

#endif
