/*
 * test_store_records.c - store/: deploy history, the event log, the
 * observed-state cache, per-service runtime records, and one store per
 * thread writing at once.
 */
#include "unit.h"

#include <pthread.h>
#include <sqlite3.h>

#include "store/deploy.h"
#include "store/event.h"
#include "store/internal.h"
#include "store/observed.h"
#include "store/store.h"
#include "store_fixture.h"

TEST(deploys_record_state_progress_and_projects)
{
	struct fx f;
	struct store_deploy d;
	struct err e = { 0 };
	const char *projects[] = { "web", "", "db", "web" };
	int64_t id = 0;

	fx_open(&f);
	EXPECT_EQ_INT(0, store_deploy_create(f.st, projects, 4, "by alice", &id, &e));
	EXPECT_EQ_INT(1, id);
	EXPECT_EQ_INT(0, store_deploy_get(f.st, id, &d, &e));
	EXPECT_EQ_INT(STORE_DEPLOY_RUNNING, d.state);
	EXPECT_EQ_INT(0, d.finished_at_ms);
	EXPECT_STREQ("by alice", d.message);
	EXPECT_STREQ("{}", d.progress);
	EXPECT_EQ_INT(3, d.nprojects);
	if (d.nprojects == 3) {
		EXPECT_STREQ("", d.projects[0]);
		EXPECT_STREQ("db", d.projects[1]);
		EXPECT_STREQ("web", d.projects[2]);
	}
	store_deploy_release(&d);

	EXPECT_EQ_INT(0, store_deploy_set_progress(f.st, id, "{\"web/api\":{\"0\":\"healthy\"}}", &e));
	EXPECT_EQ_INT(0, store_deploy_set_state(f.st, id, STORE_DEPLOY_SUCCEEDED, NULL, &e));
	EXPECT_EQ_INT(0, store_deploy_get(f.st, id, &d, &e));
	EXPECT_EQ_INT(STORE_DEPLOY_SUCCEEDED, d.state);
	EXPECT_TRUE(d.finished_at_ms >= d.created_at_ms);
	EXPECT_STREQ("by alice", d.message);
	EXPECT_STREQ("{\"web/api\":{\"0\":\"healthy\"}}", d.progress);
	store_deploy_release(&d);

	EXPECT_EQ_INT(ERR_NOTFOUND, store_deploy_get(f.st, 99, &d, &e));
	EXPECT_STREQ("deploy 99 not found", e.msg);
	EXPECT_EQ_INT(ERR_NOTFOUND, store_deploy_set_progress(f.st, 99, "{}", &e));
	EXPECT_EQ_INT(ERR_NOTFOUND,
		      store_deploy_set_state(f.st, 99, STORE_DEPLOY_FAILED, "x", &e));
	EXPECT_EQ_INT(ERR_INVALID, store_deploy_create(f.st, projects, 0, NULL, &id, &e));
	fx_close(&f);
}

