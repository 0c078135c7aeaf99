/*
 * apply.c - the actions of a plan: create, drain and remove replicas.
 *
 * Creating a replica is the one place where secrets are resolved: the env
 * with secret values lives only for the create call and is wiped after.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "reconcile/place.h"
#include "store/secrets.h"

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_push(struct strv *s, char *owned)
{
	XGROW(s->v, s->cap, s->n + 2);
	s->v[s->n++] = owned;
	s->v[s->n] = NULL;
}

static void strv_free(struct strv *s, bool wipe)
{
	for (size_t i = 0; i < s->n; i++) {
		if (wipe)
			sodium_memzero(s->v[i], strlen(s->v[i]));
		free(s->v[i]);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void attach_internal_to(struct control *c, const char *project, const char *net);

static bool network_known(struct control *c, const char *name)
{
	for (size_t i = 0; i < c->nnetworks_ok; i++)
		if (strcmp(c->networks_ok[i], name) == 0)
			return true;
	return false;
}

static int ensure_network(struct control *c, const char *name, const char *project,
			  struct err *e)
{
	char *proj = project ? xasprintf("%s=%s", LABEL_PROJECT, project) : NULL;
	const char *labels[] = { LABEL_MANAGED "=true", proj, NULL };
	struct docker_network_spec spec = { .name = name, .labels = labels,
					    .owner_label = LABEL_MANAGED "=true" };
	char id[DOCKER_ID_SIZE];
	int created = 0, rc = 0;

	if (!network_known(c, name)) {
		rc = docker_network_create(c->dc, &spec, id, &created, e);
		if (rc == 0) {
			c->networks_ok = xrealloc(c->networks_ok,
						  (c->nnetworks_ok + 1) * sizeof(char *));
			c->networks_ok[c->nnetworks_ok++] = xstrdup(name);
			if (project)
				attach_internal_to(c, project, name);
		}
	}
	free(proj);
	return rc < 0 ? err_wrap(e, "network '%s'", name) : 0;
}

static int build_env(struct control *c, const struct svc *s, struct strv *env,
		     struct err *e)
{
	for (size_t i = 0; i < s->spec->nenv; i++) {
		char *value = NULL;

		if (secrets_expand(c->st, s->project, s->spec->env[i].value, &value, e) < 0)
			return err_wrap(e, "env '%s'", s->spec->env[i].key);
		strv_push(env, xasprintf("%s=%s", s->spec->env[i].key, value));
		secrets_string_free(value);
	}
	return 0;
}

static void build_labels(struct control *c, const struct svc *s, int index,
			 struct strv *labels)
{
	strv_push(labels, xstrdup(LABEL_MANAGED "=true"));
	strv_push(labels, xasprintf("%s=%s", LABEL_INSTANCE, c->instance));
	strv_push(labels, xasprintf("%s=%s", LABEL_PROJECT, s->project));
	strv_push(labels, xasprintf("%s=%s", LABEL_SERVICE, s->name));
	strv_push(labels, xasprintf("%s=%d", LABEL_REPLICA, index));
	strv_push(labels, xasprintf("%s=%d", LABEL_REVISION, s->revision));
	strv_push(labels, xasprintf("%s=%s", LABEL_SPEC, s->spec_hash));
	strv_push(labels, xasprintf("orca.image=%s", s->spec->image));
}

/* Volume names never collide: project, service and index hold no '_'. */
static int build_mounts(struct control *c, const struct svc *s, int index,
			struct docker_mount *mounts, struct strv *names, struct err *e)
{
	for (size_t i = 0; i < s->spec->nvolumes; i++) {
		char *name = xasprintf("orca_%s_%s_%d_%s", s->project, s->name, index,
				       s->spec->volumes[i].name);
		char *proj = xasprintf("%s=%s", LABEL_PROJECT, s->project);
		const char *labels[] = { LABEL_MANAGED "=true", proj, NULL };
		struct docker_volume_spec vs = { name, labels, LABEL_MANAGED "=true" };
		int rc = docker_volume_create(c->dc, &vs, e);

		free(proj);
		strv_push(names, name);
		if (rc < 0)
			return err_wrap(e, "volume '%s'", name);
		mounts[i].volume = name;
		mounts[i].target = s->spec->volumes[i].path;
	}
	return 0;
}

