/*
 * swarm.c - Docker's swarm mode as the network layer under several nodes.
 *
 * As soon as a second node is ready, the server's engine starts a swarm
 * (advertising the server's address) and every node's agent is told to join
 * it (the instruction "swarm_join" with the worker token); once three or
 * more nodes are in it, two more become managers, so that losing one node
 * keeps a quorum. orca runs no swarm services: the swarm only carries the
 * attachable overlay networks of the projects. A single node never starts
 * a swarm and keeps bridge networks.
 *
 * One thread, woken by heartbeats that change something and once a second;
 * engine calls are made without holding mu.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "cluster/internal.h"
#include "docker/swarm.h"

#define REJOIN_AFTER_MS 30000
#define MANAGERS 3

void swarm_seen(struct cluster_srv *cl, struct member *m, const json_t *swarm)
{
	const char *node = json_string_value(json_object_get(swarm, "node_id"));
	const char *cluster = json_string_value(json_object_get(swarm, "cluster_id"));
	bool manager = json_is_true(json_object_get(swarm, "manager"));

	if (!json_is_object(swarm))
		return;
	if (strcmp(m->swarm_cluster, cluster ? cluster : "") != 0 ||
	    strcmp(m->swarm_node, node ? node : "") != 0 || m->swarm_manager != manager) {
		cl->swarm_dirty = true;
		pthread_cond_broadcast(&cl->cv);
	}
	snprintf(m->swarm_node, sizeof(m->swarm_node), "%s", node ? node : "");
	snprintf(m->swarm_cluster, sizeof(m->swarm_cluster), "%s", cluster ? cluster : "");
	m->swarm_manager = manager;
}

static void set_error(struct cluster_srv *cl, const char *msg)
{
	pthread_mutex_lock(&cl->mu);
	if (strcmp(cl->swarm_error, msg) != 0 && msg[0])
		log_at(LOG_WARN, NULL, 0, "cluster network: %s", msg);
	snprintf(cl->swarm_error, sizeof(cl->swarm_error), "%s", msg);
	pthread_mutex_unlock(&cl->mu);
}

/* The server's engine in a swarm as a manager; its cluster id into out. */
static int ensure_local(struct cluster_srv *cl, char out[DOCKER_ID_SIZE], struct err *e)
{
	struct docker_swarm_state s;
	int rc = docker_swarm_state(cl->swarm_dc, &s, e);

	if (rc == 0 && strcmp(s.state, "inactive") == 0) {
		if (cl->advertise[0] == '\0')
			return err_set(e, ERR_INVALID, "the server has no address for other nodes: "
				       "give --advertise ADDR");
		log_line("cluster network: starting Docker's swarm mode on this engine (%s:%d)",
			 cl->advertise, DOCKER_SWARM_PORT);
		rc = docker_swarm_init(cl->swarm_dc, cl->advertise, e);
		if (rc == 0)
			rc = docker_swarm_state(cl->swarm_dc, &s, e);
	}
	if (rc < 0)
		return rc;
	if (strcmp(s.state, "active") != 0)
		return err_set(e, ERR_UNAVAILABLE, "the engine's swarm is %s%s%s", s.state,
			       s.error[0] ? ": " : "", s.error);
	if (!s.manager)
		return err_set(e, ERR_CONFLICT, "the server's engine is a swarm worker; orca needs "
			       "it to be a manager (docker node promote)");
	snprintf(out, DOCKER_ID_SIZE, "%s", s.cluster_id);
	return 0;
}

/* Tells every ready node outside the swarm to join it. */
static void invite(struct cluster_srv *cl, const char *cluster, const char *token)
{
	int64_t now = cluster_now_ms();
	char remote[96];

	snprintf(remote, sizeof(remote), "%s:%d", cl->advertise, DOCKER_SWARM_PORT);
	pthread_mutex_lock(&cl->mu);
	for (size_t i = 0; i < cl->nmembers; i++) {
		struct member *m = &cl->members[i];
		json_t *cmd;
		struct err e = { 0 };

		if (m->local || !m->heard || !m->up || strcmp(m->swarm_cluster, cluster) == 0 ||
		    (m->swarm_join_sent_ms && now - m->swarm_join_sent_ms < REJOIN_AFTER_MS))
			continue;
		cmd = json_pack("{s:s, s:s, s:s, s:s, s:s}", "op", "swarm_join", "remote", remote,
				"token", token, "advertise", m->address, "cluster_id", cluster);
		m->swarm_join_sent_ms = now;
		pthread_mutex_unlock(&cl->mu);
		if (cluster_send(cl, m->name, cmd, &e) < 0)
			log_at(LOG_WARN, NULL, 0, "cluster network: %s", e.msg);
		pthread_mutex_lock(&cl->mu);
	}
	pthread_mutex_unlock(&cl->mu);
}

