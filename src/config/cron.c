/*
 * cron.c - Vixie-style cron expressions into bit sets, and the next run.
 */
#include "config/cron.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct field {
	const char *name;
	int lo, hi;
	const char *const *names;  /* names[i] is value lo + i, or NULL */
	int nnames;
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

static const char *const wday_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat",
};

enum { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, NFIELDS };

static const struct field fields[NFIELDS] = {
	{ "minute", 0, 59, NULL, 0 },
	{ "hour", 0, 23, NULL, 0 },
	{ "day-of-month", 1, 31, NULL, 0 },
	{ "month", 1, 12, month_names, 12 },
	{ "day-of-week", 0, 7, wday_names, 7 },
};

static const struct {
	const char *name, *expr;
} macros[] = {
	{ "@hourly", "0 * * * *" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@monthly", "0 0 1 * *" },
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
};

/* Reads a number or a three-letter name at *p. */
static int read_value(const struct field *f, const char **p, int *out, struct err *e)
{
	const char *s = *p;
	int v = 0, n = 0;

	if (isdigit((unsigned char)*s)) {
		for (; isdigit((unsigned char)*s); s++)
			if (++n <= 4)
				v = v * 10 + (*s - '0');
		if (n > 4 || v < f->lo || v > f->hi)
			return err_set(e, ERR_INVALID, "%s %.*s is out of range %d-%d", f->name,
				       (int)(s - *p), *p, f->lo, f->hi);
		*p = s;
		*out = v;
		return 0;
	}
	for (int i = 0; i < f->nnames; i++)
		if (strncasecmp(s, f->names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
			*p = s + 3;
			*out = f->lo + i;
			return 0;
		}
	n = 0;
	while (s[n] != '\0' && s[n] != ',' && s[n] != '-' && s[n] != '/')
		n++;
	if (n == 0)
		return err_set(e, ERR_INVALID, "%s: missing value", f->name);
	return err_set(e, ERR_INVALID, "%s: '%.*s' is not a %s", f->name, n, s,
		       f->names == month_names ? "number or month name (jan-dec)"
		       : f->names == wday_names ? "number or day name (sun-sat)"
						  : "number");
}

/* Reads "/step" at *p when present; *step stays as given otherwise. */
static int read_step(const struct field *f, const char **p, int *step, struct err *e)
{
	const char *s = *p;
	int v = 0, n = 0;

	if (*s != '/')
		return 0;
	for (s++; isdigit((unsigned char)*s); s++)
		if (++n <= 4)
			v = v * 10 + (*s - '0');
	if (n == 0)
		return err_set(e, ERR_INVALID, "%s: '/' must be followed by a step", f->name);
	if (v < 1 || n > 4 || v > f->hi)
		return err_set(e, ERR_INVALID, "%s step %.*s is out of range 1-%d", f->name,
			       (int)(s - *p - 1), *p + 1, f->hi);
	*p = s;
	*step = v;
	return 0;
}

/* One list item: "*", "N", "N-M", each with an optional "/step". */
static int parse_item(const struct field *f, const char **p, uint64_t *bits, struct err *e)
{
	int lo = f->lo, hi = f->hi, step = 1, rc;

	if (**p == '*') {
		(*p)++;
		if (f == &fields[F_WDAY])
			hi = 6;  /* 7 is Sunday again */
	} else {
		if ((rc = read_value(f, p, &lo, e)) < 0)
			return rc;
		hi = lo;
		if (**p == '-') {
			(*p)++;
			if ((rc = read_value(f, p, &hi, e)) < 0)
				return rc;
			if (hi < lo)
				return err_set(e, ERR_INVALID, "%s range %d-%d is backwards",
					       f->name, lo, hi);
		} else if (**p == '/') {
			hi = f->hi;  /* "N/step" means N-max/step */
		}
	}
	if ((rc = read_step(f, p, &step, e)) < 0)
		return rc;
	for (int v = lo; v <= hi; v += step)
		*bits |= 1ULL << v;
	return 0;
}

static int parse_field(const struct field *f, const char *s, size_t len, uint64_t *bits,
		       struct err *e)
{
	char buf[CRON_MAX_LEN + 1];
	const char *p = buf;
	int rc;

	memcpy(buf, s, len);
	buf[len] = '\0';
	*bits = 0;
	for (;;) {
		if ((rc = parse_item(f, &p, bits, e)) < 0)
			return rc;
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return err_set(e, ERR_INVALID, "%s: unexpected '%c' in '%s'", f->name, *p,
				       buf);
		p++;
	}
}

static const int month_days[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* With only day-of-month restricting days, some chosen month must have one. */
static int check_fires(const struct cron_spec *c, struct err *e)
{
	if (c->mday_star || !c->wday_star)
		return 0;
	for (int m = 1; m <= 12; m++)
		for (int d = 1; d <= month_days[m]; d++)
			if ((c->months >> m & 1) && (c->mdays >> d & 1))
				return 0;
	return err_set(e, ERR_INVALID, "day-of-month never occurs in the chosen months");
}

/* Splits on blanks into exactly five fields. */
static int split_fields(const char *s, const char *start[NFIELDS], size_t len[NFIELDS],
			struct err *e)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (n == NFIELDS)
			return err_set(e, ERR_INVALID, "expected 5 fields (minute hour "
				       "day-of-month month day-of-week), got more");
		start[n] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		len[n] = (size_t)(s - start[n]);
		n++;
	}
	if (n != NFIELDS)
		return err_set(e, ERR_INVALID, "expected 5 fields (minute hour day-of-month "
			       "month day-of-week), got %d", n);
	return 0;
}

static const char *expand_macro(const char *expr, struct err *e)
{
	for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
		if (strcmp(expr, macros[i].name) == 0)
			return macros[i].expr;
	err_set(e, ERR_INVALID, "unknown schedule '%s' (use @hourly, @daily, @weekly, "
		"@monthly, @yearly or five fields)", expr);
	return NULL;
}

int cron_parse(const char *expr, struct cron_spec *out, struct err *e)
{
	const char *start[NFIELDS];
	size_t len[NFIELDS];
	uint64_t bits[NFIELDS];
	int rc;

	if (strlen(expr) > CRON_MAX_LEN)
		return err_set(e, ERR_INVALID, "schedule is longer than %d characters",
			       CRON_MAX_LEN);
	if (expr[0] == '@' && (expr = expand_macro(expr, e)) == NULL)
		return ERR_INVALID;
	if ((rc = split_fields(expr, start, len, e)) < 0)
		return rc;
	for (int i = 0; i < NFIELDS; i++)
		if ((rc = parse_field(&fields[i], start[i], len[i], &bits[i], e)) < 0)
			return rc;
	if (bits[F_WDAY] & 1ULL << 7)
		bits[F_WDAY] = (bits[F_WDAY] | 1) & 0x7f;
	*out = (struct cron_spec){
		.minutes = bits[F_MINUTE],
		.hours = (uint32_t)bits[F_HOUR],
		.mdays = (uint32_t)bits[F_MDAY],
		.months = (uint16_t)bits[F_MONTH],
		.wdays = (uint8_t)bits[F_WDAY],
		.mday_star = start[F_MDAY][0] == '*',
		.wday_star = start[F_WDAY][0] == '*',
	};
	return check_fires(out, e);
}

static bool day_matches(const struct cron_spec *c, const struct tm *tm)
{
	bool dom = c->mdays >> tm->tm_mday & 1, dow = c->wdays >> tm->tm_wday & 1;

	if (c->mday_star || c->wday_star)
		return dom && dow;
	return dom || dow;
}

bool cron_matches(const struct cron_spec *c, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return false;
	return (c->minutes >> tm.tm_min & 1) && (c->hours >> tm.tm_hour & 1) &&
	       (c->months >> (tm.tm_mon + 1) & 1) && day_matches(c, &tm);
}

#define CRON_HORIZON (10LL * 366 * 24 * 3600)
#define CRON_LAST_TIME ((time_t)253402300799LL - CRON_HORIZON)  /* 9989 */

time_t cron_next(const struct cron_spec *c, time_t after)
{
	time_t t, limit;
	struct tm tm;

	if (after < 0 || after > CRON_LAST_TIME)
		return (time_t)-1;
	if (!c->minutes || !c->hours || !c->months || !(c->mdays | c->wdays))
		return (time_t)-1;  /* not from cron_parse: would scan ten years */
	t = after - after % 60 + 60;
	limit = t + CRON_HORIZON;
	while (t <= limit) {
		gmtime_r(&t, &tm);
		if (!(c->months >> (tm.tm_mon + 1) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!day_matches(c, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!(c->hours >> tm.tm_hour & 1)) {
			tm.tm_hour++;
			tm.tm_min = 0;
		} else if (!(c->minutes >> tm.tm_min & 1)) {
			tm.tm_min++;
		} else {
			return t;
		}
		tm.tm_sec = 0;
		t = timegm(&tm);
	}
	return (time_t)-1;
}
