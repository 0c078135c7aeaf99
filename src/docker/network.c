/*
 * network.c - network create (idempotent for orca's own), inspect, remove,
 * connect with aliases, disconnect, list by label.
 */
#include "docker/network.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "docker/internal.h"

static void parse_info(void *record, const json_t *j)
{
	struct docker_network_info *info = record;

	memset(info, 0, sizeof(*info));
	docker_json_copy(info->id, sizeof(info->id), j, "Id");
	info->name = docker_json_dup(j, "Name");
	docker_json_copy(info->driver, sizeof(info->driver), j, "Driver");
	info->internal = docker_json_bool(j, "Internal");
	docker_labels_from_json(&info->labels, json_object_get(j, "Labels"));
}

void docker_network_info_release(struct docker_network_info *info)
{
	free(info->name);
	docker_labels_release(&info->labels);
	info->name = NULL;
}

static void release_info(void *record)
{
	docker_network_info_release(record);
}

static const struct docker_list_type network_list = {
	.path = "/networks", .what = "networks",
	.size = sizeof(struct docker_network_info),
	.parse = parse_info, .release = release_info,
};

/* GET /networks/{name}: the raw JSON, for create to judge ownership. */
static int inspect_json(struct docker_client *c, const char *name, json_t **j,
			struct err *e)
{
	char *esc = docker_url_escape(name);
	char *path = xasprintf("/networks/%s", esc);
	struct docker_request rq = { .path = path };
	int rc = docker_call(c, &rq, NULL, j, e);

	free(path);
	free(esc);
	return rc;
}

int docker_network_inspect(struct docker_client *c, const char *name,
			   struct docker_network_info *info, struct err *e)
{
	json_t *j = NULL;
	int rc = inspect_json(c, name, &j, e);

	if (rc == 0)
		parse_info(info, j);
	json_decref(j);
	return rc < 0 ? err_wrap(e, "network '%s': inspect", name) : 0;
}

/* An existing network of that name: ours to reuse, or a conflict. */
static int adopt(const struct docker_network_spec *s, const json_t *j,
		 char id[DOCKER_ID_SIZE], struct err *e)
{
	const json_t *labels = json_object_get(j, "Labels");

	if (s->owner_label == NULL || !docker_labels_has(labels, s->owner_label))
		return err_set(e, ERR_CONFLICT,
			       "network '%s' already exists and is not orca's (no label %s)",
			       s->name, s->owner_label ? s->owner_label : "of ours");
	if (docker_json_bool(j, "Internal") != !!s->internal)
		return err_set(e, ERR_CONFLICT,
			       "network '%s' already exists with internal=%s; remove it to change that",
			       s->name, s->internal ? "false" : "true");
	if (id)
		docker_json_copy(id, DOCKER_ID_SIZE, j, "Id");
	return 0;
}

/* From API 1.44 the engine refuses a duplicate name by itself, and
 * CheckDuplicate is deprecated (it is gone from the 1.55 schema). */
static json_t *create_body(const struct docker_network_spec *s, int api_1_44)
{
	json_t *body = json_pack("{s:s, s:s, s:b, s:o}", "Name", s->name,
				 "Driver", "bridge", "Internal", !!s->internal,
				 "Labels", docker_kv_object(s->labels));

	if (!api_1_44)
		json_object_set_new(body, "CheckDuplicate", json_true());
	return body;
}

static int create(struct docker_client *c, const struct docker_network_spec *s,
		  char id[DOCKER_ID_SIZE], struct err *e)
{
	int recent = docker_api_at_least(c, "1.44", e);
	json_t *body, *out = NULL;
	struct docker_request rq = { .method = "POST", .path = "/networks/create" };
	int rc;

	if (recent < 0)
		return recent;
	body = create_body(s, recent);
	rq.body = body;
	rc = docker_call(c, &rq, NULL, &out, e);

	if (rc == 0 && id)
		docker_json_copy(id, DOCKER_ID_SIZE, out, "Id");
	json_decref(out);
	json_decref(body);
	return rc;
}

int docker_network_create(struct docker_client *c,
			  const struct docker_network_spec *spec,
			  char id[DOCKER_ID_SIZE], int *created, struct err *e)
{
	json_t *j = NULL;
	int rc, tries;

	if (created)
		*created = 0;
	/* Inspect, create; a create that lost a race (409) inspects again. */
	for (tries = 0; tries < 2; tries++) {
		rc = inspect_json(c, spec->name, &j, e);
		if (rc == 0) {
			rc = adopt(spec, j, id, e);
			json_decref(j);
			return rc;
		}
		if (rc != ERR_NOTFOUND)
			break;
		rc = create(c, spec, id, e);
		if (rc != ERR_CONFLICT)
			break;
	}
	if (rc == 0 && created)
		*created = 1;
	return rc < 0 ? err_wrap(e, "network '%s': create", spec->name) : 0;
}

int docker_network_remove(struct docker_client *c, const char *name,
			  struct err *e)
{
	char *esc = docker_url_escape(name);
	char *path = xasprintf("/networks/%s", esc);
	struct docker_request rq = { .method = "DELETE", .path = path };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	free(path);
	free(esc);
	return rc < 0 ? err_wrap(e, "network '%s': remove", name) : 0;
}

static int post_network(struct docker_client *c, const char *network,
			const char *verb, json_t *body, struct err *e)
{
	char *esc = docker_url_escape(network);
	char *path = xasprintf("/networks/%s/%s", esc, verb);
	struct docker_request rq = { .method = "POST", .path = path, .body = body };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	json_decref(body);
	free(path);
	free(esc);
	return rc;
}

int docker_network_connect(struct docker_client *c, const char *network,
			   const char *container, const char *const *aliases,
			   struct err *e)
{
	json_t *body = json_pack("{s:s, s:{s:o}}", "Container", container,
				 "EndpointConfig", "Aliases",
				 docker_str_array(aliases));

	if (post_network(c, network, "connect", body, e) < 0)
		return err_wrap(e, "network '%s': connect '%s'", network, container);
	return 0;
}

int docker_network_disconnect(struct docker_client *c, const char *network,
			      const char *container, int force, struct err *e)
{
	json_t *body = json_pack("{s:s, s:b}", "Container", container,
				 "Force", !!force);

	if (post_network(c, network, "disconnect", body, e) < 0)
		return err_wrap(e, "network '%s': disconnect '%s'", network,
				container);
	return 0;
}

int docker_network_list(struct docker_client *c, const char *const *labels,
			struct docker_network_info **out, size_t *n,
			struct err *e)
{
	return docker_list_by_label(c, &network_list, labels, out, n, e);
}

void docker_network_list_free(struct docker_network_info *list, size_t n)
{
	docker_list_free(&network_list, list, n);
}
