/*
 * daemon_tls.h - tls/ wired into `orca server` (daemon_tls.c).
 */
#ifndef ORCA_API_DAEMON_TLS_H
#define ORCA_API_DAEMON_TLS_H

#include "api/ctx.h"
#include "tls/tls.h"

/* Starts the tls thread for a's data directory. Its configuration is the
 * current cluster revision plus every service's domains (read on the tls
 * thread through a's per-thread store); its events go to the log and to
 * the event log. setup may be NULL (no proxy). */
int daemon_tls_start(struct api *a, tls_ctx_setup_fn setup, void *setup_arg,
		     struct tls **out, struct err *e);
/* The control loop's publish hook: pokes a->tls (when started). */
void daemon_tls_poke(void *arg, json_t *snapshot);
/* The certificate routes: GET /api/v1/certs. */
int api_routes_certs(struct router *r, struct api *a, struct err *e);

#endif
