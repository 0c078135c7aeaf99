/*
 * test_toml.c - the TOML parser: positions, error positions and messages,
 * limits, lookups. Conformance to TOML 1.0 is proven by toml-test through
 * build/toml-decode; these tests pin down what orca's config errors rely on.
 */
#include "unit.h"

#include <pthread.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "config/toml.h"

static struct toml_value *parse_len(const char *src, size_t len)
{
	struct toml_value *root = NULL;
	struct toml_pos pos = { 0, 0 };
	struct err e = { 0 };
	int rc = toml_parse(src, len, &root, &pos, &e);

	if (rc != 0)
		UNIT_FAIL_AT("parse failed: %d:%d: %s", pos.line, pos.col, e.msg);
	return root;
}

static struct toml_value *parse(const char *src)
{
	return parse_len(src, strlen(src));
}

#define EXPECT_POS(want_line, want_col, pos)                           \
	do {                                                           \
		EXPECT_EQ_INT(want_line, (pos).line);                  \
		EXPECT_EQ_INT(want_col, (pos).col);                    \
	} while (0)

/* Parsing src must fail with code at line:col with exactly msg. */
#define EXPECT_FAIL_LEN(src, len, want_code, want_line, want_col, want_msg) \
	do {                                                           \
		struct toml_value *r_ = NULL;                          \
		struct toml_pos p_ = { -1, -1 };                       \
		struct err e_ = { 0 };                                 \
		int rc_ = toml_parse(src, len, &r_, &p_, &e_);         \
		EXPECT_EQ_INT(want_code, rc_);                         \
		EXPECT_EQ_INT(want_code, e_.code);                     \
		EXPECT_NULL(r_);                                       \
		EXPECT_POS(want_line, want_col, p_);                   \
		EXPECT_STREQ(want_msg, e_.msg);                        \
		toml_free(r_);                                         \
	} while (0)

#define EXPECT_FAIL(src, line, col, msg)                               \
	EXPECT_FAIL_LEN(src, strlen(src), ERR_INVALID, line, col, msg)

TEST(positions_of_keys_and_values)
{
	struct toml_value *root = parse("name = \"web\"\n"
					"  port = 8080\n"
					"\n"
					"[service.deploy]\n"
					"strategy = 'rolling'\n");
	const struct toml_keyval *kv;
	const struct toml_value *svc, *dep;

	kv = toml_get_kv(root, "name");
	EXPECT_NOT_NULL(kv);
	if (kv) {
		EXPECT_POS(1, 1, kv->pos);
		EXPECT_POS(1, 8, kv->value->pos);
	}
	kv = toml_get_kv(root, "port");
	EXPECT_NOT_NULL(kv);
	if (kv) {
		EXPECT_POS(2, 3, kv->pos);
		EXPECT_POS(2, 10, kv->value->pos);
		EXPECT_EQ_INT(8080, kv->value->u.integer);
	}
	kv = toml_get_kv(root, "service");
	svc = toml_get(root, "service");
	dep = toml_get(svc, "deploy");
	EXPECT_NOT_NULL(kv);
	EXPECT_NOT_NULL(dep);
	if (kv && dep) {
		EXPECT_POS(4, 2, kv->pos);
		EXPECT_POS(4, 10, toml_get_kv(svc, "deploy")->pos);
		EXPECT_POS(4, 1, dep->pos);
		EXPECT_POS(5, 12, toml_get(dep, "strategy")->pos);
	}
	toml_free(root);
}

TEST(columns_count_code_points_not_bytes)
{
	struct toml_value *root = parse("t = { a = \"日本\", b = 2 }\n"
					"\"ключ\" = 'é'  # ü\n"
					"x = 1\n");
	const struct toml_value *t = toml_get(root, "t");
	const struct toml_keyval *kv = toml_get_kv(t, "b");

	EXPECT_NOT_NULL(kv);
	if (kv) {
		EXPECT_POS(1, 17, kv->pos);
		EXPECT_POS(1, 21, kv->value->pos);
	}
	EXPECT_POS(1, 5, t->pos);
	kv = toml_get_kv(root, "ключ");
	EXPECT_NOT_NULL(kv);
	if (kv) {
		EXPECT_POS(2, 1, kv->pos);
		EXPECT_POS(2, 10, kv->value->pos);
	}
	EXPECT_POS(3, 5, toml_get(root, "x")->pos);
	toml_free(root);
}

