/*
 * test_scheduler.c - sched/: the node table and the implicit local node,
 * filters, GPU accounting, capacity, spread and bin-packing. Running
 * replicas, surges and plans are in test_scheduler_plan.c, the failure
 * sentences in test_scheduler_messages.c.
 */
#include "sched_fixture.h"

TEST(implicit_local_node_takes_the_host_capacity)
{
	struct config cfg = { 0 };
	struct scheduler_host host = { .memory_bytes = 4 * GIB, .cpu_millis = 2000 };
	struct scheduler *s = NULL;
	struct err e = { 0 };
	struct scheduler_request r = fx_req("web", 1 * GIB, 500);

	EXPECT_EQ_INT(0, scheduler_new_from_config(&s, &cfg, &host, &e));
	EXPECT_EQ_INT(1, scheduler_node_count(s));
	EXPECT_STREQ("local", fx_usage(s, 0).name);
	EXPECT_EQ_INT(4 * GIB, fx_usage(s, 0).memory_bytes);
	EXPECT_EQ_INT(2000, fx_usage(s, 0).cpu_millis);
	EXPECT_STREQ("local,local,local,local", fx_place(s, &r, 4));
	EXPECT_EQ_INT(ERR_CONFLICT, scheduler_place(s, &r, 1, NULL, &e));
	scheduler_free(s);

	host.name = "box-1";
	EXPECT_EQ_INT(0, scheduler_new_from_config(&s, &cfg, &host, &e));
	EXPECT_STREQ("box-1", fx_usage(s, 0).name);
	scheduler_free(s);
}

TEST(declared_nodes_replace_the_local_node)
{
	struct fx f = FX_INIT;
	struct config cfg = { 0 };
	struct scheduler_host host = { .name = "box", .memory_bytes = GIB };
	struct scheduler *s = NULL;
	struct err e = { 0 };

	fx_node(&f, "n1", 0, 0);
	fx_node(&f, "n2", 0, 0);
	cfg.cluster.nodes = f.nodes;
	cfg.cluster.nnodes = f.n;
	EXPECT_EQ_INT(0, scheduler_new_from_config(&s, &cfg, &host, &e));
	EXPECT_EQ_INT(2, scheduler_node_count(s));
	EXPECT_STREQ("n2", fx_usage(s, 1).name);
	EXPECT_EQ_INT(0, fx_usage(s, 1).memory_bytes);
	scheduler_free(s);
}

TEST(host_detect_finds_memory_and_cpus)
{
	struct scheduler_host h = { 0 };

	scheduler_host_detect(&h);
	EXPECT_TRUE(h.memory_bytes > 0);
	EXPECT_TRUE(h.cpu_millis >= 1000);
	EXPECT_EQ_INT(0, h.cpu_millis % 1000);
}

TEST(node_pin_wins_over_a_better_node)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", GIB, 0);

	fx_node(&f, "a", 2 * GIB, 0);
	fx_node(&f, "b", 8 * GIB, 0);
	s = fx_build(&f);
	r.node = "b";
	EXPECT_STREQ("b,b", fx_place(s, &r, 2));
	scheduler_free(s);
}

TEST(labels_must_all_match_exactly)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct kv want[] = { { "zone", "eu-1" }, { "disk", "hdd" } };
	struct kv prefix[] = { { "zone", "eu" } };
	struct scheduler_request r = fx_req("web", 0, 0);

	fx_label(fx_node(&f, "a", GIB, 0), "zone", "eu-1");
	fx_label(&f.nodes[0], "disk", "ssd");
	fx_label(fx_node(&f, "b", GIB, 0), "zone", "eu-2");
	fx_label(&f.nodes[1], "disk", "hdd");
	fx_label(fx_node(&f, "c", GIB, 0), "zone", "eu-1");
	fx_label(&f.nodes[2], "disk", "hdd");
	s = fx_build(&f);
	r.labels = want;
	r.nlabels = 2;
	EXPECT_STREQ("c,c", fx_place(s, &r, 2));
	r.labels = prefix;
	r.nlabels = 1;
	EXPECT_EQ_INT(ERR_CONFLICT, (fx_place(s, &r, 1), fx_code));
	scheduler_free(s);
}