TEST(deploy_list_is_newest_first_and_ids_survive_prune)
{
	struct fx f;
	struct store_deploy *v;
	const char *p[] = { "web" };
	size_t n, deleted = 0;
	struct err e = { 0 };
	int64_t id = 0;

	fx_open(&f);
	for (int i = 0; i < 5; i++)
		EXPECT_EQ_INT(0, store_deploy_create(f.st, p, 1, NULL, &id, &e));
	EXPECT_EQ_INT(0, store_deploy_set_state(f.st, 2, STORE_DEPLOY_FAILED, "no node fits", &e));
	EXPECT_EQ_INT(0, store_deploy_list(f.st, 0, 3, &v, &n, &e));
	EXPECT_EQ_INT(3, n);
	EXPECT_EQ_INT(5, v[0].id);
	EXPECT_EQ_INT(3, v[2].id);
	EXPECT_NULL(v[0].progress);
	EXPECT_EQ_INT(1, v[0].nprojects);
	store_deploy_list_free(v, n);
	EXPECT_EQ_INT(0, store_deploy_list(f.st, 3, 3, &v, &n, &e));
	EXPECT_EQ_INT(2, n);
	EXPECT_EQ_INT(2, v[0].id);
	EXPECT_EQ_INT(STORE_DEPLOY_FAILED, v[0].state);
	EXPECT_STREQ("no node fits", v[0].message);
	store_deploy_list_free(v, n);

	/* a running deploy is never pruned: 1 still runs */
	for (int64_t i = 3; i <= 5; i++)
		EXPECT_EQ_INT(0, store_deploy_set_state(f.st, i, STORE_DEPLOY_SUCCEEDED, "", &e));
	EXPECT_EQ_INT(0, store_deploy_prune(f.st, 2, &deleted, &e));
	EXPECT_EQ_INT(2, deleted);
	EXPECT_EQ_INT(0, store_deploy_prune(f.st, 0, &deleted, &e));
	EXPECT_EQ_INT(2, deleted);
	EXPECT_EQ_INT(0, store_deploy_list(f.st, 0, 0, &v, &n, &e));
	EXPECT_EQ_INT(1, n);
	EXPECT_EQ_INT(1, v[0].id);
	store_deploy_list_free(v, n);
	EXPECT_EQ_INT(0, store_deploy_create(f.st, p, 1, NULL, &id, &e));
	EXPECT_EQ_INT(6, id);
	fx_close(&f);
}

static void append(struct store *st, const char *project, const char *kind, int i)
{
	char msg[32];
	struct store_event ev = { .project = (char *)project, .service = "api",
				  .replica = i % 3 - 1, .kind = (char *)kind,
				  .message = msg, .ts_ms = 1000 + i };
	struct err e = { 0 };

	snprintf(msg, sizeof(msg), "event %d", i);
	EXPECT_EQ_INT(0, store_event_append(st, &ev, NULL, &e));
}

TEST(events_append_list_after_and_filter)
{
	struct fx f;
	struct store_event *v;
	size_t n;
	struct err e = { 0 };
	int64_t last = -1;

	fx_open(&f);
	EXPECT_EQ_INT(0, store_event_last_id(f.st, &last, &e));
	EXPECT_EQ_INT(0, last);
	for (int i = 0; i < 25; i++)
		append(f.st, i % 5 == 0 ? "db" : "web", "replica.started", i);
	EXPECT_EQ_INT(0, store_event_list(f.st, 0, NULL, 10, &v, &n, &e));
	EXPECT_EQ_INT(10, n);
	EXPECT_EQ_INT(1, v[0].id);
	EXPECT_EQ_INT(10, v[9].id);
	EXPECT_EQ_INT(1000, v[0].ts_ms);
	EXPECT_STREQ("db", v[0].project);
	EXPECT_STREQ("api", v[0].service);
	EXPECT_EQ_INT(-1, v[0].replica);
	EXPECT_STREQ("replica.started", v[0].kind);
	EXPECT_STREQ("event 0", v[0].message);
	store_event_list_free(v, n);
	EXPECT_EQ_INT(0, store_event_list(f.st, 20, NULL, 10, &v, &n, &e));
	EXPECT_EQ_INT(5, n);
	store_event_list_free(v, n);
	EXPECT_EQ_INT(0, store_event_list(f.st, 0, "db", 0, &v, &n, &e));
	EXPECT_EQ_INT(5, n);
	EXPECT_EQ_INT(6, v[1].id);
	store_event_list_free(v, n);
	EXPECT_EQ_INT(0, store_event_last_id(f.st, &last, &e));
	EXPECT_EQ_INT(25, last);

	struct store_event bad = { .kind = "Replica Started" };
	EXPECT_EQ_INT(ERR_INVALID, store_event_append(f.st, &bad, NULL, &e));
	bad.kind = "ok";
	bad.replica = -2;
	EXPECT_EQ_INT(ERR_INVALID, store_event_append(f.st, &bad, NULL, &e));
	fx_close(&f);
}

