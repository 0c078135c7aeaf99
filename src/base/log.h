/*
 * log.h - the daemon's log: one line per call, written whole with one
 * write(2) on file descriptor 2.
 *
 * By default that is stderr. log_open sends it to a file instead (opened
 * for appending and put on fd 2, so that anything else written to stderr,
 * a sanitizer report say, lands there too), and log_reopen opens the same
 * path again after logrotate moved the file (SIGHUP in the server). Lines
 * are text ("2026-11-29T14:03:01.123Z orca: message") or JSON lines
 * ({"time": ..., "level": ..., "msg": ..., and fields}).
 *
 * log_open and the format are set before other threads start; lines and
 * log_reopen may come from any thread.
 *
 * Only main, cli/ and the top of api/ and reconcile/ log (STYLE.md); never
 * log a secret value or anything that may hold one.
 */
#ifndef ORCA_BASE_LOG_H
#define ORCA_BASE_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"

enum log_format { LOG_TEXT, LOG_JSON };
enum log_level { LOG_INFO, LOG_WARN, LOG_ERROR };

/* A named value that JSON lines carry beside "msg": str, or num when str
 * is NULL. Text lines leave fields out (say them in the message). */
struct log_field {
	const char *key;
	const char *str;
	long long num;
};

/* "text" or "json"; ERR_INVALID otherwise. */
int log_format_parse(const char *name, enum log_format *out, struct err *e);
void log_set_format(enum log_format f);
/* Appends to path (created with mode 0640) from now on. */
int log_open(const char *path, struct err *e);
/* Opens log_open's path again; a no-op (returning 0) when logging to stderr. */
int log_reopen(struct err *e);
/* The path given to log_open, or NULL for stderr. */
const char *log_path(void);

void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vline(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void log_at(enum log_level level, const struct log_field *fields, size_t nfields,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_vat(enum log_level level, const struct log_field *fields, size_t nfields,
	     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

#endif
