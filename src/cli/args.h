/*
 * args.h - what every command's argument parsing shares: a clean getopt
 * restart, bounded numbers, and the one way a command reports an error.
 *
 * Commands print; these helpers print only on stderr and only when asked
 * (args_error). Nothing below cli/ may use them.
 */
#ifndef ORCA_CLI_ARGS_H
#define ORCA_CLI_ARGS_H

#include <stdint.h>

/* What a command's parse() returns after printing its help: exit 0. */
#define ARGS_HELP (-1)

/* Long option ids above any short option character. */
enum {
	OPT_SOCKET = 0x100,
	OPT_TIMEOUT,
	OPT_NO_WAIT,
	OPT_DRY_RUN,
	OPT_TAIL,
	OPT_SINCE,
	OPT_AFTER,
	OPT_LIMIT,
	OPT_REPLICA,
	OPT_DATA,
};

/*
 * Restarts getopt for a new argv. optind = 0 makes glibc reinitialise all
 * of its state (ordering, a half-parsed "-abc" of an earlier call), which
 * matters when cli_main runs several times in one process, as in tests.
 */
void args_reset(void);

/* Parses a whole decimal integer within [min, max]; 0, or -1 otherwise. */
int args_int(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * Prints "orca CMD: MESSAGE" and a newline on stderr; returns exit_code,
 * so that `return args_error(EXIT_USAGE, "scale", ...)` reads well.
 */
int args_error(int exit_code, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