TEST(labels_and_pin_together)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct kv zone[] = { { "zone", "eu-1" } };
	struct scheduler_request r = fx_req("web", 0, 0);

	fx_label(fx_node(&f, "a", GIB, 0), "zone", "eu-1");
	fx_label(fx_node(&f, "b", GIB, 0), "zone", "eu-1");
	s = fx_build(&f);
	r.labels = zone;
	r.nlabels = 1;
	r.node = "b";
	EXPECT_STREQ("b", fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(gpu_vendor_vram_and_count_filter_nodes)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r;

	fx_node(&f, "cpu", 0, 0);
	fx_gpu(fx_node(&f, "nv1", 0, 0), GPU_NVIDIA, 1, 16000);
	fx_gpu(fx_node(&f, "nv3", 0, 0), GPU_NVIDIA, 2, 24000);
	fx_gpu(&f.nodes[2], GPU_NVIDIA, 1, 80000);
	fx_gpu(fx_node(&f, "amd", 0, 0), GPU_AMD, 2, 64000);
	s = fx_build(&f);

	r = fx_gpu_req("a", GPU_AMD, 1, 24000);
	EXPECT_STREQ("amd", fx_place(s, &r, 1));
	EXPECT_EQ_U64(0x1, fx_gpus[0]);
	r = fx_gpu_req("b", GPU_NVIDIA, 3, 0);
	EXPECT_STREQ("nv3", fx_place(s, &r, 1));
	EXPECT_EQ_U64(0x7, fx_gpus[0]);
	scheduler_free(s);

	s = fx_build(&f);
	r = fx_gpu_req("c", GPU_NVIDIA, 2, 20000);
	EXPECT_STREQ("nv3", fx_place(s, &r, 1));
	EXPECT_EQ_U64(0x3, fx_gpus[0]);          /* the two 24000s; the 80000 stays free */
	r = fx_gpu_req("d", GPU_NVIDIA, 1, 40000);
	EXPECT_STREQ("nv3", fx_place(s, &r, 1));
	EXPECT_EQ_U64(0x4, fx_gpus[0]);
	scheduler_free(s);
}

TEST(gpu_pick_is_best_fit_and_bin_packs)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_gpu_req("ml", GPU_NVIDIA, 1, 16000);

	fx_gpu(fx_node(&f, "big", 0, 0), GPU_NVIDIA, 1, 80000);
	fx_gpu(&f.nodes[0], GPU_NVIDIA, 1, 24000);
	fx_gpu(fx_node(&f, "small", 0, 0), GPU_NVIDIA, 1, 16000);
	s = fx_build(&f);
	/* small ends up fully used (1/1 GPUs), big only half: small first */
	EXPECT_STREQ("small", fx_place(s, &r, 1));
	r.service = "ml2";
	EXPECT_STREQ("big", fx_place(s, &r, 1));
	EXPECT_EQ_U64(0x2, fx_gpus[0]);          /* the 24000, not the 80000 */
	EXPECT_EQ_INT(1, fx_usage(s, 0).gpus_used);
	EXPECT_EQ_INT(2, fx_usage(s, 0).gpus);
	scheduler_free(s);
}

TEST(gpus_are_discrete_and_exhaust)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_gpu_req("ml", GPU_NVIDIA, 1, 0);
	struct scheduler_request other = fx_gpu_req("other", GPU_NVIDIA, 1, 0);

	fx_gpu(fx_node(&f, "g1", 0, 0), GPU_NVIDIA, 1, 16000);
	fx_gpu(fx_node(&f, "g2", 0, 0), GPU_NVIDIA, 1, 16000);
	s = fx_build(&f);
	EXPECT_EQ_INT(ERR_CONFLICT, (fx_place(s, &r, 3), fx_code));
	EXPECT_EQ_INT(0, fx_usage(s, 0).gpus_used);  /* all or nothing */
	EXPECT_STREQ("g1,g2", fx_place(s, &r, 2));
	EXPECT_EQ_INT(ERR_CONFLICT, (fx_place(s, &other, 1), fx_code));
	scheduler_free(s);
}

TEST(memory_and_cpu_capacity_exhaust_exactly)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", 512 * MIB, 0);
	struct scheduler_request c = fx_req("cpu", 0, 750);

	fx_node(&f, "a", GIB, 1500);
	s = fx_build(&f);
	EXPECT_STREQ("a,a", fx_place(s, &r, 2));
	EXPECT_EQ_INT(ERR_CONFLICT, (fx_place(s, &r, 1), fx_code));
	EXPECT_STREQ("a,a", fx_place(s, &c, 2));
	EXPECT_EQ_INT(ERR_CONFLICT, (fx_place(s, &c, 1), fx_code));
	EXPECT_EQ_INT(GIB, fx_usage(s, 0).memory_used);
	EXPECT_EQ_INT(1500, fx_usage(s, 0).cpu_used);
	EXPECT_EQ_INT(4, fx_usage(s, 0).replicas);
	scheduler_free(s);
}