TEST(events_prune_to_the_newest_and_ids_keep_growing)
{
	struct fx f;
	struct store_event *v;
	struct store_event ev = { .kind = "deploy.failed", .replica = -1 };
	size_t n, deleted = 0;
	struct err e = { 0 };
	int64_t id = 0;

	fx_open(&f);
	for (int i = 0; i < 30; i++)
		append(f.st, "web", "replica.crashed", i);
	EXPECT_EQ_INT(0, store_event_prune(f.st, 50, &deleted, &e));
	EXPECT_EQ_INT(0, deleted);
	EXPECT_EQ_INT(0, store_event_prune(f.st, 10, &deleted, &e));
	EXPECT_EQ_INT(20, deleted);
	EXPECT_EQ_INT(0, store_event_list(f.st, 0, NULL, 0, &v, &n, &e));
	EXPECT_EQ_INT(10, n);
	EXPECT_EQ_INT(21, v[0].id);
	EXPECT_EQ_INT(30, v[9].id);
	store_event_list_free(v, n);
	EXPECT_EQ_INT(0, store_event_append(f.st, &ev, &id, &e));
	EXPECT_EQ_INT(31, id);
	EXPECT_EQ_INT(0, store_event_list(f.st, 30, NULL, 0, &v, &n, &e));
	EXPECT_EQ_INT(1, n);
	EXPECT_STREQ("", v[0].project);
	EXPECT_TRUE(v[0].ts_ms > 1600000000000LL);
	store_event_list_free(v, n);
	EXPECT_EQ_INT(0, store_event_prune(f.st, 0, &deleted, &e));
	EXPECT_EQ_INT(11, deleted);
	fx_close(&f);
}

TEST(events_are_pruned_automatically_past_the_bound)
{
	struct fx f;
	struct err e = { 0 };
	struct store_event ev = { .kind = "replica.started", .replica = 0 };
	int64_t id = 0, count = 0;

	fx_open(&f);
	/* Fill past the bound quickly in one transaction of raw inserts. */
	sqlite3 *raw = fx_raw_open(f.data);
	EXPECT_EQ_INT(SQLITE_OK, sqlite3_exec(raw,
		"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
		" WHERE i < 101375) INSERT INTO events (ts, project, service,"
		" replica, kind, message) SELECT i, 'p', 's', 0, 'k', '' FROM c",
		NULL, NULL, NULL));
	sqlite3_close(raw);
	EXPECT_EQ_INT(0, store_event_append(f.st, &ev, &id, &e));
	EXPECT_EQ_INT(101376, id); /* a multiple of 1024: append pruned */
	raw = fx_raw_open(f.data);
	EXPECT_EQ_INT(1, store_sql_int64(&e, raw, &count,
					 "SELECT COUNT(*) FROM events", ""));
	sqlite3_close(raw);
	EXPECT_EQ_INT(STORE_EVENTS_KEEP, count);
	fx_close(&f);
}