static void check_after_multiline(const char *src)
{
	struct toml_value *root = parse(src);
	const struct toml_keyval *kv = toml_get_kv(root, "n");
	const struct toml_value *s = toml_get(root, "s"), *l = toml_get(root, "l");

	EXPECT_NOT_NULL(kv);
	if (kv) {
		EXPECT_POS(7, 1, kv->pos);
		EXPECT_POS(7, 5, kv->value->pos);
	}
	EXPECT_NOT_NULL(s);
	EXPECT_NOT_NULL(l);
	if (s && l) {
		EXPECT_STREQ("line1\nline2 b", s->u.str.ptr);
		EXPECT_STREQ("x\ny", l->u.str.ptr);
		EXPECT_POS(1, 5, s->pos);
		EXPECT_POS(5, 5, l->pos);
	}
	toml_free(root);
}

TEST(positions_after_multiline_strings_lf_and_crlf)
{
	check_after_multiline("s = \"\"\"\nline1\nline2 \\\n  b\"\"\"\n"
			      "l = '''x\ny'''\n"
			      "n = 1\n");
	check_after_multiline("s = \"\"\"\r\nline1\r\nline2 \\\r\n  b\"\"\"\r\n"
			      "l = '''x\r\ny'''\r\n"
			      "n = 1\r\n");
}

TEST(positions_of_headers_arrays_and_bom)
{
	struct toml_value *root = parse("\xEF\xBB\xBF" "a = [1,\n  2]\n"
					"[[node]]\n"
					"[[node]]\n"
					"  name = 'b'\n");
	const struct toml_value *a = toml_get(root, "a"), *node = toml_get(root, "node");

	EXPECT_NOT_NULL(a);
	EXPECT_NOT_NULL(node);
	if (a && node) {
		EXPECT_POS(1, 5, a->pos);
		EXPECT_POS(1, 6, a->u.arr.items[0]->pos);
		EXPECT_POS(2, 3, a->u.arr.items[1]->pos);
		EXPECT_EQ_INT(2, node->u.arr.len);
		EXPECT_POS(3, 1, node->pos);
		EXPECT_POS(3, 3, toml_get_kv(root, "node")->pos);
		EXPECT_POS(4, 1, node->u.arr.items[1]->pos);
		EXPECT_POS(5, 10, toml_get(node->u.arr.items[1], "name")->pos);
	}
	toml_free(root);
}

TEST(error_positions_and_messages)
{
	EXPECT_FAIL("a = 1\na = 2\n", 2, 1, "key 'a' is already defined as an integer");
	EXPECT_FAIL("[a]\n[a]\n", 2, 2, "table 'a' is already defined (line 1)");
	EXPECT_FAIL("a = \n", 1, 5, "expected a value, found end of line");
	EXPECT_FAIL("name = web\n", 1, 8,
		    "expected a value (a string needs quotes), found 'web'");
	EXPECT_FAIL("n = 9223372036854775808\n", 1, 5,
		    "integer out of range: '9223372036854775808'");
	EXPECT_FAIL("n = 012\n", 1, 5, "leading zeros are not allowed in integer '012'");
	EXPECT_FAIL("f = 1._5\n", 1, 5, "invalid float '1._5'");
	EXPECT_FAIL("d = 2021-02-29\n", 1, 5, "day out of range in '2021-02-29'");
	EXPECT_FAIL("t = 24:00:00\n", 1, 5, "time out of range in '24:00:00'");
	EXPECT_FAIL("s = \"\\ud800\"\n", 1, 6,
		    "escape '\\ud800' is not a Unicode scalar value");
	EXPECT_FAIL("s = \"\\q\"\n", 1, 6, "invalid escape sequence '\\q'");
	EXPECT_FAIL("s = \"abc\n", 1, 9, "string not closed before the end of the line");
	EXPECT_FAIL("s = '''abc\n", 1, 5, "unterminated string");
	EXPECT_FAIL("s = \"a\x01\"\n", 1, 7,
		    "control character U+0001 is not allowed (in a string, escape it)");
	EXPECT_FAIL("a = 1\r\nb = 2\r", 2, 6, "carriage return must be followed by a newline");
	EXPECT_FAIL("é = \"\xC0\xAF\"\n", 1, 6, "invalid UTF-8 (byte 0xC0)");
	EXPECT_FAIL("s = \"\xED\xA0\x80\"\n", 1, 6, "invalid UTF-8 (byte 0xED)");
	EXPECT_FAIL("t = {a = 1,}\n", 1, 12, "no trailing comma is allowed in an inline table");
	EXPECT_FAIL("t = {a = 1\n}\n", 1, 11, "an inline table must be on one line");
	EXPECT_FAIL("a = [1 2]\n", 1, 8, "expected ',' or ']' after an array element, found '2'");
	EXPECT_FAIL("a = 1 b = 2\n", 1, 7, "expected the end of the line, found 'b'");
	EXPECT_FAIL("a b = 1\n", 1, 3, "expected '=' after key 'a', found 'b'");
	EXPECT_FAIL("= 1\n", 1, 1, "expected a key, found '='");
	EXPECT_FAIL("[a\n", 1, 3, "expected ']' to close the header, found end of line");
	EXPECT_FAIL("[[a]\n", 1, 5, "expected ']]' to close the header, found end of line");
	EXPECT_FAIL("\"\"\"k\"\"\" = 1\n", 1, 1, "a key cannot be a multi-line string");
}

