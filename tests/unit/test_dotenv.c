/*
 * test_dotenv.c - store/dotenv: the .env parser.
 */
#include "unit.h"

#include "base/xalloc.h"
#include "store/dotenv.h"

static struct dotenv d;
static struct err e;

static int parse(const char *text)
{
	dotenv_free(&d);
	memset(&e, 0, sizeof(e));
	return dotenv_parse(text, strlen(text), &d, &e);
}

/* The value of key, or NULL. */
static const char *val(const char *key)
{
	for (size_t i = 0; i < d.n; i++)
		if (strcmp(d.entries[i].key, key) == 0)
			return d.entries[i].value;
	return NULL;
}

TEST(plain_pairs_comments_and_blank_lines)
{
	EXPECT_EQ_INT(0, parse("# comment\n\nA=1\n  B = two words  \n\t# indented\nC=\n"));
	EXPECT_EQ_INT(3, d.n);
	EXPECT_STREQ("A", d.entries[0].key);
	EXPECT_STREQ("1", d.entries[0].value);
	EXPECT_EQ_INT(3, d.entries[0].line);
	EXPECT_STREQ("two words", val("B"));
	EXPECT_EQ_INT(9, d.entries[1].len);
	EXPECT_STREQ("", val("C"));
	EXPECT_EQ_INT(6, d.entries[2].line);
}

TEST(export_prefix_and_keys_named_export)
{
	EXPECT_EQ_INT(0, parse("export A=1\nexport\tB=2\nexport=3\nexported=4"));
	EXPECT_STREQ("1", val("A"));
	EXPECT_STREQ("2", val("B"));
	EXPECT_STREQ("3", val("export"));
	EXPECT_STREQ("4", val("exported"));
	EXPECT_EQ_INT(ERR_INVALID, parse("export A"));
	EXPECT_STREQ("line 1: expected '=' after 'A'", e.msg);
}

TEST(unquoted_values_end_at_a_comment_after_a_blank)
{
	EXPECT_EQ_INT(0, parse("A=x # note\nB=#fff\nC=a#b\nD= # empty\n"));
	EXPECT_STREQ("x", val("A"));
	EXPECT_STREQ("#fff", val("B"));
	EXPECT_STREQ("a#b", val("C"));
	EXPECT_STREQ("", val("D"));
}

TEST(single_quotes_are_literal)
{
	EXPECT_EQ_INT(0, parse("A='a \\n $x \"q\" # not a comment'  # c\nB=''\n"));
	EXPECT_STREQ("a \\n $x \"q\" # not a comment", val("A"));
	EXPECT_STREQ("", val("B"));
}

TEST(double_quotes_take_escapes)
{
	EXPECT_EQ_INT(0, parse("A=\"l1\\nl2\\t\\\"q\\\" \\\\ \\$HOME\"\n"));
	EXPECT_STREQ("l1\nl2\t\"q\" \\ $HOME", val("A"));
	EXPECT_EQ_INT(ERR_INVALID, parse("A=1\nB=\"bad \\d escape\"\n"));
	EXPECT_CONTAINS(e.msg, "line 2: unknown escape");
	EXPECT_FALSE(strstr(e.msg, "bad") != NULL);
}

TEST(quoted_values_span_lines_and_keep_line_numbers)
{
	EXPECT_EQ_INT(0, parse("KEY=\"-----BEGIN\nabc\n-----END\"\nNEXT='x\ny'\nLAST=1\n"));
	EXPECT_STREQ("-----BEGIN\nabc\n-----END", val("KEY"));
	EXPECT_STREQ("x\ny", val("NEXT"));
	EXPECT_EQ_INT(4, d.entries[1].line);
	EXPECT_EQ_INT(6, d.entries[2].line);
	EXPECT_EQ_INT(ERR_INVALID, parse("A=\"x\ny\n\nB=\"\\q\"\n"));
	EXPECT_CONTAINS(e.msg, "line 4: unexpected text after the closing quote");
}

TEST(crlf_line_ends_are_accepted)
{
	EXPECT_EQ_INT(0, parse("A=1\r\nB = two \r\nC=\"x\r\ny\"\r\nD='z'\r\n"));
	EXPECT_STREQ("1", val("A"));
	EXPECT_STREQ("two", val("B"));
	EXPECT_STREQ("x\ny", val("C"));
	EXPECT_STREQ("z", val("D"));
}

