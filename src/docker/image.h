/*
 * image.h - images: is it here (inspect), fetch it (pull), both (ensure).
 *
 * References are what users write: "shop/api:1", "redis", "repo@sha256:..".
 * A reference without tag or digest means ":latest" (never "all tags").
 */
#ifndef ORCA_DOCKER_IMAGE_H
#define ORCA_DOCKER_IMAGE_H

#include <stdint.h>

#include "docker/client.h"

struct docker_image_info {
	char id[DOCKER_ID_SIZE];     /* "sha256:..." */
	int64_t size_bytes;
	struct docker_labels labels; /* Config.Labels */
};

/* Progress of a pull: layer id ("" for the image) and status text, both
 * borrowed for the call ("Downloading", "Pull complete"). */
typedef void (*docker_pull_fn)(void *arg, const char *layer, const char *status);

/*
 * GET /images/{ref}/json. ERR_NOTFOUND: "image 'x' not found locally".
 * info may be NULL (existence check); else release it.
 */
int docker_image_inspect(struct docker_client *c, const char *ref,
			 struct docker_image_info *info, struct err *e);
void docker_image_info_release(struct docker_image_info *info);

/*
 * POST /images/create, reading the progress stream to its end (progress may
 * be NULL). An unreachable registry gives ERR_UNAVAILABLE, "image 'x':
 * pull: the registry could not be reached: ..."; an image the registry does
 * not have gives ERR_NOTFOUND.
 */
int docker_image_pull(struct docker_client *c, const char *ref,
		      docker_pull_fn progress, void *arg, struct err *e);

/*
 * Inspect, else pull. A failed pull reads "image 'shop/api:1' not found
 * locally and the registry could not be reached: ...". id (may be NULL)
 * gets the image id.
 */
int docker_image_ensure(struct docker_client *c, const char *ref,
			docker_pull_fn progress, void *arg,
			char id[DOCKER_ID_SIZE], struct err *e);

/*
 * Pure, exposed for tests: splits ref into repository and tag (or digest,
 * "sha256:..."), each malloc'd; a missing tag is "latest".
 */
void docker_image_ref_split(const char *ref, char **repo, char **tag);

#endif
