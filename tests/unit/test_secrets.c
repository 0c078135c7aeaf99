/*
 * test_secrets.c - store/secrets: sealing, scopes, the master key file,
 * tampering, and ${secrets.KEY} expansion.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/paths.h"
#include "store/secrets.h"
#include "store/store.h"
#include "store_fixture.h"

static int set(struct store *st, const char *scope, const char *name, const char *v)
{
	struct err e = { 0 };

	return secrets_set(st, scope, name, v, strlen(v), &e);
}

/* The value of a secret as a string, or NULL; frees like a caller must. */
static char *get_str(struct store *st, const char *scope, const char *name,
		     struct err *e)
{
	unsigned char *v;
	size_t len;
	char *s;

	if (secrets_get(st, scope, name, &v, &len, e) < 0)
		return NULL;
	s = xstrndup((const char *)v, len);
	secrets_value_free(v, len);
	return s;
}

static int raw_exec(const char *data, const char *sql)
{
	char *path = xasprintf("%s/orca.db", data);
	sqlite3 *db = NULL;
	int rc;

	sqlite3_open(path, &db);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	free(path);
	return rc;
}

/* Flips one bit of byte i of the sealed box of the secret called name. */
static int raw_flip_byte(const char *data, const char *name, int i)
{
	char *path = xasprintf("%s/orca.db", data);
	unsigned char *box = NULL;
	sqlite3_stmt *stmt;
	sqlite3 *db = NULL;
	int rc, len = 0;

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "SELECT box FROM secrets WHERE name = ?", -1, &stmt, NULL);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		len = sqlite3_column_bytes(stmt, 0);
		box = xmalloc((size_t)len);
		memcpy(box, sqlite3_column_blob(stmt, 0), (size_t)len);
	}
	sqlite3_finalize(stmt);
	rc = SQLITE_NOTFOUND;
	if (box && i < len) {
		box[i] ^= 1;
		sqlite3_prepare_v2(db, "UPDATE secrets SET box = ? WHERE name = ?", -1,
				   &stmt, NULL);
		sqlite3_bind_blob(stmt, 1, box, len, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_finalize(stmt);
	}
	free(box);
	sqlite3_close(db);
	free(path);
	return rc;
}

TEST(set_get_roundtrip_bytes)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char bin[] = { 0, 1, 2, 0xff, 0, 'x' };
	unsigned char *v;
	size_t len;

	fx_open(&f);
	EXPECT_EQ_INT(0, secrets_set(f.st, "web", "BIN", bin, sizeof(bin), &e));
	EXPECT_EQ_INT(0, secrets_get(f.st, "web", "BIN", &v, &len, &e));
	EXPECT_EQ_INT(sizeof(bin), len);
	EXPECT_TRUE(memcmp(v, bin, sizeof(bin)) == 0);
	EXPECT_EQ_INT(0, v[len]);
	secrets_value_free(v, len);

	EXPECT_EQ_INT(0, secrets_set(f.st, "web", "EMPTY", NULL, 0, &e));
	EXPECT_EQ_INT(0, secrets_get(f.st, "web", "EMPTY", &v, &len, &e));
	EXPECT_EQ_INT(0, len);
	secrets_value_free(v, len);

	EXPECT_EQ_INT(0, set(f.st, "web", "DB_PASS", "one"));
	EXPECT_EQ_INT(0, set(f.st, "web", "DB_PASS", "two"));
	char *s = get_str(f.st, "web", "DB_PASS", &e);
	EXPECT_STREQ("two", s);
	free(s);
	fx_close(&f);
}