struct creation {
	struct strv env, labels, aliases, volumes, cmd;
	struct docker_mount *mounts;
	unsigned gids[2];
	char name[160];
	char net[80];
	char image[SPEC_DIGEST_REF_SIZE];   /* control_image_for */
};

static void creation_free(struct creation *k)
{
	strv_free(&k->env, true);
	strv_free(&k->labels, false);
	strv_free(&k->aliases, false);
	strv_free(&k->volumes, false);
	strv_free(&k->cmd, false);
	free(k->mounts);
}

static int prepare(struct control *c, struct svc *s, int index, struct creation *k,
		   struct docker_container_spec *cs, struct err *e)
{
	const struct service *sp = s->spec;
	unsigned char rnd[2];

	randombytes_buf(rnd, sizeof(rnd));
	snprintf(k->name, sizeof(k->name), "orca_%s_%s_%d_r%d_%02x%02x", s->project, s->name,
		 index, s->revision, rnd[0], rnd[1]);
	snprintf(k->net, sizeof(k->net), "orca-%s", s->project);
	strv_push(&k->aliases, xstrdup(sp->name));
	for (size_t i = 0; i < sp->naliases; i++)
		strv_push(&k->aliases, xstrdup(sp->aliases[i]));
	for (size_t i = 0; i < sp->ncommand; i++)
		strv_push(&k->cmd, xstrdup(sp->command[i]));
	build_labels(c, s, index, &k->labels);
	k->mounts = xcalloc(sp->nvolumes + 1, sizeof(*k->mounts));
	if (build_mounts(c, s, index, k->mounts, &k->volumes, e) < 0 ||
	    build_env(c, s, &k->env, e) < 0)
		return ERR_FAIL;
	memset(cs, 0, sizeof(*cs));
	cs->name = k->name;
	cs->image = k->image;
	cs->cmd = sp->command ? (const char *const *)k->cmd.v : NULL;
	cs->env = (const char *const *)k->env.v;
	cs->labels = (const char *const *)k->labels.v;
	cs->memory_bytes = sp->memory_bytes;
	cs->cpu_millis = sp->cpu_millis;
	cs->mounts = k->mounts;
	cs->nmounts = sp->nvolumes;
	cs->network = k->net;
	cs->aliases = (const char *const *)k->aliases.v;
	cs->port = sp->port;
	cs->stop_timeout_s = STOP_TIMEOUT_S;
	return place_gpu(sp, cs, k->gids, e);
}

/* Connects a replica of an internal service to net under its two names;
 * already connected is fine. */
static int attach(struct control *c, const struct svc *s, const char *id, const char *net,
		  struct err *e)
{
	char *qualified = xasprintf("%s.%s", s->name, s->project);
	const char *aliases[] = { s->name, qualified, NULL };
	int rc = docker_network_connect(c->dc, net, id, aliases, e);

	free(qualified);
	if (rc == ERR_CONFLICT || rc == ERR_NOTFOUND) {
		err_clear(e);   /* attached already, or that project has no network yet */
		rc = 0;
	}
	return rc;
}

/*
 * An internal service is reachable by name from every project: it joins
 * orca-internal and each other project's network, under "name" and
 * "name.project". Services that are not internal stay on their own
 * project's network, so nothing else crosses.
 */
static int join_internal(struct control *c, const struct svc *s, const char *id,
			 struct err *e)
{
	int rc = ensure_network(c, INTERNAL_NETWORK, NULL, e);

	if (rc == 0)
		rc = attach(c, s, id, INTERNAL_NETWORK, e);
	for (size_t i = 0; rc == 0 && i < c->nprojects; i++) {
		char *net;

		if (strcmp(c->projects[i].project, s->project) == 0)
			continue;
		net = xasprintf("orca-%s", c->projects[i].project);
		rc = ensure_network(c, net, c->projects[i].project, e);
		if (rc == 0)
			rc = attach(c, s, id, net, e);
		free(net);
	}
	return rc;
}

/* A project network seen for the first time: every running internal
 * replica of the other projects joins it. */
static void attach_internal_to(struct control *c, const char *project, const char *net)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		const struct svc *s = c->svcs[i];
		struct err e = { 0 };

		if (s->spec == NULL || !s->spec->internal || strcmp(s->project, project) == 0)
			continue;
		for (size_t j = 0; j < s->nreplicas; j++)
			if (!s->replicas[j].gone && s->replicas[j].phase == REPLICA_RUNNING &&
			    attach(c, s, s->replicas[j].id, net, &e) < 0)
				control_log("%s/%s: join '%s': %s", s->project, s->name, net, e.msg);
	}
}

