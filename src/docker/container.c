/*
 * container.c - container create, start, stop, kill, remove.
 *
 * Each call is one request; the engine's answer becomes a sentence that
 * names the container: "container 'orca-web-api-1': create: conflict: ...".
 */
#include "docker/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "docker/internal.h"

static int check_spec(const struct docker_container_spec *s, struct err *e)
{
	if (s->name == NULL || s->name[0] == '\0')
		return err_set(e, ERR_INVALID, "container: create: no name");
	if (s->image == NULL || s->image[0] == '\0')
		return err_set(e, ERR_INVALID, "container '%s': create: no image",
			       s->name);
	for (size_t i = 0; i < s->nmounts; i++)
		if (!s->mounts[i].volume || !s->mounts[i].target)
			return err_set(e, ERR_INVALID,
				       "container '%s': create: mount %zu lacks a volume or a target",
				       s->name, i);
	if (s->port < 0 || s->port > 65535 || s->host_port < 0 ||
	    s->host_port > 65535 || (s->host_port && !s->port))
		return err_set(e, ERR_INVALID,
			       "container '%s': create: bad port %d or host port %d",
			       s->name, s->port, s->host_port);
	return 0;
}

int docker_container_create(struct docker_client *c,
			    const struct docker_container_spec *spec,
			    char id[DOCKER_ID_SIZE], struct err *e)
{
	struct buf path = BUF_INIT;
	struct docker_request rq = { .method = "POST" };
	json_t *body, *out = NULL;
	int rc;

	rc = check_spec(spec, e);
	if (rc < 0)
		return rc;
	body = docker_container_create_body(spec);
	buf_puts(&path, "/containers/create");
	docker_query_add(&path, "name", spec->name);
	rq.path = path.data;
	rq.body = body;
	rc = docker_call(c, &rq, NULL, &out, e);
	if (rc < 0)
		err_wrap(e, "container '%s': create", spec->name);
	else if (id)
		docker_json_copy(id, DOCKER_ID_SIZE, out, "Id");
	json_decref(out);
	json_decref(body);
	buf_release(&path);
	return rc;
}

/* POST /containers/{id}/{verb}[query]; 304 (nothing to do) is success. */
static int post_verb(struct docker_client *c, const char *container,
		     const char *verb, const char *query, long timeout_ms,
		     struct err *e)
{
	char *esc = docker_url_escape(container);
	char *path = xasprintf("/containers/%s/%s%s", esc, verb, query);
	struct docker_request rq = { .method = "POST", .path = path,
				     .timeout_ms = timeout_ms };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	if (rc < 0)
		err_wrap(e, "container '%s': %s", container, verb);
	free(path);
	free(esc);
	return rc;
}

int docker_container_start(struct docker_client *c, const char *container,
			   struct err *e)
{
	return post_verb(c, container, "start", "", 0, e);
}

int docker_container_stop(struct docker_client *c, const char *container,
			  int timeout_s, struct err *e)
{
	char query[32];
	long wait_ms;

	if (timeout_s < 0)
		timeout_s = 0;
	snprintf(query, sizeof(query), "?t=%d", timeout_s);
	/* the engine answers only once the container is down */
	wait_ms = c->timeout_ms + (long)timeout_s * 1000;
	return post_verb(c, container, "stop", query, wait_ms, e);
}

int docker_container_kill(struct docker_client *c, const char *container,
			  const char *signal, struct err *e)
{
	char *sig = docker_url_escape(signal ? signal : "SIGKILL");
	char *query = xasprintf("?signal=%s", sig);
	int rc = post_verb(c, container, "kill", query, 0, e);

	free(query);
	free(sig);
	return rc;
}

int docker_container_remove(struct docker_client *c, const char *container,
			    int force, int volumes, struct err *e)
{
	char *esc = docker_url_escape(container);
	char *path = xasprintf("/containers/%s?force=%d&v=%d", esc, !!force,
			       !!volumes);
	struct docker_request rq = { .method = "DELETE", .path = path };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	if (rc < 0)
		err_wrap(e, "container '%s': remove", container);
	free(path);
	free(esc);
	return rc;
}
