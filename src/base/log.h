/*
 * log.h - the daemon's log: one timestamped line per call on stderr.
 *
 * Only main, cli/ and the top of api/ and reconcile/ log (STYLE.md); never
 * log a secret value or anything that may hold one.
 */
#ifndef ORCA_BASE_LOG_H
#define ORCA_BASE_LOG_H

#include <stdarg.h>

void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vline(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
