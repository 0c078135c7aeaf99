/*
 * secret_input.h - reading a secret's value from stdin for
 * `orca secrets set KEY` (no VALUE, or "-"):
 *
 *   - from a terminal: a prompt on stderr, one line typed without echo;
 *     the Enter that ends it is not part of the value;
 *   - from a pipe or file: everything, at most SECRETS_VALUE_MAX bytes. A
 *     single line (its only newline is the last byte) loses that newline
 *     and a "\r" before it, so `echo pw | orca secrets set K` stores "pw";
 *     text of several lines (a PEM key) is kept byte for byte.
 *
 * No message ever holds the value.
 */
#ifndef ORCA_CLI_SECRET_INPUT_H
#define ORCA_CLI_SECRET_INPUT_H

#include "base/buf.h"
#include "base/err.h"

/* Reads fd as above into out (appended); name is for the prompt. */
int secret_input_read(int fd, const char *name, struct buf *out, struct err *e);

/* Pure: the newline rule for piped text, applied to b in place. */
void secret_input_trim(struct buf *b);

/* Wipes b's bytes and releases it. */
void secret_input_wipe(struct buf *b);

#endif
