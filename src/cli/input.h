/*
 * input.h - bounded reads of what the user hands the CLI: a file, or
 * stdin. Everything is capped before it is held, so a wrong file (a disk
 * image for a .env) gets an error, never an allocation failure.
 *
 * Reads may carry secrets: messages name the source, never the bytes.
 */
#ifndef ORCA_CLI_INPUT_H
#define ORCA_CLI_INPUT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/*
 * Appends the whole of path to out. ERR_TOOBIG "PATH is over MAX bytes";
 * a negative errno "open 'PATH': ..." when it cannot be read.
 */
int input_read_file(const char *path, size_t max, struct buf *out,
		    struct err *e);

/* Appends everything fd gives until EOF; ERR_TOOBIG "WHAT is over MAX
 * bytes" past max. */
int input_read_fd(int fd, const char *what, size_t max, struct buf *out,
		  struct err *e);

#endif
