/*
 * deploy_images.c - a deploy's image pulls, done before the deploy lock.
 *
 * A pull can take minutes (or stall until its deadline, --pull-stall), and
 * the deploy lock serialises every deploy, scale, stop and rollback: so a
 * deploy first pulls what its projects' container services need, with no
 * lock held, and only then takes the lock to plan and record. Under the
 * lock, deploy_check.c looks again (inspect only, never a pull): an image
 * removed in between is a problem of the deploy, not a reason to pull
 * while others wait.
 */
#include "api/deploy_plan.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static struct deploy_image *add(struct deploy_images *imgs, const char *ref)
{
	struct deploy_image *it;

	for (size_t i = 0; i < imgs->n; i++)
		if (strcmp(imgs->items[i].ref, ref) == 0)
			return NULL;
	imgs->items = xrealloc(imgs->items, (imgs->n + 1) * sizeof(*imgs->items));
	it = &imgs->items[imgs->n++];
	it->ref = xstrdup(ref);
	it->error = NULL;
	return it;
}

static void fetch_project(struct docker_client *dc, const struct project *proj,
			  struct deploy_images *imgs)
{
	for (size_t i = 0; proj && i < proj->nservices; i++) {
		const struct service *s = &proj->services[i];
		struct deploy_image *it;
		struct err e = { 0 };

		if (s->runtime != RUNTIME_CONTAINER || s->image == NULL)
			continue;
		it = add(imgs, s->image);
		if (it && docker_image_ensure(dc, s->image, NULL, NULL, NULL, &e) < 0)
			it->error = xstrdup(e.msg);
	}
}

int deploy_images_fetch(struct api *a, json_t *body, struct deploy_images *imgs,
			struct err *e)
{
	struct docker_client *dc = api_docker(a, e);
	struct deploy_plan p;
	int rc;

	memset(imgs, 0, sizeof(*imgs));
	if (dc == NULL)
		return ERR_FAIL;
	rc = deploy_plan_parse(&p, json_incref(body), e);
	if (rc == 0)
		rc = deploy_plan_build(a, &p, e);
	/* an invalid request or config is reported by the locked pass */
	for (size_t i = 0; rc == 0 && p.diags.len == 0 && i < p.nprojects; i++)
		fetch_project(dc, config_find_project(p.cfg, p.projects[i].name), imgs);
	deploy_plan_release(&p);
	err_clear(e);
	return 0;
}

const struct deploy_image *deploy_images_find(const struct deploy_images *imgs,
					      const char *ref)
{
	for (size_t i = 0; imgs && i < imgs->n; i++)
		if (strcmp(imgs->items[i].ref, ref) == 0)
			return &imgs->items[i];
	return NULL;
}

void deploy_images_release(struct deploy_images *imgs)
{
	for (size_t i = 0; i < imgs->n; i++) {
		free(imgs->items[i].ref);
		free(imgs->items[i].error);
	}
	free(imgs->items);
	memset(imgs, 0, sizeof(*imgs));
}
