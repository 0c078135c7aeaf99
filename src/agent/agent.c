/*
 * agent.c - `orca agent`: identity, then the heartbeat, until a signal.
 *
 * Signals are blocked in every thread and taken here with sigtimedwait, as
 * in the server. The heartbeat thread owns its connection; it tells the
 * main thread when the server shut this node out.
 */
#include "agent/agent.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "agent/ident.h"
#include "agent/internal.h"
#include "agent/inventory.h"
#include "agent/link.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "docker/docker.h"
#include "docker/swarm.h"
#include "store/store.h"

static void block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The node's inventory, with the engine's runtimes and version. */
static void detect(struct agent *a)
{
	struct inventory_opts io = { .root = a->o->inventory_root };
	struct docker_client *dc = NULL;
	json_t *info = NULL;
	struct err e = { 0 };

	if (inventory_detect(&a->inv, &io, &e) < 0)
		log_at(LOG_WARN, NULL, 0, "inventory: %s", e.msg);
	if (docker_client_new(&dc, a->o->docker_socket, &e) == 0 && docker_info(dc, &info, &e) == 0)
		inventory_add_engine(&a->inv, info);
	else
		log_at(LOG_WARN, NULL, 0, "docker: %s", e.msg);
	json_decref(info);
	docker_client_free(dc);
}

static int identity(struct agent *a, struct err *e)
{
	char host[AGENT_NODE_MAX + 1] = "";
	struct agent_join_req r = { 0 };
	int rc = agent_ident_load(a->o->data_dir, &a->id, e);

	if (rc < 0)
		return rc;
	if (rc == 1 && (a->o->join == NULL || strcmp(a->o->join, a->id.server) == 0)) {
		if (a->o->node && strcmp(a->o->node, a->id.node) != 0)
			return err_set(e, ERR_CONFLICT, "this agent joined as node '%s'; --node '%s' "
				       "would need a new join (remove %s/agent.json first)",
				       a->id.node, a->o->node, a->o->data_dir);
		return 0;
	}
	if (rc == 1)
		agent_ident_release(&a->id);
	if (a->o->join == NULL || a->o->token == NULL)
		return err_set(e, ERR_INVALID, "this agent has not joined a cluster yet: "
			       "orca agent --join https://SERVER:PORT --token TOKEN");
	gethostname(host, sizeof(host) - 1);
	r.server = a->o->join;
	r.token = a->o->token;
	r.node = a->o->node ? a->o->node : host;
	r.address = a->o->advertise;
	r.labels = a->o->labels;
	r.inv = &a->inv;
	rc = agent_join(a->o->data_dir, &r, &a->id, e);
	if (rc == 0)
		log_line("joined %s as node '%s'", a->id.server, a->id.node);
	return rc;
}

int64_t agent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps until deadline (monotonic ms) or until the agent stops. */
void agent_sleep_until(struct agent *a, int64_t deadline_ms)
{
	struct timespec ts;
	int64_t now_real;

	pthread_mutex_lock(&a->mu);
	while (!atomic_load(&a->stopping) && agent_now_ms() < deadline_ms) {
		clock_gettime(CLOCK_REALTIME, &ts);
		now_real = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
			   (deadline_ms - agent_now_ms());
		ts.tv_sec = now_real / 1000;
		ts.tv_nsec = (now_real % 1000) * 1000000;
		pthread_cond_timedwait(&a->cv, &a->mu, &ts);
	}
	pthread_mutex_unlock(&a->mu);
}

void agent_shut_out(struct agent *a, const char *why)
{
	pthread_mutex_lock(&a->mu);
	if (a->shut_out[0] == '\0')
		snprintf(a->shut_out, sizeof(a->shut_out), "the server shut node '%s' out: %s",
			 a->id.node, why);
	pthread_mutex_unlock(&a->mu);
	kill(getpid(), SIGTERM);   /* the main thread takes it and stops */
}

static void stop_threads(struct agent *a)
{
	pthread_mutex_lock(&a->mu);
	atomic_store(&a->stopping, 1);
	pthread_cond_broadcast(&a->cv);
	pthread_cond_broadcast(&a->up_cv);
	pthread_mutex_unlock(&a->mu);
	agent_channel_stop(a);
	agent_uplink_stop(a);
	agent_heartbeat_stop(a);
}

static int start_threads(struct agent *a, struct err *e)
{
	int rc = docker_client_new(&a->dc, a->o->docker_socket, e);

	if (rc == 0)
		rc = docker_client_new(&a->dc_list, a->o->docker_socket, e);
	if (rc == 0)
		rc = agent_heartbeat_start(a, e);
	if (rc == 0)
		rc = agent_uplink_start(a, e);
	if (rc == 0)
		rc = agent_channel_start(a, e);
	return rc;
}

static int wait_for_stop(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		struct err e = { 0 };

		sigwait(&set, &sig);
		if (sig != SIGHUP)
			return sig;
		if (log_reopen(&e) < 0)
			log_at(LOG_ERROR, NULL, 0, "SIGHUP: %s", e.msg);
	}
}

int agent_run(const struct agent_opts *o, struct err *e)
{
	struct agent a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.o = o;
	pthread_mutex_init(&a.mu, NULL);
	pthread_cond_init(&a.cv, NULL);
	pthread_cond_init(&a.up_cv, NULL);
	a.outq = json_array();
	atomic_init(&a.stopping, 0);
	block_signals();
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return err_errno(e, errno, "prctl(PR_SET_DUMPABLE, 0)");
	if (o->log_file && (rc = log_open(o->log_file, e)) < 0)
		return rc;
	log_set_format(o->log_format);
	detect(&a);
	rc = identity(&a, e);
	if (rc == 0)
		rc = start_threads(&a, e);
	if (rc < 0) {
		stop_threads(&a);
		goto out;
	}
	log_line("agent of node '%s' for %s (orca %s, %zu GPU%s detected)", a.id.node,
		 a.id.server, ORCA_VERSION, a.inv.ngpus, a.inv.ngpus == 1 ? "" : "s");
	rc = wait_for_stop();
	if (a.shut_out[0] == '\0')
		log_line("stopping on signal %d; workloads keep running", rc);
	stop_threads(&a);
	rc = 0;
	if (a.shut_out[0])
		rc = err_set(e, ERR_CONFLICT, "%s", a.shut_out);
out:
	docker_client_free(a.dc);
	docker_client_free(a.dc_list);
	json_decref(a.outq);
	agent_ident_release(&a.id);
	pthread_cond_destroy(&a.up_cv);
	pthread_cond_destroy(&a.cv);
	pthread_mutex_destroy(&a.mu);
	return rc;
}
