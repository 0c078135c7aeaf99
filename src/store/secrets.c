/*
 * secrets.c - sealing, storing and opening secrets.
 *
 * Record format (alg 1), one row per (scope, name):
 *	subkey = BLAKE2b-256(key = master key,
 *	                     "orca.secret.v1" 0 | be32 len | scope | be32 len | name)
 *	nonce  = 24 random bytes, new for every write
 *	box    = crypto_secretbox_easy(value, nonce, subkey)   (value + 16 bytes)
 * The subkey binds the box to its scope and name: moved elsewhere, it fails
 * authentication. Only nonce and box are bound into SQL; the plaintext and
 * subkeys live in memory that is wiped before it is freed.
 */
#include "store/secrets.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/internal.h"

#define ALG_SECRETBOX_V1 1
#define CONTEXT "orca.secret.v1"

int secrets_name_ok(const char *name)
{
	size_t n = name ? strnlen(name, SECRETS_NAME_MAX + 1) : 0;

	if (n == 0 || n > SECRETS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return 0;
	}
	return 1;
}

/* "for project 'p'" or "cluster-wide": where a secret was looked for. */
static const char *where(char *buf, size_t size, const char *scope)
{
	if (scope[0] == '\0')
		snprintf(buf, size, "cluster-wide");
	else
		snprintf(buf, size, "for project '%s'", scope);
	return buf;
}

static int check_key(const char *scope, const char *name, struct err *e)
{
	int rc = store_check_scope("project", scope, e);

	if (rc == 0 && !secrets_name_ok(name))
		rc = err_set(e, ERR_INVALID,
			     "invalid secret name '%.*s': want 1 to %d of [A-Za-z0-9_],"
			     " not starting with a digit", SECRETS_NAME_MAX,
			     name ? name : "", SECRETS_NAME_MAX);
	return rc;
}

static void put_len(crypto_generichash_state *h, size_t n)
{
	unsigned char be[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16),
				(unsigned char)(n >> 8), (unsigned char)n };

	crypto_generichash_update(h, be, sizeof(be));
}

static void derive(const struct store *st, const char *scope, const char *name,
		   unsigned char subkey[crypto_secretbox_KEYBYTES])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, st->key, crypto_secretbox_KEYBYTES,
				crypto_secretbox_KEYBYTES);
	crypto_generichash_update(&h, (const unsigned char *)CONTEXT,
				  sizeof(CONTEXT));  /* with its NUL */
	put_len(&h, strlen(scope));
	crypto_generichash_update(&h, (const unsigned char *)scope, strlen(scope));
	put_len(&h, strlen(name));
	crypto_generichash_update(&h, (const unsigned char *)name, strlen(name));
	crypto_generichash_final(&h, subkey, crypto_secretbox_KEYBYTES);
	sodium_memzero(&h, sizeof(h));
}

int secrets_set(struct store *st, const char *scope, const char *name,
		const void *value, size_t len, struct err *e)
{
	unsigned char subkey[crypto_secretbox_KEYBYTES];
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	static const unsigned char empty[1];
	unsigned char *box;
	int64_t now = store_now_ms();
	int rc;

	rc = check_key(scope, name, e);
	if (rc == 0 && len > SECRETS_VALUE_MAX)
		rc = err_set(e, ERR_TOOBIG, "secret '%s': value larger than %d bytes",
			     name, SECRETS_VALUE_MAX);
	if (rc == 0 && value == NULL && len > 0)
		rc = err_set(e, ERR_INVALID, "secret '%s': no value", name);
	if (rc < 0)
		return rc;
	box = xmalloc(len + crypto_secretbox_MACBYTES);
	randombytes_buf(nonce, sizeof(nonce));
	derive(st, scope, name, subkey);
	crypto_secretbox_easy(box, value ? value : empty, len, nonce, subkey);
	sodium_memzero(subkey, sizeof(subkey));
	rc = store_sql_run(e, st->db, NULL,
			   "INSERT INTO secrets (scope, name, alg, nonce, box,"
			   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
			   " ON CONFLICT (scope, name) DO UPDATE SET alg = excluded.alg,"
			   " nonce = excluded.nonce, box = excluded.box,"
			   " updated_at = excluded.updated_at",
			   "ttibbII", scope, name, ALG_SECRETBOX_V1, nonce,
			   sizeof(nonce), box, len + crypto_secretbox_MACBYTES, now, now);
	free(box);
	return rc < 0 ? err_wrap(e, "secret '%s'", name) : 0;
}