/* Is swarm node id one of the ready orca nodes (or the server's)? */
static bool ready_member(struct cluster_srv *cl, const char *id)
{
	bool ok = false;

	pthread_mutex_lock(&cl->mu);
	for (size_t i = 0; i < cl->nmembers && !ok; i++)
		ok = strcmp(cl->members[i].swarm_node, id) == 0 && cl->members[i].up &&
		     (cl->members[i].local || cl->members[i].heard);
	pthread_mutex_unlock(&cl->mu);
	return ok;
}

/* Three managers once three nodes are in: one may be lost. */
static void promote(struct cluster_srv *cl)
{
	struct docker_swarm_node *nodes = NULL;
	struct err e = { 0 };
	size_t n = 0;
	int managers = 0;

	if (docker_swarm_nodes(cl->swarm_dc, &nodes, &n, &e) < 0) {
		set_error(cl, e.msg);
		return;
	}
	for (size_t i = 0; i < n; i++)
		managers += strcmp(nodes[i].role, "manager") == 0;
	for (size_t i = 0; i < n && managers < MANAGERS && n >= MANAGERS; i++) {
		if (strcmp(nodes[i].role, "worker") != 0 || strcmp(nodes[i].state, "ready") != 0 ||
		    !ready_member(cl, nodes[i].id))
			continue;
		if (docker_swarm_promote(cl->swarm_dc, &nodes[i], &e) < 0) {
			set_error(cl, e.msg);
			break;
		}
		log_line("cluster network: %s is a swarm manager now", nodes[i].hostname);
		managers++;
	}
	free(nodes);
}

/* More than one node: the swarm, its members and managers. */
static void step(struct cluster_srv *cl)
{
	char cluster[DOCKER_ID_SIZE] = "", worker[DOCKER_SWARM_TOKEN_MAX],
	     manager[DOCKER_SWARM_TOKEN_MAX];
	struct err e = { 0 };
	size_t remote = 0;

	pthread_mutex_lock(&cl->mu);
	for (size_t i = 0; i < cl->nmembers; i++)
		remote += !cl->members[i].local && cl->members[i].heard && cl->members[i].up;
	pthread_mutex_unlock(&cl->mu);
	if (remote == 0 && cl->swarm_cluster[0] == '\0')
		return;   /* one node: bridge networks, no swarm */
	if (ensure_local(cl, cluster, &e) < 0 ||
	    docker_swarm_tokens(cl->swarm_dc, worker, manager, &e) < 0) {
		set_error(cl, e.msg);
		return;
	}
	pthread_mutex_lock(&cl->mu);
	snprintf(cl->swarm_cluster, sizeof(cl->swarm_cluster), "%s", cluster);
	pthread_mutex_unlock(&cl->mu);
	set_error(cl, "");
	invite(cl, cluster, worker);
	promote(cl);
}

/* The server's own swarm node id, for ready_member. */
static void local_id(struct cluster_srv *cl)
{
	struct docker_swarm_state s;
	struct err e = { 0 };

	if (docker_swarm_state(cl->swarm_dc, &s, &e) < 0)
		return;
	pthread_mutex_lock(&cl->mu);
	for (size_t i = 0; i < cl->nmembers; i++)
		if (cl->members[i].local) {
			snprintf(cl->members[i].swarm_node, sizeof(cl->members[i].swarm_node), "%s",
				 s.node_id);
			snprintf(cl->members[i].swarm_cluster, sizeof(cl->members[i].swarm_cluster),
				 "%s", s.cluster_id);
			cl->members[i].swarm_manager = s.manager;
		}
	pthread_mutex_unlock(&cl->mu);
}

static void *swarm_main(void *arg)
{
	struct cluster_srv *cl = arg;

	while (!atomic_load(&cl->stopping)) {
		struct timespec ts;

		step(cl);
		local_id(cl);
		pthread_mutex_lock(&cl->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!cl->swarm_dirty && !atomic_load(&cl->stopping) &&
		       pthread_cond_timedwait(&cl->cv, &cl->mu, &ts) == 0)
			;
		cl->swarm_dirty = false;
		pthread_mutex_unlock(&cl->mu);
	}
	return NULL;
}

int swarm_start(struct cluster_srv *cl, struct err *e)
{
	int rc = docker_client_new(&cl->swarm_dc, cl->o.docker_socket, e);

	if (rc < 0)
		return rc;
	if ((rc = pthread_create(&cl->swarm_thread, NULL, swarm_main, cl)) != 0) {
		docker_client_free(cl->swarm_dc);
		cl->swarm_dc = NULL;
		return err_errno(e, rc, "start the cluster network thread");
	}
	cl->swarm_started = true;
	return 0;
}

void swarm_stop(struct cluster_srv *cl)
{
	if (!cl->swarm_started)
		return;
	docker_client_cancel(cl->swarm_dc);
	pthread_join(cl->swarm_thread, NULL);
	docker_client_free(cl->swarm_dc);
	cl->swarm_dc = NULL;
	cl->swarm_started = false;
}
