/*
 * test_scheduler_messages.c - the exact sentence for each way a replica
 * can fit nowhere: it must name the constraint that bound.
 */
#include "sched_fixture.h"

static struct scheduler_request labelled(const char *service, struct kv *labels, size_t n)
{
	struct scheduler_request r = fx_req(service, 0, 0);

	r.labels = labels;
	r.nlabels = n;
	return r;
}

TEST(unknown_node)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", 0, 0);

	fx_node(&f, "a", 0, 0);
	s = fx_build(&f);
	r.node = "zz";
	EXPECT_STREQ("service 'p/web': no node is named 'zz'", fx_place(s, &r, 1));
	EXPECT_EQ_INT(ERR_NOTFOUND, fx_code);
	scheduler_free(s);
}

TEST(no_nodes_at_all)
{
	struct scheduler *s = NULL;
	struct err e = { 0 };
	struct scheduler_request r = fx_req("web", 0, 0);

	EXPECT_EQ_INT(0, scheduler_new(&s, NULL, 0, &e));
	EXPECT_STREQ("service 'p/web': the cluster has no nodes", fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(labels)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct kv eu9[] = { { "zone", "eu-1" } };
	struct kv pair[] = { { "zone", "eu-1" }, { "disk", "hdd" } };
	struct kv two_unknown[] = { { "zone", "eu-9" }, { "disk", "ssd" }, { "tier", "db" } };
	struct scheduler_request r;

	fx_label(fx_node(&f, "a", 0, 0), "zone", "eu-2");
	fx_label(&f.nodes[0], "disk", "hdd");
	fx_label(fx_node(&f, "b", 0, 0), "zone", "eu-1");
	fx_label(&f.nodes[1], "disk", "ssd");
	s = fx_build(&f);
	f.nodes[1].labels[0].value = "changed";  /* the table holds copies */
	eu9[0].value = "eu-9";
	r = labelled("db", eu9, 1);
	r.project = "data";
	EXPECT_STREQ("service 'data/db': no node has labels zone=eu-9", fx_place(s, &r, 1));
	EXPECT_EQ_INT(ERR_CONFLICT, fx_code);
	r = labelled("web", pair, 2);
	EXPECT_STREQ("service 'p/web': no node has labels zone=eu-1, disk=hdd",
		     fx_place(s, &r, 1));
	r = labelled("web", two_unknown, 3);
	EXPECT_STREQ("service 'p/web': no node has labels zone=eu-9, tier=db",
		     fx_place(s, &r, 1));
	r = labelled("web", pair, 2);
	r.node = "b";
	EXPECT_STREQ("service 'p/web': node 'b' does not have labels disk=hdd",
		     fx_place(s, &r, 1));
	scheduler_free(s);
}

static struct scheduler *gpu_cluster(struct fx *f)
{
	fx_label(fx_node(f, "cpu", 0, 0), "zone", "x");
	fx_gpu(fx_node(f, "nv", 0, 0), GPU_NVIDIA, 1, 16000);
	fx_gpu(fx_node(f, "amd", 0, 0), GPU_AMD, 2, 16000);
	return fx_build(f);
}

TEST(gpu_vendor_vram_count)
{
	struct fx f = FX_INIT;
	struct scheduler *s = gpu_cluster(&f);
	struct kv zone[] = { { "zone", "x" } };
	struct scheduler_request r;

	r = fx_gpu_req("ml", GPU_AMD, 1, 24000);
	EXPECT_STREQ("service 'p/ml': no node has an amd GPU with at least 24000 MiB",
		     fx_place(s, &r, 1));
	r = fx_gpu_req("ml", GPU_NVIDIA, 2, 0);
	EXPECT_STREQ("service 'p/ml': no node has 2 nvidia GPUs", fx_place(s, &r, 1));
	r = fx_gpu_req("ml", GPU_AMD, 3, 8000);
	EXPECT_STREQ("service 'p/ml': no node has 3 amd GPUs with at least 8000 MiB",
		     fx_place(s, &r, 1));
	r = fx_gpu_req("ml", GPU_NVIDIA, 1, 0);
	r.labels = zone;
	r.nlabels = 1;
	EXPECT_STREQ("service 'p/ml': no node with labels zone=x has an nvidia GPU",
		     fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(gpu_vendor_missing_ignores_vram)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_gpu_req("ml", GPU_AMD, 1, 24000);

	fx_gpu(fx_node(&f, "nv", 0, 0), GPU_NVIDIA, 1, 16000);
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/ml': no node has an amd GPU", fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(gpu_on_a_pinned_node)
{
	struct fx f = FX_INIT;
	struct scheduler *s = gpu_cluster(&f);
	struct scheduler_request r;

	r = fx_gpu_req("ml", GPU_NVIDIA, 1, 0);
	r.node = "cpu";
	EXPECT_STREQ("service 'p/ml': node 'cpu' has no nvidia GPU", fx_place(s, &r, 1));
	r = fx_gpu_req("ml", GPU_NVIDIA, 1, 24000);
	r.node = "nv";
	EXPECT_STREQ("service 'p/ml': node 'nv' has no nvidia GPU with at least 24000 MiB",
		     fx_place(s, &r, 1));
	r = fx_gpu_req("ml", GPU_NVIDIA, 2, 0);
	r.node = "nv";
	EXPECT_STREQ("service 'p/ml': node 'nv' has 1 nvidia GPU, a replica asks for 2",
		     fx_place(s, &r, 1));
	r = fx_gpu_req("ml", GPU_AMD, 3, 0);
	r.node = "amd";
	EXPECT_STREQ("service 'p/ml': node 'amd' has 2 amd GPUs, a replica asks for 3",
		     fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(gpus_in_use)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_gpu_req("ml", GPU_NVIDIA, 1, 0);

	fx_gpu(fx_node(&f, "g", 0, 0), GPU_NVIDIA, 1, 16000);
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/ml': no node can fit 2 replicas: 1 placed, then node 'g' "
		     "has 0 free nvidia GPUs, a replica asks for 1", fx_place(s, &r, 2));
	scheduler_free(s);

	fx_gpu(fx_node(&f, "g2", 0, 0), GPU_NVIDIA, 1, 16000);
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/ml': no node can fit 3 replicas: 2 placed, then no node "
		     "has a free nvidia GPU (all 2 are in use)", fx_place(s, &r, 3));
	scheduler_free(s);
}

TEST(gpus_partly_in_use)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request other = fx_gpu_req("other", GPU_NVIDIA, 1, 0);
	struct scheduler_request r = fx_gpu_req("ml", GPU_NVIDIA, 2, 16000);

	fx_gpu(fx_node(&f, "g1", 0, 0), GPU_NVIDIA, 2, 24000);
	fx_gpu(fx_node(&f, "g2", 0, 0), GPU_NVIDIA, 2, 24000);
	s = fx_build(&f);
	fx_add(s, &other, "g1", 0x1);
	fx_add(s, &other, "g2", 0x2);
	EXPECT_STREQ("service 'p/ml': no node has 2 free nvidia GPUs with at least 16000 MiB "
		     "(the most is 1, on 'g1')", fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(memory_on_one_node)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request db = fx_req("db", GIB, 0);

	db.project = "data";
	fx_gpu(fx_node(&f, "gpu-worker-1", 1536 * MIB, 0), GPU_NVIDIA, 1, 0);
	s = fx_build(&f);
	fx_add(s, &db, "gpu-worker-1", 0);
	EXPECT_STREQ("service 'data/db': node 'gpu-worker-1' has 512 MiB of memory free, "
		     "a replica asks for 1024 MiB", fx_place(s, &db, 1));
	scheduler_free(s);
}

TEST(memory_on_many_nodes)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct kv ssd[] = { { "disk", "ssd" }, { "tier", "db" } };
	struct scheduler_request r = fx_req("big", 4 * GIB, 0);

	fx_label(fx_node(&f, "w1", GIB, 0), "disk", "ssd");
	fx_label(&f.nodes[0], "tier", "db");
	fx_label(fx_node(&f, "w2", 2 * GIB, 0), "disk", "ssd");
	fx_label(&f.nodes[1], "tier", "db");
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/big': no node has 4096 MiB of memory free (the most is "
		     "2048 MiB, on 'w2')", fx_place(s, &r, 1));
	r.labels = ssd;
	r.nlabels = 1;
	EXPECT_STREQ("service 'p/big': no node with labels disk=ssd has 4096 MiB of memory "
		     "free (the most is 2048 MiB, on 'w2')", fx_place(s, &r, 1));
	r.nlabels = 2;
	EXPECT_STREQ("service 'p/big': no node with labels disk=ssd, tier=db has 4096 MiB of "
		     "memory free (the most is 2048 MiB, on 'w2')", fx_place(s, &r, 1));
	r = fx_req("web", GIB, 0);
	EXPECT_STREQ("service 'p/web': no node can fit 4 replicas: 3 placed, then no node "
		     "has 1024 MiB of memory free (the most is 0 MiB, on 'w1')",
		     fx_place(s, &r, 4));
	scheduler_free(s);
}

