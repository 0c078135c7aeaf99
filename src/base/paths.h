/*
 * paths.h - where orca keeps its state by default, shared by the CLI and
 * the daemon so that both agree on the socket's place without flags.
 *
 *   $ORCA_DATA if set; else /var/lib/orca for root; else
 *   $XDG_STATE_HOME/orca (an absolute XDG_STATE_HOME only, as the XDG spec
 *   says); else ~/.local/state/orca.
 */
#ifndef ORCA_BASE_PATHS_H
#define ORCA_BASE_PATHS_H

#include "base/err.h"

#define PATHS_SOCKET_NAME "orca.sock"

/* The default data directory: a malloc'd string the caller frees, or NULL
 * with e set when no home directory can be found. */
char *paths_data_dir(struct err *e);
/* The API socket inside a data directory: a malloc'd "DIR/orca.sock". */
char *paths_socket_in(const char *data_dir);

#endif
