/*
 * toml-decode - reads TOML on stdin and prints it as toml-test's tagged JSON
 * ({"type":"integer","value":"42"} for each scalar, arrays and tables as JSON
 * arrays and objects). Exits 0, or 1 with "line:col: message" on stderr.
 *
 * It exists to prove the parser against the toml-test corpus:
 *	tests/run-conformance -- build/toml-decode
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "config/toml.h"

static void json_string(struct buf *b, const char *s, size_t len)
{
	size_t k;

	buf_putc(b, '"');
	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c < 0x20 || c == 0x7F)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

static void datetime(struct buf *b, const struct toml_value *v)
{
	const struct toml_datetime *dt = &v->u.dt;
	int digits = dt->frac_digits > 9 ? 9 : dt->frac_digits, ns = dt->nanosecond, k;

	if (v->type != TOML_TIME_LOCAL)
		buf_printf(b, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
	if (v->type == TOML_DATE_LOCAL)
		return;
	if (v->type != TOML_TIME_LOCAL)
		buf_putc(b, 'T');
	buf_printf(b, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
	if (digits > 0) {
		for (k = digits; k < 9; k++)
			ns /= 10;
		buf_printf(b, ".%0*d", digits, ns);
	}
	if (v->type != TOML_DATETIME)
		return;
	if (dt->offset_z)
		buf_putc(b, 'Z');
	else
		buf_printf(b, "%c%02d:%02d", dt->offset_minutes < 0 ? '-' : '+',
			   abs(dt->offset_minutes) / 60, abs(dt->offset_minutes) % 60);
}

static const char *tag(enum toml_type t)
{
	switch (t) {
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "bool";
	case TOML_DATETIME: return "datetime";
	case TOML_DATETIME_LOCAL: return "datetime-local";
	case TOML_DATE_LOCAL: return "date-local";
	case TOML_TIME_LOCAL: return "time-local";
	default: return "?";
	}
}

static void scalar(struct buf *b, const struct toml_value *v)
{
	struct buf s = BUF_INIT;

	if (v->type == TOML_STRING)
		buf_append(&s, v->u.str.ptr, v->u.str.len);
	else if (v->type == TOML_INTEGER)
		buf_printf(&s, "%" PRId64, v->u.integer);
	else if (v->type == TOML_FLOAT && isnan(v->u.flt))
		buf_puts(&s, "nan");
	else if (v->type == TOML_FLOAT && isinf(v->u.flt))
		buf_puts(&s, v->u.flt < 0 ? "-inf" : "inf");
	else if (v->type == TOML_FLOAT)
		buf_printf(&s, "%.17g", v->u.flt);
	else if (v->type == TOML_BOOL)
		buf_puts(&s, v->u.boolean ? "true" : "false");
	else
		datetime(&s, v);
	buf_printf(b, "{\"type\":\"%s\",\"value\":", tag(v->type));
	json_string(b, buf_str(&s), s.len);
	buf_putc(b, '}');
	buf_release(&s);
}

/* Recursion is bounded by TOML_MAX_DEPTH. */
static void value(struct buf *b, const struct toml_value *v)
{
	size_t i;

	if (v->type == TOML_TABLE) {
		buf_putc(b, '{');
		for (i = 0; i < v->u.tab.len; i++) {
			if (i > 0)
				buf_putc(b, ',');
			json_string(b, v->u.tab.items[i].key, v->u.tab.items[i].key_len);
			buf_putc(b, ':');
			value(b, v->u.tab.items[i].value);
		}
		buf_putc(b, '}');
	} else if (v->type == TOML_ARRAY) {
		buf_putc(b, '[');
		for (i = 0; i < v->u.arr.len; i++) {
			if (i > 0)
				buf_putc(b, ',');
			value(b, v->u.arr.items[i]);
		}
		buf_putc(b, ']');
	} else {
		scalar(b, v);
	}
}

/* Reads stdin, stopping one byte past the parser's limit so it can refuse. */
static int read_all(struct buf *in)
{
	char chunk[65536];
	size_t n;

	while (in->len <= TOML_MAX_BYTES &&
	       (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(in, chunk, n);
	return ferror(stdin) ? -1 : 0;
}

int main(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct toml_value *root = NULL;
	struct toml_pos pos = { 0, 0 };
	struct err e = { 0 };
	int rc = 1;

	if (read_all(&in) < 0) {
		perror("toml-decode: stdin");
		goto out;
	}
	if (toml_parse(buf_str(&in), in.len, &root, &pos, &e) < 0) {
		fprintf(stderr, "%d:%d: %s\n", pos.line, pos.col, e.msg);
		goto out;
	}
	value(&out, root);
	buf_putc(&out, '\n');
	rc = fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0 ? 0 : 1;
out:
	toml_free(root);
	buf_release(&out);
	buf_release(&in);
	return rc;
}
