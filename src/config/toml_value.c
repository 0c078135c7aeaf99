/*
 * toml_value.c - the right-hand side of `key = value`: picks the kind of
 * value by its first character and parses arrays and inline tables, the only
 * recursive parts of the grammar (bounded by TOML_MAX_DEPTH).
 */
#include "config/toml_internal.h"

static int too_deep(struct parser *p, size_t off)
{
	return text_fail(p, off, ERR_TOOBIG, "nesting deeper than %d levels",
			 TOML_MAX_DEPTH);
}

static int array_parse(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value *arr, *item;
	char what[16];
	int rc;

	if (depth > TOML_MAX_DEPTH)
		return too_deep(p, p->i);
	arr = value_new(TOML_ARRAY, text_pos(p, p->i), depth);
	p->i++;
	for (;;) {
		text_skip_blank(p);
		if (peek(p) == ']')
			break;
		rc = value_parse(p, depth + 1, &item);
		if (rc)
			goto fail;
		array_push(arr, item);
		text_skip_blank(p);
		if (peek(p) == ']')
			break;
		if (peek(p) != ',') {
			rc = text_fail(p, p->i, ERR_INVALID,
				       "expected ',' or ']' after an array element, found %s",
				       text_what(p, p->i, what, sizeof(what)));
			goto fail;
		}
		p->i++;
	}
	p->i++;
	*out = arr;
	return 0;
fail:
	toml_free(arr);
	return rc;
}

/* After whitespace inside { }: a newline or comment cannot come here. */
static int inline_blank(struct parser *p)
{
	text_skip_ws(p);
	if (at_newline(p) || peek(p) == '#')
		return text_fail(p, p->i, ERR_INVALID,
				 "an inline table must be on one line");
	return 0;
}

static int inline_next(struct parser *p, bool *done)
{
	char what[16];
	int rc;

	if ((rc = inline_blank(p)) != 0)
		return rc;
	*done = peek(p) == '}';
	if (*done)
		return 0;
	if (peek(p) != ',')
		return text_fail(p, p->i, ERR_INVALID,
				 "expected ',' or '}' in an inline table, found %s",
				 text_what(p, p->i, what, sizeof(what)));
	p->i++;
	if ((rc = inline_blank(p)) != 0)
		return rc;
	if (peek(p) == '}')
		return text_fail(p, p->i, ERR_INVALID,
				 "no trailing comma is allowed in an inline table");
	return 0;
}

static int inline_parse(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value *tab;
	bool done;
	int rc;

	if (depth > TOML_MAX_DEPTH)
		return too_deep(p, p->i);
	tab = value_new(TOML_TABLE, text_pos(p, p->i), depth);
	p->i++;
	rc = inline_blank(p);
	done = peek(p) == '}';
	while (rc == 0 && !done) {
		rc = keyval_parse(p, tab);
		if (rc == 0)
			rc = inline_next(p, &done);
	}
	if (rc) {
		toml_free(tab);
		return rc;
	}
	p->i++;
	tab->flags |= TF_INLINE;
	*out = tab;
	return 0;
}

static int string_value(struct parser *p, struct toml_value **out)
{
	struct toml_value *v = value_new(TOML_STRING, text_pos(p, p->i), 0);
	int rc = string_parse(p, true, &v->u.str.ptr, &v->u.str.len);

	if (rc) {
		toml_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int value_parse(struct parser *p, int depth, struct toml_value **out)
{
	char what[16];
	int c = peek(p);

	if (c == '"' || c == '\'')
		return string_value(p, out);
	if (c == '[')
		return array_parse(p, depth, out);
	if (c == '{')
		return inline_parse(p, depth, out);
	if (is_bare_key_char(c) || c == '+' || c == '.' || c == ':')
		return scalar_parse(p, out);
	return text_fail(p, p->i, ERR_INVALID, "expected a value, found %s",
			 text_what(p, p->i, what, sizeof(what)));
}
