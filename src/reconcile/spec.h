/*
 * spec.h - what a revision records about each service beside its source.
 *
 * A project revision is the service.toml text plus a small JSON document of
 * per-service facts ("meta"): the spec hash that names the container
 * generation, the image id the deploy resolved, and the overrides that
 * lifecycle commands add without editing the user's file (a replica count
 * from `orca scale`/`orca stop`, a restart generation from `orca restart`,
 * and `from_revision`, which takes the service's definition from an older
 * revision for `orca rollback` and automatic rollbacks).
 *
 *	{"services": {"api": {"hash": "9f0c3a6b5e2d1f47", "image_id": "sha256:...",
 *	                      "image_digest": "reg/api@sha256:...",
 *	                      "replicas": 5, "restart": 1, "from_revision": 3}}}
 *
 * The hash covers what a container is made of (image id, command, env with
 * the update time of each secret it uses, port, volumes, resources,
 * aliases, internal, restart generation), not what can change without new
 * containers (replicas, deploy policy, health check, domains, placement).
 * Pure, apart from libsodium's hash.
 */
#ifndef ORCA_RECONCILE_SPEC_H
#define ORCA_RECONCILE_SPEC_H

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "config/model.h"
#include "reconcile/world.h"

#define SPEC_META_MAX (1 << 20)
/* "repository@sha256:<64 hex>": DOCKER_DIGEST_REF_SIZE */
#define SPEC_DIGEST_REF_SIZE 336

struct svc_meta {
	char *name;
	char hash[SPEC_HASH_LEN + 1];
	char image_id[80];       /* "" when none (wasm) */
	char image_digest[SPEC_DIGEST_REF_SIZE]; /* "repo@sha256:...", "" when
				  * the engine knew none (built here) */
	int replicas;            /* -1: as written in the source */
	int restart;             /* restart generation, 0 none */
	int64_t from_revision;   /* 0: the revision's own source */
};

struct rev_meta {
	struct svc_meta *items;
	size_t len, cap;
};

/* secret_stamps: "NAME@updated_ms;..." of the secrets the env uses, or "". */
void spec_hash(const struct service *s, const char *image_id, int restart,
	       const char *secret_stamps, char out[SPEC_HASH_LEN + 1]);

/* The names of the secrets a service's env refers to, each once, in order
 * of first use, as a malloc'd NULL-terminated array (free with
 * spec_names_free). */
char **spec_secret_names(const struct service *s);
void spec_names_free(char **names);

struct svc_meta *rev_meta_find(struct rev_meta *m, const char *name);
/* Adds (or returns the existing) entry for name, with replicas -1. */
struct svc_meta *rev_meta_add(struct rev_meta *m, const char *name);
void rev_meta_remove(struct rev_meta *m, const char *name);
void rev_meta_release(struct rev_meta *m);
void rev_meta_copy(struct rev_meta *dst, const struct rev_meta *src);
/* Malloc'd compact JSON text with sorted keys. */
char *rev_meta_text(const struct rev_meta *m);
/* Parses the text stored with a revision; NULL or "" gives an empty meta. */
int rev_meta_parse(const char *text, struct rev_meta *m, struct err *e);
/* The older revisions m takes definitions from (from_revision), as a
 * malloc'd array of *n numbers (NULL when none): a new revision's "uses". */
void rev_meta_uses(const struct rev_meta *m, int64_t **out, size_t *n);
/* The same from a stored meta text (store_refs_fn, for pruning); a text
 * that does not parse refers to nothing. */
void rev_meta_refs(const char *spec, int64_t **out, size_t *n);

#endif
