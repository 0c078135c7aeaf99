/*
 * image.c - the image a new replica is created from, and the puller thread
 * that fetches it again when the engine lost it.
 *
 * A revision records the image id a deploy resolved and, when the engine
 * knew one, the registry digest reference ("repo@sha256:..."). Replicas are
 * created from the id. When the id is gone (`docker image prune -a`,
 * `docker rmi`), a replacement is pulled again by digest, so it runs the
 * same bytes as its siblings; an image built here has no digest, so its
 * reference is resolved again (the local tag, else a pull by tag) and the
 * event says so. Pulls run on the puller thread, never on the control
 * thread; each ends with MSG_PULLED. The control thread alone calls
 * control_image_for and control_on_pulled.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/testhook.h"
#include "base/xalloc.h"

_Static_assert(SPEC_DIGEST_REF_SIZE == DOCKER_DIGEST_REF_SIZE,
	       "a revision's digest reference is the engine's");

struct pull_job {
	char project[64];
	char service[64];
	char ref[SPEC_DIGEST_REF_SIZE];
	struct pull_job *next;
};

struct puller {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct pull_job *head, *tail;
	bool stop;
	struct docker_client *dc;
	struct mailbox *mb;
};

static void *run(void *arg)
{
	struct puller *p = arg;

	for (;;) {
		struct msg m = { .kind = MSG_PULLED };
		struct err e = { 0 };
		struct pull_job *j;

		pthread_mutex_lock(&p->mu);
		while (p->head == NULL && !p->stop)
			pthread_cond_wait(&p->cond, &p->mu);
		j = p->stop ? NULL : p->head;
		if (j) {
			p->head = j->next;
			if (p->head == NULL)
				p->tail = NULL;
		}
		pthread_mutex_unlock(&p->mu);
		if (j == NULL)
			break;
		if (docker_image_pull(p->dc, j->ref, NULL, NULL, &e) < 0)
			snprintf(m.error, sizeof(m.error), "%s", e.msg);
		snprintf(m.project, sizeof(m.project), "%s", j->project);
		snprintf(m.service, sizeof(m.service), "%s", j->service);
		snprintf(m.image, sizeof(m.image), "%s", j->ref);
		mailbox_post(p->mb, &m);
		free(j);
	}
	return NULL;
}

struct puller *puller_start(const char *docker_socket, long stall_ms, struct mailbox *mb,
			    struct err *e)
{
	struct puller *p = xcalloc(1, sizeof(*p));
	int rc;

	p->mb = mb;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (docker_client_new(&p->dc, docker_socket, e) < 0)
		goto fail;
	docker_client_set_pull_stall(p->dc, stall_ms);
	rc = pthread_create(&p->thread, NULL, run, p);
	if (rc == 0)
		return p;
	err_errno(e, rc, "start the image puller thread");
fail:
	docker_client_free(p->dc);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return NULL;
}

/* Abandons queued pulls and cancels the one under way. */
void puller_stop(struct puller *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->mu);
	docker_client_cancel(p->dc);
	pthread_join(p->thread, NULL);
	while (p->head) {
		struct pull_job *j = p->head;

		p->head = j->next;
		free(j);
	}
	docker_client_free(p->dc);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static void puller_pull(struct puller *p, const struct svc *s, const char *ref)
{
	struct pull_job *j = xcalloc(1, sizeof(*j));

	snprintf(j->project, sizeof(j->project), "%s", s->project);
	snprintf(j->service, sizeof(j->service), "%s", s->name);
	snprintf(j->ref, sizeof(j->ref), "%s", ref);
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->mu);
}

static void start_pull(struct control *c, struct svc *s, const char *ref, const char *why)
{
	s->pulling = true;
	snprintf(s->pulling_ref, sizeof(s->pulling_ref), "%s", ref);
	puller_pull(c->puller, s, ref);
	control_event(c, s, -1, "image.pulling", "%s; pulling '%s' again", why, ref);
}

static struct svc_meta *meta_of(struct control *c, const struct svc *s)
{
	struct desired *d = control_find_project(c, s->project);

	return d ? rev_meta_find(&d->meta, s->name) : NULL;
}

/* Built here (no digest): what the reference names now, or a pull by tag. */
static int resolve_again(struct control *c, struct svc *s, const struct svc_meta *sm,
			 char *out, size_t n, struct err *e)
{
	const char *ref = s->spec->image;
	struct docker_image_info info;
	char why[400];
	int rc = docker_image_inspect(c->dc, ref, &info, e);

	if (rc == ERR_NOTFOUND) {
		err_clear(e);
		snprintf(why, sizeof(why), "image '%s' (%.19s) is gone from the engine and has "
			 "no registry digest (it was built here)", ref, sm->image_id);
		start_pull(c, s, ref, why);
		return CONTROL_PULLING;
	}
	if (rc < 0)
		return rc;
	if (strcmp(s->resolved_id, info.id) != 0) {
		snprintf(s->resolved_id, sizeof(s->resolved_id), "%s", info.id);
		control_event(c, s, -1, "image.resolved",
			      "image '%s' (%.19s) is gone from the engine and has no registry "
			      "digest; '%s' now names %.19s, which new replicas run",
			      ref, sm->image_id, ref, info.id);
	}
	snprintf(out, n, "%s", info.id);
	docker_image_info_release(&info);
	return 0;
}

int control_image_for(struct control *c, struct svc *s, char *out, size_t n, struct err *e)
{
	const struct svc_meta *sm = meta_of(c, s);
	char why[600];
	int rc;

	testhook_pause("image-for");   /* tests remove the image meanwhile */
	if (s->pulling)
		return CONTROL_PULLING;
	if (sm == NULL || sm->image_id[0] == '\0') {
		snprintf(out, n, "%s", s->spec->image);   /* the engine resolves it */
		return 0;
	}
	rc = docker_image_inspect(c->dc, sm->image_id, NULL, e);
	if (rc == 0) {
		snprintf(out, n, "%s", sm->image_id);
		return 0;
	}
	if (rc != ERR_NOTFOUND)
		return rc;
	err_clear(e);
	if (sm->image_digest[0] == '\0')
		return resolve_again(c, s, sm, out, n, e);
	if (docker_image_inspect(c->dc, sm->image_digest, NULL, e) == 0) {
		snprintf(out, n, "%s", sm->image_digest);
		return 0;
	}
	err_clear(e);
	snprintf(why, sizeof(why), "image '%s' (%.19s) is gone from the engine",
		 s->spec->image, sm->image_id);
	start_pull(c, s, sm->image_digest, why);
	return CONTROL_PULLING;
}

void control_on_pulled(struct control *c, const struct msg *m)
{
	struct svc *s = control_find_svc(c, m->project, m->service);
	struct buf why = BUF_INIT;
	int64_t wait;

	if (s == NULL || !s->pulling || strcmp(s->pulling_ref, m->image) != 0)
		return;
	s->pulling = false;
	c->dirty = true;
	if (m->error[0] == '\0') {
		control_event(c, s, -1, "image.pulled", "pulled '%s' again", m->image);
		return;
	}
	wait = control_back_off(s);
	buf_printf(&why, "image '%s' is gone from the engine and pulling '%s' again failed: %s",
		   s->spec ? s->spec->image : m->image, m->image, m->error);
	snprintf(s->last_error, sizeof(s->last_error), "%s", buf_str(&why));
	buf_release(&why);
	control_save_runtime(c, s);
	control_event(c, s, -1, "image.pull_failed", "%s; next try in %lld ms", s->last_error,
		      (long long)wait);
	if (s->rolling)
		control_rollout_failed(c, s, s->last_error);
}
