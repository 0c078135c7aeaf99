/*
 * timefmt.c - a strict, small RFC 3339 reader.
 */
#include "base/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int64_t rfc3339_to_ms(const char *s)
{
	struct tm tm = { 0 };
	int64_t ms = 0, secs, off = 0;
	const char *p;

	if (s == NULL || strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return 0;
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 ||
	    tm.tm_min < 0 || tm.tm_sec < 0)
		return 0;
	p = s + 19;
	if (*p == '.') {
		int scale = 100;

		for (p++; isdigit((unsigned char)*p); p++) {
			ms += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p == '+' || *p == '-') {
		int h, m;

		if (strlen(p) != 6 || p[3] != ':')   /* "+hh:mm" exactly */
			return 0;
		h = digits(p + 1, 2);
		m = digits(p + 4, 2);
		if (h < 0 || m < 0)
			return 0;
		off = (int64_t)(h * 60 + m) * 60 * (*p == '+' ? 1 : -1);
	} else if ((*p != 'Z' && *p != 'z') || p[1] != '\0') {
		return 0;
	}
	secs = (int64_t)timegm(&tm) - off;
	return secs * 1000 + ms;
}
