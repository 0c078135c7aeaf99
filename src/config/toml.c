/*
 * toml.c - toml_parse(): the document, line by line, and the rules for where
 * a key may go.
 *
 * Which table a key or header may add to follows TOML 1.0 (and Python's
 * tomllib where the spec is loose), using the TF_* flags of toml_internal.h:
 *  - [a] defines a once; it may define a table that [a.b] created implicitly,
 *    but not one created by dotted keys, nor an inline table or an array.
 *  - [a.b] may pass through any table but an inline one; through an array
 *    of tables it goes into the last element; a static array stops it.
 *  - a dotted key may pass through tables made by dotted keys or implicitly
 *    by headers, never through one defined by a header or an inline table.
 *  - an inline table is closed once written; [[a]] appends only to an array
 *    that [[a]] created.
 */
#include "config/toml_internal.h"

#include <stdlib.h>

#include "base/xalloc.h"

/* Hands parts[k]'s string over to a new table under tab. */
static struct toml_value *add_table(struct toml_value *tab, struct toml_keypart *kp,
				    unsigned flags)
{
	struct toml_value *t = value_new(TOML_TABLE, kp->pos, value_depth(tab) + 1);

	t->flags |= flags;
	table_add(tab, kp->s, kp->len, kp->pos, t);
	kp->s = NULL;
	return t;
}

static int too_deep(struct parser *p, size_t off)
{
	return text_fail(p, off, ERR_TOOBIG, "nesting deeper than %d levels",
			 TOML_MAX_DEPTH);
}

/* "key 'a.b' is already defined as an integer", or as a table and where. */
static int fail_defined(struct parser *p, const char *what, struct toml_keypart *parts,
			int k, const struct toml_value *old)
{
	const char *type = old->flags & TF_INLINE ? "inline table" : toml_type_name(old->type);
	struct buf name = BUF_INIT;
	int rc;

	keyparts_name(&name, parts, k + 1);
	if (old->type == TOML_TABLE && !(old->flags & TF_INLINE))
		rc = text_fail(p, parts[k].off, ERR_INVALID,
			       "%s '%s' is already defined%s (line %d)", what,
			       buf_str(&name), what[0] == 'k' ? " as a table" : "",
			       old->pos.line);
	else
		rc = text_fail(p, parts[k].off, ERR_INVALID,
			       "%s '%s' is already defined as %s %s", what,
			       buf_str(&name), text_article(type), type);
	buf_release(&name);
	return rc;
}

/* Walks a dotted key's leading parts from tab, creating tables as needed. */
static int dotted_walk(struct parser *p, struct toml_value **tab,
		       struct toml_keypart *parts, int n)
{
	struct toml_keyval *kv;
	struct toml_value *v;
	int k;

	for (k = 0; k < n - 1; k++) {
		kv = table_find(*tab, parts[k].s, parts[k].len);
		if (kv == NULL) {
			if (value_depth(*tab) >= TOML_MAX_DEPTH)
				return too_deep(p, parts[k].off);
			*tab = add_table(*tab, &parts[k], TF_DOTTED);
			continue;
		}
		v = kv->value;
		if (v->type != TOML_TABLE || (v->flags & (TF_HEADER | TF_INLINE)))
			return fail_defined(p, v->type == TOML_TABLE ? "table" : "key",
					    parts, k, v);
		v->flags |= TF_DOTTED;
		*tab = v;
	}
	return 0;
}

/*
 * Recursive through inline tables, so its 2 KiB of key parts live on the
 * heap: 64 levels then need ~20 KiB of stack, not ~150 KiB, which matters
 * on the small stacks of server threads.
 */
int keyval_parse(struct parser *p, struct toml_value *tab)
{
	struct toml_keypart *parts = xmalloc(sizeof(*parts) * TOML_MAX_KEY_PARTS);
	struct toml_keyval *kv;
	struct toml_value *v;
	struct buf name = BUF_INIT;
	char what[16];
	int n, rc;

	rc = key_parse(p, parts, &n);
	if (rc)
		goto out;
	if (peek(p) != '=') {
		rc = text_fail(p, p->i, ERR_INVALID, "expected '=' after key '%s', found %s",
			       keyparts_name(&name, parts, n),
			       text_what(p, p->i, what, sizeof(what)));
		goto out;
	}
	p->i++;
	text_skip_ws(p);
	rc = dotted_walk(p, &tab, parts, n);
	if (rc)
		goto out;
	kv = table_find(tab, parts[n - 1].s, parts[n - 1].len);
	if (kv != NULL) {
		rc = fail_defined(p, "key", parts, n - 1, kv->value);
		goto out;
	}
	rc = value_parse(p, value_depth(tab) + 1, &v);
	if (rc)
		goto out;
	table_add(tab, parts[n - 1].s, parts[n - 1].len, parts[n - 1].pos, v);
	parts[n - 1].s = NULL;
out:
	keyparts_release(parts, n);
	free(parts);
	buf_release(&name);
	return rc;
}

/* Walks a header's leading parts from the root, creating tables as needed. */
static int header_walk(struct parser *p, struct toml_pos at, struct toml_keypart *parts, int n,
		       struct toml_value **tab)
{
	struct toml_keyval *kv;
	struct toml_value *v;
	int k;

	*tab = p->root;
	for (k = 0; k < n - 1; k++) {
		kv = table_find(*tab, parts[k].s, parts[k].len);
		if (kv == NULL) {
			if (value_depth(*tab) >= TOML_MAX_DEPTH)
				return too_deep(p, parts[k].off);
			*tab = add_table(*tab, &parts[k], TF_IMPLICIT);
			(*tab)->pos = at;
			continue;
		}
		v = kv->value;
		if (v->type == TOML_ARRAY && (v->flags & TF_AOT))
			v = v->u.arr.items[v->u.arr.len - 1];
		if (v->type != TOML_TABLE || (v->flags & TF_INLINE))
			return fail_defined(p, "key", parts, k, v);
		*tab = v;
	}
	return 0;
}