static struct replica *add_replica(struct svc *s, int index, const char *id,
				   const char *name)
{
	struct replica *r;

	XGROW(s->replicas, s->cap, s->nreplicas + 1);
	r = &s->replicas[s->nreplicas++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->spec_hash, sizeof(r->spec_hash), "%s", s->spec_hash);
	r->index = index;
	r->revision = s->revision;
	r->phase = REPLICA_RUNNING;
	r->health = HEALTH_STARTING;
	r->created_ms = mailbox_now_ms();
	r->seen = true;
	return r;
}

static void observe_started(struct control *c, struct svc *s, struct replica *r,
			    const char *net)
{
	struct docker_container_info info = { 0 };
	struct err e = { 0 };

	if (docker_container_inspect(c->dc, r->id, &info, &e) < 0)
		return;
	r->started_at_ms = rfc3339_to_ms(info.state.started_at);
	for (size_t i = 0; i < info.nnets; i++)
		if (strcmp(info.nets[i].network, net) == 0)
			snprintf(r->ip, sizeof(r->ip), "%s", info.nets[i].ip);
	if (!info.state.running)
		r->phase = REPLICA_EXITED;
	docker_container_info_release(&info);
	(void)s;
}

int control_create_replica(struct control *c, struct svc *s, int index, struct err *e)
{
	struct creation k = { 0 };
	struct docker_container_spec cs;
	char id[DOCKER_ID_SIZE] = "";
	struct err ignore = { 0 };
	struct replica *r;
	int rc;

	if (s->spec->runtime != RUNTIME_CONTAINER)
		return err_set(e, ERR_UNSUPPORTED, "wasm services do not run yet in this version");
	rc = place_check(c, s, e);
	if (rc == 0)
		rc = control_image_for(c, s, k.image, sizeof(k.image), e);
	if (rc == CONTROL_PULLING)
		goto out;
	if (rc == 0)
		rc = prepare(c, s, index, &k, &cs, e);
	if (rc == 0)
		rc = ensure_network(c, k.net, s->project, e);
	if (rc == 0)
		rc = docker_container_create(c->dc, &cs, id, e);
	if (rc == 0 && s->spec->internal)
		rc = join_internal(c, s, id, e);
	if (rc == 0)
		rc = docker_container_start(c->dc, k.name, e);
	if (rc < 0) {
		if (id[0])
			docker_container_remove(c->dc, id, 1, 1, &ignore);
		goto out;
	}
	r = add_replica(s, index, id, k.name);
	observe_started(c, s, r, k.net);
	control_watch_health(c, s, r);
	control_event(c, s, index, "replica.created", "created %s (revision %d)", k.name,
		      s->revision);
out:
	creation_free(&k);
	if (rc < 0)
		err_wrap(e, "replica %d", index);
	return rc;
}

void control_drain_replica(struct control *c, struct svc *s, size_t pos)
{
	struct replica *r = &s->replicas[pos];

	control_unwatch_health(c, r);
	r->phase = REPLICA_DRAINING;
	r->drain_by_proxy = c->inflight != NULL && svc_domain_count(c, s) > 0;
	r->drained = false;
	r->drain_until_ms = mailbox_now_ms() +
			    (r->drain_by_proxy ? s->spec->deploy.drain_ms : RECONCILE_DRAIN_MS);
	c->dirty = true;
}

void control_remove_replica(struct control *c, struct svc *s, size_t pos, const char *why)
{
	struct replica *r = &s->replicas[pos];

	control_unwatch_health(c, r);
	r->gone = true;
	reaper_remove(c->reaper, r->id);
	control_event(c, s, r->index, "replica.removed", "removing %.12s: %s", r->id, why);
}

void control_on_removed(struct control *c, const struct msg *m)
{
	size_t pos;
	struct svc *s = control_find_by_container(c, m->id, &pos);
	struct replica *r = s ? &s->replicas[pos] : NULL;

	if (r == NULL)
		return;
	if (m->error[0]) {
		control_log("remove %.12s: %s", m->id, m->error);
		r->gone = false;
		r->phase = REPLICA_EXITED;   /* the planner asks again */
		return;
	}
	control_cache_forget(c, r->id);
	r->id[0] = '\0';
	c->dirty = true;
}
