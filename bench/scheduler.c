/*
 * bench/scheduler.c - placements per second of sched/ against the target of
 * 100,000/s: 10,000 replicas of a mix of services on 1,000 simulated nodes.
 *
 * Nodes: capacities from 8 cpu / 16 GiB to 64 cpu / 256 GiB (a few
 * undeclared), labels zone/disk/tier, 8% with NVIDIA and 4% with AMD GPUs of
 * various VRAM. Services: plain, labelled, pinned, GPU and big-memory ones,
 * plus a few that cannot be satisfied. Everything comes from a fixed seed.
 *
 * Three runs are timed, each on a fresh scheduler (setup is not timed):
 *   plan         scheduler_plan over every service at once
 *   incremental  scheduler_place per service, one call each
 *   worst case   10,000 single-replica unconstrained services (every call
 *                scans all 1,000 nodes)
 * Each is repeated and the median printed. Usage: scheduler [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "sched/scheduler.h"

#define NODES 1000
#define REPLICAS 10000
#define TARGET 100000.0
#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)

static const char *zones[] = { "eu-1", "eu-2", "eu-3", "eu-4", "us-1", "us-2" };
static const char *disks[] = { "ssd", "hdd" };
static const char *tiers[] = { "web", "batch", "db" };

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int pick(int n)
{
	return (int)(next() % (uint64_t)n);
}

#define ONE_OF(a) (a[pick((int)(sizeof(a) / sizeof(a[0])))])

static void make_gpus(struct node *nd)
{
	static const int64_t nv_vram[] = { 16000, 24000, 48000, 80000 };
	static const int64_t amd_vram[] = { 24000, 64000, 192000 };
	static const int nv_count[] = { 1, 2, 4, 8 };
	static const int amd_count[] = { 1, 2, 4 };
	int roll = pick(100);

	if (roll >= 12)
		return;
	nd->gpus = xcalloc(1, sizeof(*nd->gpus));
	nd->ngpus = 1;
	if (roll < 8)
		nd->gpus[0] = (struct node_gpu){ GPU_NVIDIA, ONE_OF(nv_count), NULL, ONE_OF(nv_vram) };
	else
		nd->gpus[0] = (struct node_gpu){ GPU_AMD, ONE_OF(amd_count), NULL, ONE_OF(amd_vram) };
}

static void make_node(struct node *nd, int i)
{
	static const int64_t mem_gib[] = { 16, 32, 64, 128, 256 };
	static const int64_t cpus[] = { 8, 16, 32, 64 };

	memset(nd, 0, sizeof(*nd));
	nd->name = xasprintf("node-%04d", i);
	if (pick(100) >= 5) {
		nd->memory_bytes = ONE_OF(mem_gib) * GIB;
		nd->cpu_millis = ONE_OF(cpus) * 1000;
	}
	nd->labels = xcalloc(3, sizeof(*nd->labels));
	nd->nlabels = 3;
	nd->labels[0] = (struct kv){ "zone", (char *)ONE_OF(zones) };
	nd->labels[1] = (struct kv){ "disk", (char *)ONE_OF(disks) };
	nd->labels[2] = (struct kv){ "tier", (char *)ONE_OF(tiers) };
	make_gpus(nd);
}

static void add_labels(struct scheduler_request *r)
{
	struct kv *l = xcalloc(2, sizeof(*l));

	l[0] = (struct kv){ "zone", (char *)ONE_OF(zones) };
	l[1] = pick(2) ? (struct kv){ "disk", (char *)ONE_OF(disks) }
		       : (struct kv){ "tier", (char *)ONE_OF(tiers) };
	r->labels = l;
	r->nlabels = 1 + (size_t)pick(2);
	if (pick(200) == 0)
		l[0].value = "ap-1";  /* no such zone: cannot be placed */
}

static void add_gpu(struct scheduler_request *r)
{
	static const int64_t vram[] = { 0, 16000, 24000, 40000 };

	r->gpu.vendor = pick(3) ? GPU_NVIDIA : GPU_AMD;
	r->gpu.count = 1 + pick(2);
	r->gpu.vram_min_mib = ONE_OF(vram);
	r->replicas = 1 + pick(4);
}

/* One service of the mix; sizes in the ranges of small web services. */
static void make_service(struct scheduler_request *r, int i, const struct node *nodes)
{
	int kind = pick(100);

	memset(r, 0, sizeof(*r));
	r->project = xasprintf("proj-%02d", i % 50);
	r->service = xasprintf("svc-%d", i);
	r->replicas = 1 + pick(20);
	r->memory_bytes = (128 + pick(32) * 128) * MIB;
	r->cpu_millis = 100 + pick(20) * 100;
	if (kind < 15) {
		add_labels(r);
	} else if (kind < 20) {
		r->node = nodes[pick(NODES)].name;
		r->replicas = 1 + pick(3);
	} else if (kind < 30) {
		add_gpu(r);
	} else if (kind < 35) {
		r->memory_bytes = (16 + pick(48)) * GIB;
		r->replicas = 1 + pick(5);
	} else if (kind < 38) {
		r->memory_bytes = r->cpu_millis = 0;
	}
}

