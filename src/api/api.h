/*
 * api.h - orca's control API: the routes of docs/API.md over http.h.
 *
 * api_serve() is `orca server`: it locks and opens the data directory,
 * starts the control loop (reconcile/control.h), serves the API on the unix
 * socket (and a loopback TCP address when asked) and returns when SIGTERM or
 * SIGINT arrives, after stopping its threads. SIGHUP reopens the log file.
 * Workloads keep running.
 */
#ifndef ORCA_API_API_H
#define ORCA_API_API_H

#include "base/err.h"
#include "base/log.h"

struct api_opts {
	const char *data_dir;
	const char *socket_path;     /* NULL: <data_dir>/orca.sock */
	const char *listen;          /* "127.0.0.1:7070" or NULL */
	const char *docker_socket;   /* NULL: DOCKER_HOST or the default */
	const char *node;            /* NULL: "local" */
	const char *cluster_listen;  /* agents join here ("0.0.0.0:7443"); NULL: none */
	const char *advertise;       /* the address other nodes reach this one at */
	const char *key_file;        /* the master key; NULL: <data_dir>/master.key */
	const char *log_file;        /* NULL: stderr; reopened on SIGHUP */
	enum log_format log_format;
	long pull_stall_ms;          /* image pulls without progress this long
				      * fail; 0: DOCKER_PULL_STALL_MS_DEFAULT */
};

int api_serve(const struct api_opts *o, struct err *e);

#endif
