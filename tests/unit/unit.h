/*
 * unit.h - orca's unit-test harness: one binary per module.
 *
 *	TEST(parses_hex) { EXPECT_EQ_INT(255, parse("0xff")); }
 *	UNIT_MAIN
 *
 * Assertions are typed and print both values on failure; a failed assertion
 * marks the test failed and the test goes on. The binary prints one line per
 * test and ends with "N passed, N failed"; its exit status is 1 when any test
 * failed. Tests run in declaration order; `./test_x NAME` runs one.
 */
#ifndef ORCA_TESTS_UNIT_H
#define ORCA_TESTS_UNIT_H

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

extern int unit_failed_now;
void unit_register(const char *name, void (*fn)(void));
int unit_run(int argc, char **argv);

#define TEST(name)                                                     \
	static void test_##name(void);                                     \
	__attribute__((constructor)) static void register_##name(void)     \
	{                                                                  \
		unit_register(#name, test_##name);                             \
	}                                                                  \
	static void test_##name(void)

#define UNIT_FAIL_AT(...)                                              \
	do {                                                               \
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);              \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		unit_failed_now = 1;                                           \
	} while (0)

#define EXPECT_TRUE(cond)                                              \
	do {                                                               \
		if (!(cond))                                                   \
			UNIT_FAIL_AT("expected true: %s", #cond);                  \
	} while (0)

#define EXPECT_FALSE(cond) EXPECT_TRUE(!(cond))

#define EXPECT_EQ_INT(want, got)                                       \
	do {                                                               \
		long long w_ = (long long)(want), g_ = (long long)(got);       \
		if (w_ != g_)                                                  \
			UNIT_FAIL_AT("%s == %s: want %lld, got %lld", #want, #got, \
				     w_, g_);                                          \
	} while (0)

#define EXPECT_EQ_U64(want, got)                                       \
	do {                                                               \
		uint64_t w_ = (uint64_t)(want), g_ = (uint64_t)(got);          \
		if (w_ != g_)                                                  \
			UNIT_FAIL_AT("%s == %s: want %" PRIu64 ", got %" PRIu64,   \
				     #want, #got, w_, g_);                             \
	} while (0)

#define EXPECT_EQ_DBL(want, got)                                       \
	do {                                                               \
		double w_ = (double)(want), g_ = (double)(got);                \
		if (!(fabs(w_ - g_) <= 1e-9 * (fabs(w_) + 1)))                 \
			UNIT_FAIL_AT("%s == %s: want %.17g, got %.17g", #want,     \
				     #got, w_, g_);                                    \
	} while (0)

#define EXPECT_STREQ(want, got)                                        \
	do {                                                               \
		const char *w_ = (want), *g_ = (got);                          \
		if (w_ == NULL || g_ == NULL ? w_ != g_ : strcmp(w_, g_) != 0) \
			UNIT_FAIL_AT("%s == %s: want \"%s\", got \"%s\"", #want,   \
				     #got, w_ ? w_ : "(null)", g_ ? g_ : "(null)");    \
	} while (0)

#define EXPECT_CONTAINS(haystack, needle)                              \
	do {                                                               \
		const char *h_ = (haystack), *n_ = (needle);                   \
		if (h_ == NULL || strstr(h_, n_) == NULL)                      \
			UNIT_FAIL_AT("%s contains \"%s\": got \"%s\"", #haystack,  \
				     n_, h_ ? h_ : "(null)");                          \
	} while (0)

#define EXPECT_NULL(p)                                                 \
	do {                                                               \
		if ((p) != NULL)                                               \
			UNIT_FAIL_AT("expected NULL: %s", #p);                     \
	} while (0)

#define EXPECT_NOT_NULL(p)                                             \
	do {                                                               \
		if ((p) == NULL)                                               \
			UNIT_FAIL_AT("expected non-NULL: %s", #p);                 \
	} while (0)

#define UNIT_MAIN                                                      \
	int main(int argc, char **argv) { return unit_run(argc, argv); }

#endif