TEST(error_positions_after_multiline_and_crlf)
{
	EXPECT_FAIL("s = '''\nx\n'''\nbad\n", 4, 4, "expected '=' after key 'bad', found end of line");
	EXPECT_FAIL("s = \"\"\"\r\nx\r\n\"\"\"\r\n\r\n  ok = 1 2\r\n", 5, 10,
		    "expected the end of the line, found '2'");
}

TEST(redefinition_rules)
{
	EXPECT_FAIL("[a]\nb.c = 1\n[a.b]\n", 3, 4, "table 'a.b' is already defined (line 2)");
	EXPECT_FAIL("a = {x = 1}\na.y = 2\n", 2, 1,
		    "table 'a' is already defined as an inline table");
	EXPECT_FAIL("a = {x = 1}\n[a.b]\n", 2, 2, "key 'a' is already defined as an inline table");
	EXPECT_FAIL("a = [1]\n[[a]]\n", 2, 3, "key 'a' is already defined as an array");
	EXPECT_FAIL("[a.b.c]\n[a]\nb.c.d = 1\n", 3, 3, "table 'b.c' is already defined (line 1)");
	EXPECT_FAIL("[[a]]\n[a]\n", 2, 2, "key 'a' is already defined as an array");
	EXPECT_FAIL("a.b = 1\na.b.c = 2\n", 2, 3, "key 'a.b' is already defined as an integer");
	EXPECT_FAIL("t = {a.b = 1, a = 2}\n", 1, 15, "key 'a' is already defined as a table (line 1)");
	/* and what stays allowed */
	toml_free(parse("[a.b]\n[a]\nx = 1\n"));
	toml_free(parse("[x]\ny.z = 1\n[x.y.w]\n"));
	toml_free(parse("[a.b.c]\n[a]\nb.d = 1\n"));
	toml_free(parse("[[a.b]]\n[a]\n[[a.b]]\n"));
	toml_free(parse("t = {a.b = 1, a.c = 2}\n"));
}

TEST(duplicate_detection_in_a_big_table)
{
	char *doc = xmalloc(200000);
	size_t len = 0;
	struct toml_value *root;
	char key[32];
	int k;

	for (k = 0; k < 5000; k++)
		len += (size_t)sprintf(doc + len, "key%d = %d\n", k, k);
	root = parse_len(doc, len);
	EXPECT_NOT_NULL(root);
	if (root) {
		EXPECT_EQ_INT(5000, root->u.tab.len);
		for (k = 0; k < 5000; k += 7) {
			snprintf(key, sizeof(key), "key%d", k);
			EXPECT_EQ_INT(k, toml_get(root, key)->u.integer);
			EXPECT_POS(k + 1, 1, toml_get_kv(root, key)->pos);
		}
		EXPECT_NULL(toml_get(root, "key5000"));
		EXPECT_STREQ("key4999", root->u.tab.items[4999].key);  /* document order */
	}
	toml_free(root);
	len += (size_t)sprintf(doc + len, "key2500 = 1\n");
	EXPECT_FAIL_LEN(doc, len, ERR_INVALID, 5001, 1,
			"key 'key2500' is already defined as an integer");
	free(doc);
}

