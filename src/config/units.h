/*
 * units.h - the quantities users write in config files, normalised.
 *
 * Memory: "512Mi", "1Gi", "256M", "1.5Gi", "1024" or an integer, to bytes.
 * CPU: 1.5 (cores) to millicpus. Durations: "5s", "500ms", "1m30s" to
 * milliseconds. Pure functions: no allocation, no I/O; errors say what is
 * wrong with the text without naming the key (callers add that).
 */
#ifndef ORCA_CONFIG_UNITS_H
#define ORCA_CONFIG_UNITS_H

#include <stdint.h>

#include "base/err.h"

#define UNITS_MEMORY_MAX INT64_MAX
#define UNITS_CPU_MAX 1000000.0               /* cores; bounds cpu_millis */
#define UNITS_DURATION_MAX_MS (366LL * 24 * 3600 * 1000)  /* a year */

/*
 * Parses a memory size. Ki Mi Gi Ti are powers of 1024, K M G T powers of
 * 1000, no unit means bytes. Up to 6 decimals; fractions of a byte round up,
 * but a plain byte count must be whole. Negative, zero-size units, unknown
 * units and values over INT64_MAX are errors. Zero is accepted (callers
 * decide whether zero means something).
 */
int units_parse_memory(const char *text, int64_t *bytes, struct err *e);

/* Cores (> 0, at least 0.001, at most UNITS_CPU_MAX) to millicpus, rounded. */
int units_cpu_millis(double cores, int64_t *millis, struct err *e);

/*
 * Parses a duration: one or more <number><unit> with units ms, s, m, h
 * ("1m30s", "1.5s"), or a bare "0". Result in milliseconds, fractions of a
 * millisecond round up; at most UNITS_DURATION_MAX_MS.
 */
int units_parse_duration(const char *text, int64_t *ms, struct err *e);

#endif
