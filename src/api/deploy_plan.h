/*
 * deploy_plan.h - everything a deploy must prove before anything changes.
 *
 * A deploy is accepted only when every file is valid, every replica of every
 * project can be placed, and each service of the deployed projects has its
 * image (pulled when missing) and every secret it names. The plan also says
 * what changes per service, and carries the revision meta to record.
 */
#ifndef ORCA_API_DEPLOY_PLAN_H
#define ORCA_API_DEPLOY_PLAN_H

#include <stdbool.h>

#include <jansson.h>

#include "api/ctx.h"
#include "config/load.h"
#include "reconcile/spec.h"

#define DEPLOY_MAX_PROJECTS 256

struct deploy_project {
	const char *name;            /* borrowed from the request body */
	const char *file;
	const char *source;
	bool changed;
	int64_t base;                /* the current revision it was planned from */
	struct rev_meta meta;        /* what to record with the new revision */
};

/* The outcome of one image's pull, made before the deploy lock. */
struct deploy_image {
	char *ref;
	char *error;                 /* NULL: present on the engine */
};

struct deploy_images {
	struct deploy_image *items;
	size_t n;
};

struct deploy_plan {
	json_t *body;                /* the request (owned) */
	const struct deploy_images *images;  /* pulled beforehand; borrowed,
					      * may be NULL */
	bool dry_run;
	const char *cluster_file;
	const char *cluster_source;  /* NULL: keep the stored one */
	char *stored_cluster;        /* the current cluster revision's text */
	int64_t cluster_base;        /* and its number; 0: none */
	bool cluster_changed;
	struct deploy_project *projects;
	size_t nprojects;
	struct config *cfg;          /* every project: deployed and stored */
	struct diags diags;          /* invalid files */
	json_t *problems;            /* [{"service", "message"}]: cannot be satisfied */
	json_t *changes;             /* [{"service", "change", "revision"}] */
};

/* Takes body. Fails with ERR_INVALID for a malformed request. */
int deploy_plan_parse(struct deploy_plan *p, json_t *body, struct err *e);
/* Builds the config of the whole cluster and validates it (diags). */
int deploy_plan_build(struct api *a, struct deploy_plan *p, struct err *e);
/* Validates, places and checks images and secrets; fills diags, problems
 * and changes. Returns < 0 only when it could not check (store, Docker). */
int deploy_plan_check(struct api *a, struct deploy_plan *p, const char *node,
		      struct err *e);
void deploy_plan_release(struct deploy_plan *p);

/*
 * Pulls the missing images of the container services of body's projects
 * (deploy_images.c). Call it without the deploy lock: pulls may take up to
 * the pull stall deadline. Failures are recorded per image, never
 * returned; an invalid body is left to the locked pass to report.
 */
int deploy_images_fetch(struct api *a, json_t *body, struct deploy_images *imgs,
			struct err *e);
const struct deploy_image *deploy_images_find(const struct deploy_images *imgs,
					      const char *ref);
void deploy_images_release(struct deploy_images *imgs);

/* Details for an invalid_config reply. */
json_t *deploy_plan_diags_json(const struct deploy_plan *p);
/* Keys of the request's files that have no effect yet, for the reply. */
json_t *deploy_plan_warnings_json(const struct deploy_plan *p);

#endif
