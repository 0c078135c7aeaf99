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
	EXIT_INTERRUPTED = 130, /* Ctrl-C while waiting; what was asked goes on */
};

struct cli_command {
	const char *name;      /* NULL: a heading in `orca --help` */
	const char *summary;   /* one line for `orca --help`, or the heading */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
};

int cli_main(int argc, char **argv);

/* Commands, one per file cli/cmd_<name>.c. */
int cmd_version(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_config(int argc, char **argv);
/* Commands that talk to the server (cli/remote.h). */
int cmd_deploy(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_scale(int argc, char **argv);     /* scale, stop, restart, rollback: */
int cmd_stop(int argc, char **argv);      /* cmd_lifecycle.c */
int cmd_restart(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_promote(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_secrets(int argc, char **argv);
int cmd_secrets_get(int argc, char **argv);  /* `orca secrets get`, local */
int cmd_nodes(int argc, char **argv);
int cmd_certs(int argc, char **argv);
int cmd_server(int argc, char **argv);   /* cmd_server.c: the daemon */
int cmd_agent(int argc, char **argv);    /* cmd_agent.c: a node's agent */
int cmd_node(int argc, char **argv);     /* cmd_node.c: token, drain, rm */

#endif
