/*
 * test_cron.c - cron expressions: parsing, errors, next run.
 */
#include "unit.h"

#include "config/cron.h"

static struct cron_spec parse_ok(const char *s)
{
	struct cron_spec c = { 0 };
	struct err e = { 0 };

	if (cron_parse(s, &c, &e) < 0)
		UNIT_FAIL_AT("cron_parse(\"%s\"): %s", s, e.msg);
	return c;
}

static const char *parse_err(const char *s)
{
	static struct err e;
	struct cron_spec c;

	err_clear(&e);
	if (cron_parse(s, &c, &e) == 0)
		return "(no error)";
	return e.msg;
}

/* 2024-01-15 10:30:00 UTC, a Monday */
#define MON_1030 ((time_t)1705314600)

static time_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi };

	return timegm(&tm);
}

TEST(fields_to_bits)
{
	struct cron_spec c = parse_ok("0 9 * * *");

	EXPECT_EQ_U64(1, c.minutes);
	EXPECT_EQ_U64(1u << 9, c.hours);
	EXPECT_EQ_U64(0xfffffffeu, c.mdays);
	EXPECT_EQ_U64(0x1ffe, c.months);
	EXPECT_EQ_U64(0x7f, c.wdays);
	EXPECT_TRUE(c.mday_star);
	EXPECT_TRUE(c.wday_star);
}

TEST(lists_ranges_steps)
{
	struct cron_spec c = parse_ok("*/15 1-10/3 1,15 * *");

	EXPECT_EQ_U64(1ULL << 0 | 1ULL << 15 | 1ULL << 30 | 1ULL << 45, c.minutes);
	EXPECT_EQ_U64(1u << 1 | 1u << 4 | 1u << 7 | 1u << 10, c.hours);
	EXPECT_EQ_U64(1u << 1 | 1u << 15, c.mdays);
	EXPECT_FALSE(c.mday_star);
	c = parse_ok("5/20 * * * *");
	EXPECT_EQ_U64(1ULL << 5 | 1ULL << 25 | 1ULL << 45, c.minutes);
}

TEST(names_and_sunday_seven)
{
	struct cron_spec c = parse_ok("0 0 * JAN,mar-may sun");

	EXPECT_EQ_U64(1u << 1 | 1u << 3 | 1u << 4 | 1u << 5, c.months);
	EXPECT_EQ_U64(1, c.wdays);
	c = parse_ok("0 0 * * 7");
	EXPECT_EQ_U64(1, c.wdays);
	c = parse_ok("0 0 * * 5-7");
	EXPECT_EQ_U64(1u << 0 | 1u << 5 | 1u << 6, c.wdays);
	c = parse_ok("0 0 * * mon-fri");
	EXPECT_EQ_U64(0x3e, c.wdays);
}

TEST(macros)
{
	struct cron_spec c = parse_ok("@daily"), d = parse_ok("0 0 * * *");

	EXPECT_TRUE(memcmp(&c, &d, sizeof(c)) == 0);
	c = parse_ok("@weekly");
	EXPECT_EQ_U64(1, c.wdays);
	c = parse_ok("@hourly");
	EXPECT_EQ_U64(0xffffff, c.hours);
	c = parse_ok("@annually");
	EXPECT_EQ_U64(2, c.months);
	EXPECT_EQ_U64(2, c.mdays);
	EXPECT_CONTAINS(parse_err("@fortnightly"), "unknown schedule '@fortnightly'");
}

TEST(errors_name_the_field)
{
	EXPECT_STREQ("minute 60 is out of range 0-59", parse_err("60 * * * *"));
	EXPECT_STREQ("hour 24 is out of range 0-23", parse_err("0 24 * * *"));
	EXPECT_STREQ("day-of-month 0 is out of range 1-31", parse_err("0 0 0 * *"));
	EXPECT_STREQ("month 13 is out of range 1-12", parse_err("0 0 * 13 *"));
	EXPECT_STREQ("day-of-week 8 is out of range 0-7", parse_err("0 0 * * 8"));
	EXPECT_STREQ("hour range 5-3 is backwards", parse_err("0 5-3 * * *"));
	EXPECT_STREQ("minute step 0 is out of range 1-59", parse_err("*/0 * * * *"));
	EXPECT_STREQ("month: 'foo' is not a number or month name (jan-dec)",
		     parse_err("0 0 * foo *"));
	EXPECT_STREQ("day-of-week: 'monday' is not a number or day name (sun-sat)",
		     parse_err("0 0 * * monday"));
	EXPECT_STREQ("minute: unexpected 'x' in '1x'", parse_err("1x * * * *"));
	EXPECT_STREQ("minute: '/' must be followed by a step", parse_err("*/ * * * *"));
	EXPECT_STREQ("hour: missing value", parse_err("0 1, * * *"));
	EXPECT_STREQ("minute 99999 is out of range 0-59", parse_err("99999 * * * *"));
}

