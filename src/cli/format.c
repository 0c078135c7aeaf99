/*
 * format.c - durations, ages, dates and sizes as the CLI prints them.
 */
#include "cli/format.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

char *fmt_duration(char *out, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 59950)
		snprintf(out, FMT_MAX, "%.1f s", (double)ms / 1000.0);
	else if (ms < 3600 * 1000 - 500)
		snprintf(out, FMT_MAX, "%" PRId64 "m %02" PRId64 "s", (ms + 500) / 60000,
			 (ms + 500) / 1000 % 60);
	else
		snprintf(out, FMT_MAX, "%" PRId64 "h %02" PRId64 "m", (ms + 30000) / 3600000,
			 (ms + 30000) / 60000 % 60);
	return out;
}

char *fmt_ago(char *out, int64_t now_ms, int64_t at_ms)
{
	int64_t s = (now_ms - at_ms) / 1000;

	if (at_ms <= 0)
		snprintf(out, FMT_MAX, "-");
	else if (s <= 0)
		snprintf(out, FMT_MAX, "now");
	else if (s < 60)
		snprintf(out, FMT_MAX, "%" PRId64 "s ago", s);
	else if (s < 3600)
		snprintf(out, FMT_MAX, "%" PRId64 "m ago", s / 60);
	else if (s < 48 * 3600)
		snprintf(out, FMT_MAX, "%" PRId64 "h ago", s / 3600);
	else
		snprintf(out, FMT_MAX, "%" PRId64 "d ago", s / 86400);
	return out;
}

char *fmt_time(char *out, int64_t at_ms)
{
	time_t t = (time_t)(at_ms / 1000);
	struct tm tm;

	if (at_ms <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, FMT_MAX, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, FMT_MAX, "-");
	return out;
}

char *fmt_bytes(char *out, int64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)(bytes < 0 ? 0 : bytes);
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0 || v >= 9.95)
		snprintf(out, FMT_MAX, "%.0f %s", v, units[u]);
	else
		snprintf(out, FMT_MAX, "%.1f %s", v, units[u]);
	return out;
}

char *fmt_cpus(char *out, int64_t millis)
{
	if (millis < 0)
		millis = 0;
	if (millis % 1000 == 0)
		snprintf(out, FMT_MAX, "%" PRId64, millis / 1000);
	else if (millis % 100 == 0)
		snprintf(out, FMT_MAX, "%" PRId64 ".%" PRId64, millis / 1000,
			 millis % 1000 / 100);
	else if (millis % 10 == 0)
		snprintf(out, FMT_MAX, "%" PRId64 ".%02" PRId64, millis / 1000,
			 millis % 1000 / 10);
	else
		snprintf(out, FMT_MAX, "%" PRId64 ".%03" PRId64, millis / 1000,
			 millis % 1000);
	return out;
}

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fmt_now_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t fmt_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
