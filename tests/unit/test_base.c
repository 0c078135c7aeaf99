/*
 * test_base.c - err, buf, xalloc, log.
 */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/envref.h"
#include "base/err.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/utf8.h"
#include "base/xalloc.h"

TEST(err_set_formats_and_returns_code)
{
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_INVALID, err_set(&e, ERR_INVALID, "bad '%s'", "x"));
	EXPECT_EQ_INT(ERR_INVALID, e.code);
	EXPECT_STREQ("bad 'x'", e.msg);
}

TEST(err_wrap_prepends_context)
{
	struct err e = { 0 };

	err_set(&e, ERR_NOTFOUND, "no such image");
	EXPECT_EQ_INT(ERR_NOTFOUND, err_wrap(&e, "service '%s'", "web/api"));
	EXPECT_STREQ("service 'web/api': no such image", e.msg);
}

TEST(err_wrap_truncates_without_overflow)
{
	struct err e = { 0 };
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, ERR_FAIL, "%s", big);
	err_wrap(&e, "%s", big);
	EXPECT_EQ_INT(sizeof(e.msg) - 1, strlen(e.msg));
}

TEST(err_errno_appends_strerror)
{
	struct err e = { 0 };

	EXPECT_EQ_INT(-ENOENT, err_errno(&e, ENOENT, "open '%s'", "f"));
	EXPECT_STREQ("open 'f': No such file or directory", e.msg);
}

TEST(buf_appends_and_steals)
{
	struct buf b = BUF_INIT;
	char *s;

	EXPECT_STREQ("", buf_str(&b));
	buf_puts(&b, "ab");
	buf_printf(&b, "%d-%s", 42, "x");
	buf_putc(&b, '!');
	EXPECT_STREQ("ab42-x!", buf_str(&b));
	buf_consume(&b, 2);
	EXPECT_STREQ("42-x!", buf_str(&b));
	s = buf_steal(&b);
	EXPECT_STREQ("42-x!", s);
	EXPECT_EQ_INT(0, b.len);
	free(s);
}

TEST(xgrow_doubles_capacity)
{
	int *a = NULL;
	size_t cap = 0;

	XGROW(a, cap, 3);
	EXPECT_EQ_INT(8, cap);
	XGROW(a, cap, 9);
	EXPECT_EQ_INT(16, cap);
	free(a);
}

TEST(xasprintf_formats)
{
	char *s = xasprintf("%s/%d", "web", 3);

	EXPECT_STREQ("web/3", s);
	free(s);
}

TEST(utf8_accepts_valid_and_rejects_invalid)
{
	EXPECT_EQ_INT(1, utf8_seq_len((const unsigned char *)"a", 1));
	EXPECT_EQ_INT(2, utf8_seq_len((const unsigned char *)"\xc3\xa9", 2));
	EXPECT_EQ_INT(4, utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4));
	EXPECT_EQ_INT(0, utf8_seq_len((const unsigned char *)"\xc0\xaf", 2));     /* overlong */
	EXPECT_EQ_INT(0, utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3)); /* surrogate */
	EXPECT_EQ_INT(0, utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80", 4));
	EXPECT_EQ_INT(0, utf8_seq_len((const unsigned char *)"\xe2\x82", 2));     /* truncated */
}

TEST(utf8_sanitize_replaces_bad_bytes_and_nul)
{
	size_t n;
	char *s = utf8_sanitize("a\xff\0b\xc3\xa9", 6, &n);

	EXPECT_STREQ("a\xef\xbf\xbd\xef\xbf\xbd" "b\xc3\xa9", s);
	EXPECT_EQ_INT(10, n);
	free(s);
}

