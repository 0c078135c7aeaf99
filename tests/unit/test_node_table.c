/*
 * test_node_table.c - declared nodes merged with the nodes that joined
 * (reconcile/nodes.h): labels, capacity, GPUs, states.
 */
#include "unit.h"

#include "config/load.h"
#include "reconcile/nodes.h"

static struct config *load(const char *cluster)
{
	struct diags d = { 0 };
	struct config *c = config_new();

	if (cluster)
		config_add_cluster_text(c, "cluster.toml", cluster, strlen(cluster), &d);
	config_check(c, &d);
	for (size_t i = 0; i < d.len; i++)
		UNIT_FAIL_AT("config: %s", d.items[i].msg);
	diags_release(&d);
	return c;
}

static json_t *members(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (j == NULL)
		UNIT_FAIL_AT("json: %s", je.text);
	return j;
}

static const char *label(const struct node *n, const char *key)
{
	for (size_t i = 0; i < n->nlabels; i++)
		if (strcmp(n->labels[i].key, key) == 0)
			return n->labels[i].value;
	return NULL;
}

TEST(single_node_without_members)
{
	struct config *c = load(NULL);
	struct scheduler_host host = { "x", 1 << 30, 2000 };
	struct node_table t;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, node_table_build(&t, c, NULL, "local", &host, &e));
	EXPECT_EQ_INT(1, t.n);
	EXPECT_STREQ("local", t.nodes[0].name);
	EXPECT_EQ_INT(1 << 30, t.nodes[0].memory_bytes);
	EXPECT_TRUE(node_table_ready(&t, 0));
	node_table_release(&t);
	config_free(c);
}

TEST(joined_nodes_bring_labels_capacity_and_gpus)
{
	struct config *c = load(NULL);
	struct scheduler_host host = { "a", 1 << 30, 2000 };
	json_t *m = members("[{\"name\": \"a\", \"local\": true, \"state\": \"ready\"},"
			    " {\"name\": \"b\", \"state\": \"ready\", \"labels\": {\"zone\": \"b\"},"
			    "  \"inventory\": {\"memory_bytes\": 4096, \"cpu_millis\": 4000,"
			    "   \"gpus\": [{\"vendor\": \"amd\", \"model\": \"MI210\", \"vram_mib\": 65520},"
			    "              {\"vendor\": \"amd\", \"model\": \"MI210\", \"vram_mib\": 65520}]}},"
			    " {\"name\": \"c\", \"state\": \"down\", \"down_ms\": 7000}]");
	struct node_table t;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, node_table_build(&t, c, m, "a", &host, &e));
	EXPECT_EQ_INT(3, t.n);
	EXPECT_STREQ("a", t.nodes[0].name);
	EXPECT_EQ_INT(1, node_table_find(&t, "b"));
	EXPECT_STREQ("b", label(&t.nodes[1], "zone"));
	EXPECT_EQ_INT(4096, t.nodes[1].memory_bytes);
	EXPECT_EQ_INT(2, t.nodes[1].ngpus);
	EXPECT_EQ_INT(GPU_AMD, t.nodes[1].gpus[0].vendor);
	EXPECT_EQ_INT(65520, t.nodes[1].gpus[1].vram_mib);
	EXPECT_TRUE(node_table_ready(&t, 1));
	EXPECT_FALSE(node_table_ready(&t, 2));
	EXPECT_STREQ("down", node_table_state(&t, 2));
	EXPECT_EQ_INT(7000, node_table_down_ms(&t, 2));
	node_table_release(&t);
	json_decref(m);
	config_free(c);
}

TEST(declared_nodes_win)
{
	struct config *c = load("[[node]]\nname = \"a\"\n[[node]]\nname = \"gpu\"\n"
				"memory = \"8Gi\"\nlabels = { zone = \"eu\" }\n"
				"[[node.gpus]]\nvendor = \"nvidia\"\ncount = 1\nmodel = \"L4\"\n"
				"[[node]]\nname = \"never\"\n");
	struct scheduler_host host = { "a", 1 << 30, 2000 };
	json_t *m = members("[{\"name\": \"a\", \"local\": true, \"state\": \"ready\"},"
			    " {\"name\": \"gpu\", \"state\": \"draining\","
			    "  \"labels\": {\"zone\": \"us\", \"disk\": \"ssd\"},"
			    "  \"inventory\": {\"memory_bytes\": 4096, \"gpus\": [{\"vendor\": \"amd\"}]}}]");
	struct node_table t;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, node_table_build(&t, c, m, "a", &host, &e));
	EXPECT_EQ_INT(3, t.n);
	/* declared label, capacity and GPUs win; the agent adds only what is missing */
	EXPECT_STREQ("eu", label(&t.nodes[1], "zone"));
	EXPECT_STREQ("ssd", label(&t.nodes[1], "disk"));
	EXPECT_EQ_INT(8LL << 30, t.nodes[1].memory_bytes);
	EXPECT_EQ_INT(1, t.nodes[1].ngpus);
	EXPECT_EQ_INT(GPU_NVIDIA, t.nodes[1].gpus[0].vendor);
	EXPECT_STREQ("draining", node_table_state(&t, 1));
	EXPECT_FALSE(node_table_ready(&t, 1));
	/* declared and never joined */
	EXPECT_STREQ("unknown", node_table_state(&t, 2));
	EXPECT_TRUE(node_table_ready(&t, 0));
	node_table_release(&t);
	json_decref(m);
	config_free(c);
}

UNIT_MAIN
