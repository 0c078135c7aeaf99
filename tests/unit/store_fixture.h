/*
 * store_fixture.h - temp data directories and raw file access for the
 * store and secrets tests. Header-only: each test binary is one file.
 */
#ifndef ORCA_TESTS_STORE_FIXTURE_H
#define ORCA_TESTS_STORE_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"

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

#endif
