/*
 * swarm.c - swarm mode: info, init, join, leave, tokens, nodes.
 */
#include "docker/swarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "docker/internal.h"

#define SWARM_TIMEOUT_MS 60000   /* a join waits for the managers' answer */

int docker_info(struct docker_client *c, json_t **out, struct err *e)
{
	struct docker_request rq = { .path = "/info" };

	return docker_call(c, &rq, NULL, out, e);
}

int docker_swarm_state(struct docker_client *c, struct docker_swarm_state *s, struct err *e)
{
	json_t *info = NULL, *sw;
	int rc = docker_info(c, &info, e);

	memset(s, 0, sizeof(*s));
	if (rc < 0)
		return rc;
	sw = json_object_get(info, "Swarm");
	docker_json_copy(s->node_id, sizeof(s->node_id), sw, "NodeID");
	docker_json_copy(s->state, sizeof(s->state), sw, "LocalNodeState");
	docker_json_copy(s->node_addr, sizeof(s->node_addr), sw, "NodeAddr");
	docker_json_copy(s->error, sizeof(s->error), sw, "Error");
	docker_json_copy(s->cluster_id, sizeof(s->cluster_id), json_object_get(sw, "Cluster"), "ID");
	s->manager = docker_json_bool(sw, "ControlAvailable");
	s->managers = (int)docker_json_int(sw, "Managers", 0);
	s->nodes = (int)docker_json_int(sw, "Nodes", 0);
	json_decref(info);
	return 0;
}

int docker_swarm_init(struct docker_client *c, const char *advertise_addr, struct err *e)
{
	json_t *body = json_pack("{s:s, s:s}", "ListenAddr", "0.0.0.0:2377", "AdvertiseAddr",
				 advertise_addr);
	struct docker_request rq = { .method = "POST", .path = "/swarm/init", .body = body,
				     .timeout_ms = SWARM_TIMEOUT_MS };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	json_decref(body);
	return rc < 0 ? err_wrap(e, "swarm init") : 0;
}

int docker_swarm_join(struct docker_client *c, const char *advertise_addr, const char *remote,
		      const char *token, struct err *e)
{
	json_t *body = json_pack("{s:s, s:s, s:[s], s:s}", "ListenAddr", "0.0.0.0:2377",
				 "AdvertiseAddr", advertise_addr, "RemoteAddrs", remote,
				 "JoinToken", token);
	struct docker_request rq = { .method = "POST", .path = "/swarm/join", .body = body,
				     .timeout_ms = SWARM_TIMEOUT_MS };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	json_decref(body);
	return rc < 0 ? err_wrap(e, "swarm join %s", remote) : 0;
}

int docker_swarm_leave(struct docker_client *c, bool force, struct err *e)
{
	struct docker_request rq = { .method = "POST",
				     .path = force ? "/swarm/leave?force=1" : "/swarm/leave",
				     .timeout_ms = SWARM_TIMEOUT_MS };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	return rc < 0 ? err_wrap(e, "swarm leave") : 0;
}

int docker_swarm_tokens(struct docker_client *c, char worker[DOCKER_SWARM_TOKEN_MAX],
			char manager[DOCKER_SWARM_TOKEN_MAX], struct err *e)
{
	struct docker_request rq = { .path = "/swarm" };
	json_t *out = NULL, *t;
	int rc = docker_call(c, &rq, NULL, &out, e);

	if (rc < 0)
		return err_wrap(e, "swarm tokens");
	t = json_object_get(out, "JoinTokens");
	docker_json_copy(worker, DOCKER_SWARM_TOKEN_MAX, t, "Worker");
	docker_json_copy(manager, DOCKER_SWARM_TOKEN_MAX, t, "Manager");
	json_decref(out);
	if (worker[0] == '\0' || manager[0] == '\0')
		return err_set(e, ERR_FAIL, "swarm tokens: the engine gave none");
	return 0;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static void parse_node(void *record, const json_t *j)
{
	struct docker_swarm_node *n = record;
	const json_t *ms = json_object_get(j, "ManagerStatus");

	docker_json_copy(n->id, sizeof(n->id), j, "ID");
	docker_json_copy(n->hostname, sizeof(n->hostname), json_object_get(j, "Description"),
			 "Hostname");
	docker_json_copy(n->addr, sizeof(n->addr), json_object_get(j, "Status"), "Addr");
	docker_json_copy(n->state, sizeof(n->state), json_object_get(j, "Status"), "State");
	docker_json_copy(n->role, sizeof(n->role), json_object_get(j, "Spec"), "Role");
	docker_json_copy(n->reachability, sizeof(n->reachability), ms, "Reachability");
	n->leader = docker_json_bool(ms, "Leader");
	n->version = docker_json_int(json_object_get(j, "Version"), "Index", 0);
	lower(n->state);
	lower(n->role);
}

static void release_node(void *record)
{
	(void)record;
}

static const struct docker_list_type node_list = {
	.path = "/nodes", .member = NULL, .what = "swarm nodes",
	.size = sizeof(struct docker_swarm_node), .parse = parse_node, .release = release_node,
};

int docker_swarm_nodes(struct docker_client *c, struct docker_swarm_node **out, size_t *n,
		       struct err *e)
{
	return docker_list_by_label(c, &node_list, NULL, out, n, e);
}

int docker_swarm_promote(struct docker_client *c, const struct docker_swarm_node *node,
			 struct err *e)
{
	char path[160];
	json_t *body = json_pack("{s:s, s:s}", "Role", "manager", "Availability", "active");
	struct docker_request rq = { .method = "POST", .path = path, .body = body };
	int rc;

	snprintf(path, sizeof(path), "/nodes/%s/update?version=%lld", node->id, node->version);
	rc = docker_call(c, &rq, NULL, NULL, e);
	json_decref(body);
	return rc < 0 ? err_wrap(e, "promote swarm node %s", node->hostname) : 0;
}

int docker_swarm_node_remove(struct docker_client *c, const char *id, struct err *e)
{
	char path[160];
	struct docker_request rq = { .method = "DELETE", .path = path };

	snprintf(path, sizeof(path), "/nodes/%s?force=1", id);
	return docker_call(c, &rq, NULL, NULL, e) < 0 ? err_wrap(e, "remove swarm node") : 0;
}
