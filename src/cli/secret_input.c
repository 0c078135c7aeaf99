/*
 * secret_input.c - a secret's value from a terminal (no echo) or a pipe.
 */
#include "cli/secret_input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/input.h"
#include "store/secrets.h"

void secret_input_trim(struct buf *b)
{
	char *nl = b->len ? memchr(b->data, '\n', b->len) : NULL;

	if (nl == NULL || nl != b->data + b->len - 1)
		return;
	b->data[--b->len] = '\0';
	if (b->len > 0 && b->data[b->len - 1] == '\r')
		b->data[--b->len] = '\0';
}

void secret_input_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_release(b);
}

/* One line from a terminal with echo off; the newline is dropped. */
static int read_tty_line(int fd, const char *name, struct buf *out, struct err *e)
{
	struct termios old, quiet;
	int rc = 0;
	char c;

	fprintf(stderr, "value for %s (not shown): ", name);
	fflush(stderr);
	tcgetattr(fd, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = err_errno(e, errno, "read the value from the terminal");
		if (n <= 0 || c == '\n')
			break;
		if (out->len >= SECRETS_VALUE_MAX) {
			rc = err_set(e, ERR_TOOBIG, "the value is over %d bytes", SECRETS_VALUE_MAX);
			break;
		}
		buf_putc(out, c);
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

int secret_input_read(int fd, const char *name, struct buf *out, struct err *e)
{
	int rc;

	if (isatty(fd))
		return read_tty_line(fd, name, out, e);
	rc = input_read_fd(fd, "the value on stdin", SECRETS_VALUE_MAX, out, e);
	if (rc == 0)
		secret_input_trim(out);
	return rc;
}
