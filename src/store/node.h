/*
 * node.h - the nodes that joined the cluster, and the join tokens that
 * let them.
 *
 * A node's identity is its certificate: the row keeps the serial of the one
 * certificate the server issued it last, and a connection presenting any
 * other certificate with that name is refused. Removing the row (orca node
 * rm) revokes the node. Join tokens are stored as hashes with an expiry;
 * a token may be used until it expires or is removed.
 *
 * The server's own node is not a row: it needs no certificate to talk to
 * itself.
 */
#ifndef ORCA_STORE_NODE_H
#define ORCA_STORE_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define STORE_NODE_SERIAL_MAX 64     /* hex */
#define STORE_NODE_JSON_MAX (64 * 1024)

struct store_node {
	char *name;
	char *serial;              /* the issued certificate's serial, lowercase hex */
	char *address;             /* where other nodes reach it ("10.0.0.2") */
	char *source;              /* the address it joined from */
	char *state;               /* "active" or "draining" */
	char *labels;              /* JSON object text, the agent's --label */
	char *inventory;           /* JSON text of its last inventory */
	int64_t joined_at_ms;
	int64_t seen_at_ms;        /* its last heartbeat written here */
};

/*
 * Adds or replaces the node (a node that joins again gets a new
 * certificate; its old one stops working). Fields borrowed; name as for
 * store_check_name, serial 1..STORE_NODE_SERIAL_MAX hex digits, JSON texts
 * at most STORE_NODE_JSON_MAX. The state is reset to "active".
 */
int store_node_put(struct store *st, const struct store_node *n, struct err *e);
/* ERR_NOTFOUND when no node has that name. */
int store_node_get(struct store *st, const char *name, struct store_node *out,
		   struct err *e);
int store_node_list(struct store *st, struct store_node **out, size_t *n, struct err *e);
/* "active" or "draining". ERR_NOTFOUND for an unknown node. */
int store_node_set_state(struct store *st, const char *name, const char *state,
			 struct err *e);
/* Records a heartbeat's inventory and time (inventory may be NULL: kept). */
int store_node_seen(struct store *st, const char *name, const char *inventory,
		    int64_t at_ms, struct err *e);
/* Revokes: the row goes. ERR_NOTFOUND for an unknown node. */
int store_node_delete(struct store *st, const char *name, struct err *e);
void store_node_release(struct store_node *n);
void store_node_list_free(struct store_node *v, size_t n);

struct store_join_token {
	char *id;                  /* the public part, 12 hex */
	char *hash;                /* sha256 hex of the secret */
	int64_t created_at_ms;
	int64_t expires_at_ms;
};

/* id 12 lowercase hex, hash 64 lowercase hex. Expired tokens are removed
 * on the way. */
int store_join_token_add(struct store *st, const char *id, const char *hash,
			 int64_t expires_at_ms, struct err *e);
/* The unexpired token with that id; ERR_NOTFOUND otherwise. */
int store_join_token_get(struct store *st, const char *id, int64_t now_ms,
			 struct store_join_token *out, struct err *e);
/* Unexpired tokens, newest first. */
int store_join_token_list(struct store *st, int64_t now_ms, struct store_join_token **out,
			  size_t *n, struct err *e);
/* Removes every token (orca node token --rotate). */
int store_join_token_clear(struct store *st, struct err *e);
void store_join_token_release(struct store_join_token *t);
void store_join_token_list_free(struct store_join_token *v, size_t n);

#endif
