/*
 * err.c - formatting for struct err. Never allocates.
 */
#include "base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_errno(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (errnum < 0)
		errnum = -errnum;
	if (e == NULL)
		return -errnum;
	e->code = -errnum;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	return -errnum;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)];
	va_list ap;
	size_t n;

	if (e == NULL)
		return ERR_FAIL;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n + 2 < sizeof(e->msg)) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
		old[sizeof(old) - 1 - n] = '\0';  /* truncate to what fits */
		memcpy(e->msg + n, old, strlen(old) + 1);
	}
	if (e->code == 0)
		e->code = ERR_FAIL;
	return e->code;
}

void err_clear(struct err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

const char *err_code_name(int code)
{
	switch (code) {
	case 0: return "ok";
	case ERR_INVALID: return "invalid";
	case ERR_NOTFOUND: return "not_found";
	case ERR_CONFLICT: return "conflict";
	case ERR_UNAVAILABLE: return "unavailable";
	case ERR_TOOBIG: return "too_big";
	case ERR_TIMEOUT: return "timeout";
	case ERR_UNSUPPORTED: return "unsupported";
	default: return "internal";
	}
}
