/*
 * format.h - how times, durations and sizes read in the CLI's output.
 *
 * Pure functions into a caller's buffer of FMT_MAX bytes, which they
 * return, so that they nest in a printf. Times are milliseconds since the
 * Unix epoch, as the API gives them; 0 (or less) means "never" and prints
 * as "-". Clock readings are passed in, so output is testable.
 */
#ifndef ORCA_CLI_FORMAT_H
#define ORCA_CLI_FORMAT_H

#include <stdint.h>

#define FMT_MAX 48

/* "0.4 s", "4.2 s", "59.9 s", "3m 05s", "2h 07m". Negative counts as 0. */
char *fmt_duration(char *out, int64_t ms);
/* "5s ago", "3m ago", "7h ago", "12d ago"; a time ahead of now is "now". */
char *fmt_ago(char *out, int64_t now_ms, int64_t at_ms);
/* Local time, "2026-11-29 14:03:01". */
char *fmt_time(char *out, int64_t at_ms);
/* "0 B", "900 B", "512 MiB", "1.5 GiB" (binary units, one decimal below 10). */
char *fmt_bytes(char *out, int64_t bytes);
/* Millicpus as CPUs: "2", "1.5", "0.25". */
char *fmt_cpus(char *out, int64_t millis);

/* Wall-clock milliseconds now; monotonic milliseconds for measuring. */
int64_t fmt_now_ms(void);
int64_t fmt_mono_ms(void);

#endif
