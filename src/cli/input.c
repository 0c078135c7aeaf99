/*
 * input.c - capped reads of files and file descriptors.
 */
#include "cli/input.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int input_read_fd(int fd, const char *what, size_t max, struct buf *out,
		  struct err *e)
{
	char tmp[8192];
	size_t got = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_errno(e, errno, "read %s", what);
		if (n == 0)
			return 0;
		got += (size_t)n;
		if (got > max)
			return err_set(e, ERR_TOOBIG, "%s is over %zu bytes", what, max);
		buf_append(out, tmp, (size_t)n);
	}
}

int input_read_file(const char *path, size_t max, struct buf *out,
		    struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return err_errno(e, errno, "open '%s'", path);
	rc = input_read_fd(fd, path, max, out, e);
	close(fd);
	return rc;
}
