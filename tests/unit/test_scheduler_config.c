/*
 * test_scheduler_config.c - sched/ fed by config/: cluster.toml and
 * service.toml text through the real loader, into nodes, requests and a
 * plan, the way reconcile/ and api/ call it.
 */
#include "unit.h"

#include "config/load.h"
#include "sched/scheduler.h"

static const char cluster_toml[] =
	"[cluster]\n"
	"name = \"t\"\n"
	"[[node]]\n"
	"name = \"cpu-1\"\n"
	"memory = \"4Gi\"\n"
	"cpu = 4\n"
	"labels = { zone = \"eu-1\" }\n"
	"[[node]]\n"
	"name = \"gpu-worker-1\"\n"
	"memory = \"2Gi\"\n"
	"labels = { zone = \"eu-2\" }\n"
	"[[node.gpus]]\n"
	"vendor = \"amd\"\n"
	"count = 2\n"
	"vram = 16000\n";

static const char data_toml[] =
	"[[service]]\n"
	"name = \"db\"\n"
	"image = \"postgres:16\"\n"
	"replicas = 2\n"
	"[service.resources]\n"
	"memory = \"1Gi\"\n"
	"cpu = 1.5\n"
	"[service.placement]\n"
	"labels = { zone = \"eu-1\" }\n"
	"[[service]]\n"
	"name = \"ml\"\n"
	"image = \"ml:1\"\n"
	"replicas = 3\n"
	"[service.resources.gpu]\n"
	"vendor = \"amd\"\n"
	"count = 1\n"
	"vram_min = 8000\n";

static struct config *load(const char *cluster, const char *project)
{
	struct diags d = { 0 };
	struct config *c = config_new();

	if (cluster)
		config_add_cluster_text(c, "cluster.toml", cluster, strlen(cluster), &d);
	config_add_project_text(c, "data", NULL, "services/data/service.toml", project,
				strlen(project), &d);
	config_check(c, &d);
	for (size_t i = 0; i < d.len; i++)
		UNIT_FAIL_AT("config: %s", d.items[i].msg);
	diags_release(&d);
	return c;
}

/* Every service of every project as a request, in config order. */
static size_t requests(const struct config *c, struct scheduler_request *reqs, size_t max)
{
	size_t n = 0;

	for (size_t p = 0; p < c->nprojects; p++)
		for (size_t i = 0; i < c->projects[p].nservices && n < max; i++)
			scheduler_request_from_service(&reqs[n++], &c->projects[p].services[i]);
	return n;
}

TEST(plan_from_toml)
{
	struct config *c = load(cluster_toml, data_toml);
	struct scheduler_host host = { .memory_bytes = 1 };  /* ignored: nodes are declared */
	struct scheduler_request reqs[8];
	struct scheduler_plan plan;
	struct scheduler *s = NULL;
	struct err e = { 0 };
	size_t n = requests(c, reqs, 8);

	EXPECT_EQ_INT(0, scheduler_new_from_config(&s, c, &host, &e));
	EXPECT_EQ_INT(2, scheduler_node_count(s));
	EXPECT_EQ_INT(2, n);
	EXPECT_EQ_INT(ERR_CONFLICT, scheduler_plan(s, reqs, n, &plan, &e));
	EXPECT_STREQ("service 'data/ml': no node can fit 3 replicas: 2 placed, then node "
		     "'gpu-worker-1' has 0 free amd GPUs with at least 8000 MiB, a replica "
		     "asks for 1", e.msg);
	EXPECT_EQ_INT(2, plan.outcomes[0].count);
	EXPECT_STREQ("cpu-1", plan.placements[0].node_name);
	EXPECT_STREQ("cpu-1", plan.placements[1].node_name);
	scheduler_plan_release(&plan);

	reqs[1].replicas = 2;
	EXPECT_EQ_INT(0, scheduler_plan(s, reqs, n, &plan, &e));
	EXPECT_EQ_INT(2, plan.nplacements);     /* db already has its 2 */
	EXPECT_EQ_U64(0x1, plan.placements[0].gpus);
	EXPECT_EQ_U64(0x2, plan.placements[1].gpus);
	scheduler_plan_release(&plan);
	scheduler_free(s);
	config_free(c);
}

TEST(no_nodes_means_the_local_node)
{
	struct config *c = load(NULL, data_toml);
	struct scheduler_host host = { .memory_bytes = 4LL << 30, .cpu_millis = 2000 };
	struct scheduler_request reqs[8];
	struct scheduler *s = NULL;
	struct err e = { 0 };
	size_t n = requests(c, reqs, 8);

	EXPECT_EQ_INT(2, n);
	EXPECT_EQ_INT(0, scheduler_new_from_config(&s, c, &host, &e));
	EXPECT_EQ_INT(1, scheduler_node_count(s));
	EXPECT_EQ_INT(ERR_CONFLICT, scheduler_place(s, &reqs[0], 1, NULL, &e));
	EXPECT_STREQ("service 'data/db': no node has labels zone=eu-1", e.msg);
	EXPECT_EQ_INT(ERR_CONFLICT, scheduler_place(s, &reqs[1], 1, NULL, &e));
	EXPECT_STREQ("service 'data/ml': no node has an amd GPU", e.msg);
	scheduler_free(s);
	config_free(c);
}

UNIT_MAIN