static int open_box(const struct store *st, const char *scope, const char *name,
		    sqlite3_stmt *stmt, unsigned char **value, size_t *len,
		    struct err *e)
{
	unsigned char subkey[crypto_secretbox_KEYBYTES];
	const unsigned char *nonce = sqlite3_column_blob(stmt, 1);
	const unsigned char *box = sqlite3_column_blob(stmt, 2);
	size_t nlen = (size_t)sqlite3_column_bytes(stmt, 1);
	size_t blen = (size_t)sqlite3_column_bytes(stmt, 2);
	char w[STORE_WHO_MAX];
	unsigned char *out;
	int ok;

	if (sqlite3_column_int(stmt, 0) != ALG_SECRETBOX_V1 ||
	    nlen != crypto_secretbox_NONCEBYTES || blen < crypto_secretbox_MACBYTES ||
	    blen > SECRETS_VALUE_MAX + crypto_secretbox_MACBYTES)
		goto corrupt;
	out = xmalloc(blen - crypto_secretbox_MACBYTES + 1);
	derive(st, scope, name, subkey);
	ok = crypto_secretbox_open_easy(out, box, blen, nonce, subkey) == 0;
	sodium_memzero(subkey, sizeof(subkey));
	if (!ok) {
		sodium_memzero(out, blen - crypto_secretbox_MACBYTES + 1);
		free(out);
		goto corrupt;
	}
	*len = blen - crypto_secretbox_MACBYTES;
	out[*len] = '\0';
	*value = out;
	return 0;
corrupt:
	return err_set(e, ERR_INVALID,
		       "secret '%s' %s does not decrypt: the record was altered or "
		       "copied from another name, or '%s' is not the key it was "
		       "sealed with", name, where(w, sizeof(w), scope),
		       st->key_path);
}

int secrets_get(struct store *st, const char *scope, const char *name,
		unsigned char **value, size_t *len, struct err *e)
{
	char w[STORE_WHO_MAX];
	sqlite3_stmt *stmt;
	int rc;

	*value = NULL;
	*len = 0;
	rc = check_key(scope, name, e);
	if (rc == 0)
		rc = store_sql_prepare(e, st->db, &stmt,
				       "SELECT alg, nonce, box FROM secrets"
				       " WHERE scope = ? AND name = ?", "tt", scope, name);
	if (rc < 0)
		return rc;
	rc = store_sql_step(st->db, stmt, e);
	if (rc == 1)
		rc = open_box(st, scope, name, stmt, value, len, e);
	else if (rc == 0)
		rc = err_set(e, ERR_NOTFOUND, "secret '%s' is not set %s", name,
			     where(w, sizeof(w), scope));
	sqlite3_finalize(stmt);
	return rc;
}

int secrets_resolve(struct store *st, const char *project, const char *name,
		    unsigned char **value, size_t *len, struct err *e)
{
	int rc = secrets_get(st, project, name, value, len, e);

	if (rc != ERR_NOTFOUND || project == NULL || project[0] == '\0')
		return rc;
	rc = secrets_get(st, "", name, value, len, e);
	if (rc == ERR_NOTFOUND)
		err_set(e, rc, "secret '%s' is not set for project '%s' or cluster-wide",
			name, project);
	return rc;
}

void secrets_value_free(unsigned char *value, size_t len)
{
	if (value == NULL)
		return;
	sodium_memzero(value, len + 1);
	free(value);
}

void secrets_string_free(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

int secrets_delete(struct store *st, const char *scope, const char *name,
		   struct err *e)
{
	char w[STORE_WHO_MAX];
	int changes = 0, rc;

	rc = check_key(scope, name, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, &changes,
				   "DELETE FROM secrets WHERE scope = ? AND name = ?",
				   "tt", scope, name);
	if (rc < 0)
		return err_wrap(e, "delete secret '%s'", name ? name : "");
	if (changes == 0)
		return err_set(e, ERR_NOTFOUND, "secret '%s' is not set %s", name,
			       where(w, sizeof(w), scope));
	return 0;
}

static void read_entry(sqlite3_stmt *stmt, void *row)
{
	struct secrets_entry *entry = row;

	entry->name = store_sql_text(stmt, 0);
	entry->updated_at_ms = sqlite3_column_int64(stmt, 1);
}

static void release_entry(void *row)
{
	free(((struct secrets_entry *)row)->name);
}

static const struct store_row_type entry_row = {
	sizeof(struct secrets_entry), read_entry, release_entry
};

int secrets_list(struct store *st, const char *scope, const char *after,
		 size_t limit, struct secrets_entry **out, size_t *n,
		 struct err *e)
{
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_check_scope("project", scope, e);
	if (rc == 0)
		rc = store_sql_list(e, st->db, &entry_row, limit, out, n,
				    "SELECT name, updated_at FROM secrets"
				    " WHERE scope = ? AND name > ? ORDER BY name LIMIT ?",
				    "tt", scope, after ? after : "");
	return rc;
}

void secrets_list_free(struct secrets_entry *v, size_t n)
{
	store_rows_free(&entry_row, v, n);
}
