/*
 * lock.c - one server per data directory: flock on <data>/orca.lock.
 *
 * The lock belongs to the open file, so it lasts exactly as long as the
 * server that took it, kill -9 included, and is never inherited by a child
 * (O_CLOEXEC). The file holds the holder's pid, for the loser's message.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/internal.h"

struct store_lock {
	int fd;
};

/* The pid the holder wrote, or 0 when it has not written one yet. */
static long holder(int fd)
{
	char text[32] = "";
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

static int write_pid(int fd, const char *path, struct err *e)
{
	char text[32];
	int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len)
		return err_errno(e, errno, "write '%s'", path);
	return 0;
}

static int busy(int fd, const char *dir, const char *path, struct err *e)
{
	long pid = holder(fd);

	if (pid > 0)
		return err_set(e, ERR_CONFLICT, "data directory '%s' is in use by another "
			       "orca server (pid %ld, lock '%s'): stop it first, or give this "
			       "one another --data", dir, pid, path);
	return err_set(e, ERR_CONFLICT, "data directory '%s' is in use by another orca "
		       "server (lock '%s'): stop it first, or give this one another --data",
		       dir, path);
}

int store_lock_dir(const char *dir, struct store_lock **out, struct err *e)
{
	char *path = xasprintf("%s/orca.lock", dir);
	int fd = -1, rc;

	*out = NULL;
	rc = store_make_dir(dir, e);
	if (rc == 0) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			rc = err_errno(e, errno, "open '%s'", path);
	}
	if (rc == 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
		rc = errno == EWOULDBLOCK ? busy(fd, dir, path, e)
					  : err_errno(e, errno, "lock '%s'", path);
	if (rc == 0)
		rc = write_pid(fd, path, e);
	if (rc == 0) {
		*out = xcalloc(1, sizeof(**out));
		(*out)->fd = fd;
	} else if (fd >= 0) {
		close(fd);
	}
	free(path);
	return rc;
}

void store_unlock_dir(struct store_lock *l)
{
	if (l == NULL)
		return;
	close(l->fd);
	free(l);
}