TEST(undeclared_capacity_is_unlimited)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("huge", SCHEDULER_MEMORY_MAX, SCHEDULER_CPU_MAX);

	fx_node(&f, "a", 0, 0);
	s = fx_build(&f);
	EXPECT_STREQ("a,a,a,a", fx_place(s, &r, 4));
	scheduler_free(s);
}

TEST(a_request_of_zero_fits_an_overcommitted_node)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request big = fx_req("big", 2 * GIB, 0);
	struct scheduler_request none = fx_req("none", 0, 0);

	fx_node(&f, "a", GIB, 1000);
	s = fx_build(&f);
	fx_add(s, &big, "a", 0);                 /* running: counted even past capacity */
	EXPECT_EQ_INT(2 * GIB, fx_usage(s, 0).memory_used);
	EXPECT_STREQ("a", fx_place(s, &none, 1));
	scheduler_free(s);
}

TEST(replicas_spread_over_nodes)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", 256 * MIB, 100);

	fx_node(&f, "a", 4 * GIB, 4000);
	fx_node(&f, "b", 4 * GIB, 4000);
	fx_node(&f, "c", 4 * GIB, 4000);
	s = fx_build(&f);
	EXPECT_STREQ("a,b,c,a,b,c,a", fx_place(s, &r, 7));
	scheduler_free(s);
}

TEST(services_bin_pack_onto_the_fullest_node)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("one", GIB, 0);

	fx_node(&f, "big", 8 * GIB, 0);
	fx_node(&f, "small", 2 * GIB, 0);
	s = fx_build(&f);
	EXPECT_STREQ("small", fx_place(s, &r, 1));   /* ends at 50%, big at 12.5% */
	r.service = "two";
	EXPECT_STREQ("small", fx_place(s, &r, 1));   /* 100% */
	r.service = "three";
	EXPECT_STREQ("big", fx_place(s, &r, 1));
	r.service = "four";
	EXPECT_STREQ("big", fx_place(s, &r, 1));     /* small is full */
	scheduler_free(s);
}

TEST(spread_dominates_bin_packing)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request filler = fx_req("filler", 3 * GIB, 0);
	struct scheduler_request r = fx_req("web", 256 * MIB, 0);

	fx_node(&f, "a", 4 * GIB, 0);
	fx_node(&f, "b", 4 * GIB, 0);
	s = fx_build(&f);
	EXPECT_STREQ("a", fx_place(s, &filler, 1));
	/* a is fuller and still fits both, but the second replica goes to b */
	EXPECT_STREQ("a,b", fx_place(s, &r, 2));
	scheduler_free(s);
}

TEST(ties_go_to_node_order_not_name)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", MIB, 0);

	fx_node(&f, "zeta", GIB, 0);
	fx_node(&f, "alpha", GIB, 0);
	s = fx_build(&f);
	EXPECT_STREQ("zeta,alpha", fx_place(s, &r, 2));
	scheduler_free(s);
}

/* The tournament tree that serves later replicas must agree with a fresh scan. */
TEST(many_replicas_in_one_call_match_one_at_a_time)
{
	static const char *names[] = { "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7",
				       "n8", "n9", "n10", "n11", "n12", "n13", "n14", "n15" };
	struct fx f = FX_INIT;
	struct scheduler *bulk, *single;
	struct scheduler_placement p[40];
	struct err e = { 0 };
	uint64_t x = 7;
	int placed = 0, failed = 0;

	for (int i = 0; i < FX_NODES; i++) {
		struct node *nd = fx_node(&f, names[i], (int64_t)(i % 5) * GIB, (i % 3) * 1500);

		if (i % 4 == 1)
			fx_gpu(nd, GPU_NVIDIA, 1 + i % 3, 16000 * (1 + i % 2));
	}
	bulk = fx_build(&f);
	single = fx_build(&f);
	for (int round = 0; round < 30; round++) {
		struct scheduler_request r = fx_req(names[round % 7], 0, 0);
		int count = 1 + round % 9, rc;

		x = x * 6364136223846793005u + 1442695040888963407u;
		r.memory_bytes = (int64_t)(x >> 60) * 128 * MIB;
		r.cpu_millis = (int64_t)((x >> 40) & 7) * 100;
		if (round % 5 == 0)
			r.gpu = (struct gpu_request){ GPU_NVIDIA, 1, (x >> 30) & 1 ? 20000 : 0 };
		rc = scheduler_place(bulk, &r, count, p, &e);
		placed += rc == 0 ? count : 0;
		failed += rc < 0;
		for (int i = 0; i < count && rc == 0; i++) {
			struct scheduler_placement q;

			EXPECT_EQ_INT(0, scheduler_place(single, &r, 1, &q, &e));
			EXPECT_EQ_INT(p[i].node, q.node);
			EXPECT_EQ_U64(p[i].gpus, q.gpus);
		}
	}
	for (size_t i = 0; i < FX_NODES; i++)
		EXPECT_EQ_INT(fx_usage(bulk, i).memory_used, fx_usage(single, i).memory_used);
	EXPECT_TRUE(placed > 100);               /* the run exercises both outcomes */
	EXPECT_TRUE(failed > 0);
	scheduler_free(bulk);
	scheduler_free(single);
}

