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
	char **repo_digests;         /* "repo@sha256:..." of the registry
				      * manifests it came from, NULL-terminated;
				      * none for an image built here */
};

/* Longest "repository@sha256:<64 hex>" (a name is at most 255 bytes). */
#define DOCKER_DIGEST_REF_SIZE 336

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
 * The registry reference of ref's image: the entry of info->repo_digests
 * whose repository is ref's ("127.0.0.1:5000/shop/api:1" ->
 * "127.0.0.1:5000/shop/api@sha256:..."), or ref itself when it names a
 * digest. ERR_NOTFOUND when the engine knows none (built or imported here,
 * or pushed under another name only).
 */
int docker_image_digest_ref(const struct docker_image_info *info,
			    const char *ref, char out[DOCKER_DIGEST_REF_SIZE]);

/*
 * POST /images/create, reading the progress stream to its end (progress may
 * be NULL). An unreachable registry gives ERR_UNAVAILABLE, "image 'x':
 * pull: the registry could not be reached: ..."; an image the registry does
 * not have gives ERR_NOTFOUND; no progress for the client's pull stall
 * time gives ERR_TIMEOUT, "image 'x': pull made no progress for 60 s ...".
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
