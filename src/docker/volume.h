/*
 * volume.h - named volumes, stable per replica ("orca-<project>-<name>-<n>").
 */
#ifndef ORCA_DOCKER_VOLUME_H
#define ORCA_DOCKER_VOLUME_H

#include "docker/client.h"

struct docker_volume_spec {
	const char *name;
	const char *const *labels;  /* "k=v", NULL-terminated, may be NULL */
	/* "k=v" an existing volume of that name must carry to be reused;
	 * NULL: any existing volume of that name is reused. */
	const char *owner_label;
};

struct docker_volume_info {
	char *name;
	char driver[32];
	char *mountpoint;
	struct docker_labels labels;
};

/* POST /volumes/create (driver local). The engine hands back an existing
 * volume of that name as it is: one without owner_label is ERR_CONFLICT. */
int docker_volume_create(struct docker_client *c,
			 const struct docker_volume_spec *spec, struct err *e);
int docker_volume_inspect(struct docker_client *c, const char *name,
			  struct docker_volume_info *info, struct err *e);
void docker_volume_info_release(struct docker_volume_info *info);
/* ERR_NOTFOUND when missing, ERR_CONFLICT while a container uses it. */
int docker_volume_remove(struct docker_client *c, const char *name, int force,
			 struct err *e);
/* Volumes carrying all labels; free with docker_volume_list_free(). */
int docker_volume_list(struct docker_client *c, const char *const *labels,
		       struct docker_volume_info **out, size_t *n,
		       struct err *e);
void docker_volume_list_free(struct docker_volume_info *list, size_t n);

#endif
