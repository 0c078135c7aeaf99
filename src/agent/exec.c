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
#include "docker/swarm.h"

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

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Joins the server's swarm (leaving any other one first: this engine is
 * orca's). Joining can take seconds; instructions wait meanwhile. */
static void swarm_join(struct agent *a, const json_t *cmd)
{
	struct docker_swarm_state s;
	struct err e = { 0 };
	int rc = docker_swarm_state(a->dc, &s, &e);

	if (rc == 0 && strcmp(s.state, "active") == 0 &&
	    strcmp(s.cluster_id, str(cmd, "cluster_id")) == 0)
		goto out;   /* joined already */
	if (rc == 0 && strcmp(s.state, "inactive") != 0) {
		log_line("cluster network: leaving the engine's swarm %.12s for the server's",
			 s.cluster_id);
		rc = docker_swarm_leave(a->dc, true, &e);
	}
	if (rc == 0)
		rc = docker_swarm_join(a->dc, str(cmd, "advertise"), str(cmd, "remote"),
				       str(cmd, "token"), &e);
	if (rc == 0)
		log_line("cluster network: joined the swarm through %s", str(cmd, "remote"));
	else
		log_at(LOG_WARN, NULL, 0, "cluster network: %s", e.msg);
out:
	agent_report(a, json_pack("{s:s, s:b, s:s}", "kind", "swarm", "ok", rc == 0, "error",
				  rc == 0 ? "" : e.msg));
}

void agent_exec(struct agent *a, const json_t *cmd)
{
	const char *op = json_string_value(json_object_get(cmd, "op"));

	if (strcmp(op, "swarm_join") == 0) {
		swarm_join(a, cmd);
		return;
	}
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
