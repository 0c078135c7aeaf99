/*
 * masterkey.c - the master key: 32 random bytes that seal every secret, in
 * <data>/master.key or wherever the operator keeps it (store_open_key).
 *
 * Created once, atomically: written and fsync'd under a temporary name
 * (O_CREAT|O_EXCL, mode 0600), then link()ed into place, which fails rather
 * than replace a key another process created meanwhile. It is never
 * created while sealed secrets exist: they would silently become
 * unreadable; the operator must restore the old key. A key file that
 * group or others can access, or of the wrong size, is refused: better no
 * orca than secrets sealed under a leaked or truncated key.
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

#define KEY_BYTES crypto_secretbox_KEYBYTES

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int sync_dir(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return err_errno(e, errno, "open '%s'", dir);
	if (fsync(fd) < 0)
		rc = err_errno(e, errno, "fsync '%s'", dir);
	close(fd);
	return rc;
}

static int write_tmp(const char *tmp, struct err *e)
{
	unsigned char key[KEY_BYTES];
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_errno(e, errno, "create '%s'", tmp);
	randombytes_buf(key, sizeof(key));
	/* fchmod: the umask may have taken bits off 0600, never added. */
	if (fchmod(fd, 0600) < 0 || write_all(fd, key, sizeof(key)) < 0 ||
	    fsync(fd) < 0)
		rc = err_errno(e, errno, "write '%s'", tmp);
	sodium_memzero(key, sizeof(key));
	if (close(fd) < 0 && rc == 0)
		rc = err_errno(e, errno, "close '%s'", tmp);
	return rc;
}

static int create_key(const char *dir, const char *path, struct err *e)
{
	char *tmp = xasprintf("%s.tmp.%ld.%08x", path, (long)getpid(),
			      randombytes_random());
	int rc;

	rc = write_tmp(tmp, e);
	if (rc == 0 && link(tmp, path) < 0 && errno != EEXIST)
		rc = err_errno(e, errno, "create '%s'", path);
	unlink(tmp);
	if (rc == 0)
		rc = sync_dir(dir, e);
	free(tmp);
	return rc;
}

static int check_key_file(int fd, const char *path, struct err *e)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return err_errno(e, errno, "stat '%s'", path);
	if (!S_ISREG(sb.st_mode))
		return err_set(e, ERR_INVALID, "master key '%s' is not a regular file",
			       path);
	if (sb.st_mode & 077)
		return err_set(e, ERR_INVALID,
			       "master key '%s' is accessible by group or others "
			       "(mode %04o); restrict it with: chmod 600 '%s'",
			       path, (unsigned)(sb.st_mode & 07777), path);
	if (sb.st_size != KEY_BYTES)
		return err_set(e, ERR_INVALID,
			       "master key '%s' is %lld bytes, want %d: restore the "
			       "original key file (a new key cannot read the "
			       "secrets sealed with the old one)",
			       path, (long long)sb.st_size, KEY_BYTES);
	return 0;
}

static int read_key(int fd, const char *path, unsigned char **key, struct err *e)
{
	unsigned char *k;
	ssize_t r;
	int rc;

	rc = check_key_file(fd, path, e);
	if (rc < 0)
		return rc;
	k = sodium_malloc(KEY_BYTES);
	if (k == NULL)
		return err_set(e, -ENOMEM, "master key: cannot allocate locked memory");
	do
		r = pread(fd, k, KEY_BYTES, 0);
	while (r < 0 && errno == EINTR);
	if (r != KEY_BYTES) {
		sodium_free(k);
		return r < 0 ? err_errno(e, errno, "read '%s'", path)
			     : err_set(e, ERR_INVALID, "master key '%s': short read", path);
	}
	*key = k;
	return 0;
}

/* The directory part of path ("." when it has none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

int store_master_key_load(const char *path, int may_create, unsigned char **key,
			  struct err *e)
{
	char *dir = dir_of(path);
	int fd, rc = 0;

	*key = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (may_create)
			rc = create_key(dir, path, e);
		else
			rc = err_set(e, ERR_NOTFOUND,
				     "master key '%s' is missing but the database "
				     "holds secrets sealed with it: restore it from "
				     "a backup (a new key cannot read them)", path);
		if (rc == 0)
			fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (rc == 0 && fd < 0)
		rc = err_errno(e, errno, "open master key '%s'", path);
	if (rc == 0)
		rc = read_key(fd, path, key, e);
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}
