/*
 * place.h - where a new replica may run, and what its GPUs need from Docker.
 *
 * orca runs on one node for now: every replica runs on this server's node.
 * place_check() asks the scheduler whether one more replica of a service
 * fits there next to every replica already running, and says why not.
 */
#ifndef ORCA_RECONCILE_PLACE_H
#define ORCA_RECONCILE_PLACE_H

#include "base/err.h"
#include "config/model.h"
#include "docker/docker.h"

struct control;
struct svc;

int place_check(struct control *c, const struct svc *s, struct err *e);
/* Fills cs->gpu from the service's GPU request; gids receives the host's
 * 'video' and 'render' group ids for AMD (missing groups are skipped). */
int place_gpu(const struct service *sp, struct docker_container_spec *cs,
	      unsigned gids[2], struct err *e);

#endif
