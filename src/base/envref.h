/*
 * envref.h - the ${secrets.KEY} references inside env values.
 *
 * One reading of the syntax for everyone who needs it (the config check,
 * the spec hash): "$$" is a literal '$', a '$' not followed by '{' is
 * literal, "${secrets.KEY}" with KEY [A-Za-z_][A-Za-z0-9_]* is a reference,
 * and any other "${...}" is an error.
 */
#ifndef ORCA_BASE_ENVREF_H
#define ORCA_BASE_ENVREF_H

#include <stddef.h>

#include "base/err.h"

/* Called for each reference, key[0..len) borrowed; nonzero stops the scan
 * and is returned. */
typedef int (*envref_fn)(void *arg, const char *key, size_t len);

/* Walks value; fn may be NULL (only checking). ERR_INVALID on a malformed
 * reference, with a message naming it. */
int envref_scan(const char *value, envref_fn fn, void *arg, struct err *e);

#endif
