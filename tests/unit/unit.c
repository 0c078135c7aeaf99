/*
 * unit.c - the runner behind unit.h.
 */
#include "unit.h"

#define UNIT_MAX 1024

int unit_failed_now;
static struct unit_test tests[UNIT_MAX];
static int ntests;

void unit_register(const char *name, void (*fn)(void))
{
	if (ntests == UNIT_MAX) {
		fprintf(stderr, "unit: more than %d tests in one binary\n", UNIT_MAX);
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

int unit_run(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
			continue;
		unit_failed_now = 0;
		tests[i].fn();
		if (unit_failed_now) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
