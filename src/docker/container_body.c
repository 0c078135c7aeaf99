/*
 * container_body.c - the JSON of POST /containers/create from a spec.
 *
 * Pure. What orca always sets: Init, RestartPolicy "no" (orca heals, not the
 * engine), json-file logs with rotation. GPUs: NVIDIA the way `docker run
 * --gpus N` asks (a DeviceRequest with capability "gpu"), AMD the way ROCm
 * documents it (/dev/kfd and /dev/dri, plus the video and render groups).
 */
#include "docker/container.h"

#include <inttypes.h>
#include <stdio.h>

#include "docker/internal.h"

#define LOG_MAX_SIZE_DEFAULT (10 << 20)
#define LOG_MAX_FILES_DEFAULT 3

static json_t *log_config(const struct docker_container_spec *s)
{
	char size[24], files[16];

	snprintf(size, sizeof(size), "%" PRId64,
		 s->log_max_size_bytes > 0 ? s->log_max_size_bytes
					   : (int64_t)LOG_MAX_SIZE_DEFAULT);
	snprintf(files, sizeof(files), "%d",
		 s->log_max_files > 0 ? s->log_max_files : LOG_MAX_FILES_DEFAULT);
	return json_pack("{s:s, s:{s:s, s:s}}", "Type", "json-file", "Config",
			 "max-size", size, "max-file", files);
}

static json_t *mounts(const struct docker_container_spec *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->nmounts; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}",
			"Type", "volume", "Source", s->mounts[i].volume,
			"Target", s->mounts[i].target,
			"ReadOnly", !!s->mounts[i].read_only));
	return arr;
}

static json_t *nvidia(const struct docker_gpu *g)
{
	return json_pack("[{s:s, s:I, s:[[s]], s:{}}]", "Driver", "",
			 "Count", (json_int_t)(g->count ? g->count : 1),
			 "Capabilities", "gpu", "Options");
}

static json_t *amd_device(const char *path)
{
	return json_pack("{s:s, s:s, s:s}", "PathOnHost", path,
			 "PathInContainer", path, "CgroupPermissions", "rwm");
}

static void add_gpu(json_t *host, const struct docker_gpu *g)
{
	json_t *groups;
	char gid[16];

	if (g->vendor == DOCKER_GPU_NVIDIA) {
		json_object_set_new(host, "DeviceRequests", nvidia(g));
		return;
	}
	if (g->vendor != DOCKER_GPU_AMD)
		return;
	json_object_set_new(host, "Devices",
			    json_pack("[o, o]", amd_device("/dev/kfd"),
				      amd_device("/dev/dri")));
	groups = json_array();
	for (size_t i = 0; i < g->ngroup_ids; i++) {
		snprintf(gid, sizeof(gid), "%u", g->group_ids[i]);
		json_array_append_new(groups, json_string(gid));
	}
	json_object_set_new(host, "GroupAdd", groups);
}

static void add_ports(json_t *cfg, json_t *host,
		      const struct docker_container_spec *s)
{
	char key[24], hport[16];

	if (s->port <= 0)
		return;
	snprintf(key, sizeof(key), "%d/tcp", s->port);
	json_object_set_new(cfg, "ExposedPorts", json_pack("{s:{}}", key));
	if (s->host_port <= 0)
		return;
	snprintf(hport, sizeof(hport), "%d", s->host_port);
	json_object_set_new(host, "PortBindings",
			    json_pack("{s:[{s:s, s:s}]}", key, "HostIp",
				      s->host_ip ? s->host_ip : "",
				      "HostPort", hport));
}

static json_t *host_config(const struct docker_container_spec *s)
{
	json_t *host = json_pack("{s:b, s:{s:s}, s:o, s:o}", "Init", 1,
				 "RestartPolicy", "Name", "no",
				 "LogConfig", log_config(s),
				 "Mounts", mounts(s));

	if (s->memory_bytes > 0) {
		json_object_set_new(host, "Memory", json_integer(s->memory_bytes));
		/* equal to Memory: the limit is not doubled by swap */
		json_object_set_new(host, "MemorySwap", json_integer(s->memory_bytes));
	}
	if (s->cpu_millis > 0)
		json_object_set_new(host, "NanoCpus",
				    json_integer(s->cpu_millis * 1000000));
	if (s->network)
		json_object_set_new(host, "NetworkMode", json_string(s->network));
	add_gpu(host, &s->gpu);
	return host;
}

json_t *docker_container_create_body(const struct docker_container_spec *s)
{
	json_t *body = json_pack("{s:s, s:o, s:o}", "Image", s->image,
				 "Env", docker_str_array(s->env),
				 "Labels", docker_kv_object(s->labels));
	json_t *host = host_config(s);

	if (s->cmd)
		json_object_set_new(body, "Cmd", docker_str_array(s->cmd));
	if (s->hostname)
		json_object_set_new(body, "Hostname", json_string(s->hostname));
	if (s->stop_timeout_s > 0)
		json_object_set_new(body, "StopTimeout",
				    json_integer(s->stop_timeout_s));
	add_ports(body, host, s);
	json_object_set_new(body, "HostConfig", host);
	if (s->network)
		json_object_set_new(body, "NetworkingConfig",
			json_pack("{s:{s:{s:o}}}", "EndpointsConfig", s->network,
				  "Aliases", docker_str_array(s->aliases)));
	return body;
}
