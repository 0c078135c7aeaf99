/*
 * link.h - an agent's HTTPS calls to its server, over libcurl.
 *
 * Every call after the join is mutual TLS: the node's certificate and key,
 * and only the cluster CA is trusted for the server. Before the join there
 * is no CA yet: link_fetch_ca reads the server's CA certificate without
 * verifying anything, and the caller trusts it only when it hashes to the
 * join token's pin.
 *
 * A struct link is one connection (one curl handle, kept alive): each
 * thread of the agent has its own. Bodies are JSON both ways, bounded by
 * LINK_BODY_MAX. Library code: never logs.
 */
#ifndef ORCA_AGENT_LINK_H
#define ORCA_AGENT_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

#define LINK_BODY_MAX (16 * 1024 * 1024)
#define LINK_CONNECT_TIMEOUT_MS 3000

struct link;

struct link_opts {
	const char *server;          /* "https://10.0.0.1:7443" */
	const char *ca;              /* PEM file of the cluster CA; NULL: verify nothing */
	const char *cert, *key;      /* the node's; NULL before the join */
	const char *node;            /* sent as X-Orca-Node: who this agent is */
};

struct link *link_new(const struct link_opts *o);
void link_free(struct link *l);
/* Makes the call in progress on another thread give up (any thread). */
void link_cancel(struct link *l);

/*
 * method path [body] -> status and JSON reply (a new reference, NULL when
 * the body is empty or not JSON). timeout_ms bounds the whole exchange.
 * Returns 0 when an HTTP answer came (whatever its status); ERR_UNAVAILABLE
 * with e when the server could not be reached or the TLS handshake failed
 * (e says which); ERR_TOOBIG for an answer over LINK_BODY_MAX.
 */
int link_call(struct link *l, const char *method, const char *path, const json_t *body,
	      long timeout_ms, long *status, json_t **reply, struct err *e);

/*
 * GET path as a stream of lines: on_line(arg, line, len) for each
 * newline-terminated line (without the newline; empty lines are the
 * server's keep-alives and are passed too), until the server ends it, the
 * connection breaks, no byte came for stall_ms, on_line returns non-zero,
 * or link_cancel. Lines are bounded by LINK_BODY_MAX. Returns 0 when the
 * stream ended or on_line stopped it; *status gets the HTTP status.
 */
int link_stream(struct link *l, const char *path, long stall_ms, long *status,
		int (*on_line)(void *arg, const char *line, size_t len), void *arg,
		struct err *e);

/* GET path as raw bytes into out (for the CA certificate). */
int link_get_raw(struct link *l, const char *path, long timeout_ms, long *status,
		 struct buf *out, struct err *e);

/* The local address the last connection used ("10.99.0.12"): the address
 * other nodes reach this one at, when not given. "" when unknown. */
const char *link_local_ip(const struct link *l);

/* "message" of an error reply ({"error": {"message": ...}}), or a generic
 * sentence with the status. Borrowed from reply or static. */
const char *link_error_message(const json_t *reply, long status);

#endif