/* [[a.b]]: appends a table to the array a.b, creating it the first time. */
static int header_array(struct parser *p, struct toml_pos at, struct toml_keypart *parts, int n,
			struct toml_value *tab)
{
	struct toml_keypart *last = &parts[n - 1];
	struct toml_keyval *kv = table_find(tab, last->s, last->len);
	struct toml_value *arr, *elem;

	if (kv != NULL && !(kv->value->type == TOML_ARRAY && (kv->value->flags & TF_AOT)))
		return fail_defined(p, "key", parts, n - 1, kv->value);
	if (value_depth(tab) + 2 > TOML_MAX_DEPTH)
		return too_deep(p, last->off);
	if (kv == NULL) {
		arr = value_new(TOML_ARRAY, at, value_depth(tab) + 1);
		arr->flags |= TF_AOT;
		table_add(tab, last->s, last->len, last->pos, arr);
		last->s = NULL;
	} else {
		arr = kv->value;
	}
	elem = value_new(TOML_TABLE, at, value_depth(arr) + 1);
	elem->flags |= TF_HEADER;
	array_push(arr, elem);
	p->cur = elem;
	return 0;
}

/* [a.b]: defines the table a.b, once. */
static int header_table(struct parser *p, struct toml_pos at, struct toml_keypart *parts, int n,
			struct toml_value *tab)
{
	struct toml_keypart *last = &parts[n - 1];
	struct toml_keyval *kv = table_find(tab, last->s, last->len);
	struct toml_value *t;

	if (kv == NULL) {
		if (value_depth(tab) >= TOML_MAX_DEPTH)
			return too_deep(p, last->off);
		t = add_table(tab, last, TF_HEADER);
		t->pos = at;
		p->cur = t;
		return 0;
	}
	t = kv->value;
	if (t->type != TOML_TABLE || (t->flags & (TF_HEADER | TF_DOTTED | TF_INLINE)))
		return fail_defined(p, t->type == TOML_TABLE ? "table" : "key",
				    parts, n - 1, t);
	t->flags = (t->flags & ~(unsigned)TF_IMPLICIT) | TF_HEADER;
	t->pos = at;
	p->cur = t;
	return 0;
}

static int header_parse(struct parser *p)
{
	struct toml_keypart parts[TOML_MAX_KEY_PARTS];
	struct toml_value *tab;
	struct toml_pos at = text_pos(p, p->i);
	bool aot = peek_at(p, 1) == '[';
	char what[16];
	int n, rc;

	p->i += aot ? 2 : 1;
	text_skip_ws(p);
	rc = key_parse(p, parts, &n);
	if (rc)
		goto out;
	if (peek(p) != ']' || (aot && peek_at(p, 1) != ']')) {
		rc = text_fail(p, p->i + (peek(p) == ']'), ERR_INVALID,
			       "expected '%s' to close the header, found %s", aot ? "]]" : "]",
			       text_what(p, p->i + (peek(p) == ']'), what, sizeof(what)));
		goto out;
	}
	p->i += aot ? 2 : 1;
	rc = header_walk(p, at, parts, n, &tab);
	if (rc)
		goto out;
	if (aot)
		rc = header_array(p, at, parts, n, tab);
	else
		rc = header_table(p, at, parts, n, tab);
out:
	keyparts_release(parts, n);
	return rc;
}

/* After a value or header: blanks, maybe a comment, then the line must end. */
static int end_of_line(struct parser *p)
{
	char what[16];

	text_skip_ws(p);
	text_skip_comment(p);
	if (peek(p) == 0)
		return 0;
	if (!at_newline(p))
		return text_fail(p, p->i, ERR_INVALID, "expected the end of the line, found %s",
				 text_what(p, p->i, what, sizeof(what)));
	p->i += peek(p) == '\r' ? 2 : 1;
	return 0;
}

static int document(struct parser *p)
{
	int rc;

	while (p->i < p->len) {
		text_skip_ws(p);
		if (peek(p) == '[')
			rc = header_parse(p);
		else if (peek(p) != '#' && peek(p) != 0 && !at_newline(p))
			rc = keyval_parse(p, p->cur);
		else
			rc = 0;
		if (rc == 0)
			rc = end_of_line(p);
		if (rc)
			return rc;
	}
	return 0;
}

int toml_parse(const char *src, size_t len, struct toml_value **out,
	       struct toml_pos *errpos, struct err *e)
{
	struct toml_pos dummy;
	struct parser p = { 0 };
	int rc;

	*out = NULL;
	p.errpos = errpos ? errpos : &dummy;
	p.e = e;
	if (len > TOML_MAX_BYTES) {
		p.errpos->line = p.errpos->col = 0;
		return err_set(e, ERR_TOOBIG, "document is larger than %u bytes",
			       TOML_MAX_BYTES);
	}
	p.src = src;
	p.len = len;
	if (len >= 3 && (unsigned char)src[0] == 0xEF && (unsigned char)src[1] == 0xBB &&
	    (unsigned char)src[2] == 0xBF)
		p.start = 3;
	p.i = p.pc_off = p.start;
	p.pc_pos.line = p.pc_pos.col = 1;
	p.root = p.cur = value_new(TOML_TABLE, p.pc_pos, 0);
	buf_init(&p.scratch);
	rc = text_check(&p);
	if (rc == 0)
		rc = document(&p);
	buf_release(&p.scratch);
	if (rc) {
		toml_free(p.root);
		return rc;
	}
	*out = p.root;
	return 0;
}
