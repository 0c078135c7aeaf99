/*
 * exec.c - the node's engine, as the server's instructions and the server's
 * view of it need it: carrying out one instruction, and the list of orca's
 * containers here.
 */
#include <stdio.h>
#include <string.h>

#include "agent/internal.h"
#include "base/log.h"
#include "docker/docker.h"

static json_t *labels_json(const struct docker_labels *l)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++)
		if (strncmp(l->keys[i], "orca.", 5) == 0)
			json_object_set_new(o, l->keys[i], json_string(l->values[i]));
	return o;
}

static json_t *nets_json(const struct docker_container_summary *c)
{
	json_t *o = json_object();

	for (size_t i = 0; i < c->nnets; i++)
		json_object_set_new(o, c->nets[i].network, json_string(c->nets[i].ip));
	return o;
}

json_t *agent_container_list(struct agent *a)
{
	const char *labels[] = { "orca.managed=true", NULL };
	struct docker_container_summary *list = NULL;
	struct err e = { 0 };
	json_t *out = json_array();
	size_t n = 0;

	if (a->dc_list == NULL || docker_container_list(a->dc_list, labels, &list, &n, &e) < 0) {
		if (e.msg[0])
			log_at(LOG_WARN, NULL, 0, "docker: list: %s", e.msg);
		return out;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", list[i].id,
						     "name", list[i].name ? list[i].name : "",
						     "state", list[i].state, "labels",
						     labels_json(&list[i].labels), "networks",
						     nets_json(&list[i])));
	docker_container_list_free(list, n);
	return out;
}

void agent_exec(struct agent *a, const json_t *cmd)
{
	const char *op = json_string_value(json_object_get(cmd, "op"));

	if (strcmp(op, "ping") == 0) {
		agent_report(a, json_pack("{s:s, s:O}", "kind", "pong", "seq",
					  json_object_get(cmd, "seq")));
		return;
	}
	log_at(LOG_WARN, NULL, 0, "the server asked for '%s', which this agent does not know "
	       "(orca %s)", op, ORCA_VERSION);
	agent_report(a, json_pack("{s:s, s:s, s:O}", "kind", "unknown", "op", op, "seq",
				  json_object_get(cmd, "seq")));
}
