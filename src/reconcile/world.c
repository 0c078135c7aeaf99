/*
 * world.c - small queries over struct svc and struct replica.
 */
#include "reconcile/world.h"

#include <string.h>

bool replica_serving(const struct replica *r)
{
	return !r->gone && r->phase == REPLICA_RUNNING && r->health == HEALTH_HEALTHY;
}

void svc_counts(const struct svc *s, struct svc_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->desired = s->spec ? s->spec->replicas : 0;
	for (size_t i = 0; i < s->nreplicas; i++) {
		const struct replica *r = &s->replicas[i];

		if (r->gone)
			continue;
		if (r->phase == REPLICA_DRAINING) {
			c->draining++;
			continue;
		}
		if (r->phase != REPLICA_RUNNING)
			continue;
		c->running++;
		if (r->health == HEALTH_HEALTHY)
			c->healthy++;
		if (s->spec == NULL || strcmp(r->spec_hash, s->spec_hash) != 0)
			c->outdated++;
	}
}

const char *replica_phase_name(enum replica_phase p)
{
	switch (p) {
	case REPLICA_CREATED: return "created";
	case REPLICA_RUNNING: return "running";
	case REPLICA_EXITED: return "exited";
	case REPLICA_DRAINING: return "draining";
	}
	return "?";
}

const char *replica_health_name(enum replica_health h)
{
	switch (h) {
	case HEALTH_STARTING: return "starting";
	case HEALTH_HEALTHY: return "healthy";
	case HEALTH_UNHEALTHY: return "unhealthy";
	}
	return "?";
}
