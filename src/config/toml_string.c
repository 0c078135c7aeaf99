/*
 * toml_string.c - basic, literal and both multi-line strings, and keys.
 *
 * A string is decoded into p->scratch and then copied out at its exact size.
 * Newlines inside multi-line strings come out as "\n" whether the file has LF
 * or CRLF line endings, so a value does not change with the editor.
 */
#include "config/toml_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static int fail_open(struct parser *p, size_t start)
{
	return text_fail(p, start, ERR_INVALID, "unterminated string");
}

/* A newline inside a string: kept in a multi-line one, an error otherwise. */
static int newline(struct parser *p, bool multi)
{
	if (!multi)
		return text_fail(p, p->i, ERR_INVALID,
				 "string not closed before the end of the line");
	p->i += peek(p) == '\r' ? 2 : 1;
	buf_putc(&p->scratch, '\n');
	return 0;
}

/*
 * At a run of the multi-line string's quote q: up to two quotes are content;
 * three close the string, and one or two more just before them are content.
 */
static int multi_quotes(struct parser *p, int q, bool *closed)
{
	size_t n = 0;

	while (peek_at(p, n) == q)
		n++;
	if (n > 5)
		return text_fail(p, p->i + 5, ERR_INVALID,
				 "too many quotes at the end of a multi-line string");
	*closed = n >= 3;
	if (*closed)
		n -= 3;
	buf_append(&p->scratch, p->src + p->i, n);
	p->i += n + (*closed ? 3 : 0);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX or \UXXXXXXXX at p->i: a Unicode scalar value, never a surrogate. */
static int unicode(struct parser *p, int digits)
{
	unsigned long cp = 0;
	int k, h;

	for (k = 0; k < digits; k++) {
		h = hexval(peek_at(p, 2 + (size_t)k));
		if (h < 0)
			return text_fail(p, p->i, ERR_INVALID,
					 "escape '\\%c' needs %d hex digits",
					 peek_at(p, 1), digits);
		cp = cp << 4 | (unsigned long)h;
	}
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return text_fail(p, p->i, ERR_INVALID,
				 "escape '\\%c%.*s' is not a Unicode scalar value",
				 peek_at(p, 1), digits, p->src + p->i + 2);
	text_put_utf8(&p->scratch, cp);
	p->i += 2 + (size_t)digits;
	return 0;
}

/* A backslash ending a line of a multi-line string eats all blank space after it. */
static int line_end_backslash(struct parser *p)
{
	size_t at = p->i;

	p->i++;
	text_skip_ws(p);
	if (!at_newline(p)) {
		p->i = at;
		return text_fail(p, at, ERR_INVALID,
				 "a backslash followed by spaces must end the line");
	}
	while (peek(p) == ' ' || peek(p) == '\t' || at_newline(p))
		p->i += peek(p) == '\r' ? 2 : 1;
	return 0;
}

static int escape(struct parser *p, bool multi)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	int c = peek_at(p, 1);
	const char *simple = c ? strchr(from, c) : NULL;

	if (simple) {
		buf_putc(&p->scratch, to[simple - from]);
		p->i += 2;
		return 0;
	}
	if (c == 'u' || c == 'U')
		return unicode(p, c == 'u' ? 4 : 8);
	if (multi && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
		return line_end_backslash(p);
	if (c > 0x20 && c < 0x7F)
		return text_fail(p, p->i, ERR_INVALID, "invalid escape sequence '\\%c'", c);
	return text_fail(p, p->i, ERR_INVALID, "invalid escape sequence");
}

/* Copies bytes up to the next one in stop (or the end) into scratch. */
static void copy_run(struct parser *p, const char *stop)
{
	size_t end = p->i;

	while (end < p->len && !strchr(stop, p->src[end]))
		end++;
	buf_append(&p->scratch, p->src + p->i, end - p->i);
	p->i = end;
}

static int basic_body(struct parser *p, bool multi, size_t start)
{
	bool closed = false;
	int rc;

	while (!closed) {
		copy_run(p, "\"\\\n\r");
		switch (peek(p)) {
		case 0:
			return fail_open(p, start);
		case '"':
			if (!multi) {
				p->i++;
				return 0;
			}
			rc = multi_quotes(p, '"', &closed);
			break;
		case '\\':
			rc = escape(p, multi);
			break;
		default:
			rc = newline(p, multi);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int literal_body(struct parser *p, bool multi, size_t start)
{
	bool closed = false;
	int rc;

	while (!closed) {
		copy_run(p, "'\n\r");
		switch (peek(p)) {
		case 0:
			return fail_open(p, start);
		case '\'':
			if (!multi) {
				p->i++;
				return 0;
			}
			rc = multi_quotes(p, '\'', &closed);
			break;
		default:
			rc = newline(p, multi);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int string_parse(struct parser *p, bool multi_ok, char **out, size_t *len)
{
	size_t start = p->i;
	int q = peek(p), rc;
	bool multi = peek_at(p, 1) == q && peek_at(p, 2) == q;

	buf_reset(&p->scratch);
	if (multi) {
		if (!multi_ok)
			return text_fail(p, start, ERR_INVALID,
					 "a key cannot be a multi-line string");
		p->i += 3;
		if (at_newline(p))  /* a newline right after the opening is trimmed */
			p->i += peek(p) == '\r' ? 2 : 1;
	} else {
		p->i++;
	}
	rc = q == '"' ? basic_body(p, multi, start) : literal_body(p, multi, start);
	if (rc)
		return rc;
	*len = p->scratch.len;
	*out = xmalloc(*len + 1);
	memcpy(*out, buf_str(&p->scratch), *len + 1);
	return 0;
}

int key_parse(struct parser *p, struct toml_keypart *parts, int *n)
{
	struct toml_keypart *kp;
	char what[16];
	size_t b;
	int rc;

	for (*n = 0;; (*n)++) {
		if (*n == TOML_MAX_KEY_PARTS)
			return text_fail(p, p->i, ERR_TOOBIG,
					 "nesting deeper than %d levels", TOML_MAX_DEPTH);
		kp = &parts[*n];
		kp->off = b = p->i;
		kp->pos = text_pos(p, b);
		if (peek(p) == '"' || peek(p) == '\'') {
			rc = string_parse(p, false, &kp->s, &kp->len);
			if (rc)
				return rc;
		} else if (is_bare_key_char(peek(p))) {
			while (is_bare_key_char(peek(p)))
				p->i++;
			kp->len = p->i - b;
			kp->s = xstrndup(p->src + b, kp->len);
		} else {
			return text_fail(p, p->i, ERR_INVALID, "expected a key, found %s",
					 text_what(p, p->i, what, sizeof(what)));
		}
		text_skip_ws(p);
		if (peek(p) != '.') {
			(*n)++;
			return 0;
		}
		p->i++;
		text_skip_ws(p);
	}
}

void keyparts_release(struct toml_keypart *parts, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		free(parts[k].s);
		parts[k].s = NULL;
	}
}

const char *keyparts_name(struct buf *b, const struct toml_keypart *parts, int n)
{
	int k;

	buf_reset(b);
	for (k = 0; k < n; k++) {
		if (k > 0)
			buf_putc(b, '.');
		text_key_append(b, parts[k].s, parts[k].len);
	}
	return text_trunc(b, 120);
}
