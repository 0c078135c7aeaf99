/*
 * toml_scalar.c - bare values: booleans, integers and floats. Dates and times
 * are recognised here and parsed by toml_datetime.c.
 *
 * A bare value is the longest run of [A-Za-z0-9_+-.:] (plus the space of
 * "1979-05-27 07:32:00"); what may follow it is checked by the caller.
 */
#include "config/toml_internal.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX 40  /* bytes of a bad value quoted in a message */

static bool is_token_char(int c)
{
	return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
}

static int digit_val(int c, int base)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d < base ? d : -1;
}

/* Digits of base, at least one, '_' only between two digits. */
static bool digits_ok(const char *s, size_t n, int base)
{
	size_t k;

	if (n == 0)
		return false;
	for (k = 0; k < n; k++) {
		if (s[k] != '_') {
			if (digit_val((unsigned char)s[k], base) < 0)
				return false;
		} else if (k == 0 || k == n - 1 || s[k + 1] == '_') {
			return false;
		}
	}
	return true;
}

static int bad(struct parser *p, size_t off, const char *s, size_t n, const char *what)
{
	return text_fail(p, off, ERR_INVALID, "%s '%.*s%s'", what,
			 (int)(n < SHOW_MAX ? n : SHOW_MAX), s, n > SHOW_MAX ? "..." : "");
}

static int int_parse(struct parser *p, const char *s, size_t n, size_t off, int64_t *out)
{
	uint64_t m = 0, limit = INT64_MAX;
	int base = 10, d;
	size_t k = 0;

	if (s[0] == '+' || s[0] == '-') {
		limit += s[0] == '-';  /* -9223372036854775808 fits */
		k = 1;
	} else if (n > 2 && s[0] == '0' && strchr("xob", s[1])) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		k = 2;
	}
	if (!digits_ok(s + k, n - k, base))
		return bad(p, off, s, n, "invalid integer");
	if (base == 10 && s[k] == '0' && n - k > 1)
		return bad(p, off, s, n, "leading zeros are not allowed in integer");
	for (; k < n; k++) {
		if (s[k] == '_')
			continue;
		d = digit_val((unsigned char)s[k], base);
		if (m > (limit - (uint64_t)d) / (uint64_t)base)
			return bad(p, off, s, n, "integer out of range:");
		m = m * (uint64_t)base + (uint64_t)d;
	}
	if (s[0] == '-')
		*out = m > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)m;
	else
		*out = (int64_t)m;
	return 0;
}

/* Checks float syntax: int part, then '.' digits and/or an exponent. */
static bool float_syntax_ok(const char *s, size_t n)
{
	size_t k = (s[0] == '+' || s[0] == '-'), j;

	for (j = k; j < n && s[j] != '.' && s[j] != 'e' && s[j] != 'E'; j++)
		;
	if (!digits_ok(s + k, j - k, 10) || (s[k] == '0' && j - k > 1) || j == n)
		return false;
	if (s[j] == '.') {
		k = j + 1;
		for (j = k; j < n && s[j] != 'e' && s[j] != 'E'; j++)
			;
		if (!digits_ok(s + k, j - k, 10))
			return false;
		if (j == n)
			return true;
	}
	k = j + 1;
	if (k < n && (s[k] == '+' || s[k] == '-'))
		k++;
	return digits_ok(s + k, n - k, 10);
}

/* "inf" or "nan" after an optional sign. */
static bool is_special(const char *s, size_t n)
{
	size_t k = n > 0 && (s[0] == '+' || s[0] == '-');

	return n - k == 3 && (memcmp(s + k, "inf", 3) == 0 || memcmp(s + k, "nan", 3) == 0);
}

static int float_parse(struct parser *p, const char *s, size_t n, size_t off, double *out)
{
	const char *rest = s + (s[0] == '+' || s[0] == '-');
	size_t k;
	char *end;

	if (is_special(s, n)) {
		*out = rest[0] == 'i' ? (double)INFINITY : (double)NAN;
		if (s[0] == '-')
			*out = -*out;
		return 0;
	}
	if (!float_syntax_ok(s, n))
		return bad(p, off, s, n, "invalid float");
	buf_reset(&p->scratch);
	for (k = 0; k < n; k++)
		if (s[k] != '_')
			buf_putc(&p->scratch, s[k]);
	errno = 0;
	*out = strtod(p->scratch.data, &end);  /* orca never calls setlocale */
	if (*end != '\0' || (errno == ERANGE && isinf(*out)))
		return bad(p, off, s, n, "float out of range:");
	return 0;
}

static bool looks_like_date_or_time(const char *s, size_t n)
{
	if (n >= 5 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
	    is_digit(s[3]) && s[4] == '-')
		return true;
	return n >= 3 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':';
}

/* End of the bare value starting at p->i. */
static size_t token_end(const struct parser *p)
{
	size_t e = p->i;

	while (e < p->len && is_token_char((unsigned char)p->src[e]))
		e++;
	/* "1979-05-27 07:32:00": a date, one space, then a time */
	if (e - p->i == 10 && looks_like_date_or_time(p->src + p->i, 10) &&
	    e + 3 < p->len && p->src[e] == ' ' && is_digit(p->src[e + 1]) &&
	    is_digit(p->src[e + 2]) && p->src[e + 3] == ':') {
		for (e++; e < p->len && is_token_char((unsigned char)p->src[e]); e++)
			;
	}
	return e;
}

static int number_parse(struct parser *p, const char *s, size_t n, struct toml_value *v)
{
	size_t k = s[0] == '+' || s[0] == '-', off = (size_t)(s - p->src);
	bool radix = n > 2 && s[0] == '0' && strchr("xob", s[1]);

	if (!is_special(s, n) && (k == n || !is_digit(s[k])))
		return bad(p, off, s, n, "expected a value (a string needs quotes), found");
	if (is_special(s, n) || (!radix && (memchr(s, '.', n) || memchr(s, 'e', n) ||
					     memchr(s, 'E', n)))) {
		v->type = TOML_FLOAT;
		return float_parse(p, s, n, off, &v->u.flt);
	}
	v->type = TOML_INTEGER;
	return int_parse(p, s, n, off, &v->u.integer);
}

int scalar_parse(struct parser *p, struct toml_value **out)
{
	size_t start = p->i, end = token_end(p), n = end - start;
	const char *s = p->src + start;
	struct toml_value *v = value_new(TOML_BOOL, text_pos(p, start), 0);
	int rc = 0;

	if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0))
		v->u.boolean = s[0] == 't';
	else if (looks_like_date_or_time(s, n))
		rc = datetime_parse(p, start, end, v);
	else
		rc = number_parse(p, s, n, v);
	if (rc) {
		toml_free(v);
		return rc;
	}
	p->i = end;
	*out = v;
	return 0;
}