TEST(memory_among_gpu_nodes)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_gpu_req("ml", GPU_NVIDIA, 1, 0);

	fx_gpu(fx_node(&f, "g1", GIB, 0), GPU_NVIDIA, 1, 0);
	fx_gpu(fx_node(&f, "g2", GIB, 0), GPU_NVIDIA, 1, 0);
	fx_node(&f, "roomy", 64 * GIB, 0);
	s = fx_build(&f);
	r.memory_bytes = 2 * GIB;
	EXPECT_STREQ("service 'p/ml': no node with an nvidia GPU has 2048 MiB of memory free "
		     "(the most is 1024 MiB, on 'g1')", fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(memory_not_in_whole_mib)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", 256000000, 0);

	fx_node(&f, "x", 128 * MIB, 0);
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/web': node 'x' has 128 MiB of memory free, a replica asks "
		     "for 244.1 MiB", fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(cpu)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", 0, 2000);

	fx_node(&f, "w1", 0, 1500);
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/web': node 'w1' has 1.5 cpu free, a replica asks for 2 cpu",
		     fx_place(s, &r, 1));
	scheduler_free(s);

	fx_node(&f, "w2", 0, 100);
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/web': no node has 2 cpu free (the most is 1.5, on 'w1')",
		     fx_place(s, &r, 1));
	r.cpu_millis = 250;
	r.node = "w2";
	EXPECT_STREQ("service 'p/web': node 'w2' has 0.1 cpu free, a replica asks for "
		     "0.25 cpu", fx_place(s, &r, 1));
	scheduler_free(s);
}

