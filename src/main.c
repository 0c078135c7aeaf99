/*
 * main.c - the orca binary: the CLI and, through `orca server`, the daemon.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
