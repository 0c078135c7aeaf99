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

#define PATHS_CREDENTIAL_KEY "orca-master-key"

/*
 * Where the master key lives when it is not in the data directory, as a
 * malloc'd path: flag (--key-file) if given; else $ORCA_KEY_FILE; else
 * $CREDENTIALS_DIRECTORY/orca-master-key when systemd set that directory
 * and the file is in it (LoadCredential=orca-master-key:...). NULL: in the
 * data directory. The server and `orca secrets get` both ask here.
 */
char *paths_key_file(const char *flag);

#endif
