/*
 * jointoken.h - the join token of `orca node token`, as text.
 *
 *	orca1-<ca>-<id>-<secret>
 *
 * ca: the SHA-256 of the cluster CA certificate (DER), 64 hex: the agent
 * trusts the server it joins only when the CA it is shown hashes to this
 * (the way `docker swarm join` and kubeadm pin theirs). id: 12 hex, names
 * the token in the store. secret: 64 hex (256 random bits); the store keeps
 * only its SHA-256. Pure functions, no I/O.
 */
#ifndef ORCA_CLUSTER_JOINTOKEN_H
#define ORCA_CLUSTER_JOINTOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define JOINTOKEN_PREFIX "orca1-"
#define JOINTOKEN_LEN (6 + 64 + 1 + 12 + 1 + 64)

struct jointoken {
	char ca[65];               /* hex SHA-256 of the CA certificate's DER */
	char id[13];
	char secret[65];
};

/* A new token for the CA whose DER hashes to ca_hex; secret from libsodium. */
void jointoken_new(struct jointoken *t, const char *ca_hex);
/* Writes the text form into out (at least JOINTOKEN_LEN + 1 bytes). */
void jointoken_format(const struct jointoken *t, char *out, size_t n);
/* ERR_INVALID "a join token looks like orca1-..." for anything else. */
int jointoken_parse(const char *text, struct jointoken *t, struct err *e);
/* hex SHA-256 of the secret, for the store (65 bytes). */
void jointoken_hash(const struct jointoken *t, char out[65]);
/* Constant-time: does the secret hash to stored_hex? */
bool jointoken_matches(const struct jointoken *t, const char *stored_hex);
/* hex SHA-256 of der[0..len) into out (65 bytes). */
void jointoken_sha256_hex(const void *der, size_t len, char out[65]);

#endif
