/*
 * test_scheduler_plan.c - sched/: replicas that already run (they keep
 * their node), rollout surges, whole plans and determinism.
 */
#include "sched_fixture.h"

TEST(running_replicas_keep_their_node)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", GIB, 0);
	struct scheduler_plan plan;
	struct err e = { 0 };

	fx_node(&f, "a", 2 * GIB, 0);
	fx_node(&f, "b", 8 * GIB, 0);
	fx_node(&f, "c", 8 * GIB, 0);
	s = fx_build(&f);
	fx_add(s, &r, "c", 0);
	fx_add(s, &r, "c", 0);
	r.replicas = 2;
	EXPECT_EQ_INT(0, scheduler_plan(s, &r, 1, &plan, &e));
	EXPECT_EQ_INT(0, plan.nplacements);      /* a fits better; nothing moves */
	scheduler_plan_release(&plan);
	r.replicas = 4;
	EXPECT_EQ_INT(0, scheduler_plan(s, &r, 1, &plan, &e));
	EXPECT_EQ_INT(2, plan.nplacements);
	EXPECT_STREQ("a", plan.placements[0].node_name);
	EXPECT_STREQ("b", plan.placements[1].node_name);
	EXPECT_EQ_INT(2, fx_usage(s, 2).replicas);
	scheduler_plan_release(&plan);
	scheduler_free(s);
}

TEST(a_surge_replica_needs_room_too)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", 512 * MIB, 0);

	fx_node(&f, "a", GIB, 0);
	fx_node(&f, "b", GIB, 0);
	fx_node(&f, "c", 512 * MIB, 0);
	s = fx_build(&f);
	fx_add(s, &r, "a", 0);
	fx_add(s, &r, "b", 0);
	EXPECT_STREQ("c", fx_place(s, &r, 1));   /* the node without a replica */
	EXPECT_STREQ("a", fx_place(s, &r, 1));
	EXPECT_STREQ("b", fx_place(s, &r, 1));
	EXPECT_EQ_INT(ERR_CONFLICT, (fx_place(s, &r, 1), fx_code));
	scheduler_free(s);
}

TEST(add_records_gpus_given_or_picked)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_gpu_req("ml", GPU_NVIDIA, 1, 0);
	struct err e = { 0 };

	fx_gpu(fx_node(&f, "g", 0, 0), GPU_NVIDIA, 3, 16000);
	s = fx_build(&f);
	fx_add(s, &r, "g", 0x4);
	fx_add(s, &r, "g", 0);                   /* unknown: the scheduler picks GPU 0 */
	EXPECT_STREQ("g", fx_place(s, &r, 1));
	EXPECT_EQ_U64(0x2, fx_gpus[0]);
	EXPECT_EQ_INT(ERR_CONFLICT, (fx_place(s, &r, 1), fx_code));
	EXPECT_EQ_INT(ERR_INVALID, scheduler_add(s, &r, "g", 0x8, &e));
	EXPECT_STREQ("service 'p/ml': node 'g' has no GPU 3", e.msg);
	EXPECT_EQ_INT(ERR_NOTFOUND, scheduler_add(s, &r, "gone", 0, &e));
	EXPECT_STREQ("service 'p/ml': node 'gone' is not in the cluster", e.msg);
	scheduler_free(s);
}

TEST(placement_is_deterministic)
{
	struct fx f = FX_INIT;
	struct scheduler_request reqs[6];
	struct scheduler_plan p1, p2;
	struct scheduler *s1, *s2;
	struct err e = { 0 };
	const char *names[] = { "a", "b", "c", "d", "e", "f" };

	for (int i = 0; i < 6; i++) {
		fx_node(&f, names[i], (i + 1) * GIB, (i % 3 + 1) * 1000);
		reqs[i] = fx_req(names[i], (i % 3 + 1) * 256 * MIB, 250 * (i % 2));
		reqs[i].replicas = i + 1;
	}
	s1 = fx_build(&f);
	s2 = fx_build(&f);
	EXPECT_EQ_INT(0, scheduler_plan(s1, reqs, 6, &p1, &e));
	EXPECT_EQ_INT(0, scheduler_plan(s2, reqs, 6, &p2, &e));
	EXPECT_EQ_INT(21, p1.nplacements);
	EXPECT_EQ_INT(p1.nplacements, p2.nplacements);
	for (size_t i = 0; i < p1.nplacements && i < p2.nplacements; i++)
		EXPECT_EQ_INT(p1.placements[i].node, p2.placements[i].node);
	scheduler_plan_release(&p1);
	scheduler_plan_release(&p2);
	scheduler_free(s1);
	scheduler_free(s2);
}

