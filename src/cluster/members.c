/*
 * members.c - the member table: the server's own node, every node that
 * joined (loaded from the store at start), and who is alive.
 *
 * A node known from the store counts as seen when this server starts, so
 * that a restarted server gives its agents node_down_after to come back
 * before it calls them down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonx.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cluster/internal.h"
#include "store/node.h"

struct member *member_find(struct cluster_srv *cl, const char *name)
{
	for (size_t i = 0; i < cl->nmembers; i++)
		if (strcmp(cl->members[i].name, name) == 0)
			return &cl->members[i];
	return NULL;
}

struct member *member_add(struct cluster_srv *cl, const char *name)
{
	struct member *m = member_find(cl, name);

	if (m)
		return m;
	if (cl->nmembers == MEMBERS_MAX)
		return NULL;
	cl->members = xrealloc(cl->members, (cl->nmembers + 1) * sizeof(*cl->members));
	m = &cl->members[cl->nmembers++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->labels = json_object();
	m->outbox = json_array();
	m->seen_ms = cluster_now_ms();
	m->up = true;
	return m;
}

void member_release(struct member *m)
{
	json_decref(m->labels);
	json_decref(m->outbox);
	m->labels = m->outbox = NULL;
}

static void load_one(struct cluster_srv *cl, const struct store_node *n)
{
	struct member *m = member_add(cl, n->name);
	struct err e = { 0 };
	json_t *inv;

	if (m == NULL || m->local)
		return;
	snprintf(m->serial, sizeof(m->serial), "%s", n->serial);
	snprintf(m->address, sizeof(m->address), "%s", n->address);
	snprintf(m->source, sizeof(m->source), "%s", n->source);
	m->draining = strcmp(n->state, "draining") == 0;
	m->joined_at_ms = n->joined_at_ms;
	json_decref(m->labels);
	m->labels = jsonx_parse(n->labels, strlen(n->labels), STORE_NODE_JSON_MAX, &e);
	if (!json_is_object(m->labels)) {
		json_decref(m->labels);
		m->labels = json_object();
	}
	inv = jsonx_parse(n->inventory, strlen(n->inventory), STORE_NODE_JSON_MAX, &e);
	m->has_inv = inv && inventory_from_json(inv, &m->inv, &e) == 0 && json_object_size(inv);
	snprintf(m->version, sizeof(m->version), "%s", m->has_inv ? m->inv.agent_version : "");
	json_decref(inv);
}

int members_load(struct cluster_srv *cl, struct err *e)
{
	struct store_node *list = NULL;
	size_t n = 0;
	int rc = store_node_list(cl->st, &list, &n, e);

	for (size_t i = 0; rc == 0 && i < n; i++)
		load_one(cl, &list[i]);
	store_node_list_free(list, n);
	return rc;
}

static const char *state_of(const struct member *m)
{
	if (!m->up)
		return "down";
	if (!m->local && !m->heard)
		return "unknown";
	return m->draining ? "draining" : "ready";
}

json_t *member_json(const struct cluster_srv *cl, const struct member *m, int64_t now)
{
	json_t *o = json_pack("{s:s, s:b, s:s, s:s, s:b, s:O, s:s, s:I, s:I}", "name", m->name,
			      "local", m->local, "address", m->address, "state", state_of(m),
			      "connected", m->local || (m->heard && m->up), "labels", m->labels,
			      "version", m->version, "joined_at", (json_int_t)m->joined_at_ms,
			      "down_ms", (json_int_t)(m->up ? 0 : now - m->down_since_ms));

	json_object_set_new(o, "heartbeat_ms_ago", m->heard && !m->local
				    ? json_integer(now - m->seen_ms) : json_null());
	json_object_set_new(o, "swarm", json_string(!m->swarm_cluster[0] ? ""
						    : m->swarm_manager ? "manager" : "worker"));
	json_object_set_new(o, "inventory", m->has_inv ? inventory_to_json(&m->inv) : json_null());
	(void)cl;
	return o;
}

bool members_tick(struct cluster_srv *cl, int64_t now)
{
	bool changed = false;

	for (size_t i = 0; i < cl->nmembers; i++) {
		struct member *m = &cl->members[i];
		bool up = m->local || now - m->seen_ms <= cl->node_down_after_ms;

		if (up == m->up)
			continue;
		m->up = up;
		m->down_since_ms = up ? 0 : now;
		changed = true;
		if (up)
			cluster_event(cl, "node.ready", "node '%s' is back", m->name);
		else
			cluster_event(cl, "node.down", "node '%s' missed its heartbeats for %lld ms",
				      m->name, (long long)(now - m->seen_ms));
	}
	return changed;
}