TEST(no_node_has_everything_at_once)
{
	struct fx f = FX_INIT;
	struct scheduler *s;
	struct scheduler_request r = fx_req("web", 2 * GIB, 2000);
	struct scheduler_request other = fx_gpu_req("other", GPU_NVIDIA, 1, 0);

	fx_gpu(fx_node(&f, "w1", 4 * GIB, 1000), GPU_NVIDIA, 1, 0);
	fx_gpu(fx_node(&f, "w2", GIB, 4000), GPU_NVIDIA, 1, 0);
	s = fx_build(&f);
	EXPECT_STREQ("service 'p/web': no node has 2048 MiB of memory and 2 cpu free at once",
		     fx_place(s, &r, 1));
	r.gpu = (struct gpu_request){ GPU_NVIDIA, 1, 0 };
	EXPECT_STREQ("service 'p/web': no node has 1 nvidia GPU, 2048 MiB of memory and 2 cpu "
		     "free at once", fx_place(s, &r, 1));
	fx_add(s, &other, "w1", 0);
	r.cpu_millis = 0;
	EXPECT_STREQ("service 'p/web': no node has 1 nvidia GPU and 2048 MiB of memory free "
		     "at once", fx_place(s, &r, 1));
	scheduler_free(s);
}

UNIT_MAIN