TEST(values_are_bounded_and_names_checked)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char *big = xcalloc(1, SECRETS_VALUE_MAX + 1);
	unsigned char *v;
	size_t len;

	fx_open(&f);
	memset(big, 'b', SECRETS_VALUE_MAX + 1);
	EXPECT_EQ_INT(ERR_TOOBIG, secrets_set(f.st, "", "BIG", big, SECRETS_VALUE_MAX + 1, &e));
	EXPECT_EQ_INT(0, secrets_set(f.st, "", "BIG", big, SECRETS_VALUE_MAX, &e));
	EXPECT_EQ_INT(0, secrets_get(f.st, "", "BIG", &v, &len, &e));
	EXPECT_EQ_INT(SECRETS_VALUE_MAX, len);
	secrets_value_free(v, len);
	EXPECT_EQ_INT(ERR_INVALID, set(f.st, "web", "1ABC", "x"));
	EXPECT_EQ_INT(ERR_INVALID, set(f.st, "web", "A-B", "x"));
	EXPECT_EQ_INT(ERR_INVALID, set(f.st, "web", "", "x"));
	EXPECT_EQ_INT(ERR_INVALID, set(f.st, "we/b", "A", "x"));
	EXPECT_TRUE(secrets_name_ok("_a1"));
	EXPECT_FALSE(secrets_name_ok(NULL));
	free(big);
	fx_close(&f);
}

TEST(a_project_sees_its_own_and_cluster_wide_secrets_only)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char *v;
	size_t len;

	fx_open(&f);
	EXPECT_EQ_INT(0, set(f.st, "", "SHARED", "cluster-value"));
	EXPECT_EQ_INT(0, set(f.st, "", "TOKEN", "cluster-token"));
	EXPECT_EQ_INT(0, set(f.st, "backend", "TOKEN", "backend-token"));
	EXPECT_EQ_INT(0, set(f.st, "backend", "DB_PASS", "backend-pass"));

	EXPECT_EQ_INT(0, secrets_resolve(f.st, "backend", "TOKEN", &v, &len, &e));
	EXPECT_STREQ("backend-token", (char *)v);
	secrets_value_free(v, len);
	EXPECT_EQ_INT(0, secrets_resolve(f.st, "frontend", "TOKEN", &v, &len, &e));
	EXPECT_STREQ("cluster-token", (char *)v);
	secrets_value_free(v, len);
	EXPECT_EQ_INT(0, secrets_resolve(f.st, "frontend", "SHARED", &v, &len, &e));
	secrets_value_free(v, len);

	/* another project's secret is invisible, by get and by resolve */
	EXPECT_EQ_INT(ERR_NOTFOUND, secrets_get(f.st, "frontend", "DB_PASS", &v, &len, &e));
	EXPECT_STREQ("secret 'DB_PASS' is not set for project 'frontend'", e.msg);
	EXPECT_EQ_INT(ERR_NOTFOUND, secrets_resolve(f.st, "frontend", "DB_PASS", &v, &len, &e));
	EXPECT_STREQ("secret 'DB_PASS' is not set for project 'frontend' or cluster-wide", e.msg);
	EXPECT_NULL(v);
	EXPECT_EQ_INT(ERR_NOTFOUND, secrets_get(f.st, "", "DB_PASS", &v, &len, &e));
	EXPECT_STREQ("secret 'DB_PASS' is not set cluster-wide", e.msg);
	fx_close(&f);
}

TEST(list_returns_names_and_times_never_values)
{
	struct fx f;
	struct err e = { 0 };
	struct secrets_entry *v;
	size_t n;

	fx_open(&f);
	set(f.st, "web", "C", "vc");
	set(f.st, "web", "A", "va");
	set(f.st, "web", "B", "vb");
	set(f.st, "", "Z", "vz");
	EXPECT_EQ_INT(0, secrets_list(f.st, "web", NULL, 2, &v, &n, &e));
	EXPECT_EQ_INT(2, n);
	EXPECT_STREQ("A", v[0].name);
	EXPECT_STREQ("B", v[1].name);
	EXPECT_TRUE(v[0].updated_at_ms > 1600000000000LL);
	secrets_list_free(v, n);
	EXPECT_EQ_INT(0, secrets_list(f.st, "web", "B", 0, &v, &n, &e));
	EXPECT_EQ_INT(1, n);
	EXPECT_STREQ("C", v[0].name);
	secrets_list_free(v, n);
	EXPECT_EQ_INT(0, secrets_list(f.st, "", NULL, 0, &v, &n, &e));
	EXPECT_EQ_INT(1, n);
	EXPECT_STREQ("Z", v[0].name);
	secrets_list_free(v, n);
	fx_close(&f);
}

