/*
 * lifecycle.c - starting and stopping the control loop and its helpers.
 */
#include "reconcile/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "base/xalloc.h"

/* The orca.instance label value: random, created once per data directory,
 * so that two orca servers on one Docker host never adopt each other's
 * containers. */
static int instance_id(const char *dir, char out[40], struct err *e)
{
	char *path = xasprintf("%s/instance-id", dir);
	unsigned char raw[8];
	int fd, rc = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, out, 16);
		close(fd);
		out[n > 0 ? n : 0] = '\0';
		if (n != 16 || strspn(out, "0123456789abcdef") != 16)
			rc = err_set(e, ERR_INVALID, "'%s' is damaged: expected 16 hex digits", path);
		goto out;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, 40, raw, sizeof(raw));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, out, 16) != 16 || fsync(fd) < 0)
		rc = err_errno(e, errno, "write '%s'", path);
	if (fd >= 0)
		close(fd);
out:
	free(path);
	return rc;
}

static void on_probe(void *arg, const struct probe_result *r)
{
	struct control *c = arg;
	struct msg m = { .kind = MSG_PROBE };

	m.probe = *r;
	mailbox_post(&c->mb, &m);
}

static int open_parts(struct control *c, struct err *e)
{
	int rc;

	rc = store_open_key(c->data_dir, c->key_file, &c->st, e);
	if (rc < 0)
		return rc;
	rc = instance_id(c->data_dir, c->instance, e);
	if (rc < 0)
		return rc;
	rc = docker_client_new(&c->dc, c->docker_socket, e);
	if (rc < 0)
		return rc;
	/* an engine that is not there (yet) is waited for; one that answers
	 * with a version orca cannot speak is refused at once */
	if (docker_client_negotiate(c->dc, e) < 0) {
		if (!docker_client_lost(c->dc))
			return e->code;
		control_engine_lost(c, e->msg);
		err_clear(e);
	}
	docker_client_set_pull_stall(c->dc, c->pull_stall_ms);
	c->reaper = reaper_start(c->docker_socket, &c->mb, e);
	if (c->reaper == NULL)
		return ERR_FAIL;
	c->puller = puller_start(c->docker_socket, c->pull_stall_ms, &c->mb, e);
	if (c->puller == NULL)
		return ERR_FAIL;
	c->prober = prober_new(on_probe, c);
	if (c->prober == NULL)
		return err_errno(e, errno, "start the health-check thread");
	return 0;
}

static void free_parts(struct control *c)
{
	if (c->events_started)
		control_events_stop(c);
	prober_free(c->prober);
	if (c->puller)
		puller_stop(c->puller);
	if (c->reaper)
		reaper_stop(c->reaper);
	docker_client_free(c->dc);
	store_close(c->st);
	for (size_t i = 0; i < c->nsvcs; i++) {
		free(c->svcs[i]->project);
		free(c->svcs[i]->name);
		free(c->svcs[i]->replicas);
		free(c->svcs[i]);
	}
	free(c->svcs);
	for (size_t i = 0; i < c->nprojects; i++)
		desired_release(&c->projects[i]);
	free(c->projects);
	config_free(c->cluster);
	for (size_t i = 0; i < c->ndeploys; i++) {
		for (size_t j = 0; j < c->deploys[i].nprojects; j++)
			free(c->deploys[i].projects[j]);
		free(c->deploys[i].projects);
		free(c->deploys[i].items);
		free(c->deploys[i].last_progress);
	}
	free(c->deploys);
	for (size_t i = 0; i < c->nnetworks_ok; i++)
		free(c->networks_ok[i]);
	free(c->networks_ok);
	json_decref(c->snapshot);
	mailbox_release(&c->mb);
	pthread_mutex_destroy(&c->snap_mu);
	free(c->data_dir);
	free(c->key_file);
	free(c->docker_socket);
	free(c->node);
	free(c);
}



int control_start(const struct control_opts *o, struct control **out, struct err *e)
{
	struct control *c = xcalloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_FAIL, "libsodium failed to initialise");
	c->data_dir = xstrdup(o->data_dir);
	c->key_file = o->key_file ? xstrdup(o->key_file) : NULL;
	c->docker_socket = o->docker_socket ? xstrdup(o->docker_socket) : NULL;
	c->node = xstrdup(o->node ? o->node : "local");
	c->resync_ms = o->resync_ms ? o->resync_ms : 10000;
	c->pull_stall_ms = o->pull_stall_ms;
	c->publish = o->publish;
	c->publish_arg = o->publish_arg;
	c->inflight = o->inflight;
	c->inflight_arg = o->inflight_arg;
	c->canary_counts = o->canary_counts;
	c->canary_counts_arg = o->canary_counts_arg;
	mailbox_init(&c->mb);
	pthread_mutex_init(&c->snap_mu, NULL);
	rc = open_parts(c, e);
	if (rc == 0)
		rc = control_load_all(c, e);
	if (rc == 0 && !control_engine_down(c)) {
		rc = control_engine_resync(c, e);
		if (rc < 0 && control_engine_down(c)) {
			err_clear(e);   /* gone between the version and the list */
			rc = 0;
		}
	}
	if (rc == 0)
		rc = control_events_start(c, e);
	if (rc < 0)
		goto fail;
	c->next_resync_ms = mailbox_now_ms() + c->resync_ms;
	if (!control_engine_down(c)) {
		control_cache_reconcile(c);
		control_resume_deploys(c);
		c->adopted = true;
	}
	control_publish(c);
	rc = pthread_create(&c->thread, NULL, control_thread_main, c);
	if (rc != 0) {
		rc = err_errno(e, rc, "start the control thread");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	free_parts(c);
	return rc;
}

void control_stop(struct control *c)
{
	struct msg m = { .kind = MSG_STOP };

	if (c == NULL)
		return;
	mailbox_post(&c->mb, &m);
	pthread_join(c->thread, NULL);
	free_parts(c);
}

void control_post_deploy(struct control *c, int64_t deploy_id)
{
	struct msg m = { .kind = MSG_DEPLOY, .arg = deploy_id };

	mailbox_post(&c->mb, &m);
}

void control_post_promote(struct control *c, const char *project, const char *service)
{
	struct msg m = { .kind = MSG_PROMOTE };

	snprintf(m.project, sizeof(m.project), "%s", project);
	snprintf(m.id, sizeof(m.id), "%s", service);
	mailbox_post(&c->mb, &m);
}

void control_post_reload(struct control *c, const char *project)
{
	struct msg m = { .kind = MSG_RELOAD };

	snprintf(m.project, sizeof(m.project), "%s", project);
	mailbox_post(&c->mb, &m);
}

json_t *control_status(struct control *c)
{
	json_t *j;

	pthread_mutex_lock(&c->snap_mu);
	j = json_incref(c->snapshot);
	pthread_mutex_unlock(&c->snap_mu);
	return j;
}

const char *control_instance(const struct control *c)
{
	return c->instance;
}

const char *control_node(const struct control *c)
{
	return c->node;
}
