/*
 * fuzz_cron.c - libFuzzer target for cron expressions (config/cron.h).
 *
 * Parses the input; when it is accepted, the bit sets stay inside their
 * fields' ranges and cron_next, from a few fixed times, returns a later
 * minute that matches, with no matching minute in between when the gap is
 * short enough to scan. Seed corpus: fuzz/corpus/cron.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/cron.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static void check_bits(const struct cron_spec *c)
{
	CHECK(c->minutes != 0 && (c->minutes >> 60) == 0);
	CHECK(c->hours != 0 && (c->hours >> 24) == 0);
	CHECK(c->mdays != 0 && (c->mdays & 1) == 0);
	CHECK(c->months != 0 && (c->months & 1) == 0 && (c->months >> 13) == 0);
	CHECK(c->wdays != 0 && (c->wdays >> 7) == 0);
}

static void check_next(const struct cron_spec *c, time_t after)
{
	time_t t = cron_next(c, after);

	if (t == (time_t)-1)
		return;
	CHECK(t > after && t % 60 == 0);
	CHECK(cron_matches(c, t));
	if (t - after > 3 * 24 * 3600)
		return;
	for (time_t m = after - after % 60 + 60; m < t; m += 60)
		CHECK(!cron_matches(c, m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const time_t starts[] = { 0, 951782400 /* 2000-02-29 */, 1705314630,
					 4102444799 /* 2099-12-31 23:59:59 */ };
	struct cron_spec c;
	struct err e = { 0 };
	char *s;

	if (size > 512)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (cron_parse(s, &c, &e) == 0) {
		check_bits(&c);
		for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
			check_next(&c, starts[i]);
	} else {
		CHECK(e.code == ERR_INVALID && e.msg[0] != '\0');
	}
	free(s);
	return 0;
}
