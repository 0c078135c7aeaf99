/*
 * toml_text.c - the document as text: the up-front UTF-8 and control
 * character check, line/column positions, whitespace and comments, and the
 * small formatting helpers error messages need.
 *
 * After text_check() the rest of the parser may assume valid UTF-8 with no
 * NUL, no control character but tab and newline, and every CR followed by LF.
 */
#include "config/toml_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;  /* overlong */
	else if (c == 0xED)
		hi = 0x9F;  /* surrogates */
	else if (c == 0xF0)
		lo = 0x90;  /* overlong */
	else if (c == 0xF4)
		hi = 0x8F;  /* over U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return len;
}

static int check_ascii(struct parser *p, size_t i)
{
	unsigned char c = (unsigned char)p->src[i];

	if (c == '\r' && (i + 1 >= p->len || p->src[i + 1] != '\n'))
		return text_fail(p, i, ERR_INVALID,
				 "carriage return must be followed by a newline");
	if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
		return text_fail(p, i, ERR_INVALID,
				 "control character U+%04X is not allowed (in a string, escape it)",
				 c);
	return 0;
}

int text_check(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->src;
	size_t i = p->start, n;
	int rc;

	while (i < p->len) {
		if (s[i] < 0x80) {
			rc = check_ascii(p, i);
			if (rc)
				return rc;
			i++;
			continue;
		}
		n = utf8_len(s + i, p->len - i);
		if (n == 0)
			return text_fail(p, i, ERR_INVALID,
					 "invalid UTF-8 (byte 0x%02X)", s[i]);
		i += n;
	}
	return 0;
}

struct toml_pos text_pos(struct parser *p, size_t off)
{
	size_t i;

	if (off > p->len)
		off = p->len;
	if (off < p->pc_off) {
		p->pc_off = p->start;
		p->pc_pos.line = 1;
		p->pc_pos.col = 1;
	}
	for (i = p->pc_off; i < off; i++) {
		unsigned char c = (unsigned char)p->src[i];

		if (c == '\n') {
			p->pc_pos.line++;
			p->pc_pos.col = 1;
		} else if ((c & 0xC0) != 0x80) {
			p->pc_pos.col++;
		}
	}
	p->pc_off = off;
	return p->pc_pos;
}

int text_fail(struct parser *p, size_t off, int code, const char *fmt, ...)
{
	char msg[sizeof(p->e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*p->errpos = text_pos(p, off);
	return err_set(p->e, code, "%s", msg);
}

const char *text_what(const struct parser *p, size_t off, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)p->src;
	size_t n;

	if (off >= p->len)
		return "end of file";
	if (s[off] == '\n' || s[off] == '\r')
		return "end of line";
	if (s[off] == '\t')
		return "a tab";
	if (s[off] >= 0x20 && s[off] < 0x7F) {
		snprintf(out, size, "'%c'", s[off]);
		return out;
	}
	n = utf8_len(s + off, p->len - off);
	if (n <= 1 || size < 16)
		return "a control character";
	snprintf(out, size, "'%.*s'", (int)n, (const char *)s + off);
	return out;
}

void text_skip_ws(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		p->i++;
}

void text_skip_comment(struct parser *p)
{
	const char *nl;

	if (peek(p) != '#')
		return;
	nl = memchr(p->src + p->i, '\n', p->len - p->i);
	p->i = nl ? (size_t)(nl - p->src) : p->len;
	if (p->i > 0 && p->i < p->len && p->src[p->i - 1] == '\r')
		p->i--;
}

void text_skip_blank(struct parser *p)
{
	for (;;) {
		text_skip_ws(p);
		text_skip_comment(p);
		if (peek(p) == '\n')
			p->i++;
		else if (peek(p) == '\r' && peek_at(p, 1) == '\n')
			p->i += 2;
		else
			return;
	}
}

static bool is_bare(const char *s, size_t len)
{
	size_t k;

	if (len == 0)
		return false;
	for (k = 0; k < len; k++)
		if (!is_bare_key_char((unsigned char)s[k]))
			return false;
	return true;
}

void text_key_append(struct buf *b, const char *s, size_t len)
{
	size_t k;

	if (is_bare(s, len)) {
		buf_append(b, s, len);
		return;
	}
	buf_putc(b, '"');
	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7F)
			buf_printf(b, "\\u%04X", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

const char *text_trunc(struct buf *b, size_t max)
{
	size_t n = max > 3 ? max - 3 : 0;

	if (b->len <= max)
		return buf_str(b);
	while (n > 0 && ((unsigned char)b->data[n] & 0xC0) == 0x80)
		n--;
	b->len = n;
	buf_append(b, "...", 3);
	return buf_str(b);
}

const char *text_article(const char *noun)
{
	return strchr("aeiou", noun[0]) ? "an" : "a";
}

void text_put_utf8(struct buf *b, unsigned long cp)
{
	char s[4];

	if (cp < 0x80) {
		s[0] = (char)cp;
		buf_append(b, s, 1);
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		buf_append(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		buf_append(b, s, 3);
	} else {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		buf_append(b, s, 4);
	}
}