TEST(delete_removes_and_reports_absent)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char *v;
	size_t len;

	fx_open(&f);
	set(f.st, "web", "A", "x");
	EXPECT_EQ_INT(0, secrets_delete(f.st, "web", "A", &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, secrets_get(f.st, "web", "A", &v, &len, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, secrets_delete(f.st, "web", "A", &e));
	EXPECT_STREQ("secret 'A' is not set for project 'web'", e.msg);
	fx_close(&f);
}

static int db_files_contain(const char *data, const char *needle)
{
	char *db = xasprintf("%s/orca.db", data);
	char *wal = xasprintf("%s/orca.db-wal", data);
	int found = fixture_file_contains(db, needle, strlen(needle)) ||
		    fixture_file_contains(wal, needle, strlen(needle));

	free(db);
	free(wal);
	return found;
}

TEST(plaintext_never_reaches_the_database_files)
{
	struct fx f;
	struct err e = { 0 };
	const char *plain = "PLAINTEXT-MARKER-7f3a9c-correct-horse-battery-staple";
	char *wal;
	size_t len;
	unsigned char *data;

	fx_open(&f);
	EXPECT_EQ_INT(0, set(f.st, "web", "MARKED", plain));
	EXPECT_EQ_INT(0, set(f.st, "", "MARKED", plain));
	EXPECT_FALSE(db_files_contain(f.data, plain));
	EXPECT_FALSE(db_files_contain(f.data, "correct-horse"));
	/* the search is real: the name, stored in plain text, is found */
	EXPECT_TRUE(db_files_contain(f.data, "MARKED"));
	wal = xasprintf("%s/orca.db-wal", f.data);
	data = fixture_read(wal, &len);
	EXPECT_TRUE(len > 0);
	free(data);
	free(wal);
	char *got = get_str(f.st, "web", "MARKED", &e);
	EXPECT_STREQ(plain, got);
	free(got);
	store_close(f.st); /* checkpoints the WAL into orca.db */
	f.st = NULL;
	EXPECT_FALSE(db_files_contain(f.data, plain));
	EXPECT_FALSE(db_files_contain(f.data, "correct-horse"));
	fx_close(&f);
}

TEST(master_key_is_created_private_and_reused)
{
	struct fx f;
	struct err e = { 0 };
	struct stat sb;
	size_t len;
	unsigned char *key1, *key2;

	fx_open(&f);
	EXPECT_EQ_INT(0, stat(f.key, &sb));
	EXPECT_EQ_INT(0600, sb.st_mode & 0777);
	EXPECT_EQ_INT(32, sb.st_size);
	key1 = fixture_read(f.key, &len);
	set(f.st, "web", "A", "kept");
	fx_reopen(&f, 0, &e);
	key2 = fixture_read(f.key, &len);
	EXPECT_TRUE(key1 && key2 && memcmp(key1, key2, 32) == 0);
	char *s = get_str(f.st, "web", "A", &e);
	EXPECT_STREQ("kept", s);
	free(s);
	free(key1);
	free(key2);
	fx_close(&f);
}

TEST(a_key_file_readable_by_others_is_refused)
{
	struct fx f;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(0, chmod(f.key, 0644));
	fx_reopen(&f, ERR_INVALID, &e);
	EXPECT_NULL(f.st);
	EXPECT_CONTAINS(e.msg, "accessible by group or others (mode 0644)");
	EXPECT_CONTAINS(e.msg, "chmod 600");
	EXPECT_CONTAINS(e.msg, f.key);
	EXPECT_EQ_INT(0, chmod(f.key, 0640));
	fx_reopen(&f, ERR_INVALID, &e);
	EXPECT_EQ_INT(0, chmod(f.key, 0600));
	fx_reopen(&f, 0, &e);
	fx_close(&f);
}

TEST(the_master_key_can_live_outside_the_data_directory)
{
	struct fx f;
	struct store *st = NULL;
	struct err e = { 0 };
	struct stat sb;
	char *keydir = fixture_dir();
	char *key = xasprintf("%s/orca-master-key", keydir);
	char *s;

	fx_open(&f);
	store_close(f.st);
	EXPECT_EQ_INT(0, unlink(f.key));   /* a fresh directory, no secret yet */
	EXPECT_EQ_INT(0, store_open_key(f.data, key, &f.st, &e));
	EXPECT_EQ_INT(0, stat(key, &sb));
	EXPECT_EQ_INT(0600, sb.st_mode & 0777);
	EXPECT_EQ_INT(-1, access(f.key, F_OK));   /* nothing next to orca.db */
	EXPECT_EQ_INT(0, set(f.st, "web", "A", "outside"));
	store_close(f.st);
	f.st = NULL;
	/* the data directory alone (a backup of it) does not open the secrets */
	EXPECT_EQ_INT(ERR_NOTFOUND, store_open(f.data, &st, &e));
	EXPECT_CONTAINS(e.msg, "is missing but the database holds secrets sealed with it");
	EXPECT_EQ_INT(0, store_open_key(f.data, key, &st, &e));
	s = get_str(st, "web", "A", &e);
	EXPECT_STREQ("outside", s);
	free(s);
	store_close(st);
	EXPECT_EQ_INT(0, chmod(key, 0604));
	EXPECT_EQ_INT(ERR_INVALID, store_open_key(f.data, key, &st, &e));
	EXPECT_CONTAINS(e.msg, "accessible by group or others (mode 0604)");
	unlink(key);
	free(key);
	fixture_rm(keydir);
	fx_close(&f);
}

TEST(the_key_file_comes_from_the_flag_the_environment_or_systemd)
{
	char *dir = fixture_dir();
	char *cred = xasprintf("%s/orca-master-key", dir);
	char *p;

	unsetenv("ORCA_KEY_FILE");
	unsetenv("CREDENTIALS_DIRECTORY");
	EXPECT_NULL(paths_key_file(NULL));
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	EXPECT_NULL(paths_key_file(NULL));   /* no such credential: the data dir */
	fclose(fopen(cred, "w"));
	p = paths_key_file(NULL);
	EXPECT_STREQ(cred, p);
	free(p);
	setenv("ORCA_KEY_FILE", "/etc/orca/key", 1);
	p = paths_key_file(NULL);
	EXPECT_STREQ("/etc/orca/key", p);
	free(p);
	p = paths_key_file("/flag/key");
	EXPECT_STREQ("/flag/key", p);
	free(p);
	unsetenv("ORCA_KEY_FILE");
	unsetenv("CREDENTIALS_DIRECTORY");
	unlink(cred);
	free(cred);
	fixture_rm(dir);
}

TEST(a_key_file_of_the_wrong_size_is_refused)
{
	struct fx f;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(0, truncate(f.key, 31));
	fx_reopen(&f, ERR_INVALID, &e);
	EXPECT_CONTAINS(e.msg, "is 31 bytes, want 32");
	EXPECT_CONTAINS(e.msg, "restore the original key file");
	EXPECT_EQ_INT(0, unlink(f.key));
	EXPECT_EQ_INT(0, symlink("/dev/null", f.key));
	fx_reopen(&f, -ELOOP, &e);
	fx_close(&f);
}

TEST(a_missing_key_is_recreated_only_while_no_secret_is_sealed)
{
	struct fx f;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(0, unlink(f.key));
	fx_reopen(&f, 0, &e);
	set(f.st, "web", "A", "x");
	EXPECT_EQ_INT(0, unlink(f.key));
	fx_reopen(&f, ERR_NOTFOUND, &e);
	EXPECT_CONTAINS(e.msg, "is missing but the database holds secrets");
	EXPECT_CONTAINS(e.msg, "restore it from a backup");
	EXPECT_EQ_INT(-1, access(f.key, F_OK));
	fx_close(&f);
}

TEST(tampered_ciphertext_does_not_decrypt)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char *v = NULL;
	size_t len;

	fx_open(&f);
	set(f.st, "web", "A", "secret-value-a");
	EXPECT_EQ_INT(SQLITE_OK, raw_flip_byte(f.data, "A", 20));
	EXPECT_EQ_INT(ERR_INVALID, secrets_get(f.st, "web", "A", &v, &len, &e));
	EXPECT_NULL(v);
	EXPECT_CONTAINS(e.msg, "secret 'A' for project 'web' does not decrypt");
	EXPECT_FALSE(strstr(e.msg, "secret-value") != NULL);
	EXPECT_EQ_INT(SQLITE_OK, raw_exec(f.data,
		"UPDATE secrets SET nonce = zeroblob(24) WHERE name = 'A'"));
	EXPECT_EQ_INT(ERR_INVALID, secrets_get(f.st, "web", "A", &v, &len, &e));
	EXPECT_EQ_INT(SQLITE_OK, raw_exec(f.data,
		"UPDATE secrets SET box = x'00' WHERE name = 'A'"));
	EXPECT_EQ_INT(ERR_INVALID, secrets_get(f.st, "web", "A", &v, &len, &e));
	fx_close(&f);
}