TEST(size_limit)
{
	size_t n = TOML_MAX_BYTES;
	char *doc = xmalloc(n + 1);
	struct toml_value *root;

	memset(doc, '\n', n + 1);
	memcpy(doc, "a = 1", 5);
	memcpy(doc + n - 5, "b = 2", 5);
	root = parse_len(doc, n);
	EXPECT_NOT_NULL(toml_get(root, "b"));
	toml_free(root);
	EXPECT_FAIL_LEN(doc, n + 1, ERR_TOOBIG, 0, 0, "document is larger than 4194304 bytes");
	free(doc);
}

/* prefix, n times open, mid, n times close, suffix */
static char *nest(const char *prefix, const char *open, int n, const char *mid,
		  const char *close, const char *suffix)
{
	size_t lo = strlen(open), lc = strlen(close), len = strlen(prefix);
	char *s = xmalloc(len + (size_t)n * (lo + lc) + strlen(mid) + strlen(suffix) + 1);
	int k;

	memcpy(s, prefix, len);
	for (k = 0; k < n; k++, len += lo)
		memcpy(s + len, open, lo);
	strcpy(s + len, mid);
	len += strlen(mid);
	for (k = 0; k < n; k++, len += lc)
		memcpy(s + len, close, lc);
	strcpy(s + len, suffix);
	return s;
}

/* n levels parse; n + 1 fail at column bad_col. */
#define EXPECT_DEPTH(prefix, open, n, mid, close, suffix, bad_col)               \
	do {                                                                     \
		char *ok_ = nest(prefix, open, n, mid, close, suffix);           \
		char *bad_ = nest(prefix, open, (n) + 1, mid, close, suffix);    \
		toml_free(parse(ok_));                                           \
		EXPECT_FAIL_LEN(bad_, strlen(bad_), ERR_TOOBIG, 1, bad_col,      \
				"nesting deeper than 64 levels");                \
		free(ok_);                                                       \
		free(bad_);                                                      \
	} while (0)

TEST(depth_limit)
{
	char *huge;

	/* 64 arrays; 64 inline tables; 64 tables from dotted keys, with or without
	 * an inline table at the end; 64 header parts; 63 + an array of tables */
	EXPECT_DEPTH("a = ", "[", 64, "", "]", "\n", 5 + 64);
	EXPECT_DEPTH("a = ", "{b=", 64, "1", "}", "\n", 5 + 3 * 64);
	EXPECT_DEPTH("", "a.", 63, "b = {}", "", "\n", 2 * 64 + 5);
	EXPECT_DEPTH("", "a.", 64, "b = 1", "", "\n", 2 * 65 + 1);
	EXPECT_DEPTH("[", "a.", 63, "b]", "", "\n", 2 + 2 * 64);
	EXPECT_DEPTH("[[", "a.", 62, "b]]", "", "\n", 3 + 2 * 63);
	/* a hostile document is refused early, not by exhausting the stack */
	huge = nest("a = ", "[", 1000000, "", "]", "\n");
	EXPECT_FAIL_LEN(huge, strlen(huge), ERR_TOOBIG, 1, 5 + 64, "nesting deeper than 64 levels");
	free(huge);
}

static void *parse_deep(void *arg)
{
	const char *doc = arg;

	toml_free(parse(doc));
	return NULL;
}

TEST(deepest_document_fits_a_small_thread_stack)
{
	char *doc = nest("a = ", "{b=", 64, "1", "}", "\n");
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	EXPECT_EQ_INT(0, pthread_create(&t, &attr, parse_deep, doc));
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	free(doc);
}

