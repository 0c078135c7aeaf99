/*
 * ident.h - who an agent is: its node name, its server, its certificate.
 *
 * Files in the agent's data directory (0700), each 0600, written whole:
 *	agent.json   {"server": "https://...", "node": "NAME"}
 *	ca.pem       the cluster CA: the only issuer trusted for the server
 *	node.key     the node's key (made here; never sent anywhere)
 *	node.pem     the node's certificate, signed by the cluster CA
 *
 * agent_join() makes them from a join token; afterwards `orca agent` needs
 * no token. Joining a server again (a new token) replaces them.
 */
#ifndef ORCA_AGENT_IDENT_H
#define ORCA_AGENT_IDENT_H

#include <jansson.h>

#include "agent/inventory.h"
#include "base/err.h"

#define AGENT_NODE_MAX 63

struct agent_ident {
	char server[256];
	char node[AGENT_NODE_MAX + 1];
	char *dir;
	char *ca, *cert, *key;       /* paths of the files */
};

/* 1 with id filled when dir holds a whole identity, 0 when it holds none,
 * < 0 with e for a broken one. Release with agent_ident_release. */
int agent_ident_load(const char *dir, struct agent_ident *id, struct err *e);
void agent_ident_release(struct agent_ident *id);

struct agent_join_req {
	const char *server;          /* https://HOST:PORT */
	const char *token;           /* orca node token */
	const char *node;            /* the name to join as */
	const char *address;         /* NULL: the address the connection used */
	const json_t *labels;        /* {"k": "v"}, borrowed; NULL: none */
	const struct inventory *inv;
};

/* Joins: checks the server's CA against the token, makes a key and has the
 * server sign it, writes the files. id as from agent_ident_load. */
int agent_join(const char *dir, const struct agent_join_req *r, struct agent_ident *id,
	       struct err *e);

/* A node name: [a-z0-9-], 1..63, not starting or ending with '-'. */
int agent_check_node_name(const char *name, struct err *e);

/* Writes len bytes to dir/name (0600) through a temporary file. */
int agent_write_file(const char *dir, const char *name, const void *data, size_t len,
		     struct err *e);

#endif