TEST(request_from_service_copies_the_spec)
{
	struct kv labels[] = { { "zone", "eu-1" } };
	struct service svc = { .project = "data", .name = "db", .replicas = 3,
			       .memory_bytes = GIB, .cpu_millis = 1500,
			       .gpu = { GPU_AMD, 2, 24000 }, .placement_node = "n1",
			       .placement_labels = labels, .nplacement_labels = 1 };
	struct scheduler_request r;

	scheduler_request_from_service(&r, &svc);
	EXPECT_STREQ("data", r.project);
	EXPECT_STREQ("db", r.service);
	EXPECT_EQ_INT(3, r.replicas);
	EXPECT_EQ_INT(GIB, r.memory_bytes);
	EXPECT_EQ_INT(1500, r.cpu_millis);
	EXPECT_EQ_INT(GPU_AMD, r.gpu.vendor);
	EXPECT_EQ_INT(2, r.gpu.count);
	EXPECT_EQ_INT(24000, r.gpu.vram_min_mib);
	EXPECT_STREQ("n1", r.node);
	EXPECT_STREQ("eu-1", r.labels[0].value);
	EXPECT_EQ_INT(1, r.nlabels);
}

TEST(bad_node_tables_are_refused)
{
	struct fx f = FX_INIT;
	struct scheduler *s = NULL;
	struct err e = { 0 };

	fx_node(&f, "a", 0, 0);
	fx_node(&f, "a", 0, 0);
	EXPECT_EQ_INT(ERR_INVALID, scheduler_new(&s, f.nodes, f.n, &e));
	EXPECT_STREQ("node 'a' is declared twice", e.msg);
	EXPECT_NULL(s);

	f.n = 0;
	fx_gpu(fx_node(&f, "g", 0, 0), GPU_NVIDIA, 60, 0);
	fx_gpu(&f.nodes[0], GPU_AMD, 5, 0);
	EXPECT_EQ_INT(ERR_INVALID, scheduler_new(&s, f.nodes, f.n, &e));
	EXPECT_STREQ("node 'g': more than 64 GPUs", e.msg);
	f.nodes[0].gpus[1].count = 4;            /* exactly 64 is fine */
	EXPECT_EQ_INT(0, scheduler_new(&s, f.nodes, f.n, &e));
	EXPECT_EQ_INT(64, fx_usage(s, 0).gpus);
	scheduler_free(s);
}

TEST(bad_requests_are_refused)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", -1, 0);
	struct err e = { 0 };

	fx_node(&f, "a", 0, 0);
	s = fx_build(&f);
	EXPECT_EQ_INT(ERR_INVALID, scheduler_place(s, &r, 1, NULL, &e));
	EXPECT_STREQ("service 'p/web': memory -1 bytes is out of range", e.msg);
	r = fx_gpu_req("web", GPU_NONE, 1, 0);
	EXPECT_EQ_INT(ERR_INVALID, scheduler_place(s, &r, 1, NULL, &e));
	EXPECT_STREQ("service 'p/web': invalid GPU request", e.msg);
	r = fx_req("web", 0, 0);
	EXPECT_EQ_INT(ERR_INVALID, scheduler_place(s, &r, -1, NULL, &e));
	EXPECT_EQ_INT(0, scheduler_place(s, &r, 0, NULL, &e));
	scheduler_free(s);
}

UNIT_MAIN
