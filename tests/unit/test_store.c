/*
 * test_store.c - store/: open and migrate, revisions and pointers, atomic
 * multi-project apply, reopen. Deploys, events, the observed cache and
 * concurrent writers are in test_store_records.c.
 */
#include "unit.h"

#include <errno.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "store/deploy.h"
#include "store/event.h"
#include "store/internal.h"
#include "store/observed.h"
#include "store/revision.h"
#include "store/store.h"
#include "store_fixture.h"

static int64_t add_rev(struct store *st, const char *project, const char *source)
{
	struct err e = { 0 };
	int64_t n = -1;

	EXPECT_EQ_INT(0, fx_add(st, project, source, "{\"v\":1}", 0, &n, &e));
	return n;
}

TEST(open_creates_private_dir_and_wal_database)
{
	struct fx f;
	struct stat sb;
	int version = 0;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(0, stat(f.data, &sb));
	EXPECT_EQ_INT(0700, sb.st_mode & 0777);
	char *db = xasprintf("%s/orca.db", f.data);
	EXPECT_EQ_INT(0, stat(db, &sb));
	EXPECT_EQ_INT(0600, sb.st_mode & 0777);
	free(db);
	EXPECT_EQ_INT(0, store_schema_version(f.st, &version, &e));
	EXPECT_EQ_INT(store_schema_latest(), version);
	EXPECT_STREQ(f.data, store_dir(f.st));

	sqlite3 *raw = fx_raw_open(f.data);
	sqlite3_stmt *stmt;
	sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, NULL);
	EXPECT_EQ_INT(SQLITE_ROW, sqlite3_step(stmt));
	EXPECT_STREQ("wal", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(raw);
	fx_close(&f);
}

TEST(one_lock_per_data_dir_naming_its_holder)
{
	char *dir = fixture_dir();
	char *data = fixture_data(dir);
	struct store_lock *a = NULL, *b = NULL;
	struct err e = { 0 };
	char want[64];

	EXPECT_EQ_INT(0, store_lock_dir(data, &a, &e));   /* creates data */
	EXPECT_EQ_INT(ERR_CONFLICT, store_lock_dir(data, &b, &e));
	EXPECT_NULL(b);
	snprintf(want, sizeof(want), "in use by another orca server (pid %ld,", (long)getpid());
	EXPECT_CONTAINS(e.msg, want);
	store_unlock_dir(a);
	EXPECT_EQ_INT(0, store_lock_dir(data, &b, &e));
	store_unlock_dir(b);
	free(data);
	fixture_rm(dir);
}

TEST(open_twice_and_reopen_are_idempotent)
{
	struct fx f;
	struct store *st2 = NULL;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(0, store_open(f.data, &st2, &e));
	store_close(st2);
	store_close(f.st);
	f.st = NULL;
	EXPECT_EQ_INT(0, store_open(f.data, &f.st, &e));
	fx_close(&f);
}

TEST(open_refuses_a_newer_schema)
{
	struct fx f;
	struct err e = { 0 };
	char sql[128];

	fx_open(&f);
	store_close(f.st);
	f.st = NULL;
	sqlite3 *raw = fx_raw_open(f.data);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO schema_version VALUES (%d, 0)", store_schema_latest() + 1);
	EXPECT_EQ_INT(SQLITE_OK, sqlite3_exec(raw, sql, NULL, NULL, NULL));
	sqlite3_close(raw);

	EXPECT_EQ_INT(ERR_UNSUPPORTED, store_open(f.data, &f.st, &e));
	EXPECT_NULL(f.st);
	EXPECT_CONTAINS(e.msg, "orca.db");
	EXPECT_CONTAINS(e.msg, "newer than this orca knows");
	fx_close(&f);
}

