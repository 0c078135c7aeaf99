/*
 * volume.c - volume create (idempotent for orca's own), inspect, remove,
 * list by label.
 */
#include "docker/volume.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "docker/internal.h"

static void parse_info(void *record, const json_t *j)
{
	struct docker_volume_info *info = record;

	memset(info, 0, sizeof(*info));
	info->name = docker_json_dup(j, "Name");
	docker_json_copy(info->driver, sizeof(info->driver), j, "Driver");
	info->mountpoint = docker_json_dup(j, "Mountpoint");
	docker_labels_from_json(&info->labels, json_object_get(j, "Labels"));
}

void docker_volume_info_release(struct docker_volume_info *info)
{
	free(info->name);
	free(info->mountpoint);
	docker_labels_release(&info->labels);
	info->name = info->mountpoint = NULL;
}

static void release_info(void *record)
{
	docker_volume_info_release(record);
}

/* GET /volumes answers {"Volumes": [...] or null, "Warnings": ...}. */
static const struct docker_list_type volume_list = {
	.path = "/volumes", .member = "Volumes", .what = "volumes",
	.size = sizeof(struct docker_volume_info),
	.parse = parse_info, .release = release_info,
};

int docker_volume_create(struct docker_client *c,
			 const struct docker_volume_spec *spec, struct err *e)
{
	json_t *body = json_pack("{s:s, s:s, s:o}", "Name", spec->name,
				 "Driver", "local",
				 "Labels", docker_kv_object(spec->labels));
	struct docker_request rq = { .method = "POST", .path = "/volumes/create",
				     .body = body };
	json_t *out = NULL;
	int rc = docker_call(c, &rq, NULL, &out, e);

	/* An existing volume comes back as it is, with its own labels. */
	if (rc == 0 && spec->owner_label &&
	    !docker_labels_has(json_object_get(out, "Labels"), spec->owner_label))
		rc = err_set(e, ERR_CONFLICT,
			     "volume '%s' already exists and is not orca's (no label %s)",
			     spec->name, spec->owner_label);
	else if (rc < 0)
		err_wrap(e, "volume '%s': create", spec->name);
	json_decref(out);
	json_decref(body);
	return rc;
}

static char *volume_path(const char *name, int force)
{
	char *esc = docker_url_escape(name);
	char *path = xasprintf("/volumes/%s%s", esc, force ? "?force=1" : "");

	free(esc);
	return path;
}

int docker_volume_inspect(struct docker_client *c, const char *name,
			  struct docker_volume_info *info, struct err *e)
{
	char *path = volume_path(name, 0);
	struct docker_request rq = { .path = path };
	json_t *j = NULL;
	int rc = docker_call(c, &rq, NULL, &j, e);

	if (rc == 0)
		parse_info(info, j);
	else
		err_wrap(e, "volume '%s': inspect", name);
	json_decref(j);
	free(path);
	return rc;
}

int docker_volume_remove(struct docker_client *c, const char *name, int force,
			 struct err *e)
{
	char *path = volume_path(name, force);
	struct docker_request rq = { .method = "DELETE", .path = path };
	int rc = docker_call(c, &rq, NULL, NULL, e);

	free(path);
	return rc < 0 ? err_wrap(e, "volume '%s': remove", name) : 0;
}

int docker_volume_list(struct docker_client *c, const char *const *labels,
		       struct docker_volume_info **out, size_t *n,
		       struct err *e)
{
	return docker_list_by_label(c, &volume_list, labels, out, n, e);
}

void docker_volume_list_free(struct docker_volume_info *list, size_t n)
{
	docker_list_free(&volume_list, list, n);
}
