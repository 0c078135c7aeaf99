/*
 * err.h - the one error type of orca.
 *
 * A struct err travels down a call chain as the last argument and gathers
 * context on the way back up: the lowest layer says what failed, each caller
 * prepends where ("service 'web/api': docker: create: 409 Conflict").
 * It never allocates; messages are truncated to fit. Functions return 0 on
 * success or a negative code (a negative errno or an ERR_* value).
 * Library-like modules fill a struct err and return; only main, cli/ and the
 * top of api/ and reconcile/ decide what to print or which status to send.
 */
#ifndef ORCA_BASE_ERR_H
#define ORCA_BASE_ERR_H

#include <stddef.h>

enum {
	ERR_FAIL = -1000,  /* generic failure */
	ERR_INVALID,       /* bad input: config, request, argument */
	ERR_NOTFOUND,      /* a named thing does not exist */
	ERR_CONFLICT,      /* it exists already, or the state forbids it */
	ERR_UNAVAILABLE,   /* a peer (docker, registry, server) cannot be reached */
	ERR_TOOBIG,        /* input over a configured bound */
	ERR_TIMEOUT,
	ERR_UNSUPPORTED,
};

struct err {
	int code;          /* 0 when no error has been set */
	char msg[512];
};

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

/* Sets code and message; returns code so that `return err_set(...)` reads well. */
int err_set(struct err *e, int code, const char *fmt, ...) ERR_PRINTF(3, 4);
/* Sets message from errno-style code: "open 'x': No such file or directory". */
int err_errno(struct err *e, int errnum, const char *fmt, ...) ERR_PRINTF(3, 4);
/* Prepends "ctx: " to the message; returns the stored code. */
int err_wrap(struct err *e, const char *fmt, ...) ERR_PRINTF(2, 3);
void err_clear(struct err *e);
/* A short lowercase name of a code, for JSON ("invalid", "not_found"). */
const char *err_code_name(int code);

#endif
