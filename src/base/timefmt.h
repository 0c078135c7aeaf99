/*
 * timefmt.h - RFC 3339 times as Docker writes them.
 */
#ifndef ORCA_BASE_TIMEFMT_H
#define ORCA_BASE_TIMEFMT_H

#include <stdint.h>

/* "2026-11-29T15:04:52.123456789Z" or "...+02:00" to unix milliseconds;
 * 0 for Docker's zero time ("0001-01-01T00:00:00Z") or anything unparsable. */
int64_t rfc3339_to_ms(const char *s);

#endif
