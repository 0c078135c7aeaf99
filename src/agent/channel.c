/*
 * channel.c - the server's instructions, read as a stream, carried out in
 * order, each once.
 *
 * The stream (GET /cluster/v1/commands?epoch=E&after=N) starts with a hello
 * naming the server's epoch; every other line is an instruction with a seq.
 * Instructions at or below the last one applied are skipped (a replay after
 * a reconnection), so each runs once; the uplink acknowledges "applied",
 * and the server drops what was acknowledged. A new epoch (the server
 * restarted) starts the numbers again.
 */
#include <stdio.h>
#include <string.h>

#include "agent/internal.h"
#include "agent/link.h"
#include "base/jsonx.h"
#include "base/log.h"

static void new_epoch(struct agent *a, const char *epoch)
{
	snprintf(a->epoch, sizeof(a->epoch), "%s", epoch);
	pthread_mutex_lock(&a->mu);
	a->applied = 0;
	a->outq_lost = true;   /* a new server: tell it everything that runs here */
	pthread_cond_broadcast(&a->up_cv);
	pthread_mutex_unlock(&a->mu);
	log_line("server run %s: instructions start again from 1", epoch);
}

static int on_line(void *arg, const char *line, size_t len)
{
	struct agent *a = arg;
	struct err e = { 0 };
	json_t *cmd;
	const char *op;
	int64_t seq, applied;

	if (len == 0)
		return 0;   /* keep-alive */
	cmd = jsonx_parse(line, len, LINK_BODY_MAX, &e);
	op = json_string_value(json_object_get(cmd, "op"));
	if (op == NULL) {
		log_at(LOG_WARN, NULL, 0, "server sent an instruction without op: %s", e.msg);
	} else if (strcmp(op, "hello") == 0) {
		const char *epoch = json_string_value(json_object_get(cmd, "epoch"));

		if (epoch && strcmp(epoch, a->epoch) != 0)
			new_epoch(a, epoch);
	} else {
		seq = json_integer_value(json_object_get(cmd, "seq"));
		pthread_mutex_lock(&a->mu);
		applied = a->applied;
		pthread_mutex_unlock(&a->mu);
		if (seq > applied) {
			agent_exec(a, cmd);
			pthread_mutex_lock(&a->mu);
			a->applied = seq;
			a->up_dirty = true;
			pthread_cond_broadcast(&a->up_cv);
			pthread_mutex_unlock(&a->mu);
		}
	}
	json_decref(cmd);
	return atomic_load(&a->stopping) ? 1 : 0;
}

static void *main_loop(void *arg)
{
	struct agent *a = arg;
	bool said = false;

	while (!atomic_load(&a->stopping)) {
		char path[128];
		struct err e = { 0 };
		long status = 0;
		int64_t applied;
		int rc;

		pthread_mutex_lock(&a->mu);
		applied = a->applied;
		pthread_mutex_unlock(&a->mu);
		snprintf(path, sizeof(path), "/cluster/v1/commands?epoch=%s&after=%lld",
			 a->epoch[0] ? a->epoch : "none", (long long)applied);
		rc = link_stream(a->cmd, path, AGENT_STREAM_STALL_MS, &status, on_line, a, &e);
		if (atomic_load(&a->stopping))
			break;
		if (status == 401 || status == 403) {
			agent_shut_out(a, e.msg);
			break;
		}
		if (!said)
			log_at(LOG_WARN, NULL, 0, "instructions from the server: %s; reconnecting",
			       rc < 0 ? e.msg : "the stream ended");
		said = rc < 0;
		agent_sleep_until(a, agent_now_ms() + 500);
	}
	return NULL;
}

int agent_channel_start(struct agent *a, struct err *e)
{
	struct link_opts lo = { .server = a->id.server, .ca = a->id.ca, .cert = a->id.cert,
				.key = a->id.key, .node = a->id.node };
	int rc;

	if ((a->cmd = link_new(&lo)) == NULL)
		return err_set(e, ERR_FAIL, "cannot start libcurl");
	rc = pthread_create(&a->cmd_thread, NULL, main_loop, a);
	if (rc != 0) {
		link_free(a->cmd);
		a->cmd = NULL;
		return err_errno(e, rc, "start the commands thread");
	}
	a->cmd_started = true;
	return 0;
}

void agent_channel_stop(struct agent *a)
{
	if (!a->cmd_started)
		return;
	link_cancel(a->cmd);
	pthread_join(a->cmd_thread, NULL);
	link_free(a->cmd);
	a->cmd = NULL;
	a->cmd_started = false;
}