TEST(open_upgrades_a_version_1_database)
{
	struct fx f;
	struct store_revision r;
	struct err e = { 0 };
	int version = 0;

	f.dir = fixture_dir();
	f.data = fixture_data(f.dir);
	f.key = NULL;
	EXPECT_EQ_INT(0, mkdir(f.data, 0700));
	sqlite3 *raw = fx_raw_open(f.data);
	EXPECT_EQ_INT(0, store_migrate(raw, 1, &e));
	EXPECT_EQ_INT(0, store_db_version(raw, &version, &e));
	EXPECT_EQ_INT(1, version);
	EXPECT_EQ_INT(SQLITE_OK, sqlite3_exec(raw,
		"INSERT INTO projects VALUES ('web', 1, 0, 1, 5);"
		"INSERT INTO revisions VALUES ('web', 1, 'src', '{}', 5, 0, 'pending');",
		NULL, NULL, NULL));
	/* version 1 has no event log yet */
	EXPECT_FALSE(sqlite3_exec(raw, "SELECT * FROM events", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(raw);

	f.st = NULL;
	EXPECT_EQ_INT(0, store_open(f.data, &f.st, &e));
	EXPECT_EQ_INT(0, store_schema_version(f.st, &version, &e));
	EXPECT_EQ_INT(store_schema_latest(), version);
	EXPECT_EQ_INT(0, store_revision_current(f.st, "web", &r, &e));
	EXPECT_STREQ("src", r.source);
	EXPECT_EQ_INT(5, r.created_at_ms);
	store_revision_release(&r);
	EXPECT_EQ_INT(2, add_rev(f.st, "web", "src2"));
	struct store_event ev = { .kind = "replica.started", .replica = 0 };
	EXPECT_EQ_INT(0, store_event_append(f.st, &ev, NULL, &e));
	fx_close(&f);
}

TEST(revisions_are_numbered_per_project_and_move_current)
{
	struct fx f;
	struct store_revision r;
	struct store_project p;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(1, add_rev(f.st, "web", "a"));
	EXPECT_EQ_INT(2, add_rev(f.st, "web", "b"));
	EXPECT_EQ_INT(1, add_rev(f.st, "db", "x"));
	EXPECT_EQ_INT(0, store_project_get(f.st, "web", &p, &e));
	EXPECT_EQ_INT(2, p.current_rev);
	EXPECT_EQ_INT(0, p.good_rev);
	store_project_release(&p);

	EXPECT_EQ_INT(0, store_revision_get(f.st, "web", 1, &r, &e));
	EXPECT_STREQ("web", r.project);
	EXPECT_STREQ("a", r.source);
	EXPECT_STREQ("{\"v\":1}", r.spec);
	EXPECT_EQ_INT(STORE_REV_PENDING, r.state);
	EXPECT_TRUE(r.created_at_ms > 1600000000000LL);
	store_revision_release(&r);

	EXPECT_EQ_INT(0, store_revision_current(f.st, "web", &r, &e));
	EXPECT_EQ_INT(2, r.number);
	EXPECT_STREQ("b", r.source);
	store_revision_release(&r);

	EXPECT_EQ_INT(ERR_NOTFOUND, store_revision_get(f.st, "web", 9, &r, &e));
	EXPECT_STREQ("project 'web' has no revision 9", e.msg);
	EXPECT_EQ_INT(ERR_NOTFOUND, store_revision_current(f.st, "nope", &r, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_project_get(f.st, "nope", &p, &e));
	fx_close(&f);
}

TEST(revision_add_records_the_deploy_id)
{
	struct fx f;
	struct store_revision r;
	struct err e = { 0 };
	int64_t n = 0;

	fx_open(&f);
	EXPECT_EQ_INT(0, fx_add(f.st, "web", "s", "{}", 42, &n, &e));
	EXPECT_EQ_INT(0, store_revision_get(f.st, "web", n, &r, &e));
	EXPECT_EQ_INT(42, r.deploy_id);
	store_revision_release(&r);
	fx_close(&f);
}

TEST(revision_list_is_newest_first_and_pages)
{
	struct fx f;
	struct store_revision *v;
	size_t n;
	struct err e = { 0 };

	fx_open(&f);
	for (int i = 0; i < 5; i++)
		add_rev(f.st, "web", "s");
	EXPECT_EQ_INT(0, store_revision_list(f.st, "web", 0, 2, &v, &n, &e));
	EXPECT_EQ_INT(2, n);
	EXPECT_EQ_INT(5, v[0].number);
	EXPECT_EQ_INT(4, v[1].number);
	EXPECT_NULL(v[0].source);
	EXPECT_NULL(v[0].spec);
	store_revision_list_free(v, n);
	EXPECT_EQ_INT(0, store_revision_list(f.st, "web", 4, 10, &v, &n, &e));
	EXPECT_EQ_INT(3, n);
	EXPECT_EQ_INT(3, v[0].number);
	EXPECT_EQ_INT(1, v[2].number);
	store_revision_list_free(v, n);
	EXPECT_EQ_INT(0, store_revision_list(f.st, "other", 0, 10, &v, &n, &e));
	EXPECT_EQ_INT(0, n);
	store_revision_list_free(v, n);
	fx_close(&f);
}

TEST(activate_moves_good_and_set_current_is_a_compare_and_set)
{
	struct fx f;
	struct store_revision r;
	struct store_project p;
	struct err e = { 0 };

	fx_open(&f);
	add_rev(f.st, "web", "1");
	EXPECT_EQ_INT(0, store_revision_activate(f.st, "web", 1, &e));
	add_rev(f.st, "web", "2");
	EXPECT_EQ_INT(0, store_revision_activate(f.st, "web", 2, &e));
	add_rev(f.st, "web", "3");
	EXPECT_EQ_INT(0, store_revision_set_state(f.st, "web", 3, STORE_REV_FAILED, &e));

	EXPECT_EQ_INT(0, store_revision_get(f.st, "web", 1, &r, &e));
	EXPECT_EQ_INT(STORE_REV_SUPERSEDED, r.state);
	store_revision_release(&r);
	EXPECT_EQ_INT(0, store_project_get(f.st, "web", &p, &e));
	EXPECT_EQ_INT(3, p.current_rev);
	EXPECT_EQ_INT(2, p.good_rev);
	store_project_release(&p);

	EXPECT_EQ_INT(ERR_CONFLICT, store_project_set_current(f.st, "web", 2, 1, &e));
	EXPECT_STREQ("project 'web': the current revision is not 2 any more", e.msg);
	EXPECT_EQ_INT(3, fx_current(f.st, "web"));
	EXPECT_EQ_INT(0, store_project_set_current(f.st, "web", 3, 1, &e));
	EXPECT_EQ_INT(1, fx_current(f.st, "web"));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_project_set_current(f.st, "web", 1, 7, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_revision_activate(f.st, "web", 7, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND,
		      store_revision_set_state(f.st, "web", 7, STORE_REV_FAILED, &e));
	fx_close(&f);
}

/* Two writers read revision 1; the second to write must not silently
 * replace the first one's revision (the lost update of issue 8). */
TEST(revision_add_is_a_compare_and_set_on_current)
{
	struct fx f;
	struct store *other = NULL;
	struct store_revision r;
	struct store_revision_new fix = { "fixed", "{}", 0, 1, NULL, 0 };
	struct store_revision_new stale = { "stale", "{}", 0, 1, NULL, 0 };
	struct err e = { 0 };
	int64_t n = 0;

	fx_open(&f);
	EXPECT_EQ_INT(0, store_open(f.data, &other, &e));
	add_rev(f.st, "web", "v1");
	EXPECT_EQ_INT(0, store_revision_add(other, "web", &fix, &n, &e));
	EXPECT_EQ_INT(2, n);
	n = 0;
	EXPECT_EQ_INT(ERR_CONFLICT, store_revision_add(f.st, "web", &stale, &n, &e));
	EXPECT_EQ_INT(0, n);
	EXPECT_STREQ("project 'web': add revision: the current revision moved from 1 to 2 "
		     "meanwhile", e.msg);
	EXPECT_EQ_INT(0, store_revision_current(f.st, "web", &r, &e));
	EXPECT_EQ_INT(2, r.number);
	EXPECT_STREQ("fixed", r.source);
	store_revision_release(&r);
	/* nothing of the loser stays, not even its number */
	stale.base = 2;
	EXPECT_EQ_INT(0, store_revision_add(f.st, "web", &stale, &n, &e));
	EXPECT_EQ_INT(3, n);
	/* a project that does not exist yet has current revision 0 */
	stale.base = 3;
	EXPECT_EQ_INT(ERR_CONFLICT, store_revision_add(f.st, "new", &stale, &n, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_revision_current(f.st, "new", &r, &e));
	stale.base = -1;
	EXPECT_EQ_INT(ERR_INVALID, store_revision_add(f.st, "new", &stale, &n, &e));
	store_close(other);
	fx_close(&f);
}

TEST(revision_add_refuses_a_revision_that_uses_a_missing_one)
{
	struct fx f;
	struct err e = { 0 };
	int64_t uses[] = { 1, 9 }, n = 0;
	struct store_revision_new r = { "s", "{}", 0, 1, uses, 1 };

	fx_open(&f);
	add_rev(f.st, "web", "v1");
	EXPECT_EQ_INT(0, store_revision_add(f.st, "web", &r, &n, &e));
	r.base = 2;
	r.nuses = 2;
	EXPECT_EQ_INT(ERR_CONFLICT, store_revision_add(f.st, "web", &r, &n, &e));
	EXPECT_CONTAINS(e.msg, "revision 9 is gone (pruned)");
	EXPECT_EQ_INT(2, fx_current(f.st, "web"));
	fx_close(&f);
}

TEST(cluster_is_revisioned_under_the_empty_name_and_not_listed)
{
	struct fx f;
	struct store_project *v;
	struct store_revision r;
	size_t n;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(1, add_rev(f.st, STORE_CLUSTER, "[cluster]"));
	add_rev(f.st, "b", "s");
	add_rev(f.st, "a", "s");
	add_rev(f.st, "c", "s");
	EXPECT_EQ_INT(0, store_revision_current(f.st, STORE_CLUSTER, &r, &e));
	EXPECT_STREQ("[cluster]", r.source);
	store_revision_release(&r);
	EXPECT_EQ_INT(0, store_project_list(f.st, NULL, 2, &v, &n, &e));
	EXPECT_EQ_INT(2, n);
	EXPECT_STREQ("a", v[0].name);
	EXPECT_STREQ("b", v[1].name);
	store_project_list_free(v, n);
	EXPECT_EQ_INT(0, store_project_list(f.st, "b", 0, &v, &n, &e));
	EXPECT_EQ_INT(1, n);
	EXPECT_STREQ("c", v[0].name);
	EXPECT_EQ_INT(1, v[0].current_rev);
	store_project_list_free(v, n);
	EXPECT_EQ_INT(ERR_NOTFOUND, store_revision_get(f.st, "", 5, &r, &e));
	EXPECT_STREQ("the cluster has no revision 5", e.msg);
	fx_close(&f);
}

TEST(revision_input_is_bounded_and_checked)
{
	struct fx f;
	struct err e = { 0 };
	int64_t n = 0;
	char *big = xmalloc(STORE_SOURCE_MAX + 2);

	memset(big, 'x', STORE_SOURCE_MAX + 1);
	big[STORE_SOURCE_MAX + 1] = '\0';
	fx_open(&f);
	EXPECT_EQ_INT(ERR_TOOBIG, fx_add(f.st, "web", big, "{}", 0, &n, &e));
	EXPECT_CONTAINS(e.msg, "source larger than");
	big[STORE_SOURCE_MAX] = '\0';
	EXPECT_EQ_INT(0, fx_add(f.st, "web", big, "{}", 0, &n, &e));
	EXPECT_EQ_INT(ERR_INVALID, fx_add(f.st, "a/b", "s", "{}", 0, &n, &e));
	EXPECT_EQ_INT(ERR_INVALID, fx_add(f.st, "web", NULL, "{}", 0, &n, &e));
	EXPECT_EQ_INT(ERR_INVALID, fx_add(f.st, NULL, "s", "{}", 0, &n, &e));
	memset(big, 'p', STORE_NAME_MAX + 1);
	big[STORE_NAME_MAX + 1] = '\0';
	EXPECT_EQ_INT(ERR_INVALID, fx_add(f.st, big, "s", "{}", 0, &n, &e));
	free(big);
	fx_close(&f);
}

/* A spec "{...}" naming the revision it refers to as "from=N". */
static void refs_of(const char *spec, int64_t **out, size_t *n)
{
	const char *p = strstr(spec, "from=");

	*out = NULL;
	*n = 0;
	if (p == NULL)
		return;
	*out = xmalloc(sizeof(**out));
	**out = strtoll(p + 5, NULL, 10);
	*n = 1;
}

TEST(prune_keeps_newest_current_good_and_what_they_use)
{
	struct fx f;
	struct store_revision *v;
	struct store_revision_new r = { "s", "from=1", 0, 6, NULL, 0 };
	size_t n, deleted = 0;
	struct err e = { 0 };
	int64_t num = 0;

	fx_open(&f);
	for (int i = 0; i < 6; i++)
		add_rev(f.st, "web", "s");
	EXPECT_EQ_INT(0, store_revision_activate(f.st, "web", 2, &e));
	EXPECT_EQ_INT(0, store_project_set_current(f.st, "web", 6, 3, &e));
	EXPECT_EQ_INT(0, store_revision_prune(f.st, "web", 2, refs_of, &deleted, &e));
	EXPECT_EQ_INT(2, deleted); /* 1 and 4 go; 2 good, 3 current, 5 and 6 newest */
	EXPECT_EQ_INT(0, store_revision_list(f.st, "web", 0, 0, &v, &n, &e));
	EXPECT_EQ_INT(4, n);
	EXPECT_EQ_INT(6, v[0].number);
	EXPECT_EQ_INT(5, v[1].number);
	EXPECT_EQ_INT(3, v[2].number);
	EXPECT_EQ_INT(2, v[3].number);
	store_revision_list_free(v, n);
	EXPECT_EQ_INT(0, store_revision_prune(f.st, "web", 0, refs_of, &deleted, &e));
	EXPECT_EQ_INT(2, deleted);
	EXPECT_EQ_INT(7, add_rev(f.st, "web", "s"));

	/* a kept revision's spec pins the revision it takes a definition from */
	r.base = 7;
	r.spec = "from=3";
	EXPECT_EQ_INT(0, store_revision_add(f.st, "web", &r, &num, &e));
	for (int i = 0; i < 3; i++)
		add_rev(f.st, "web", "s");
	EXPECT_EQ_INT(0, store_revision_prune(f.st, "web", 4, refs_of, &deleted, &e));
	EXPECT_EQ_INT(1, deleted); /* 7 goes; 8..11 newest, 8 uses 3, 2 good */
	EXPECT_EQ_INT(0, store_revision_list(f.st, "web", 0, 0, &v, &n, &e));
	EXPECT_EQ_INT(6, n);
	EXPECT_EQ_INT(3, v[4].number);
	EXPECT_EQ_INT(2, v[5].number);
	store_revision_list_free(v, n);
	/* without refs, only the pointers and the newest are kept */
	EXPECT_EQ_INT(0, store_revision_prune(f.st, "web", 4, NULL, &deleted, &e));
	EXPECT_EQ_INT(1, deleted);
	fx_close(&f);
}

TEST(multi_project_apply_commits_every_revision)
{
	struct fx f;
	struct store_project p;
	struct err e = { 0 };
	const char *projects[] = { "a", "b", "c" };
	int64_t id = 0, n = 0;

	fx_open(&f);
	EXPECT_EQ_INT(0, store_begin(f.st, &e));
	EXPECT_EQ_INT(ERR_CONFLICT, store_begin(f.st, &e));
	EXPECT_EQ_INT(0, store_deploy_create(f.st, projects, 3, "apply", &id, &e));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ_INT(0, fx_add(f.st, projects[i], "s", "{}", id, &n, &e));
	EXPECT_EQ_INT(0, store_commit(f.st, &e));
	EXPECT_EQ_INT(ERR_CONFLICT, store_commit(f.st, &e));
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ_INT(0, store_project_get(f.st, projects[i], &p, &e));
		EXPECT_EQ_INT(1, p.current_rev);
		store_project_release(&p);
	}
	fx_close(&f);
}

TEST(multi_project_apply_failing_in_the_middle_records_nothing)
{
	struct fx f;
	struct store *other = NULL;
	struct store_project p;
	struct store_deploy d;
	struct err e = { 0 };
	const char *projects[] = { "a", "b", "c" };
	char *big = xmalloc(STORE_SPEC_MAX + 2);
	int64_t id = 0, n = 0;

	memset(big, '{', STORE_SPEC_MAX + 1);
	big[STORE_SPEC_MAX + 1] = '\0';
	fx_open(&f);
	add_rev(f.st, "a", "old");
	EXPECT_EQ_INT(0, store_open(f.data, &other, &e));

	EXPECT_EQ_INT(0, store_begin(f.st, &e));
	EXPECT_EQ_INT(0, store_deploy_create(f.st, projects, 3, NULL, &id, &e));
	EXPECT_EQ_INT(0, fx_add(f.st, "a", "new", "{}", id, &n, &e));
	EXPECT_EQ_INT(2, n);
	EXPECT_EQ_INT(0, fx_add(f.st, "b", "new", "{}", id, &n, &e));
	/* another connection does not see the open transaction */
	EXPECT_EQ_INT(ERR_NOTFOUND, store_project_get(other, "b", &p, &e));
	/* the third project fails: a failed SQL step, then a bound */
	EXPECT_EQ_INT(ERR_NOTFOUND, store_project_set_current(f.st, "c", 0, 1, &e));
	EXPECT_EQ_INT(ERR_TOOBIG, fx_add(f.st, "c", "s", big, id, &n, &e));
	store_rollback(f.st);
	store_rollback(f.st); /* harmless */

	EXPECT_EQ_INT(0, store_project_get(f.st, "a", &p, &e));
	EXPECT_EQ_INT(1, p.current_rev);
	store_project_release(&p);
	EXPECT_EQ_INT(ERR_NOTFOUND, store_project_get(f.st, "b", &p, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_project_get(other, "b", &p, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_deploy_get(f.st, id, &d, &e));
	/* the numbers given out in the rolled-back transaction come back */
	EXPECT_EQ_INT(2, add_rev(f.st, "a", "again"));
	store_close(other);
	free(big);
	fx_close(&f);
}

TEST(a_failed_call_inside_a_transaction_keeps_the_earlier_ones)
{
	struct fx f;
	struct store_project p;
	struct err e = { 0 };
	int64_t n = 0;

	fx_open(&f);
	EXPECT_EQ_INT(0, store_begin(f.st, &e));
	EXPECT_EQ_INT(0, fx_add(f.st, "a", "s", "{}", 0, &n, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_revision_activate(f.st, "a", 5, &e));
	EXPECT_EQ_INT(0, store_commit(f.st, &e));
	EXPECT_EQ_INT(0, store_project_get(f.st, "a", &p, &e));
	EXPECT_EQ_INT(1, p.current_rev);
	EXPECT_EQ_INT(0, p.good_rev);
	store_project_release(&p);
	fx_close(&f);
}

TEST(reopen_after_close_keeps_everything)
{
	struct fx f;
	struct err e = { 0 };
	struct store_revision r;
	struct store_deploy d;
	struct store_container c = { .id = "c1", .project = "web", .service = "api",
				     .state = "{}" };
	struct store_service_runtime rt = { .project = "web", .service = "api",
					    .restart_count = 2 };
	struct store_event ev = { .kind = "replica.crashed", .replica = 1 };
	struct store_event *v;
	const char *p[] = { "web" };
	int64_t id = 0;
	size_t n;

	fx_open(&f);
	add_rev(f.st, "web", "kept");
	EXPECT_EQ_INT(0, store_deploy_create(f.st, p, 1, "m", &id, &e));
	EXPECT_EQ_INT(0, store_container_put(f.st, &c, &e));
	EXPECT_EQ_INT(0, store_service_runtime_put(f.st, &rt, &e));
	EXPECT_EQ_INT(0, store_event_append(f.st, &ev, NULL, &e));
	store_close(f.st);
	f.st = NULL;

	EXPECT_EQ_INT(0, store_open(f.data, &f.st, &e));
	EXPECT_EQ_INT(0, store_revision_current(f.st, "web", &r, &e));
	EXPECT_STREQ("kept", r.source);
	store_revision_release(&r);
	EXPECT_EQ_INT(0, store_deploy_get(f.st, id, &d, &e));
	EXPECT_STREQ("m", d.message);
	store_deploy_release(&d);
	struct store_container cg;
	EXPECT_EQ_INT(0, store_container_get(f.st, "c1", &cg, &e));
	store_container_release(&cg);
	struct store_service_runtime rg;
	EXPECT_EQ_INT(0, store_service_runtime_get(f.st, "web", "api", &rg, &e));
	EXPECT_EQ_INT(2, rg.restart_count);
	store_service_runtime_release(&rg);
	EXPECT_EQ_INT(0, store_event_list(f.st, 0, NULL, 0, &v, &n, &e));
	EXPECT_EQ_INT(1, n);
	store_event_list_free(v, n);
	fx_close(&f);
}

TEST(open_reports_an_unusable_data_dir)
{
	struct fx f;
	struct store *st = NULL;
	struct err e = { 0 };

	fx_open(&f);
	char *file = xasprintf("%s/orca.db", f.data);
	EXPECT_EQ_INT(-ENOTDIR, store_open(file, &st, &e));
	EXPECT_NULL(st);
	EXPECT_CONTAINS(e.msg, "is not a directory");
	free(file);
	EXPECT_EQ_INT(ERR_INVALID, store_open("", &st, &e));
	fx_close(&f);
}

UNIT_MAIN
