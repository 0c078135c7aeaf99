/*
 * world.h - what the control loop knows about one service and its replicas.
 *
 * A struct svc pairs the desired spec of a service (from a project revision)
 * with the replicas observed in Docker. It is owned by the control-loop
 * thread; other threads see it only through the status snapshot.
 *
 * Replica lifecycle:  created -> running (starting -> healthy | unhealthy)
 *                     -> draining -> removed,  or  running -> exited -> removed.
 * A draining replica is healthy but no longer counted or advertised; it is
 * removed once drain_until has passed, so that clients that still hold its
 * address finish their requests first.
 */
#ifndef ORCA_RECONCILE_WORLD_H
#define ORCA_RECONCILE_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "config/model.h"

#define SPEC_HASH_LEN 16
#define RECONCILE_DRAIN_MS 1500        /* time a leaving replica keeps serving when no
					* proxy counts its requests */
#define RECONCILE_DRAIN_POLL_MS 50     /* how often a proxy-drained replica is looked at */
#define RECONCILE_READY_DEADLINE_MS 120000  /* a new replica must be healthy by then */
#define RECONCILE_BACKOFF_MAX_MS 30000
#define RECONCILE_STABLE_MS 10000      /* a replica that ran healthy this long and then
					* died was not crash-looping: replace it at once */

enum replica_phase {
	REPLICA_CREATED,      /* exists in Docker, not started */
	REPLICA_RUNNING,
	REPLICA_EXITED,
	REPLICA_DRAINING,
};

enum replica_health {
	HEALTH_STARTING,      /* no verdict yet */
	HEALTH_HEALTHY,
	HEALTH_UNHEALTHY,
};

struct replica {
	char id[80];                   /* Docker container id */
	char name[160];
	int index;                     /* orca.replica */
	int revision;                  /* orca.revision: the revision that created it */
	char spec_hash[SPEC_HASH_LEN + 1];
	enum replica_phase phase;
	enum replica_health health;
	char ip[64];                   /* on the project network, "" until known */
	int64_t created_ms;            /* monotonic: when orca made or adopted it */
	int64_t started_at_ms;         /* unix ms from Docker; 0 unknown */
	int64_t drain_until_ms;        /* REPLICA_DRAINING only: removed by then at the latest */
	bool drain_by_proxy;           /* the proxy's in-flight count ends the drain */
	bool drained;                  /* ... and it was 0 when last looked at */
	int ok_streak, fail_streak;    /* counted probe results in a row */
	char last_probe[160];          /* detail of the last probe */
	bool last_probe_ok;
	int64_t last_probe_ms;
	int exit_code;                 /* REPLICA_EXITED */
	bool oom_killed;
	uint64_t probe_key;            /* 0: not probed */
	bool gone;                     /* being removed; id[0] == 0 once Docker has no trace */
	bool seen;                     /* scratch for resync */
	char cached[256];              /* the state last written to the observed cache */
};

struct svc {
	char *project;
	char *name;
	struct service *spec;          /* desired; NULL: the service is going away */
	char spec_hash[SPEC_HASH_LEN + 1];
	int revision;                  /* project revision the spec comes from */
	struct replica *replicas;
	size_t nreplicas, cap;
	bool rolling;                  /* a deploy is changing this service */
	int64_t rolling_since_ms;
	bool deps_ready;               /* every depends_on target has a healthy replica */
	int crashes;                   /* in a row, for the back-off */
	int64_t backoff_until_ms;
	int64_t last_crash_ms;         /* monotonic */
	int restarts;                  /* replicas replaced after a crash, ever */
	char last_error[512];
	int64_t deploy_id;             /* the deploy rolling it, 0 none */
	bool failed;                   /* its last rollout failed with nothing to roll back to */
	bool pulling;                  /* its image is being pulled again (image.c) */
	char pulling_ref[336];         /* that pull's reference */
	char resolved_id[80];          /* image id its reference was last resolved to
					* again, after the recorded one went away */
	bool canary;                   /* a canary deploy holds: replicas of the new revision
					* serve beside the stable ones until promoted */
};

/* The replica counts a status line shows; all of them observed. */
struct svc_counts {
	int desired, running, healthy, draining, outdated;
};

void svc_counts(const struct svc *s, struct svc_counts *c);
bool replica_serving(const struct replica *r);
const char *replica_phase_name(enum replica_phase p);
const char *replica_health_name(enum replica_health h);

#endif
