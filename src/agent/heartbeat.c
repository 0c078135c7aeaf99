/*
 * heartbeat.c - once a second, tell the server this node is alive.
 *
 * The inventory rides on the first heartbeat and then every
 * AGENT_INVENTORY_EVERY_MS. A server that cannot be reached is retried at
 * the same pace and said once in the log, as is its return; a server that
 * refuses the certificate (401 or 403: the node was removed, or presents
 * a certificate the server did not issue to it) stops the agent.
 */
#include <stdio.h>
#include <string.h>

#include "agent/internal.h"
#include "agent/link.h"
#include "base/log.h"
#include "docker/swarm.h"

#define HEARTBEAT_TIMEOUT_MS 3000

/* The engine's swarm membership, which the server arranges. */
static json_t *swarm_json(struct agent *a)
{
	struct docker_swarm_state s;
	struct err e = { 0 };

	if (a->dc_hb == NULL || docker_swarm_state(a->dc_hb, &s, &e) < 0)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:b, s:s}", "node_id", s.node_id, "cluster_id",
			 s.cluster_id, "state", s.state, "manager", s.manager, "error", s.error);
}

static json_t *body(struct agent *a, int64_t seq, int64_t now)
{
	json_t *b = json_pack("{s:I, s:s, s:o}", "seq", (json_int_t)seq, "version", ORCA_VERSION,
			      "swarm", swarm_json(a));

	if (a->inv.mtu == 0 && link_local_ip(a->hb)[0])
		a->inv.mtu = inventory_underlay_mtu(link_local_ip(a->hb));
	if (a->inventory_sent_ms == 0 || now - a->inventory_sent_ms >= AGENT_INVENTORY_EVERY_MS)
		json_object_set_new(b, "inventory", inventory_to_json(&a->inv));
	return b;
}

static void beat(struct agent *a, int64_t seq)
{
	int64_t now = agent_now_ms();
	json_t *b = body(a, seq, now), *reply = NULL;
	struct err e = { 0 };
	long status = 0;
	int rc = link_call(a->hb, "POST", "/cluster/v1/heartbeat", b, HEARTBEAT_TIMEOUT_MS,
			   &status, &reply, &e);

	if (rc == 0 && (status == 401 || status == 403)) {
		agent_shut_out(a, link_error_message(reply, status));
	} else if (rc == 0 && status == 200) {
		if (!a->connected)
			log_line("connected to %s as node '%s'", a->id.server, a->id.node);
		a->connected = true;
		a->last_ok_ms = now;
		if (json_object_get(b, "inventory"))
			a->inventory_sent_ms = now;
		if (a->inv.mtu && !a->mtu_sent) {
			a->mtu_sent = true;
			a->inventory_sent_ms = 0;   /* the MTU is known now: send it next */
		}
	} else if (a->connected || a->last_ok_ms == 0) {
		log_at(LOG_WARN, NULL, 0, "cannot reach the server: %s",
		       rc < 0 ? e.msg : link_error_message(reply, status));
		a->connected = false;
		a->last_ok_ms = a->last_ok_ms ? a->last_ok_ms : -1;
	}
	json_decref(b);
	json_decref(reply);
}

static void *main_loop(void *arg)
{
	struct agent *a = arg;
	int64_t seq = 0, next = agent_now_ms();

	while (!atomic_load(&a->stopping)) {
		beat(a, ++seq);
		next += AGENT_HEARTBEAT_MS;
		if (next < agent_now_ms())
			next = agent_now_ms();   /* a slow call: do not burst to catch up */
		agent_sleep_until(a, next);
	}
	return NULL;
}

int agent_heartbeat_start(struct agent *a, struct err *e)
{
	struct link_opts lo = { .server = a->id.server, .ca = a->id.ca, .cert = a->id.cert,
				.key = a->id.key, .node = a->id.node };
	int rc;

	a->hb = link_new(&lo);
	if (a->hb == NULL)
		return err_set(e, ERR_FAIL, "cannot start libcurl");
	if (docker_client_new(&a->dc_hb, a->o->docker_socket, e) < 0) {
		link_free(a->hb);
		a->hb = NULL;
		return e->code;
	}
	docker_client_set_timeout(a->dc_hb, 1000);   /* a hung engine must not stall beats */
	rc = pthread_create(&a->hb_thread, NULL, main_loop, a);
	if (rc != 0) {
		link_free(a->hb);
		a->hb = NULL;
		return err_errno(e, rc, "start the heartbeat thread");
	}
	a->hb_started = true;
	return 0;
}

void agent_heartbeat_stop(struct agent *a)
{
	if (!a->hb_started)
		return;
	link_cancel(a->hb);
	pthread_join(a->hb_thread, NULL);
	link_free(a->hb);
	a->hb = NULL;
	docker_client_free(a->dc_hb);
	a->dc_hb = NULL;
	a->hb_started = false;
}