TEST(lookup_helpers)
{
	struct toml_value *root = parse("a = 1\n\"k\\u0000x\" = 2\n[t]\nb = 'x'\n");
	const struct toml_keyval *kv;

	EXPECT_NULL(toml_get(NULL, "a"));
	EXPECT_NULL(toml_get(toml_get(root, "a"), "a"));  /* not a table */
	EXPECT_NULL(toml_get(root, "missing"));
	EXPECT_NULL(toml_get(root, "k"));  /* the key holding U+0000 is not "k" */
	EXPECT_STREQ("x", toml_get(toml_get(root, "t"), "b")->u.str.ptr);
	kv = &root->u.tab.items[1];
	EXPECT_EQ_INT(3, kv->key_len);
	EXPECT_TRUE(memcmp(kv->key, "k\0x", 4) == 0);
	EXPECT_EQ_INT(2, kv->value->u.integer);
	toml_free(root);
}

TEST(type_names)
{
	EXPECT_STREQ("table", toml_type_name(TOML_TABLE));
	EXPECT_STREQ("array", toml_type_name(TOML_ARRAY));
	EXPECT_STREQ("string", toml_type_name(TOML_STRING));
	EXPECT_STREQ("integer", toml_type_name(TOML_INTEGER));
	EXPECT_STREQ("float", toml_type_name(TOML_FLOAT));
	EXPECT_STREQ("boolean", toml_type_name(TOML_BOOL));
	EXPECT_STREQ("offset date-time", toml_type_name(TOML_DATETIME));
	EXPECT_STREQ("local date-time", toml_type_name(TOML_DATETIME_LOCAL));
	EXPECT_STREQ("local date", toml_type_name(TOML_DATE_LOCAL));
	EXPECT_STREQ("local time", toml_type_name(TOML_TIME_LOCAL));
}

TEST(scalar_values)
{
	struct toml_value *root = parse("min = -9223372036854775808\n"
					"max = 0x7fff_ffff_ffff_ffff\n"
					"bin = 0b1010\noct = 0o17\n"
					"f = -1_000.5e-2\ninf = -inf\n"
					"s = \"tab\\there \\U0001F600\"\n"
					"nul = \"a\\u0000b\"\n"
					"dt = 1979-05-27 07:32:00.123456789123-07:30\n"
					"ld = 2000-02-29\n");
	const struct toml_value *dt = toml_get(root, "dt"), *nul = toml_get(root, "nul");

	EXPECT_TRUE(toml_get(root, "min")->u.integer == INT64_MIN);
	EXPECT_TRUE(toml_get(root, "max")->u.integer == INT64_MAX);
	EXPECT_EQ_INT(10, toml_get(root, "bin")->u.integer);
	EXPECT_EQ_INT(15, toml_get(root, "oct")->u.integer);
	EXPECT_EQ_DBL(-10.005, toml_get(root, "f")->u.flt);
	EXPECT_TRUE(isinf(toml_get(root, "inf")->u.flt) && toml_get(root, "inf")->u.flt < 0);
	EXPECT_STREQ("tab\there \xF0\x9F\x98\x80", toml_get(root, "s")->u.str.ptr);
	EXPECT_EQ_INT(3, nul->u.str.len);
	EXPECT_EQ_INT(TOML_DATETIME, dt->type);
	EXPECT_EQ_INT(1979, dt->u.dt.year);
	EXPECT_EQ_INT(32, dt->u.dt.minute);
	EXPECT_EQ_INT(123456789, dt->u.dt.nanosecond);
	EXPECT_EQ_INT(12, dt->u.dt.frac_digits);
	EXPECT_EQ_INT(-450, dt->u.dt.offset_minutes);
	EXPECT_FALSE(dt->u.dt.offset_z);
	EXPECT_EQ_INT(TOML_DATE_LOCAL, toml_get(root, "ld")->type);
	toml_free(root);
}

TEST(errpos_and_err_may_be_null)
{
	struct toml_value *root = NULL;

	EXPECT_EQ_INT(ERR_INVALID, toml_parse("a = ", 4, &root, NULL, NULL));
	EXPECT_NULL(root);
	EXPECT_EQ_INT(0, toml_parse("", 0, &root, NULL, NULL));
	EXPECT_NOT_NULL(root);
	EXPECT_EQ_INT(0, root ? root->u.tab.len : 99);
	toml_free(root);
}

UNIT_MAIN
