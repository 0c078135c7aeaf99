/*
 * sched_fixture.h - small clusters and requests for the scheduler's tests.
 *
 *	struct fx f = FX_INIT;
 *	struct node *a = fx_node(&f, "a", 4 * GIB, 2000);
 *	fx_label(a, "zone", "eu-1");
 *	struct scheduler *s = fx_build(&f);
 *	struct scheduler_request r = fx_req("web", 1 * GIB, 0);
 *	EXPECT_STREQ("a,a", fx_place(s, &r, 2));     // node names, or the error
 */
#ifndef ORCA_TESTS_SCHED_FIXTURE_H
#define ORCA_TESTS_SCHED_FIXTURE_H

#include "unit.h"

#include "sched/scheduler.h"

#define MIB (INT64_C(1) << 20)
#define GIB (INT64_C(1) << 30)
#define FX_NODES 16
#define FX_PER_NODE 4

struct fx {
	struct node nodes[FX_NODES];
	struct kv labels[FX_NODES][FX_PER_NODE];
	struct node_gpu gpus[FX_NODES][FX_PER_NODE];
	size_t n;
};

#define FX_INIT { .n = 0 }

static inline struct node *fx_node(struct fx *f, const char *name, int64_t memory_bytes,
				   int64_t cpu_millis)
{
	struct node *nd = &f->nodes[f->n];

	memset(nd, 0, sizeof(*nd));
	nd->name = (char *)name;
	nd->memory_bytes = memory_bytes;
	nd->cpu_millis = cpu_millis;
	nd->labels = f->labels[f->n];
	nd->gpus = f->gpus[f->n];
	f->n++;
	return nd;
}

static inline void fx_label(struct node *nd, const char *key, const char *value)
{
	nd->labels[nd->nlabels++] = (struct kv){ (char *)key, (char *)value };
}

static inline void fx_gpu(struct node *nd, enum gpu_vendor vendor, int count, int64_t vram_mib)
{
	nd->gpus[nd->ngpus++] = (struct node_gpu){ .vendor = vendor, .count = count,
						   .vram_mib = vram_mib };
}

static inline struct scheduler *fx_build(struct fx *f)
{
	struct scheduler *s = NULL;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, scheduler_new(&s, f->nodes, f->n, &e));
	EXPECT_STREQ("", e.msg);
	return s;
}

static inline struct scheduler_request fx_req(const char *service, int64_t memory_bytes,
					      int64_t cpu_millis)
{
	return (struct scheduler_request){ .project = "p", .service = service, .replicas = 1,
					   .memory_bytes = memory_bytes,
					   .cpu_millis = cpu_millis };
}

static inline struct scheduler_request fx_gpu_req(const char *service, enum gpu_vendor vendor,
						  int count, int64_t vram_min_mib)
{
	struct scheduler_request r = fx_req(service, 0, 0);

	r.gpu = (struct gpu_request){ .vendor = vendor, .count = count,
				      .vram_min_mib = vram_min_mib };
	return r;
}

static inline struct scheduler_usage fx_usage(struct scheduler *s, size_t node)
{
	struct scheduler_usage u;

	scheduler_node_usage(s, node, &u);
	return u;
}

static int fx_code;                      /* the last fx_place's return */
static uint64_t fx_gpus[64];             /* the last fx_place's GPU masks */

/* "a,b,a": where count new replicas went; or the error message. */
static inline const char *fx_place(struct scheduler *s, const struct scheduler_request *r,
				   int count)
{
	static char out[1024];
	struct scheduler_placement p[64];
	struct err e = { 0 };
	size_t n = 0;

	memset(fx_gpus, 0, sizeof(fx_gpus));
	fx_code = scheduler_place(s, r, count, p, &e);
	if (fx_code < 0)
		return snprintf(out, sizeof(out), "%s", e.msg), out;
	out[0] = '\0';
	for (int i = 0; i < count; i++) {
		EXPECT_STREQ(fx_usage(s, (size_t)p[i].node).name, p[i].node_name);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? "," : "", p[i].node_name);
		fx_gpus[i] = p[i].gpus;
	}
	return out;
}

/* Records a running replica of r on node. */
static inline void fx_add(struct scheduler *s, const struct scheduler_request *r,
			  const char *node, uint64_t gpus)
{
	struct err e = { 0 };

	EXPECT_EQ_INT(0, scheduler_add(s, r, node, gpus, &e));
	EXPECT_STREQ("", e.msg);
}

#endif
