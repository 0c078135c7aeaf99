/*
 * args.c - getopt restart, bounded integers, error lines for commands.
 */
#include "cli/args.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void args_reset(void)
{
	optind = 0;
	opterr = 1;
}

int args_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int args_error(int exit_code, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "orca %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return exit_code;
}
