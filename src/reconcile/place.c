/*
 * place.c - the scheduler's verdict for one more replica on this node.
 */
#include "reconcile/place.h"

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/loop.h"
#include "sched/scheduler.h"

static int add_running(struct scheduler *sch, const struct svc *s, const char *node,
		       struct err *e)
{
	struct scheduler_request req;
	int rc = 0;

	if (s->spec == NULL)
		return 0;
	scheduler_request_from_service(&req, s->spec);
	for (size_t i = 0; rc == 0 && i < s->nreplicas; i++) {
		const struct replica *r = &s->replicas[i];

		if (r->gone || r->phase == REPLICA_EXITED)
			continue;
		rc = scheduler_add(sch, &req, node, 0, e);
	}
	return rc;
}

int place_check(struct control *c, const struct svc *s, struct err *e)
{
	struct scheduler_host host = { 0 };
	struct scheduler *sch = NULL;
	struct scheduler_request req;
	struct scheduler_placement pl;
	int rc;

	if (c->cluster->cluster.nnodes > 0 && config_find_node(c->cluster, c->node) == NULL)
		return err_set(e, ERR_CONFLICT, "this server is node '%s', which cluster.toml "
			       "does not declare (start it with --node NAME)", c->node);
	scheduler_host_detect(&host);
	host.name = c->node;
	rc = scheduler_new_from_config(&sch, c->cluster, &host, e);
	for (size_t i = 0; rc == 0 && i < c->nsvcs; i++)
		rc = add_running(sch, c->svcs[i], c->node, e);
	if (rc == 0) {
		scheduler_request_from_service(&req, s->spec);
		rc = scheduler_place(sch, &req, 1, &pl, e);
	}
	if (rc == 0 && strcmp(pl.node_name, c->node) != 0)
		rc = err_set(e, ERR_CONFLICT, "placed on node '%s', but this server is node '%s' "
			     "and orca runs replicas on one node for now", pl.node_name, c->node);
	scheduler_free(sch);
	return rc;
}

static unsigned group_id(const char *name, bool *found)
{
	struct group gr, *res = NULL;
	char buf[4096];

	*found = getgrnam_r(name, &gr, buf, sizeof(buf), &res) == 0 && res != NULL;
	return *found ? (unsigned)res->gr_gid : 0;
}

int place_gpu(const struct service *sp, struct docker_container_spec *cs,
	      unsigned gids[2], struct err *e)
{
	static const char *const groups[] = { "video", "render" };
	size_t n = 0;

	(void)e;
	switch (sp->gpu.vendor) {
	case GPU_NONE:
		return 0;
	case GPU_NVIDIA:
		cs->gpu.vendor = DOCKER_GPU_NVIDIA;
		cs->gpu.count = sp->gpu.count;
		return 0;
	case GPU_AMD:
		for (int i = 0; i < 2; i++) {
			bool found;
			unsigned gid = group_id(groups[i], &found);

			if (found)
				gids[n++] = gid;
		}
		cs->gpu.vendor = DOCKER_GPU_AMD;
		cs->gpu.count = sp->gpu.count;
		cs->gpu.group_ids = gids;
		cs->gpu.ngroup_ids = n;
		return 0;
	}
	return 0;
}