TEST(errors_name_the_line)
{
	EXPECT_EQ_INT(ERR_INVALID, parse("A=1\n\nnot a pair\n"));
	EXPECT_STREQ("line 3: expected '=' after 'not'", e.msg);
	EXPECT_EQ_INT(0, d.n);
	EXPECT_NULL(d.entries);
	EXPECT_EQ_INT(ERR_INVALID, parse("A=1\n=value\n"));
	EXPECT_STREQ("line 2: expected KEY=VALUE", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, parse("1A=x"));
	EXPECT_STREQ("line 1: expected KEY=VALUE", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, parse("A='open\n\n"));
	EXPECT_STREQ("line 1: unterminated single-quoted value", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, parse("\nA=\"open \\\"\n"));
	EXPECT_STREQ("line 2: unterminated double-quoted value", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, parse("A='x' y"));
	EXPECT_STREQ("line 1: unexpected text after the closing quote", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, parse("A=1\nB=2\nA=3\n"));
	EXPECT_STREQ("line 3: 'A' is set again (first on line 1)", e.msg);
}

TEST(nul_bytes_are_refused)
{
	EXPECT_EQ_INT(ERR_INVALID, dotenv_parse("A=1\nB=x\0y\n", 10, &d, &e));
	EXPECT_STREQ("line 2: NUL byte in the text", e.msg);
}

TEST(text_need_not_be_nul_terminated)
{
	char text[] = { 'A', '=', '1', '\n', 'B', '=', '2' };

	EXPECT_EQ_INT(0, dotenv_parse(text, sizeof(text), &d, &e));
	EXPECT_STREQ("2", val("B"));
	dotenv_free(&d);
	EXPECT_EQ_INT(ERR_INVALID, dotenv_parse("A='x", 4, &d, &e));
	EXPECT_EQ_INT(ERR_INVALID, dotenv_parse("A=\"x\\", 5, &d, &e));
}

TEST(bounds_on_text_lines_keys_and_entries)
{
	struct { char *p; size_t n; } t;
	size_t big = DOTENV_TEXT_MAX + 1;

	t.p = xmalloc(big);
	memset(t.p, '#', big);
	EXPECT_EQ_INT(ERR_TOOBIG, dotenv_parse(t.p, big, &d, &e));
	memcpy(t.p, "A=", 2);
	memset(t.p + 2, 'v', DOTENV_LINE_MAX);
	EXPECT_EQ_INT(ERR_INVALID, dotenv_parse(t.p, DOTENV_LINE_MAX + 2, &d, &e));
	EXPECT_STREQ("line 1: longer than 65536 bytes", e.msg);
	EXPECT_EQ_INT(0, dotenv_parse(t.p, DOTENV_LINE_MAX, &d, &e));
	dotenv_free(&d);
	memset(t.p, 'K', DOTENV_KEY_MAX + 1);
	t.p[DOTENV_KEY_MAX + 1] = '=';
	EXPECT_EQ_INT(ERR_INVALID, dotenv_parse(t.p, DOTENV_KEY_MAX + 2, &d, &e));
	EXPECT_CONTAINS(e.msg, "key longer than");
	t.n = 0;
	for (int i = 0; i <= DOTENV_ENTRIES_MAX; i++)
		t.n += (size_t)sprintf(t.p + t.n, "K%d=%d\n", i, i);
	EXPECT_EQ_INT(ERR_INVALID, dotenv_parse(t.p, t.n, &d, &e));
	EXPECT_STREQ("line 1001: more than 1000 entries", e.msg);
	free(t.p);
}

TEST(empty_text_is_an_empty_list)
{
	EXPECT_EQ_INT(0, dotenv_parse(NULL, 0, &d, &e));
	EXPECT_EQ_INT(0, d.n);
	EXPECT_EQ_INT(0, parse("\n# only a comment\n\n"));
	EXPECT_EQ_INT(0, d.n);
}

TEST(free_is_idempotent)
{
	dotenv_free(&d);
	dotenv_free(&d);
	EXPECT_EQ_INT(0, d.n);
}

UNIT_MAIN
