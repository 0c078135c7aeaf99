/*
 * node.c - joined nodes and join tokens.
 */
#include "store/node.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static const char *const node_states[] = { "active", "draining" };

#define NODE_COLUMNS "name, serial, address, source, state, labels, inventory, joined_at, seen_at"

static void read_node(sqlite3_stmt *stmt, void *row)
{
	struct store_node *n = row;

	n->name = store_sql_text(stmt, 0);
	n->serial = store_sql_text(stmt, 1);
	n->address = store_sql_text(stmt, 2);
	n->source = store_sql_text(stmt, 3);
	n->state = store_sql_text(stmt, 4);
	n->labels = store_sql_text(stmt, 5);
	n->inventory = store_sql_text(stmt, 6);
	n->joined_at_ms = sqlite3_column_int64(stmt, 7);
	n->seen_at_ms = sqlite3_column_int64(stmt, 8);
}

static void release_node(void *row)
{
	store_node_release(row);
}

static const struct store_row_type node_row = {
	sizeof(struct store_node), read_node, release_node
};

static int check_hex(const char *what, const char *s, size_t min, size_t max, struct err *e)
{
	size_t n = s ? strlen(s) : 0;

	if (n < min || n > max || strspn(s, "0123456789abcdef") != n)
		return err_set(e, ERR_INVALID, "%s must be %zu to %zu lowercase hex digits",
			       what, min, max);
	return 0;
}

int store_node_put(struct store *st, const struct store_node *n, struct err *e)
{
	const char *labels = n->labels ? n->labels : "{}";
	const char *inv = n->inventory ? n->inventory : "{}";
	int rc = store_check_name("node", n->name, e);

	if (rc == 0)
		rc = check_hex("a node certificate's serial", n->serial, 1,
			       STORE_NODE_SERIAL_MAX, e);
	if (rc == 0)
		rc = store_check_text("node address", n->address ? n->address : "", 255, e);
	if (rc == 0)
		rc = store_check_text("node source", n->source ? n->source : "", 255, e);
	if (rc == 0)
		rc = store_check_text("node labels", labels, STORE_NODE_JSON_MAX, e);
	if (rc == 0)
		rc = store_check_text("node inventory", inv, STORE_NODE_JSON_MAX, e);
	if (rc < 0)
		return rc;
	rc = store_sql_run(e, st->db, NULL,
			   "INSERT OR REPLACE INTO nodes (" NODE_COLUMNS ")"
			   " VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?)", "ttttttII", n->name,
			   n->serial, n->address ? n->address : "", n->source ? n->source : "",
			   labels, inv,
			   n->joined_at_ms ? n->joined_at_ms : store_now_ms(), n->seen_at_ms);
	return rc < 0 ? err_wrap(e, "add node '%s'", n->name) : 0;
}

int store_node_get(struct store *st, const char *name, struct store_node *out,
		   struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_sql_row(e, st->db, &node_row, out,
			   "SELECT " NODE_COLUMNS " FROM nodes WHERE name = ?", "t", name);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no node named '%s'", name);
	return rc < 0 ? rc : 0;
}

int store_node_list(struct store *st, struct store_node **out, size_t *n, struct err *e)
{
	return store_sql_list(e, st->db, &node_row, STORE_LIST_MAX, out, n,
			      "SELECT " NODE_COLUMNS " FROM nodes ORDER BY name LIMIT ?", "");
}

static int changed_one(int rc, int changes, const char *name, struct err *e)
{
	if (rc < 0)
		return rc;
	if (changes == 0)
		return err_set(e, ERR_NOTFOUND, "no node named '%s'", name);
	return 0;
}

int store_node_set_state(struct store *st, const char *name, const char *state,
			 struct err *e)
{
	int i, changes = 0;
	int rc = store_enum_parse("node state", node_states, 2, state, &i, e);

