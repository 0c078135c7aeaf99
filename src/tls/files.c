/*
 * files.c - reading and writing the tls files of the data directory.
 *
 * Every file written here holds key material: it is created 0600 under a
 * 0700 directory, written to a temporary name, fsynced and renamed over the
 * old one, so that a crash leaves either the old file or the new one.
 */
#include "tls/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"

int tls_read_file(const char *path, size_t max, struct buf *out, struct err *e)
{
	char chunk[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int rc = 0;

	if (fd < 0)
		return err_errno(e, errno, "open '%s'", path);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_errno(e, errno, "read '%s'", path);
			break;
		}
		if (out->len + (size_t)n > max) {
			rc = err_set(e, ERR_TOOBIG, "'%s' is larger than %zu bytes", path, max);
			break;
		}
		buf_append(out, chunk, (size_t)n);
	}
	close(fd);
	buf_append(out, "", 0);
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void sync_dir_of(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int tls_write_file(const char *path, const void *data, size_t len, struct err *e)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc = 0;

	if (fd < 0) {
		rc = err_errno(e, errno, "create '%s'", tmp);
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || (rc = write_all(fd, data, len)) < 0 || fsync(fd) < 0) {
		rc = err_errno(e, rc < 0 ? -rc : errno, "write '%s'", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		rc = err_errno(e, errno, "rename '%s'", tmp);
		unlink(tmp);
		goto out;
	}
	sync_dir_of(path);
out:
	free(tmp);
	return rc;
}

int tls_mkdirs(const char *path, struct err *e)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = err_errno(e, errno, "mkdir '%s'", p);
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}