TEST(a_row_moved_to_another_name_or_scope_does_not_decrypt)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char *v = NULL;
	size_t len;

	fx_open(&f);
	set(f.st, "web", "A", "value-of-a");
	set(f.st, "web", "B", "value-of-b");
	/* copy A's sealed value over B's row, and move a row to another scope */
	EXPECT_EQ_INT(SQLITE_OK, raw_exec(f.data,
		"UPDATE secrets SET (nonce, box) = (SELECT nonce, box FROM secrets"
		" WHERE name = 'A') WHERE name = 'B';"
		"INSERT INTO secrets SELECT 'db', name, alg, nonce, box, created_at,"
		" updated_at FROM secrets WHERE name = 'A';"
		"INSERT INTO secrets SELECT '', name, alg, nonce, box, created_at,"
		" updated_at FROM secrets WHERE scope = 'web' AND name = 'A';"));
	EXPECT_EQ_INT(ERR_INVALID, secrets_get(f.st, "web", "B", &v, &len, &e));
	EXPECT_CONTAINS(e.msg, "does not decrypt");
	EXPECT_EQ_INT(ERR_INVALID, secrets_get(f.st, "db", "A", &v, &len, &e));
	EXPECT_EQ_INT(ERR_INVALID, secrets_get(f.st, "", "A", &v, &len, &e));
	EXPECT_CONTAINS(e.msg, "secret 'A' cluster-wide does not decrypt");
	char *s = get_str(f.st, "web", "A", &e);
	EXPECT_STREQ("value-of-a", s);
	free(s);
	fx_close(&f);
}

