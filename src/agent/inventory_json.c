/*
 * inventory_json.c - a node's inventory as JSON, both ways.
 *
 * From JSON the input comes from an agent over the network: every string
 * is bounded by its field, every list by its array, unknown fields are
 * ignored (a newer agent may say more).
 */
#include "agent/inventory.h"

#include <stdio.h>
#include <string.h>

#include "base/jsonx.h"

static json_t *gpu_json(const struct inventory_gpu *g)
{
	return json_pack("{s:s, s:s, s:I, s:s}", "vendor", gpu_vendor_name(g->vendor), "model",
			 g->model, "vram_mib", (json_int_t)g->vram_mib, "id", g->id);
}

json_t *inventory_to_json(const struct inventory *inv)
{
	json_t *gpus = json_array(), *runtimes = json_array();

	for (size_t i = 0; i < inv->ngpus; i++)
		json_array_append_new(gpus, gpu_json(&inv->gpus[i]));
	for (size_t i = 0; i < inv->nruntimes; i++)
		json_array_append_new(runtimes, json_string(inv->runtimes[i]));
	return json_pack("{s:I, s:I, s:o, s:o, s:s, s:s, s:s, s:i, s:o}", "memory_bytes",
			 (json_int_t)inv->memory_bytes, "cpu_millis", (json_int_t)inv->cpu_millis,
			 "gpus", gpus, "runtimes", runtimes, "agent_version", inv->agent_version,
			 "docker_version", inv->docker_version, "kernel", inv->kernel, "mtu",
			 inv->mtu, "esp_gcm", inv->esp_gcm < 0 ? json_null()
							   : json_boolean(inv->esp_gcm));
}

static void copy_str(const json_t *obj, const char *field, char *out, size_t n)
{
	const json_t *v = json_object_get(obj, field);

	snprintf(out, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static int gpu_from_json(const json_t *j, struct inventory_gpu *g, struct err *e)
{
	const char *vendor = NULL;
	int64_t vram = 0;

	memset(g, 0, sizeof(*g));
	if (jsonx_expect_object(j, "gpu", e) < 0 ||
	    jsonx_get_string(j, "vendor", JSONX_REQUIRED, &vendor, e) < 0 ||
	    jsonx_get_int_range(j, "vram_mib", JSONX_OPTIONAL, 0, INT64_C(1) << 40, &vram, e) < 0)
		return ERR_INVALID;
	if (strcmp(vendor, "nvidia") == 0)
		g->vendor = GPU_NVIDIA;
	else if (strcmp(vendor, "amd") == 0)
		g->vendor = GPU_AMD;
	else
		return err_set(e, ERR_INVALID, "unknown GPU vendor '%.32s'", vendor);
	g->vram_mib = vram;
	copy_str(j, "model", g->model, sizeof(g->model));
	copy_str(j, "id", g->id, sizeof(g->id));
	return 0;
}

int inventory_from_json(const json_t *j, struct inventory *inv, struct err *e)
{
	json_t *gpus = NULL, *runtimes = NULL, *v;
	int64_t mem = 0, cpu = 0, mtu = 0;
	size_t i;

	memset(inv, 0, sizeof(*inv));
	if (jsonx_expect_object(j, "inventory", e) < 0 ||
	    jsonx_get_int_range(j, "memory_bytes", JSONX_OPTIONAL, 0, INT64_C(1) << 56, &mem, e) < 0 ||
	    jsonx_get_int_range(j, "cpu_millis", JSONX_OPTIONAL, 0, INT64_C(1) << 30, &cpu, e) < 0 ||
	    jsonx_get_array(j, "gpus", JSONX_OPTIONAL, &gpus, e) < 0 ||
	    jsonx_get_array(j, "runtimes", JSONX_OPTIONAL, &runtimes, e) < 0 ||
	    jsonx_get_int_range(j, "mtu", JSONX_OPTIONAL, 0, 65535, &mtu, e) < 0)
		return err_wrap(e, "inventory");
	inv->mtu = (int)mtu;
	v = json_object_get(j, "esp_gcm");
	inv->esp_gcm = json_is_boolean(v) ? json_is_true(v) : -1;
	inv->memory_bytes = mem;
	inv->cpu_millis = cpu;
	json_array_foreach(gpus, i, v) {
		if (inv->ngpus == INVENTORY_GPUS_MAX)
			return err_set(e, ERR_TOOBIG, "inventory: more than %d GPUs",
				       INVENTORY_GPUS_MAX);
		if (gpu_from_json(v, &inv->gpus[inv->ngpus], e) < 0)
			return err_wrap(e, "inventory: gpus[%zu]", i);
		inv->ngpus++;
	}
	json_array_foreach(runtimes, i, v)
		if (json_is_string(v) && inv->nruntimes < INVENTORY_RUNTIMES_MAX)
			snprintf(inv->runtimes[inv->nruntimes++], sizeof(inv->runtimes[0]), "%s",
				 json_string_value(v));
	copy_str(j, "agent_version", inv->agent_version, sizeof(inv->agent_version));
	copy_str(j, "docker_version", inv->docker_version, sizeof(inv->docker_version));
	copy_str(j, "kernel", inv->kernel, sizeof(inv->kernel));
	return 0;
}

void inventory_add_engine(struct inventory *inv, const json_t *info)
{
	const json_t *rt = json_object_get(info, "Runtimes");
	const char *name;
	json_t *v;

	inv->nruntimes = 0;
	json_object_foreach((json_t *)rt, name, v)
		if (inv->nruntimes < INVENTORY_RUNTIMES_MAX)
			snprintf(inv->runtimes[inv->nruntimes++], sizeof(inv->runtimes[0]), "%s", name);
	copy_str(info, "ServerVersion", inv->docker_version, sizeof(inv->docker_version));
}
