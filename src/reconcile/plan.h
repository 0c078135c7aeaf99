/*
 * plan.h - deciding what to do next for one service. Pure: no I/O, no clock.
 *
 * plan_service() compares a service's desired spec with its observed
 * replicas and lists the actions that move it closer: create a replica at an
 * index, drain or remove a container, or declare the rollout failed. The
 * control loop executes the actions, observes the result and plans again;
 * planning twice on the same input gives the same actions.
 *
 * Rules, in order:
 *  - exited and created-but-never-started containers are removed; a replica
 *    of the desired spec that exits during a rollout fails the rollout;
 *  - replicas at an index >= replicas (scale down), duplicates at an index,
 *    and outdated replicas whose replacement is healthy are retired: drained
 *    when they serve, removed otherwise;
 *  - an index with only an outdated replica gets a replacement while fewer
 *    than max_surge indexes are mid-replacement; with no surge left, up to
 *    max_unavailable outdated replicas are retired first;
 *  - an empty index gets a replica once the service's dependencies are
 *    ready and its crash back-off has passed;
 *  - during a canary (svc.canary) the outdated replicas stay: the lowest
 *    canary_weight percent of the indexes (at least one) get a replica of
 *    the new spec beside them, and nothing is retired until promoted;
 *  - a replacement that turns unhealthy, or is not healthy within
 *    RECONCILE_READY_DEADLINE_MS after its start period, fails the rollout; outside a rollout an
 *    unhealthy replica is removed so that it is replaced.
 */
#ifndef ORCA_RECONCILE_PLAN_H
#define ORCA_RECONCILE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "reconcile/world.h"

enum action_kind {
	ACTION_CREATE,   /* index: start a replica of the desired spec */
	ACTION_DRAIN,    /* replica: stop advertising it, remove after the drain */
	ACTION_REMOVE,   /* replica: remove now */
	ACTION_FAIL,     /* the rollout failed; reason says why */
};

struct action {
	enum action_kind kind;
	int index;           /* ACTION_CREATE */
	size_t replica;      /* ACTION_DRAIN, ACTION_REMOVE: position in svc->replicas */
	char reason[224];
};

struct plan {
	struct action *items;
	size_t len, cap;
	int64_t wake_ms;     /* when planning again could differ without new input; 0: never */
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);
void plan_service(const struct svc *s, int64_t now_ms, struct plan *p);
const char *action_kind_name(enum action_kind k);

#endif
