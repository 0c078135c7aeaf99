/*
 * test_plan.c - the rollout and self-healing rules, on hand-built worlds.
 */
#include "unit.h"

#include "reconcile/plan.h"

#define NOW 1000000

static struct service spec;
static struct svc s;
static struct replica reps[16];
static struct plan p;

static void setup(int replicas, int max_surge, int max_unavailable)
{
	memset(&spec, 0, sizeof(spec));
	memset(&s, 0, sizeof(s));
	memset(reps, 0, sizeof(reps));
	spec.replicas = replicas;
	spec.deploy.max_surge = max_surge;
	spec.deploy.max_unavailable = max_unavailable;
	s.spec = &spec;
	strcpy(s.spec_hash, "new");
	s.replicas = reps;
	s.deps_ready = true;
	plan_init(&p);
}

static struct replica *rep(int index, const char *hash, enum replica_health h)
{
	struct replica *r = &reps[s.nreplicas++];

	r->index = index;
	snprintf(r->spec_hash, sizeof(r->spec_hash), "%s", hash);
	r->phase = REPLICA_RUNNING;
	r->health = h;
	r->created_ms = NOW - 10000;
	return r;
}

static int count(enum action_kind k)
{
	int n = 0;

	for (size_t i = 0; i < p.len; i++)
		n += p.items[i].kind == k;
	return n;
}

/* The first action of kind k, or an empty one whose reason says so. */
static const struct action *find(enum action_kind k)
{
	static struct action none = { .reason = "(no such action)", .replica = 999 };

	for (size_t i = 0; i < p.len; i++)
		if (p.items[i].kind == k)
			return &p.items[i];
	return &none;
}

TEST(fresh_service_creates_every_replica)
{
	setup(3, 1, 0);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(3, p.len);
	EXPECT_EQ_INT(3, count(ACTION_CREATE));
	EXPECT_EQ_INT(0, p.items[0].index);
	EXPECT_EQ_INT(2, p.items[2].index);
	plan_release(&p);
}

TEST(dependencies_not_ready_hold_creation)
{
	setup(2, 1, 0);
	s.deps_ready = false;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(0, p.len);
	plan_release(&p);
}

TEST(crash_backoff_holds_creation_and_sets_wake)
{
	setup(1, 1, 0);
	s.backoff_until_ms = NOW + 4000;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(0, p.len);
	EXPECT_EQ_INT(NOW + 4000, p.wake_ms);
	plan_service(&s, NOW + 4000, &p);
	EXPECT_EQ_INT(1, count(ACTION_CREATE));
	plan_release(&p);
}

