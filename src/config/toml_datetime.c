/*
 * toml_datetime.c - RFC 3339 dates and times as TOML 1.0 writes them:
 * offset date-time, local date-time, local date, local time.
 *
 * Fields are range-checked (months, days with leap years, hours, minutes,
 * seconds up to a leap second 60, offsets up to 23:59). Fractions keep nine
 * digits (nanoseconds); more digits are accepted and truncated.
 */
#include "config/toml_internal.h"

#include <string.h>

struct cursor {
	const char *s;
	size_t n, k;
};

/* Reads exactly `digits` decimal digits; -1 if they are not there. */
static int num(struct cursor *c, int digits)
{
	int v = 0, d;

	for (d = 0; d < digits; d++, c->k++) {
		if (c->k >= c->n || !is_digit(c->s[c->k]))
			return -1;
		v = v * 10 + (c->s[c->k] - '0');
	}
	return v;
}

static bool eat(struct cursor *c, const char *any)
{
	if (c->k < c->n && strchr(any, c->s[c->k])) {
		c->k++;
		return true;
	}
	return false;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

	return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD; returns a message on error. */
static const char *date(struct cursor *c, struct toml_datetime *dt)
{
	dt->year = num(c, 4);
	if (dt->year < 0 || !eat(c, "-") || (dt->month = num(c, 2)) < 0 ||
	    !eat(c, "-") || (dt->day = num(c, 2)) < 0)
		return "expected a date as YYYY-MM-DD in";
	if (dt->month < 1 || dt->month > 12)
		return "month out of range in";
	if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
		return "day out of range in";
	return NULL;
}

/* HH:MM:SS[.fraction] */
static const char *time_of_day(struct cursor *c, struct toml_datetime *dt)
{
	if ((dt->hour = num(c, 2)) < 0 || !eat(c, ":") ||
	    (dt->minute = num(c, 2)) < 0 || !eat(c, ":") ||
	    (dt->second = num(c, 2)) < 0)
		return "expected a time as HH:MM:SS in";
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
		return "time out of range in";
	if (!eat(c, "."))
		return NULL;
	while (c->k < c->n && is_digit(c->s[c->k])) {
		if (dt->frac_digits < 9)
			dt->nanosecond = dt->nanosecond * 10 + (c->s[c->k] - '0');
		dt->frac_digits++;
		c->k++;
	}
	if (dt->frac_digits == 0)
		return "expected digits after '.' in";
	for (int d = dt->frac_digits; d < 9; d++)
		dt->nanosecond *= 10;
	return NULL;
}

/* Z, or +HH:MM / -HH:MM */
static const char *offset(struct cursor *c, struct toml_datetime *dt)
{
	int sign, h, m;

	if (eat(c, "Zz")) {
		dt->offset_z = true;
		return NULL;
	}
	sign = c->k < c->n && c->s[c->k] == '-' ? -1 : 1;
	if (!eat(c, "+-") || (h = num(c, 2)) < 0 || !eat(c, ":") || (m = num(c, 2)) < 0)
		return "expected Z or an offset as +HH:MM in";
	if (h > 23 || m > 59)
		return "time offset out of range in";
	dt->offset_minutes = sign * (h * 60 + m);
	return NULL;
}

static const char *parse(struct cursor *c, struct toml_value *v)
{
	struct toml_datetime *dt = &v->u.dt;
	const char *msg;

	memset(dt, 0, sizeof(*dt));
	if (c->n > 2 && c->s[2] == ':') {
		v->type = TOML_TIME_LOCAL;
		return time_of_day(c, dt);
	}
	v->type = TOML_DATE_LOCAL;
	if ((msg = date(c, dt)) != NULL || c->k == c->n)
		return msg;
	if (!eat(c, "Tt "))
		return "unexpected text after the date or time in";
	v->type = TOML_DATETIME_LOCAL;
	if ((msg = time_of_day(c, dt)) != NULL || c->k == c->n)
		return msg;
	v->type = TOML_DATETIME;
	return offset(c, dt);
}

int datetime_parse(struct parser *p, size_t start, size_t end, struct toml_value *v)
{
	struct cursor c = { p->src + start, end - start, 0 };
	const char *msg = parse(&c, v);
	int show = (int)(c.n < 40 ? c.n : 40);

	if (msg == NULL && c.k != c.n)
		msg = "unexpected text after the date or time in";
	if (msg)
		return text_fail(p, start, ERR_INVALID, "%s '%.*s'", msg, show, c.s);
	return 0;
}
