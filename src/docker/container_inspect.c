/*
 * container_inspect.c - what a container is now: inspect one, list many by
 * label. The parsers accept any JSON and fill what they find.
 */
#include "docker/container.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "docker/internal.h"

/* "/orca-web-1" -> "orca-web-1", malloc'd. */
static char *strip_slash(const char *name)
{
	return xstrdup(name[0] == '/' ? name + 1 : name);
}

static void parse_state(struct docker_container_state *st, const json_t *j)
{
	docker_json_copy(st->status, sizeof(st->status), j, "Status");
	st->running = docker_json_bool(j, "Running");
	st->paused = docker_json_bool(j, "Paused");
	st->restarting = docker_json_bool(j, "Restarting");
	st->oom_killed = docker_json_bool(j, "OOMKilled");
	st->dead = docker_json_bool(j, "Dead");
	st->pid = (int)docker_json_int(j, "Pid", 0);
	st->exit_code = (int)docker_json_int(j, "ExitCode", 0);
	docker_json_copy(st->started_at, sizeof(st->started_at), j, "StartedAt");
	docker_json_copy(st->finished_at, sizeof(st->finished_at), j,
			 "FinishedAt");
	docker_json_copy(st->health, sizeof(st->health),
			 json_object_get(j, "Health"), "Status");
	st->error = docker_json_dup(j, "Error");
}

/* NetworkSettings.Networks: {"name": {"NetworkID", "IPAddress"}} */
static void parse_nets(struct docker_container_net **out, size_t *n,
		       const json_t *networks)
{
	const char *name;
	json_t *v;
	size_t i = 0;

	*out = xcalloc(json_object_size(networks) + 1, sizeof(**out));
	json_object_foreach((json_t *)networks, name, v) {
		(*out)[i].network = xstrdup(name);
		docker_json_copy((*out)[i].network_id, DOCKER_ID_SIZE, v,
				 "NetworkID");
		docker_json_copy((*out)[i].ip, sizeof((*out)[i].ip), v,
				 "IPAddress");
		i++;
	}
	*n = i;
}

static void free_nets(struct docker_container_net *nets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(nets[i].network);
	free(nets);
}

void docker_container_info_parse(struct docker_container_info *info,
				 const json_t *j)
{
	const json_t *cfg = json_object_get(j, "Config");
	const json_t *host = json_object_get(j, "HostConfig");

	memset(info, 0, sizeof(*info));
	docker_json_copy(info->id, sizeof(info->id), j, "Id");
	info->name = strip_slash(docker_json_str(j, "Name"));
	info->image = docker_json_dup(cfg, "Image");
	docker_json_copy(info->image_id, sizeof(info->image_id), j, "Image");
	info->hostname = docker_json_dup(cfg, "Hostname");
	docker_labels_from_json(&info->labels, json_object_get(cfg, "Labels"));
	parse_state(&info->state, json_object_get(j, "State"));
	info->restart_count = (int)docker_json_int(j, "RestartCount", 0);
	info->memory_bytes = docker_json_int(host, "Memory", 0);
	info->nano_cpus = docker_json_int(host, "NanoCpus", 0);
	parse_nets(&info->nets, &info->nnets,
		   json_object_get(json_object_get(j, "NetworkSettings"),
				   "Networks"));
}

void docker_container_info_release(struct docker_container_info *info)
{
	free(info->name);
	free(info->image);
	free(info->hostname);
	free(info->state.error);
	docker_labels_release(&info->labels);
	free_nets(info->nets, info->nnets);
	memset(info, 0, sizeof(*info));
}

int docker_container_inspect(struct docker_client *c, const char *container,
			     struct docker_container_info *info,
			     struct err *e)
{
	char *esc = docker_url_escape(container);
	char *path = xasprintf("/containers/%s/json", esc);
	struct docker_request rq = { .path = path };
	json_t *j = NULL;
	int rc = docker_call(c, &rq, NULL, &j, e);

	if (rc == 0)
		docker_container_info_parse(info, j);
	else
		err_wrap(e, "container '%s': inspect", container);
	json_decref(j);
	free(path);
	free(esc);
	return rc;
}

void docker_container_summary_parse(struct docker_container_summary *s,
				    const json_t *j)
{
	const char *name = json_string_value(json_array_get(
		json_object_get(j, "Names"), 0));

	memset(s, 0, sizeof(*s));
	docker_json_copy(s->id, sizeof(s->id), j, "Id");
	s->name = strip_slash(name ? name : "");
	s->image = docker_json_dup(j, "Image");
	docker_json_copy(s->image_id, sizeof(s->image_id), j, "ImageID");
	docker_json_copy(s->state, sizeof(s->state), j, "State");
	s->status = docker_json_dup(j, "Status");
	s->created_unix = docker_json_int(j, "Created", 0);
	docker_labels_from_json(&s->labels, json_object_get(j, "Labels"));
	parse_nets(&s->nets, &s->nnets,
		   json_object_get(json_object_get(j, "NetworkSettings"),
				   "Networks"));
}

static void parse_summary(void *record, const json_t *j)
{
	docker_container_summary_parse(record, j);
}

static void release_summary(void *record)
{
	struct docker_container_summary *s = record;

	free(s->name);
	free(s->image);
	free(s->status);
	docker_labels_release(&s->labels);
	free_nets(s->nets, s->nnets);
}

static const struct docker_list_type container_list = {
	.path = "/containers/json?all=1", .what = "containers",
	.size = sizeof(struct docker_container_summary),
	.parse = parse_summary, .release = release_summary,
};

int docker_container_list(struct docker_client *c, const char *const *labels,
			  struct docker_container_summary **out, size_t *n,
			  struct err *e)
{
	return docker_list_by_label(c, &container_list, labels, out, n, e);
}

void docker_container_list_free(struct docker_container_summary *list,
				size_t n)
{
	docker_list_free(&container_list, list, n);
}
