/*
 * test_base.c - err, buf, xalloc.
 */
#include "unit.h"

#include <errno.h>

#include "base/buf.h"
#include "base/err.h"
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

UNIT_MAIN
