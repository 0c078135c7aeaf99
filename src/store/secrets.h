/*
 * secrets.h - secrets, encrypted at rest, and ${secrets.KEY} expansion.
 *
 * A secret lives in a scope: a project name, or "" for cluster-wide. A
 * project's containers see their own project's secrets and the cluster-wide
 * ones, never another project's.
 *
 * At rest each value is sealed with crypto_secretbox_easy (XSalsa20-Poly1305)
 * under a random nonce and a per-record key derived (BLAKE2b, keyed by the
 * master key) from the scope and the name, so a row copied or moved to
 * another scope or name does not decrypt. The master key is 32 random bytes
 * in <data>/master.key, or in the file given to store_open_key (kept apart
 * from the data directory, e.g. a systemd credential), created by the store
 * with mode 0600 while no secret is sealed; a key file readable by group or
 * others, or of another size, is refused, and so is a missing one while
 * sealed secrets exist. Back it up apart from orca.db: without it no secret
 * can be read.
 *
 * Plaintext never reaches SQLite, the WAL or any error message. Values
 * handed out are malloc'd copies: wipe and free them with secrets_value_free
 * (or secrets_string_free for strings).
 */
#ifndef ORCA_STORE_SECRETS_H
#define ORCA_STORE_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define SECRETS_NAME_MAX 128          /* [A-Za-z_][A-Za-z0-9_]* */
#define SECRETS_VALUE_MAX (64 << 10)  /* bytes */
#define SECRETS_EXPAND_MAX (1 << 20)  /* an expanded value */
#define SECRETS_KEY_FILE "master.key"

struct secrets_entry {
	char *name;
	int64_t updated_at_ms;
};

/* Sets (creates or replaces) a secret; value is len bytes, borrowed. */
int secrets_set(struct store *st, const char *scope, const char *name,
		const void *value, size_t len, struct err *e);
/*
 * Reads a secret of exactly this scope. *value receives a malloc'd copy of
 * *len bytes followed by a NUL (not counted); release it with
 * secrets_value_free. ERR_NOTFOUND when not set; ERR_INVALID when the
 * record does not decrypt (altered, moved, or another master key).
 */
int secrets_get(struct store *st, const char *scope, const char *name,
		unsigned char **value, size_t *len, struct err *e);
/* What a project's container sees: the project's secret, else the cluster's. */
int secrets_resolve(struct store *st, const char *project, const char *name,
		    unsigned char **value, size_t *len, struct err *e);
/* Wipes (sodium_memzero) len bytes and the NUL after them, then frees. */
void secrets_value_free(unsigned char *value, size_t len);
/* Wipes and frees a NUL-terminated string; NULL is fine. */
void secrets_string_free(char *s);

/* ERR_NOTFOUND when not set. */
int secrets_delete(struct store *st, const char *scope, const char *name,
		   struct err *e);
/*
 * Names and update times of one scope, never values, ordered by name, names
 * after `after` (NULL or "": from the first), at most limit (capped at
 * STORE_LIST_MAX). Freed with secrets_list_free.
 */
int secrets_list(struct store *st, const char *scope, const char *after,
		 size_t limit, struct secrets_entry **out, size_t *n,
		 struct err *e);
void secrets_list_free(struct secrets_entry *v, size_t n);

/*
 * Expands an env value for a container of project: every ${secrets.KEY}
 * becomes the resolved secret (secrets_resolve) and "$$" becomes "$"; any
 * other "$" is kept as written. An unknown KEY fails with ERR_NOTFOUND
 * naming KEY and project, a malformed ${secrets....} with ERR_INVALID; no
 * message ever holds a value. *out is a malloc'd string for
 * secrets_string_free, at most SECRETS_EXPAND_MAX bytes.
 */
int secrets_expand(struct store *st, const char *project, const char *value,
		   char **out, struct err *e);

/* True when name is a valid secret name. */
int secrets_name_ok(const char *name);

#endif