TEST(observed_cache_upserts_lists_and_deletes)
{
	struct fx f;
	struct store_container c = { .id = "c1", .project = "web", .service = "api",
				     .replica = 0, .revision = 3, .state = "{\"s\":\"running\"}" };
	struct store_container *v, got;
	size_t n;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(0, store_container_put(f.st, &c, &e));
	c.id = "c3";
	c.replica = 1;
	EXPECT_EQ_INT(0, store_container_put(f.st, &c, &e));
	c.id = "c2";
	c.project = "db";
	c.service = "pg";
	c.replica = 0;
	EXPECT_EQ_INT(0, store_container_put(f.st, &c, &e));
	c.state = "{\"s\":\"exited\"}";
	c.updated_at_ms = 77;
	EXPECT_EQ_INT(0, store_container_put(f.st, &c, &e));

	EXPECT_EQ_INT(0, store_container_get(f.st, "c2", &got, &e));
	EXPECT_STREQ("db", got.project);
	EXPECT_STREQ("pg", got.service);
	EXPECT_EQ_INT(3, got.revision);
	EXPECT_STREQ("{\"s\":\"exited\"}", got.state);
	EXPECT_EQ_INT(77, got.updated_at_ms);
	store_container_release(&got);

	EXPECT_EQ_INT(0, store_container_list(f.st, NULL, NULL, 2, &v, &n, &e));
	EXPECT_EQ_INT(2, n);
	EXPECT_STREQ("c1", v[0].id);
	EXPECT_STREQ("c2", v[1].id);
	store_container_list_free(v, n);
	EXPECT_EQ_INT(0, store_container_list(f.st, NULL, "c2", 2, &v, &n, &e));
	EXPECT_EQ_INT(1, n);
	EXPECT_STREQ("c3", v[0].id);
	EXPECT_EQ_INT(1, v[0].replica);
	store_container_list_free(v, n);
	EXPECT_EQ_INT(0, store_container_list(f.st, "web", NULL, 0, &v, &n, &e));
	EXPECT_EQ_INT(2, n);
	store_container_list_free(v, n);

	EXPECT_EQ_INT(0, store_container_delete(f.st, "c1", &e));
	EXPECT_EQ_INT(0, store_container_delete(f.st, "c1", &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_container_get(f.st, "c1", &got, &e));
	c.replica = -1;
	EXPECT_EQ_INT(ERR_INVALID, store_container_put(f.st, &c, &e));
	fx_close(&f);
}

TEST(service_runtime_records_survive_and_update)
{
	struct fx f;
	struct store_service_runtime r = { .project = "web", .service = "api",
					   .restart_count = 3, .last_error = "exit 137 (oom)",
					   .backoff_until_ms = 123456 };
	struct store_service_runtime got, *v;
	size_t n;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(ERR_NOTFOUND, store_service_runtime_get(f.st, "web", "api", &got, &e));
	EXPECT_EQ_INT(0, store_service_runtime_put(f.st, &r, &e));
	r.service = "worker";
	r.last_error = NULL;
	r.restart_count = 0;
	EXPECT_EQ_INT(0, store_service_runtime_put(f.st, &r, &e));
	EXPECT_EQ_INT(0, store_service_runtime_get(f.st, "web", "api", &got, &e));
	EXPECT_EQ_INT(3, got.restart_count);
	EXPECT_STREQ("exit 137 (oom)", got.last_error);
	EXPECT_EQ_INT(123456, got.backoff_until_ms);
	EXPECT_TRUE(got.updated_at_ms > 0);
	store_service_runtime_release(&got);
	EXPECT_EQ_INT(0, store_service_runtime_list(f.st, "web", &v, &n, &e));
	EXPECT_EQ_INT(2, n);
	EXPECT_STREQ("api", v[0].service);
	EXPECT_STREQ("", v[1].last_error);
	store_service_runtime_list_free(v, n);
	EXPECT_EQ_INT(0, store_service_runtime_delete(f.st, "web", "api", &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_service_runtime_get(f.st, "web", "api", &got, &e));
	fx_close(&f);
}

struct writer {
	const char *data;
	int failures;
};

static void *write_events(void *arg)
{
	struct writer *w = arg;
	struct store *st = NULL;
	struct err e = { 0 };
	struct store_event ev = { .kind = "replica.started", .replica = 0 };

	if (store_open(w->data, &st, &e) < 0) {
		w->failures++;
		return NULL;
	}
	for (int i = 0; i < 100; i++)
		if (store_event_append(st, &ev, NULL, &e) < 0)
			w->failures++;
	store_close(st);
	return NULL;
}

TEST(one_store_per_thread_writes_concurrently)
{
	struct fx f;
	struct writer w[4];
	pthread_t t[4];
	int64_t last = 0;
	struct err e = { 0 };

	fx_open(&f);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){ f.data, 0 };
		pthread_create(&t[i], NULL, write_events, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ_INT(0, w[i].failures);
	}
	EXPECT_EQ_INT(0, store_event_last_id(f.st, &last, &e));
	EXPECT_EQ_INT(400, last);
	fx_close(&f);
}

UNIT_MAIN