TEST(field_count)
{
	EXPECT_STREQ("expected 5 fields (minute hour day-of-month month day-of-week), got 3",
		     parse_err("0 9 *"));
	EXPECT_CONTAINS(parse_err("0 9 * * * *"), "got more");
	EXPECT_CONTAINS(parse_err(""), "got 0");
	EXPECT_CONTAINS(parse_err("   "), "got 0");
}

TEST(never_firing_is_an_error)
{
	EXPECT_STREQ("day-of-month never occurs in the chosen months", parse_err("0 0 31 2 *"));
	EXPECT_STREQ("day-of-month never occurs in the chosen months",
		     parse_err("0 0 31 apr,jun,sep,nov *"));
	parse_ok("0 0 29 2 *");
	parse_ok("0 0 31 2 mon");  /* both restricted: any Monday of February */
}

TEST(too_long)
{
	char s[400];

	memset(s, '1', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	EXPECT_CONTAINS(parse_err(s), "longer than 256");
}

TEST(next_daily)
{
	struct cron_spec c = parse_ok("0 9 * * *");

	EXPECT_EQ_INT(utc(2024, 1, 16, 9, 0), cron_next(&c, MON_1030));
	EXPECT_EQ_INT(utc(2024, 1, 15, 9, 0), cron_next(&c, utc(2024, 1, 15, 8, 59) + 30));
	/* strictly after */
	EXPECT_EQ_INT(utc(2024, 1, 16, 9, 0), cron_next(&c, utc(2024, 1, 15, 9, 0)));
}

TEST(next_every_five_minutes)
{
	struct cron_spec c = parse_ok("*/5 * * * *");

	EXPECT_EQ_INT(MON_1030 + 300, cron_next(&c, MON_1030));
	EXPECT_EQ_INT(MON_1030, cron_next(&c, MON_1030 - 1));
}

TEST(next_crosses_year_and_leap_day)
{
	struct cron_spec c = parse_ok("0 0 29 2 *");

	EXPECT_EQ_INT(utc(2024, 2, 29, 0, 0), cron_next(&c, MON_1030));
	EXPECT_EQ_INT(utc(2028, 2, 29, 0, 0), cron_next(&c, utc(2024, 3, 1, 0, 0)));
	c = parse_ok("30 23 31 dec *");
	EXPECT_EQ_INT(utc(2024, 12, 31, 23, 30), cron_next(&c, MON_1030));
}

TEST(next_weekday_or_monthday)
{
	/* both restricted: the 1st of the month or any Friday */
	struct cron_spec c = parse_ok("0 12 1 * fri");

	EXPECT_EQ_INT(utc(2024, 1, 19, 12, 0), cron_next(&c, MON_1030));
	EXPECT_EQ_INT(utc(2024, 2, 1, 12, 0), cron_next(&c, utc(2024, 1, 26, 13, 0)));
	/* day-of-month '*': weekday alone decides */
	c = parse_ok("0 0 * * sun");
	EXPECT_EQ_INT(utc(2024, 1, 21, 0, 0), cron_next(&c, MON_1030));
}

TEST(next_matches_and_bounds)
{
	struct cron_spec c = parse_ok("7 3 * * *"), zero = { 0 };
	time_t t = cron_next(&c, MON_1030);

	EXPECT_TRUE(cron_matches(&c, t));
	EXPECT_FALSE(cron_matches(&c, t + 60));
	EXPECT_EQ_INT(-1, cron_next(&zero, MON_1030));
	EXPECT_EQ_INT(-1, cron_next(&c, -5));
	EXPECT_EQ_INT(-1, cron_next(&c, (time_t)300000000000LL));
}

UNIT_MAIN
