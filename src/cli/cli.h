/*
 * cli.h - the orca command line: one file per command, a table in cli.c.
 *
 * Each command parses its own flags with getopt_long, prints its own help
 * for -h/--help, and returns one of the exit codes below. Commands may print
 * and exit; nothing below cli/ may.
 */
#ifndef ORCA_CLI_CLI_H
#define ORCA_CLI_CLI_H

/* Exit codes, documented in README.md ("Exit codes"). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,       /* the operation ran and failed (deploy failed, ...) */
	EXIT_USAGE = 2,        /* bad flags or arguments */
	EXIT_INVALID = 3,      /* the configuration is invalid */
	EXIT_NO_SERVER = 4,    /* the orca server cannot be reached */
};

struct cli_command {
	const char *name;
	const char *summary;   /* one line for `orca --help` */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
};

int cli_main(int argc, char **argv);

/* Commands, one per file cli/cmd_<name>.c. */
int cmd_version(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_config(int argc, char **argv);

#endif
