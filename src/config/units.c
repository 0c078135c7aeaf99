/*
 * units.c - memory sizes, CPU amounts and durations from config text.
 *
 * Numbers are parsed as exact decimals (integer part plus up to 6 fraction
 * digits) so that "1.5Gi" is exactly 1610612736 bytes; no floating point.
 */
#include "config/units.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define FRAC_DIGITS 6
#define FRAC_ONE 1000000LL  /* 10^FRAC_DIGITS */

/* A non-negative decimal: ip + frac / FRAC_ONE. */
struct decimal {
	int64_t ip;
	int64_t frac;
};

/*
 * Reads a decimal at *p and advances *p past it. Returns 0, or ERR_INVALID
 * with why in *why (static text).
 */
static int read_decimal(const char **p, struct decimal *out, const char **why)
{
	const char *s = *p;
	int digits = 0, fdigits = 0;
	int64_t scale = FRAC_ONE;

	*out = (struct decimal){ 0 };
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (out->ip > (INT64_MAX - (*s - '0')) / 10) {
			*why = "is too large";
			return ERR_INVALID;
		}
		out->ip = out->ip * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, fdigits++) {
			if (fdigits == FRAC_DIGITS) {
				*why = "has more than 6 decimals";
				return ERR_INVALID;
			}
			scale /= 10;
			out->frac += (*s - '0') * scale;
		}
		if (fdigits == 0) {
			*why = "is not a number";
			return ERR_INVALID;
		}
	}
	if (digits == 0) {
		*why = "is not a number";
		return ERR_INVALID;
	}
	*p = s;
	return 0;
}

/* Common checks on the text before any number: empty, sign, space. */
static int check_text(const char *text, struct err *e)
{
	if (text[0] == '\0')
		return err_set(e, ERR_INVALID, "an empty value is not a quantity");
	if (text[0] == '-')
		return err_set(e, ERR_INVALID, "'%s' is negative", text);
	return 0;
}

struct unit {
	const char *name;
	int64_t mult;
};

static const struct unit memory_units[] = {
	{ "", 1 },
	{ "Ki", 1LL << 10 }, { "Mi", 1LL << 20 }, { "Gi", 1LL << 30 }, { "Ti", 1LL << 40 },
	{ "K", 1000LL }, { "M", 1000000LL }, { "G", 1000000000LL }, { "T", 1000000000000LL },
};

static const struct unit *find_unit(const struct unit *units, size_t n, const char *s,
				    size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(units[i].name) == len && strncmp(units[i].name, s, len) == 0)
			return &units[i];
	return NULL;
}

/* ip * mult + ceil(frac * mult / FRAC_ONE), or ERR_TOOBIG. */
static int scale_decimal(const struct decimal *d, int64_t mult, int64_t *out)
{
	int64_t whole, part;

	if (d->ip > INT64_MAX / mult)
		return ERR_TOOBIG;
	whole = d->ip * mult;
	/* frac < 10^6 and mult <= 10^12 < 2^40: the product fits */
	part = (d->frac * mult + FRAC_ONE - 1) / FRAC_ONE;
	if (whole > INT64_MAX - part)
		return ERR_TOOBIG;
	*out = whole + part;
	return 0;
}

int units_parse_memory(const char *text, int64_t *bytes, struct err *e)
{
	const char *p = text, *why = NULL;
	const struct unit *u;
	struct decimal d;
	int rc;

	if ((rc = check_text(text, e)) < 0)
		return rc;
	if (read_decimal(&p, &d, &why) < 0)
		return err_set(e, ERR_INVALID, "'%s' %s", text, why);
	u = find_unit(memory_units, sizeof(memory_units) / sizeof(memory_units[0]), p,
		      strlen(p));
	if (u == NULL)
		return err_set(e, ERR_INVALID,
			       "unknown unit '%s' in '%s' (use Ki, Mi, Gi, Ti, K, M, G or T)",
			       p, text);
	if (u->mult == 1 && d.frac != 0)
		return err_set(e, ERR_INVALID, "'%s' is not a whole number of bytes", text);
	if (scale_decimal(&d, u->mult, bytes) < 0)
		return err_set(e, ERR_INVALID, "'%s' is too large", text);
	return 0;
}

int units_cpu_millis(double cores, int64_t *millis, struct err *e)
{
	if (isnan(cores) || cores < 0.001)
		return err_set(e, ERR_INVALID, "%g is less than 0.001", cores);
	if (cores > UNITS_CPU_MAX)
		return err_set(e, ERR_INVALID, "%g is more than %g", cores, UNITS_CPU_MAX);
	*millis = llround(cores * 1000.0);
	return 0;
}

static const struct unit duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 }, { "h", 3600 * 1000 },
};

/* The unit at p: letters up to the next digit or '.'. */
static size_t unit_len(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && !isdigit((unsigned char)p[n]) && p[n] != '.')
		n++;
	return n;
}

int units_parse_duration(const char *text, int64_t *ms, struct err *e)
{
	const char *p = text, *why = NULL;
	int64_t total = 0, part;
	int rc;

	if ((rc = check_text(text, e)) < 0)
		return rc;
	if (strcmp(text, "0") == 0) {
		*ms = 0;
		return 0;
	}
	while (*p != '\0') {
		const struct unit *u;
		struct decimal d;
		size_t n;

		if (read_decimal(&p, &d, &why) < 0)
			return err_set(e, ERR_INVALID, "'%s' %s", text, why);
		n = unit_len(p);
		u = find_unit(duration_units, 4, p, n);
		if (n == 0)
			return err_set(e, ERR_INVALID, "missing unit in '%s' (use ms, s, m or h)",
				       text);
		if (u == NULL)
			return err_set(e, ERR_INVALID,
				       "unknown unit '%.*s' in '%s' (use ms, s, m or h)", (int)n, p,
				       text);
		p += n;
		if (scale_decimal(&d, u->mult, &part) < 0 ||
		    part > UNITS_DURATION_MAX_MS - total)
			return err_set(e, ERR_INVALID, "'%s' is longer than a year", text);
		total += part;
	}
	*ms = total;
	return 0;
}