TEST(converged_service_needs_nothing)
{
	setup(3, 1, 0);
	rep(0, "new", HEALTH_HEALTHY);
	rep(1, "new", HEALTH_HEALTHY);
	rep(2, "new", HEALTH_HEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(0, p.len);
	EXPECT_EQ_INT(0, p.wake_ms);
	plan_release(&p);
}

TEST(scale_down_drains_the_highest_indexes)
{
	setup(1, 1, 0);
	rep(0, "new", HEALTH_HEALTHY);
	rep(1, "new", HEALTH_HEALTHY);
	rep(2, "new", HEALTH_STARTING);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(2, p.len);
	EXPECT_EQ_INT(ACTION_DRAIN, p.items[0].kind);
	EXPECT_EQ_INT(1, p.items[0].replica);
	EXPECT_EQ_INT(ACTION_REMOVE, p.items[1].kind); /* not serving yet: no drain */
	EXPECT_STREQ("scaled down", p.items[1].reason);
	plan_release(&p);
}

TEST(rolling_update_surges_one_index_at_a_time)
{
	setup(3, 1, 0);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	rep(1, "old", HEALTH_HEALTHY);
	rep(2, "old", HEALTH_HEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, p.len);
	EXPECT_EQ_INT(ACTION_CREATE, p.items[0].kind);
	EXPECT_EQ_INT(0, p.items[0].index);
	plan_release(&p);
}

TEST(old_replica_stays_until_its_replacement_is_healthy)
{
	setup(2, 1, 0);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	rep(1, "old", HEALTH_HEALTHY);
	rep(0, "new", HEALTH_STARTING);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(0, count(ACTION_DRAIN));
	EXPECT_EQ_INT(0, count(ACTION_CREATE)); /* surge used by index 0 */
	EXPECT_EQ_INT(NOW - 10000 + RECONCILE_READY_DEADLINE_MS, p.wake_ms);
	plan_release(&p);
}

TEST(healthy_replacement_drains_the_old_and_moves_on)
{
	setup(2, 1, 0);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	rep(1, "old", HEALTH_HEALTHY);
	rep(0, "new", HEALTH_HEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, count(ACTION_DRAIN));
	EXPECT_EQ_INT(0, find(ACTION_DRAIN)->replica);
	EXPECT_EQ_INT(1, count(ACTION_CREATE));
	EXPECT_EQ_INT(1, find(ACTION_CREATE)->index);
	plan_release(&p);
}

TEST(max_surge_two_replaces_two_at_once)
{
	setup(3, 2, 0);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	rep(1, "old", HEALTH_HEALTHY);
	rep(2, "old", HEALTH_HEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(2, count(ACTION_CREATE));
	plan_release(&p);
}

TEST(no_surge_retires_within_max_unavailable)
{
	setup(2, 0, 1);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	rep(1, "old", HEALTH_HEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, p.len);
	EXPECT_EQ_INT(ACTION_DRAIN, p.items[0].kind);
	EXPECT_EQ_INT(0, p.items[0].replica);
	plan_release(&p);
}

TEST(unhealthy_replacement_fails_the_rollout)
{
	struct replica *r;

	setup(1, 1, 0);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	r = rep(0, "new", HEALTH_UNHEALTHY);
	snprintf(r->last_probe, sizeof(r->last_probe), "GET /healthz: 500");
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, count(ACTION_FAIL));
	EXPECT_STREQ("replica 0 did not become healthy: GET /healthz: 500",
		     find(ACTION_FAIL)->reason);
	EXPECT_EQ_INT(0, count(ACTION_DRAIN)); /* the old one keeps serving */
	plan_release(&p);
}

TEST(replacement_that_never_turns_healthy_fails_at_the_deadline)
{
	struct replica *r;

	setup(1, 1, 0);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	r = rep(0, "new", HEALTH_STARTING);
	r->created_ms = NOW - RECONCILE_READY_DEADLINE_MS;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, count(ACTION_FAIL));
	EXPECT_CONTAINS(find(ACTION_FAIL)->reason, "did not become healthy within 120 s");
	plan_release(&p);
}

TEST(unhealthy_replica_outside_a_rollout_is_replaced)
{
	setup(1, 1, 0);
	rep(0, "new", HEALTH_UNHEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, p.len);
	EXPECT_EQ_INT(ACTION_REMOVE, p.items[0].kind);
	plan_release(&p);
}

TEST(replacement_exiting_during_rollout_fails_it)
{
	struct replica *r;

	setup(1, 1, 0);
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	r = rep(0, "new", HEALTH_STARTING);
	r->phase = REPLICA_EXITED;
	r->exit_code = 137;
	r->oom_killed = true;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, count(ACTION_FAIL));
	EXPECT_STREQ("replica 0 exited with code 137 (out of memory) before becoming healthy",
		     find(ACTION_FAIL)->reason);
	EXPECT_EQ_INT(1, count(ACTION_REMOVE));
	plan_release(&p);
}

TEST(crashed_replica_is_removed_and_recreated)
{
	struct replica *r;

	setup(1, 1, 0);
	r = rep(0, "new", HEALTH_HEALTHY);
	r->phase = REPLICA_EXITED;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(0, count(ACTION_FAIL));
	EXPECT_EQ_INT(1, count(ACTION_REMOVE));
	EXPECT_EQ_INT(1, count(ACTION_CREATE));
	plan_release(&p);
}