	if (rc == 0)
		rc = store_sql_run(e, st->db, &changes,
				   "UPDATE nodes SET state = ? WHERE name = ?", "tt", state, name);
	return changed_one(rc, changes, name, e);
}

int store_node_seen(struct store *st, const char *name, const char *inventory,
		    int64_t at_ms, struct err *e)
{
	int changes = 0, rc = 0;

	if (inventory)
		rc = store_check_text("node inventory", inventory, STORE_NODE_JSON_MAX, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, &changes,
				   "UPDATE nodes SET seen_at = ?,"
				   " inventory = COALESCE(?, inventory) WHERE name = ?", "Itt",
				   at_ms, inventory, name);
	return changed_one(rc, changes, name, e);
}

int store_node_delete(struct store *st, const char *name, struct err *e)
{
	int changes = 0;
	int rc = store_sql_run(e, st->db, &changes, "DELETE FROM nodes WHERE name = ?", "t",
			       name);

	return changed_one(rc, changes, name, e);
}

void store_node_release(struct store_node *n)
{
	if (n == NULL)
		return;
	free(n->name);
	free(n->serial);
	free(n->address);
	free(n->source);
	free(n->state);
	free(n->labels);
	free(n->inventory);
	memset(n, 0, sizeof(*n));
}

void store_node_list_free(struct store_node *v, size_t n)
{
	store_rows_free(&node_row, v, n);
}

static void read_token(sqlite3_stmt *stmt, void *row)
{
	struct store_join_token *t = row;

	t->id = store_sql_text(stmt, 0);
	t->hash = store_sql_text(stmt, 1);
	t->created_at_ms = sqlite3_column_int64(stmt, 2);
	t->expires_at_ms = sqlite3_column_int64(stmt, 3);
}

static void release_token(void *row)
{
	store_join_token_release(row);
}

static const struct store_row_type token_row = {
	sizeof(struct store_join_token), read_token, release_token
};

int store_join_token_add(struct store *st, const char *id, const char *hash,
			 int64_t expires_at_ms, struct err *e)
{
	int64_t now = store_now_ms();
	int rc = check_hex("a join token's id", id, 12, 12, e);

	if (rc == 0)
		rc = check_hex("a join token's hash", hash, 64, 64, e);
	if (rc == 0)
		rc = store_sql_run(e, st->db, NULL, "DELETE FROM join_tokens WHERE expires_at <= ?",
				   "I", now);
	if (rc == 0)
		rc = store_sql_run(e, st->db, NULL,
				   "INSERT INTO join_tokens (id, hash, created_at, expires_at)"
				   " VALUES (?, ?, ?, ?)", "ttII", id, hash, now, expires_at_ms);
	return rc < 0 ? err_wrap(e, "add join token") : 0;
}

int store_join_token_get(struct store *st, const char *id, int64_t now_ms,
			 struct store_join_token *out, struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_sql_row(e, st->db, &token_row, out,
			   "SELECT id, hash, created_at, expires_at FROM join_tokens"
			   " WHERE id = ? AND expires_at > ?", "tI", id, now_ms);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no join token with that id, or it expired");
	return rc < 0 ? rc : 0;
}

int store_join_token_list(struct store *st, int64_t now_ms, struct store_join_token **out,
			  size_t *n, struct err *e)
{
	return store_sql_list(e, st->db, &token_row, STORE_LIST_MAX, out, n,
			      "SELECT id, hash, created_at, expires_at FROM join_tokens"
			      " WHERE expires_at > ? ORDER BY created_at DESC LIMIT ?", "I",
			      now_ms);
}

int store_join_token_clear(struct store *st, struct err *e)
{
	return store_sql_run(e, st->db, NULL, "DELETE FROM join_tokens", "");
}

void store_join_token_release(struct store_join_token *t)
{
	if (t == NULL)
		return;
	free(t->id);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

void store_join_token_list_free(struct store_join_token *v, size_t n)
{
	store_rows_free(&token_row, v, n);
}
