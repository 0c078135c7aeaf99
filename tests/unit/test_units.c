/*
 * test_units.c - memory sizes, CPU amounts, durations.
 */
#include "unit.h"

#include "config/units.h"

static int64_t mem(const char *s)
{
	struct err e = { 0 };
	int64_t v = -1;

	if (units_parse_memory(s, &v, &e) < 0)
		return -1;
	return v;
}

static const char *mem_err(const char *s)
{
	static struct err e;
	int64_t v;

	err_clear(&e);
	if (units_parse_memory(s, &v, &e) == 0)
		return "(no error)";
	return e.msg;
}

TEST(memory_binary_units)
{
	EXPECT_EQ_INT(512LL << 20, mem("512Mi"));
	EXPECT_EQ_INT(1LL << 30, mem("1Gi"));
	EXPECT_EQ_INT(2048, mem("2Ki"));
	EXPECT_EQ_INT(3LL << 40, mem("3Ti"));
}

TEST(memory_decimal_units)
{
	EXPECT_EQ_INT(256000000, mem("256M"));
	EXPECT_EQ_INT(1000, mem("1K"));
	EXPECT_EQ_INT(2000000000, mem("2G"));
	EXPECT_EQ_INT(1000000000000LL, mem("1T"));
}

TEST(memory_fractions_are_exact)
{
	EXPECT_EQ_INT(1610612736, mem("1.5Gi"));
	EXPECT_EQ_INT(1536, mem("1.5Ki"));
	/* 0.1Ki is 102.4 bytes: rounds up to a whole byte */
	EXPECT_EQ_INT(103, mem("0.1Ki"));
	EXPECT_EQ_INT(1, mem("0.000001M"));
}

TEST(memory_plain_bytes)
{
	EXPECT_EQ_INT(1024, mem("1024"));
	EXPECT_EQ_INT(0, mem("0"));
	EXPECT_CONTAINS(mem_err("1.5"), "not a whole number of bytes");
}

TEST(memory_rejects_bad_text)
{
	EXPECT_STREQ("unknown unit 'MB' in '512MB' (use Ki, Mi, Gi, Ti, K, M, G or T)",
		     mem_err("512MB"));
	EXPECT_CONTAINS(mem_err("512mi"), "unknown unit 'mi'");
	EXPECT_CONTAINS(mem_err("1 Gi"), "unknown unit ' Gi'");
	EXPECT_STREQ("'-1Gi' is negative", mem_err("-1Gi"));
	EXPECT_STREQ("'Gi' is not a number", mem_err("Gi"));
	EXPECT_STREQ("'.5Gi' is not a number", mem_err(".5Gi"));
	EXPECT_STREQ("'1.Gi' is not a number", mem_err("1.Gi"));
	EXPECT_CONTAINS(mem_err(""), "empty");
	EXPECT_STREQ("'1.1234567Gi' has more than 6 decimals", mem_err("1.1234567Gi"));
}

TEST(memory_rejects_overflow)
{
	EXPECT_EQ_INT(INT64_MAX, mem("9223372036854775807"));
	EXPECT_STREQ("'9223372036854775808' is too large", mem_err("9223372036854775808"));
	EXPECT_STREQ("'8388608Ti' is too large", mem_err("8388608Ti"));
	EXPECT_EQ_INT(8388607LL << 40, mem("8388607Ti"));
	EXPECT_CONTAINS(mem_err("99999999999999999999999"), "too large");
	EXPECT_CONTAINS(mem_err("9223372036854775807K"), "too large");
	EXPECT_CONTAINS(mem_err("9223372036854775806.5Ki"), "too large");
}

TEST(cpu_to_millis)
{
	struct err e = { 0 };
	int64_t m = 0;

	EXPECT_EQ_INT(0, units_cpu_millis(1.5, &m, &e));
	EXPECT_EQ_INT(1500, m);
	EXPECT_EQ_INT(0, units_cpu_millis(0.001, &m, &e));
	EXPECT_EQ_INT(1, m);
	EXPECT_EQ_INT(0, units_cpu_millis(2, &m, &e));
	EXPECT_EQ_INT(2000, m);
	EXPECT_EQ_INT(0, units_cpu_millis(0.25, &m, &e));
	EXPECT_EQ_INT(250, m);
}

TEST(cpu_bounds)
{
	struct err e = { 0 };
	int64_t m = 0;

	EXPECT_EQ_INT(ERR_INVALID, units_cpu_millis(0, &m, &e));
	EXPECT_STREQ("0 is less than 0.001", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, units_cpu_millis(-1, &m, &e));
	EXPECT_EQ_INT(ERR_INVALID, units_cpu_millis(0.0009, &m, &e));
	EXPECT_EQ_INT(ERR_INVALID, units_cpu_millis(NAN, &m, &e));
	EXPECT_EQ_INT(ERR_INVALID, units_cpu_millis(INFINITY, &m, &e));
	EXPECT_EQ_INT(ERR_INVALID, units_cpu_millis(1e7, &m, &e));
}

static int64_t dur(const char *s)
{
	struct err e = { 0 };
	int64_t v = -1;

	if (units_parse_duration(s, &v, &e) < 0)
		return -1;
	return v;
}

static const char *dur_err(const char *s)
{
	static struct err e;
	int64_t v;

	err_clear(&e);
	if (units_parse_duration(s, &v, &e) == 0)
		return "(no error)";
	return e.msg;
}

TEST(durations)
{
	EXPECT_EQ_INT(5000, dur("5s"));
	EXPECT_EQ_INT(500, dur("500ms"));
	EXPECT_EQ_INT(60000, dur("1m"));
	EXPECT_EQ_INT(3600000, dur("1h"));
	EXPECT_EQ_INT(90000, dur("1m30s"));
	EXPECT_EQ_INT(1500, dur("1.5s"));
	EXPECT_EQ_INT(0, dur("0"));
	EXPECT_EQ_INT(0, dur("0s"));
	EXPECT_EQ_INT(1, dur("0.5ms"));
}

TEST(durations_rejected)
{
	EXPECT_STREQ("missing unit in '5' (use ms, s, m or h)", dur_err("5"));
	EXPECT_STREQ("unknown unit 'sec' in '5sec' (use ms, s, m or h)", dur_err("5sec"));
	EXPECT_STREQ("'-5s' is negative", dur_err("-5s"));
	EXPECT_STREQ("'s' is not a number", dur_err("s"));
	EXPECT_STREQ("'9000h' is longer than a year", dur_err("9000h"));
	EXPECT_CONTAINS(dur_err("8000h8000h"), "longer than a year");
	EXPECT_CONTAINS(dur_err(""), "empty");
}

UNIT_MAIN