TEST(draining_replica_is_removed_after_the_drain)
{
	struct replica *r;

	setup(1, 1, 0);
	rep(0, "new", HEALTH_HEALTHY);
	r = rep(0, "old", HEALTH_HEALTHY);
	r->phase = REPLICA_DRAINING;
	r->drain_until_ms = NOW + 500;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(0, p.len);
	EXPECT_EQ_INT(NOW + 500, p.wake_ms);
	plan_service(&s, NOW + 500, &p);
	EXPECT_EQ_INT(1, count(ACTION_REMOVE));
	EXPECT_STREQ("drained", p.items[0].reason);
	plan_release(&p);
}

TEST(duplicates_keep_the_healthy_one)
{
	setup(1, 1, 0);
	rep(0, "new", HEALTH_STARTING);
	rep(0, "new", HEALTH_HEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, p.len);
	EXPECT_EQ_INT(ACTION_REMOVE, p.items[0].kind);
	EXPECT_EQ_INT(0, p.items[0].replica);
	EXPECT_STREQ("duplicate replica", p.items[0].reason);
	plan_release(&p);
}

TEST(created_never_started_is_removed)
{
	struct replica *r;

	setup(1, 1, 0);
	r = rep(0, "new", HEALTH_STARTING);
	r->phase = REPLICA_CREATED;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, count(ACTION_REMOVE));
	EXPECT_EQ_INT(1, count(ACTION_CREATE));
	plan_release(&p);
}

TEST(removed_service_retires_everything)
{
	setup(2, 1, 0);
	rep(0, "new", HEALTH_HEALTHY);
	rep(1, "new", HEALTH_UNHEALTHY);
	s.spec = NULL;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, count(ACTION_DRAIN));
	EXPECT_EQ_INT(1, count(ACTION_REMOVE));
	EXPECT_EQ_INT(0, count(ACTION_CREATE));
	plan_release(&p);
}

TEST(rollback_removes_the_failed_replacement)
{
	/* after a failed rollout the desired hash is the old one again */
	setup(1, 1, 0);
	strcpy(s.spec_hash, "old");
	rep(0, "old", HEALTH_HEALTHY);
	rep(0, "new", HEALTH_UNHEALTHY);
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(1, p.len);
	EXPECT_EQ_INT(ACTION_REMOVE, p.items[0].kind);
	EXPECT_EQ_INT(1, p.items[0].replica);
	plan_release(&p);
}

TEST(start_period_extends_the_deadline)
{
	struct replica *r;

	setup(1, 1, 0);
	spec.health.start_period_ms = 300000;
	s.rolling = true;
	rep(0, "old", HEALTH_HEALTHY);
	r = rep(0, "new", HEALTH_STARTING);
	r->created_ms = NOW - RECONCILE_READY_DEADLINE_MS;
	plan_service(&s, NOW, &p);
	EXPECT_EQ_INT(0, count(ACTION_FAIL));
	EXPECT_EQ_INT(NOW + 300000, p.wake_ms);
	plan_release(&p);
}

TEST(planning_is_deterministic)
{
	struct plan q;

	setup(3, 1, 0);
	s.rolling = true;
	rep(2, "old", HEALTH_HEALTHY);
	rep(0, "new", HEALTH_HEALTHY);
	rep(1, "old", HEALTH_STARTING);
	plan_init(&q);
	plan_service(&s, NOW, &p);
	plan_service(&s, NOW, &q);
	EXPECT_EQ_INT(p.len, q.len);
	for (size_t i = 0; i < p.len && i < q.len; i++) {
		EXPECT_EQ_INT(p.items[i].kind, q.items[i].kind);
		EXPECT_EQ_INT(p.items[i].replica, q.items[i].replica);
		EXPECT_EQ_INT(p.items[i].index, q.items[i].index);
	}
	plan_release(&p);
	plan_release(&q);
}

UNIT_MAIN