TEST(another_master_key_cannot_read_the_secrets)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char *v = NULL;
	size_t len;
	char other[32];
	int fd;

	fx_open(&f);
	set(f.st, "web", "A", "x");
	memset(other, 7, sizeof(other));
	fd = open(f.key, O_WRONLY | O_TRUNC);
	EXPECT_EQ_INT(32, write(fd, other, sizeof(other)));
	close(fd);
	fx_reopen(&f, 0, &e);
	EXPECT_EQ_INT(ERR_INVALID, secrets_get(f.st, "web", "A", &v, &len, &e));
	EXPECT_CONTAINS(e.msg, "/master.key' is not the key it was sealed with");
	fx_close(&f);
}

static char *expand(struct store *st, const char *project, const char *in,
		    int want, struct err *e)
{
	char *out = (char *)"unset";

	EXPECT_EQ_INT(want, secrets_expand(st, project, in, &out, e));
	if (want < 0) {
		EXPECT_NULL(out);
		return NULL;
	}
	return out;
}

TEST(expand_replaces_references_and_double_dollars)
{
	struct fx f;
	struct err e = { 0 };
	char *s;

	fx_open(&f);
	set(f.st, "backend", "DB_PASS", "hunter2");
	set(f.st, "", "REGION", "eu-1");
	s = expand(f.st, "backend", "postgres://app:${secrets.DB_PASS}@db/${secrets.REGION}", 0, &e);
	EXPECT_STREQ("postgres://app:hunter2@db/eu-1", s);
	secrets_string_free(s);
	s = expand(f.st, "backend", "cost: $$5, $HOME ${HOME} $ $${secrets.DB_PASS} $", 0, &e);
	EXPECT_STREQ("cost: $5, $HOME ${HOME} $ ${secrets.DB_PASS} $", s);
	secrets_string_free(s);
	s = expand(f.st, "backend", "", 0, &e);
	EXPECT_STREQ("", s);
	secrets_string_free(s);
	s = expand(f.st, "frontend", "${secrets.REGION}${secrets.REGION}", 0, &e);
	EXPECT_STREQ("eu-1eu-1", s);
	secrets_string_free(s);
	fx_close(&f);
}