TEST(plan_places_the_hardest_services_first)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request reqs[2] = { fx_req("web", GIB, 0),
					     fx_gpu_req("ml", GPU_NVIDIA, 1, 0) };
	struct scheduler_plan plan;
	struct err e = { 0 };

	reqs[1].memory_bytes = 2 * GIB;
	fx_gpu(fx_node(&f, "g", 2 * GIB, 0), GPU_NVIDIA, 1, 16000);
	fx_node(&f, "c", 4 * GIB, 0);
	s = fx_build(&f);
	/* web alone would bin-pack onto g and leave ml no room */
	EXPECT_EQ_INT(0, scheduler_plan(s, reqs, 2, &plan, &e));
	EXPECT_EQ_INT(2, plan.noutcomes);
	EXPECT_EQ_INT(0, plan.nfailed);
	EXPECT_STREQ("c", plan.placements[plan.outcomes[0].first].node_name);
	EXPECT_STREQ("g", plan.placements[plan.outcomes[1].first].node_name);
	scheduler_plan_release(&plan);
	scheduler_free(s);
}

TEST(plan_reports_each_failure_and_keeps_the_rest)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request reqs[4] = { fx_req("a", GIB, 0), fx_req("b", 8 * GIB, 0),
					     fx_req("c", GIB, 0), fx_req("d", 0, 0) };
	struct scheduler_plan plan;
	struct err e = { 0 };

	reqs[0].replicas = 2;
	reqs[3].node = "nope";
	fx_node(&f, "n", 4 * GIB, 0);
	s = fx_build(&f);
	EXPECT_EQ_INT(ERR_CONFLICT, scheduler_plan(s, reqs, 4, &plan, &e));
	EXPECT_STREQ("service 'p/b': node 'n' has 4096 MiB of memory free, a replica asks "
		     "for 8192 MiB (and 1 more service cannot be placed)", e.msg);
	EXPECT_EQ_INT(2, plan.nfailed);
	EXPECT_EQ_INT(3, plan.nplacements);
	EXPECT_EQ_INT(0, plan.outcomes[0].first);
	EXPECT_EQ_INT(2, plan.outcomes[0].count);
	EXPECT_EQ_INT(0, plan.outcomes[1].count);
	EXPECT_EQ_INT(ERR_CONFLICT, plan.outcomes[1].err.code);
	EXPECT_EQ_INT(2, plan.outcomes[2].first);
	EXPECT_EQ_INT(0, plan.outcomes[2].err.code);
	EXPECT_STREQ("service 'p/d': no node is named 'nope'", plan.outcomes[3].err.msg);
	scheduler_plan_release(&plan);
	scheduler_free(s);
}

TEST(plan_rejects_a_service_twice)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request reqs[2] = { fx_req("a", 0, 0), fx_req("a", 0, 0) };
	struct scheduler_plan plan;
	struct err e = { 0 };

	fx_node(&f, "n", 0, 0);
	s = fx_build(&f);
	EXPECT_EQ_INT(ERR_INVALID, scheduler_plan(s, reqs, 2, &plan, &e));
	EXPECT_STREQ("service 'p/a' appears twice in the plan", e.msg);
	EXPECT_EQ_INT(1, plan.nplacements);
	scheduler_plan_release(&plan);
	/* a second plan is a new plan: the same service may appear again */
	EXPECT_EQ_INT(0, scheduler_plan(s, reqs, 1, &plan, &e));
	scheduler_plan_release(&plan);
	scheduler_free(s);
}

TEST(replica_counts_are_capped)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request reqs[11];
	struct scheduler_plan plan;
	struct err e = { 0 };
	static const char *names[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k" };

	fx_node(&f, "n", 0, 0);
	s = fx_build(&f);
	reqs[0] = fx_req("a", 0, 0);
	EXPECT_EQ_INT(ERR_INVALID, scheduler_place(s, &reqs[0], SCHEDULER_REPLICAS_MAX + 1,
						   NULL, &e));
	for (int i = 0; i < 11; i++) {
		reqs[i] = fx_req(names[i], 0, 0);
		reqs[i].replicas = SCHEDULER_REPLICAS_MAX;
		reqs[i].node = "elsewhere";      /* fails fast, after the count */
	}
	EXPECT_EQ_INT(ERR_NOTFOUND, scheduler_plan(s, reqs, 11, &plan, &e));
	EXPECT_EQ_INT(11, plan.nfailed);
	EXPECT_EQ_INT(ERR_TOOBIG, plan.outcomes[10].err.code);
	EXPECT_STREQ("service 'p/k': the plan holds more than 1000000 new replicas",
		     plan.outcomes[10].err.msg);
	scheduler_plan_release(&plan);
	scheduler_free(s);
}

UNIT_MAIN