/* Services until their replicas add up to REPLICAS; returns how many. */
static size_t make_services(struct scheduler_request **out, const struct node *nodes,
			    int single)
{
	struct scheduler_request *reqs = xcalloc(REPLICAS, sizeof(*reqs));
	size_t n = 0;

	for (int total = 0; total < REPLICAS; n++) {
		make_service(&reqs[n], (int)n, nodes);
		if (single) {
			reqs[n].replicas = 1;
			reqs[n].labels = NULL, reqs[n].nlabels = 0, reqs[n].node = NULL;
			reqs[n].gpu = (struct gpu_request){ 0 };
		}
		if (reqs[n].replicas > REPLICAS - total)
			reqs[n].replicas = REPLICAS - total;
		total += reqs[n].replicas;
	}
	*out = reqs;
	return n;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Wall time is what the ratio uses. CPU time is printed beside it: on a
 * shared machine it shows what one core does when the process is not
 * waiting for one.
 */
struct clock {
	double wall, cpu;
};

static struct clock now(void)
{
	return (struct clock){ clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID) };
}

static void elapsed(struct clock t0, double *wall, double *cpu)
{
	struct clock t1 = now();

	*wall = t1.wall - t0.wall;
	*cpu = t1.cpu - t0.cpu;
}

struct result {
	double seconds, cpu_seconds;
	size_t placed, failed;  /* replicas */
	char first_failure[512];
};

static void run_plan(struct scheduler *s, const struct scheduler_request *reqs, size_t n,
		     struct result *res)
{
	struct scheduler_plan plan;
	struct err e = { 0 };
	struct clock t0 = now();

	scheduler_plan(s, reqs, n, &plan, &e);
	elapsed(t0, &res->seconds, &res->cpu_seconds);
	res->placed = plan.nplacements;
	res->failed = REPLICAS - plan.nplacements;
	snprintf(res->first_failure, sizeof(res->first_failure), "%s", e.msg);
	scheduler_plan_release(&plan);
}

static void run_incremental(struct scheduler *s, const struct scheduler_request *reqs,
			    size_t n, struct result *res)
{
	struct scheduler_placement *out = xcalloc(REPLICAS, sizeof(*out));
	struct err e = { 0 };
	struct clock t0 = now();

	res->placed = res->failed = 0;
	res->first_failure[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (scheduler_place(s, &reqs[i], reqs[i].replicas, out, &e) == 0) {
			res->placed += (size_t)reqs[i].replicas;
			continue;
		}
		res->failed += (size_t)reqs[i].replicas;
		if (!res->first_failure[0])
			snprintf(res->first_failure, sizeof(res->first_failure), "%s", e.msg);
	}
	elapsed(t0, &res->seconds, &res->cpu_seconds);
	free(out);
}

static int cmp_seconds(const void *a, const void *b)
{
	double x = ((const struct result *)a)->seconds, y = ((const struct result *)b)->seconds;

	return (x > y) - (x < y);
}

typedef void run_fn(struct scheduler *, const struct scheduler_request *, size_t,
		    struct result *);

static double measure(const char *name, run_fn *run, const struct node *nodes,
		      const struct scheduler_request *reqs, size_t n, int rounds)
{
	struct result *res = xcalloc((size_t)rounds, sizeof(*res)), *mid;
	double rate;

	for (int i = 0; i < rounds; i++) {
		struct scheduler *s;
		struct err e = { 0 };

		if (scheduler_new(&s, nodes, NODES, &e) < 0) {
			fprintf(stderr, "scheduler: %s\n", e.msg);
			exit(1);
		}
		run(s, reqs, n, &res[i]);
		scheduler_free(s);
	}
	qsort(res, (size_t)rounds, sizeof(*res), cmp_seconds);
	mid = &res[rounds / 2];
	rate = REPLICAS / mid->seconds;
	printf("%-12s %zu services: %zu placed, %zu failed; median of %d: %.4f s "
	       "(best %.4f s, cpu %.4f s = %.0f/s)\n", name, n, mid->placed, mid->failed, rounds,
	       mid->seconds, res[0].seconds, mid->cpu_seconds, REPLICAS / mid->cpu_seconds);
	if (mid->first_failure[0])
		printf("%-12s first failure: %s\n", "", mid->first_failure);
	free(res);
	return rate;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	struct node *nodes = xcalloc(NODES, sizeof(*nodes));
	struct scheduler_request *mix, *single;
	size_t nmix, nsingle;
	double plan, incr, worst;

	if (rounds < 1)
		rounds = 1;
	for (int i = 0; i < NODES; i++)
		make_node(&nodes[i], i);
	nmix = make_services(&mix, nodes, 0);
	nsingle = make_services(&single, nodes, 1);
	plan = measure("plan", run_plan, nodes, mix, nmix, rounds);
	incr = measure("incremental", run_incremental, nodes, mix, nmix, rounds);
	worst = measure("worst case", run_incremental, nodes, single, nsingle, rounds);
	printf("scheduler: %d placements in %.4f s = %.0f/s (%.2fx the %.0f/s target)\n",
	       REPLICAS, REPLICAS / plan, plan, plan / TARGET, TARGET);
	printf("scheduler incremental: %.0f/s (%.2fx); worst case: %.0f/s (%.2fx)\n",
	       incr, incr / TARGET, worst, worst / TARGET);
	return 0;
}
