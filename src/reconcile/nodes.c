/*
 * nodes.c - declared nodes merged with joined ones (the rules of nodes.h).
 */
#include "reconcile/nodes.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static const json_t *member_named(const json_t *members, const char *name)
{
	const json_t *m;
	size_t i;

	json_array_foreach(members, i, m)
		if (strcmp(str(m, "name"), name) == 0)
			return m;
	return NULL;
}

static struct node *push(struct node_table *t, const char *name)
{
	struct node *n;

	t->nodes = xrealloc(t->nodes, (t->n + 1) * sizeof(*t->nodes));
	n = &t->nodes[t->n++];
	memset(n, 0, sizeof(*n));
	n->name = xstrdup(name);
	return n;
}

static bool has_label(const struct node *n, const char *key)
{
	for (size_t i = 0; i < n->nlabels; i++)
		if (strcmp(n->labels[i].key, key) == 0)
			return true;
	return false;
}

static void add_label(struct node *n, const char *key, const char *value)
{
	n->labels = xrealloc(n->labels, (n->nlabels + 1) * sizeof(*n->labels));
	memset(&n->labels[n->nlabels], 0, sizeof(n->labels[0]));
	n->labels[n->nlabels].key = xstrdup(key);
	n->labels[n->nlabels].value = xstrdup(value);
	n->nlabels++;
}

static void copy_declared(struct node *n, const struct node *d)
{
	for (size_t i = 0; i < d->nlabels; i++)
		add_label(n, d->labels[i].key, d->labels[i].value);
	n->gpus = xcalloc(d->ngpus + 1, sizeof(*n->gpus));
	for (size_t i = 0; i < d->ngpus; i++) {
		n->gpus[i] = d->gpus[i];
		n->gpus[i].model = d->gpus[i].model ? xstrdup(d->gpus[i].model) : NULL;
	}
	n->ngpus = d->ngpus;
	n->memory_bytes = d->memory_bytes;
	n->cpu_millis = d->cpu_millis;
	n->address = d->address ? xstrdup(d->address) : NULL;
}

/* The GPUs an agent detected, one entry per card. */
static void detected_gpus(struct node *n, const json_t *inv)
{
	const json_t *g;
	size_t i, k = 0;

	json_array_foreach(json_object_get(inv, "gpus"), i, g) {
		const char *v = str(g, "vendor");
		enum gpu_vendor vendor = strcmp(v, "nvidia") == 0 ? GPU_NVIDIA
					 : strcmp(v, "amd") == 0  ? GPU_AMD : GPU_NONE;

		if (vendor == GPU_NONE)
			continue;
		n->gpus = xrealloc(n->gpus, (k + 1) * sizeof(*n->gpus));
		memset(&n->gpus[k], 0, sizeof(n->gpus[k]));
		n->gpus[k].vendor = vendor;
		n->gpus[k].count = 1;
		n->gpus[k].model = str(g, "model")[0] ? xstrdup(str(g, "model")) : NULL;
		n->gpus[k].vram_mib = json_integer_value(json_object_get(g, "vram_mib"));
		n->ngpus = ++k;
	}
}

/* What the member adds to n: labels it lacks, detected capacity and GPUs. */
static void merge_member(struct node *n, const json_t *m, bool declared)
{
	const json_t *inv = json_object_get(m, "inventory");
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)json_object_get(m, "labels"), k, v)
		if (json_is_string(v) && !has_label(n, k))
			add_label(n, k, json_string_value(v));
	if (json_is_object(inv) && n->ngpus == 0)
		detected_gpus(n, inv);
	if (json_is_object(inv) && !declared) {
		n->memory_bytes = json_integer_value(json_object_get(inv, "memory_bytes"));
		n->cpu_millis = json_integer_value(json_object_get(inv, "cpu_millis"));
	}
}

static json_t *info_json(const char *name, const json_t *m, bool declared, bool local)
{
	json_t *inv = json_object_get(m, "inventory");
	json_t *gpus = json_is_object(inv) ? json_object_get(inv, "gpus") : NULL;
	json_t *hb = json_object_get(m, "heartbeat_ms_ago");

	json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s, s:b, s:O, s:I, s:b, s:O}", "name", name,
			 "state", m ? str(m, "state") : (local ? "ready" : "unknown"),
			 "local", local, "address", str(m, "address"), "version",
			 m ? str(m, "version") : (local ? ORCA_VERSION : ""), "connected",
			 m ? json_is_true(json_object_get(m, "connected")) : local,
			 "heartbeat_ms_ago", hb ? hb : json_null(), "down_ms",
			 (json_int_t)json_integer_value(json_object_get(m, "down_ms")), "declared",
			 declared, "detected_gpus", gpus ? gpus : json_null());

	json_object_set_new(o, "swarm", json_string(str(m, "swarm")));
	json_object_set_new(o, "mtu", json_integer(json_integer_value(json_object_get(inv, "mtu"))));
	return o;
}

int node_table_build(struct node_table *t, const struct config *cfg, const json_t *members,
		     const char *local, const struct scheduler_host *host, struct err *e)
{
	const json_t *m;
	size_t i;

	(void)e;
	memset(t, 0, sizeof(*t));
	t->info = json_array();
	for (i = 0; i < cfg->cluster.nnodes; i++) {
		const struct node *d = &cfg->cluster.nodes[i];
		struct node *n = push(t, d->name);

		copy_declared(n, d);
		m = member_named(members, d->name);
		if (m)
			merge_member(n, m, true);
		json_array_append_new(t->info, info_json(d->name, m, true, strcmp(d->name, local) == 0));
	}
	if (cfg->cluster.nnodes == 0) {
		struct node *n = push(t, local);

		n->memory_bytes = host ? host->memory_bytes : 0;
		n->cpu_millis = host ? host->cpu_millis : 0;
		m = member_named(members, local);
		if (m)
			merge_member(n, m, true);
		json_array_append_new(t->info, info_json(local, m, false, true));
	}
	json_array_foreach(members, i, m) {
		struct node *n;

		if (node_table_find(t, str(m, "name")) >= 0)
			continue;
		n = push(t, str(m, "name"));
		merge_member(n, m, false);
		json_array_append_new(t->info, info_json(n->name, m, false,
							 json_is_true(json_object_get(m, "local"))));
	}
	return 0;
}

void node_table_release(struct node_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct node *n = &t->nodes[i];

		for (size_t k = 0; k < n->nlabels; k++) {
			free(n->labels[k].key);
			free(n->labels[k].value);
		}
		for (size_t k = 0; k < n->ngpus; k++)
			free(n->gpus[k].model);
		free(n->labels);
		free(n->gpus);
		free(n->address);
		free(n->name);
	}
	free(t->nodes);
	json_decref(t->info);
	memset(t, 0, sizeof(*t));
}

const char *node_table_state(const struct node_table *t, size_t i)
{
	return str(json_array_get(t->info, i), "state");
}

bool node_table_ready(const struct node_table *t, size_t i)
{
	return strcmp(node_table_state(t, i), "ready") == 0;
}

long node_table_find(const struct node_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->nodes[i].name, name) == 0)
			return (long)i;
	return -1;
}

int64_t node_table_down_ms(const struct node_table *t, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(t->info, i), "down_ms"));
}
