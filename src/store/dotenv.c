/*
 * dotenv.c - the .env parser: text in, KEY/VALUE list out, nothing else.
 *
 * One logical line at a time: blanks, comment, or [export] KEY = VALUE.
 * Quoted values are found first (their closing quote), then decoded into an
 * exactly sized buffer, so no value is ever copied through a growing one.
 */
#include "store/dotenv.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	int line;                 /* of s[pos], 1-based */
	struct dotenv *out;
	size_t cap;               /* of out->entries */
	struct err *e;
};

static int fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(p->e, ERR_INVALID, "line %d: %s", line, msg);
}

static int at(const struct parser *p, size_t i)
{
	return i < p->len ? (unsigned char)p->s[i] : -1;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int is_key_char(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

static void skip_blanks(struct parser *p)
{
	while (is_blank(at(p, p->pos)))
		p->pos++;
}

/* At the end of a line: "\n", "\r\n" or the end of the text. */
static int at_eol(const struct parser *p)
{
	int c = at(p, p->pos);

	return c == -1 || c == '\n' || (c == '\r' && at(p, p->pos + 1) == '\n');
}

static void skip_eol(struct parser *p)
{
	if (at(p, p->pos) == '\r')
		p->pos++;
	if (at(p, p->pos) == '\n') {
		p->pos++;
		p->line++;
	}
}

static void skip_to_eol(struct parser *p)
{
	while (!at_eol(p))
		p->pos++;
}

static int parse_key(struct parser *p, char **key)
{
	size_t start = p->pos;

	if (!is_key_char(at(p, p->pos), 1))
		return fail(p, p->line, "expected KEY=VALUE");
	while (is_key_char(at(p, p->pos), 0))
		p->pos++;
	if (p->pos - start > DOTENV_KEY_MAX)
		return fail(p, p->line, "key longer than %d bytes", DOTENV_KEY_MAX);
	*key = xstrndup(p->s + start, p->pos - start);
	return 0;
}

/* "export KEY=..." (but "export=1" and "exported=1" set keys of those names). */
static void skip_export(struct parser *p)
{
	static const char word[] = "export";
	size_t n = sizeof(word) - 1;

	if (p->len - p->pos > n && memcmp(p->s + p->pos, word, n) == 0 &&
	    is_blank(at(p, p->pos + n))) {
		p->pos += n;
		skip_blanks(p);
	}
}

/* Copies s[0..n) turning CRLF into LF; returns the bytes written. */
static size_t copy_lines(char *dst, const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
			dst[w++] = s[i];
	dst[w] = '\0';
	return w;
}

static int count_lines(const char *s, size_t n)
{
	int lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

static int single_quoted(struct parser *p, struct dotenv_entry *en)
{
	const char *s = p->s + p->pos + 1;
	const char *q = memchr(s, '\'', p->len - p->pos - 1);
	size_t n;

	if (q == NULL)
		return fail(p, en->line, "unterminated single-quoted value");
	n = (size_t)(q - s);
	en->value = xmalloc(n + 1);
	en->len = copy_lines(en->value, s, n);
	p->line += count_lines(s, n);
	p->pos += n + 2;
	return 0;
}

static int unescape(int c)
{
	switch (c) {
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case '"': return '"';
	case '\\': return '\\';
	case '$': return '$';
	default: return -1;
	}
}

/* Decodes s[0..n), the inside of a double-quoted value, into en->value. */
static int decode_double(struct parser *p, const char *s, size_t n,
			 struct dotenv_entry *en)
{
	size_t w = 0;
	int c;

	en->value = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			p->line++;
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (s[i] != '\\') {
			en->value[w++] = s[i];
			continue;
		}
		c = unescape((unsigned char)s[++i]);
		if (c < 0) {
			sodium_memzero(en->value, n + 1);
			return fail(p, p->line, "unknown escape in a double-quoted "
				    "value (known: \\n \\r \\t \\\" \\\\ \\$)");
		}
		en->value[w++] = (char)c;
	}
	en->value[w] = '\0';
	en->len = w;
	return 0;
}

static int double_quoted(struct parser *p, struct dotenv_entry *en)
{
	size_t start = p->pos + 1, i = start;

	while (i < p->len && p->s[i] != '"')
		i += p->s[i] == '\\' ? 2 : 1;
	if (i >= p->len)
		return fail(p, en->line, "unterminated double-quoted value");
	p->pos = i + 1;
	return decode_double(p, p->s + start, i - start, en);
}

/*
 * Up to the end of the line or a comment, blanks trimmed. A '#' starts a
 * comment only after a blank, so "COLOR=#fff" keeps its value.
 */
static int unquoted(struct parser *p, struct dotenv_entry *en)
{
	size_t start = p->pos, end;

	while (!at_eol(p) && !(at(p, p->pos) == '#' && is_blank(at(p, p->pos - 1))))
		p->pos++;
	end = p->pos;
	while (end > start && is_blank((unsigned char)p->s[end - 1]))
		end--;
	en->value = xstrndup(p->s + start, end - start);
	en->len = end - start;
	skip_to_eol(p);
	return 0;
}

static int parse_value(struct parser *p, struct dotenv_entry *en)
{
	int c = at(p, p->pos), rc;

	if (c != '\'' && c != '"')
		return unquoted(p, en);
	rc = c == '\'' ? single_quoted(p, en) : double_quoted(p, en);
	if (rc < 0)
		return rc;
	skip_blanks(p);
	if (at(p, p->pos) == '#')
		skip_to_eol(p);
	if (!at_eol(p))
		return fail(p, p->line, "unexpected text after the closing quote");
	return 0;
}

static int check_repeat(struct parser *p, const struct dotenv_entry *en)
{
	for (size_t i = 0; i < p->out->n; i++)
		if (strcmp(p->out->entries[i].key, en->key) == 0)
			return fail(p, en->line, "'%s' is set again (first on line %d)",
				    en->key, p->out->entries[i].line);
	return 0;
}

static void entry_free(struct dotenv_entry *en)
{
	free(en->key);
	if (en->value) {
		sodium_memzero(en->value, en->len);
		free(en->value);
	}
	memset(en, 0, sizeof(*en));
}

static int parse_entry(struct parser *p)
{
	struct dotenv_entry en = { NULL, NULL, 0, p->line };
	int rc;

	skip_export(p);
	rc = parse_key(p, &en.key);
	if (rc == 0) {
		skip_blanks(p);
		if (at(p, p->pos) != '=')
			rc = fail(p, p->line, "expected '=' after '%s'", en.key);
	}
	if (rc == 0) {
		p->pos++;
		skip_blanks(p);
		rc = parse_value(p, &en);
	}
	if (rc == 0)
		rc = check_repeat(p, &en);
	if (rc == 0 && p->out->n == DOTENV_ENTRIES_MAX)
		rc = fail(p, en.line, "more than %d entries", DOTENV_ENTRIES_MAX);
	if (rc < 0) {
		entry_free(&en);
		return rc;
	}
	XGROW(p->out->entries, p->cap, p->out->n + 1);
	p->out->entries[p->out->n++] = en;
	return 0;
}

static int parse_line(struct parser *p)
{
	size_t start = p->pos;
	int line = p->line, rc = 0;

	skip_blanks(p);
	if (at(p, p->pos) == '#')
		skip_to_eol(p);
	else if (!at_eol(p))
		rc = parse_entry(p);
	if (rc == 0 && p->pos - start > DOTENV_LINE_MAX)
		rc = fail(p, line, "longer than %d bytes", DOTENV_LINE_MAX);
	skip_eol(p);
	return rc;
}

static int check_text(struct parser *p)
{
	const char *nul;

	if (p->len == 0)
		return 0;
	if (p->len > DOTENV_TEXT_MAX)
		return err_set(p->e, ERR_TOOBIG, "larger than %d bytes", DOTENV_TEXT_MAX);
	nul = memchr(p->s, '\0', p->len);
	if (nul)
		return fail(p, 1 + count_lines(p->s, (size_t)(nul - p->s)),
			    "NUL byte in the text");
	return 0;
}

int dotenv_parse(const char *text, size_t len, struct dotenv *out, struct err *e)
{
	struct parser p = { text, len, 0, 1, out, 0, e };
	int rc;

	out->entries = NULL;
	out->n = 0;
	rc = check_text(&p);
	while (rc == 0 && p.pos < p.len)
		rc = parse_line(&p);
	if (rc < 0)
		dotenv_free(out);
	return rc;
}

void dotenv_free(struct dotenv *d)
{
	for (size_t i = 0; i < d->n; i++)
		entry_free(&d->entries[i]);
	free(d->entries);
	d->entries = NULL;
	d->n = 0;
}
