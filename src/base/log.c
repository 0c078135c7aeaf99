/*
 * log.c - "2026-11-29T14:03:01.123Z orca: message" lines, written whole.
 */
#include "base/log.h"

#include <stdio.h>
#include <time.h>

#include "base/buf.h"

void log_vline(const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;
	struct timespec ts;
	struct tm tm;
	char stamp[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(&b, "%s.%03ldZ orca: ", stamp, ts.tv_nsec / 1000000);
	buf_vprintf(&b, fmt, ap);
	buf_putc(&b, '\n');
	fwrite(b.data, 1, b.len, stderr);   /* one write: lines never interleave */
	fflush(stderr);
	buf_release(&b);
}

void log_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}