TEST(expand_names_an_unknown_key_and_never_a_value)
{
	struct fx f;
	struct err e = { 0 };

	fx_open(&f);
	set(f.st, "backend", "GOOD", "value-that-must-not-leak");
	set(f.st, "frontend", "DB_PASS", "other-projects-pass");
	expand(f.st, "backend", "${secrets.GOOD}:${secrets.DB_PASS}", ERR_NOTFOUND, &e);
	EXPECT_STREQ("secret 'DB_PASS' is not set for project 'backend' or cluster-wide", e.msg);
	EXPECT_FALSE(strstr(e.msg, "value-that") != NULL);
	expand(f.st, "backend", "${secrets.}", ERR_INVALID, &e);
	EXPECT_CONTAINS(e.msg, "malformed secret reference at byte 0");
	expand(f.st, "backend", "x${secrets.1A}", ERR_INVALID, &e);
	EXPECT_CONTAINS(e.msg, "at byte 1");
	expand(f.st, "backend", "${secrets.GOOD", ERR_INVALID, &e);
	expand(f.st, "backend", "${secrets.GO OD}", ERR_INVALID, &e);
	fx_close(&f);
}

TEST(expand_refuses_nul_bytes_and_oversized_results)
{
	struct fx f;
	struct err e = { 0 };
	unsigned char nul[] = { 'a', 0, 'b' };
	unsigned char *big = xmalloc(SECRETS_VALUE_MAX);
	struct buf in = BUF_INIT;

	fx_open(&f);
	EXPECT_EQ_INT(0, secrets_set(f.st, "web", "NUL", nul, sizeof(nul), &e));
	expand(f.st, "web", "${secrets.NUL}", ERR_INVALID, &e);
	EXPECT_CONTAINS(e.msg, "holds a NUL byte");
	memset(big, 'v', SECRETS_VALUE_MAX);
	EXPECT_EQ_INT(0, secrets_set(f.st, "web", "BIG", big, SECRETS_VALUE_MAX, &e));
	for (int i = 0; i < 17; i++)
		buf_puts(&in, "${secrets.BIG}");
	expand(f.st, "web", buf_str(&in), ERR_TOOBIG, &e);
	buf_release(&in);
	free(big);
	fx_close(&f);
}

UNIT_MAIN