TEST(rfc3339_reads_docker_times)
{
	EXPECT_EQ_INT(1764428692123LL, rfc3339_to_ms("2025-11-29T15:04:52.123456789Z"));
	EXPECT_EQ_INT(1764428692000LL, rfc3339_to_ms("2025-11-29T17:04:52+02:00"));
	EXPECT_EQ_INT(0, rfc3339_to_ms("0001-01-01T00:00:00Z"));
	EXPECT_EQ_INT(0, rfc3339_to_ms("2025-11-29 15:04:52"));
	EXPECT_EQ_INT(0, rfc3339_to_ms("2025-11-29T15:04:52Zjunk"));
	EXPECT_EQ_INT(0, rfc3339_to_ms(""));
	/* found by fuzz_meta: an offset cut short was read past the end */
	EXPECT_EQ_INT(0, rfc3339_to_ms("2026-11-30T15:02:52.1232-"));
	EXPECT_EQ_INT(0, rfc3339_to_ms("2026-11-30T15:02:52+02"));
}

static int collect(void *arg, const char *key, size_t len)
{
	struct buf *b = arg;

	buf_append(b, key, len);
	buf_putc(b, ';');
	return 0;
}

TEST(envref_finds_references_and_skips_literals)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, envref_scan("a${secrets.DB}$$${secrets.X_1} $HOME $ $${secrets.NO}",
				     collect, &b, &e));
	EXPECT_STREQ("DB;X_1;", buf_str(&b));
	buf_release(&b);
}

TEST(envref_rejects_what_it_does_not_know)
{
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_INVALID, envref_scan("${HOME}", NULL, NULL, &e));
	EXPECT_STREQ("'${HOME}' is not a reference orca knows (use ${secrets.KEY}, or $$ for "
		     "a literal '$')", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, envref_scan("x ${secrets.A", NULL, NULL, &e));
	EXPECT_STREQ("'${' without a closing '}'", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, envref_scan("${secrets.9A}", NULL, NULL, &e));
	EXPECT_EQ_INT(ERR_INVALID, envref_scan("${secrets.}", NULL, NULL, &e));
}

UNIT_MAIN

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = xcalloc(1, 65536);

	if (f) {
		size_t n = fread(text, 1, 65535, f);

		text[n] = '\0';
		fclose(f);
	}
	return text;
}

TEST(log_goes_to_its_file_as_json_lines_and_reopens_after_a_move)
{
	char dir[] = "/tmp/orca-log-XXXXXX";
	char path[64], moved[64];
	struct log_field f[] = { { "project", "shop", 0 }, { "replica", NULL, 2 } };
	enum log_format fmt = LOG_TEXT;
	struct err e = { 0 };
	int saved = dup(2);
	char *a, *b;

	EXPECT_EQ_INT(ERR_INVALID, log_format_parse("xml", &fmt, &e));
	EXPECT_EQ_INT(0, log_format_parse("json", &fmt, &e));
	EXPECT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/orca.log", dir);
	snprintf(moved, sizeof(moved), "%s/orca.log.1", dir);
	EXPECT_EQ_INT(0, log_open(path, &e));
	log_set_format(fmt);
	log_at(LOG_WARN, f, 2, "replica %d of '%s' \xff crashed", 2, "shop");
	EXPECT_EQ_INT(0, rename(path, moved));
	EXPECT_EQ_INT(0, log_reopen(&e));
	log_line("after");
	log_set_format(LOG_TEXT);
	log_line("text again");
	dup2(saved, 2);
	close(saved);
	a = slurp(moved);
	b = slurp(path);
	EXPECT_CONTAINS(a, "\"level\":\"warn\",\"msg\":\"replica 2 of 'shop' \xef\xbf\xbd crashed\","
			"\"project\":\"shop\",\"replica\":2}\n");
	EXPECT_TRUE(strncmp(a, "{\"time\":\"", 9) == 0);
	EXPECT_FALSE(strstr(a, "after") != NULL);
	EXPECT_CONTAINS(b, "\"level\":\"info\",\"msg\":\"after\"}\n");
	EXPECT_CONTAINS(b, "Z orca: text again\n");
	EXPECT_STREQ(path, log_path());
	unlink(path);
	unlink(moved);
	rmdir(dir);
	free(a);
	free(b);
}
