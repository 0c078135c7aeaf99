/*
 * loop.h - the control loop's state, shared by the files of reconcile/.
 *
 * Everything in struct control below "control thread only" is touched by
 * the control thread alone; the rest is set before the threads start or is
 * guarded as noted. Not for use outside reconcile/ (see control.h).
 */
#ifndef ORCA_RECONCILE_LOOP_H
#define ORCA_RECONCILE_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "docker/docker.h"
#include "reconcile/control.h"
#include "reconcile/desired.h"
#include "reconcile/mailbox.h"
#include "reconcile/probe.h"
#include "reconcile/world.h"
#include "store/store.h"

#define LABEL_MANAGED "orca.managed"
#define LABEL_INSTANCE "orca.instance"
#define LABEL_PROJECT "orca.project"
#define LABEL_SERVICE "orca.service"
#define LABEL_REPLICA "orca.replica"
#define LABEL_REVISION "orca.revision"
#define LABEL_SPEC "orca.spec"
#define INTERNAL_NETWORK "orca-internal"
#define STOP_TIMEOUT_S 10

struct reaper;
struct puller;

/* control_create_replica and control_image_for: the image is being pulled
 * again; try once MSG_PULLED came. Not an error. */
#define CONTROL_PULLING 1

/* Per-service progress of one deploy. */
struct deploy_item {
	char project[64];
	char service[64];
	char state[16];              /* pending rolling done failed rolled_back superseded */
	char message[256];
	int64_t revision;
};

struct tracked_deploy {
	int64_t id;
	int64_t started_ms;          /* monotonic */
	struct deploy_item *items;
	size_t nitems;
	char **projects;
	size_t nprojects;
	bool dirty;                  /* progress changed since it was stored */
	char *last_progress;         /* the progress JSON last stored */
};

struct control {
	/* set before the threads start */
	char *data_dir;
	char *key_file;
	char *docker_socket;
	char *node;
	int64_t resync_ms;
	void (*publish)(void *arg, json_t *snapshot);
	void *publish_arg;
	int64_t (*inflight)(void *arg, const char *replica_id);
	void *inflight_arg;
	int (*canary_counts)(void *arg, const char *project, const char *service, int revision,
			     int64_t counts[4]);
	void *canary_counts_arg;
	char instance[40];
	struct mailbox mb;
	pthread_t thread, events_thread;
	bool events_started;
	struct docker_client *ev_dc;   /* events thread's; cancelled by control_stop */
	struct prober *prober;
	struct reaper *reaper;
	struct puller *puller;
	long pull_stall_ms;

	/* snapshot: guarded by snap_mu */
	pthread_mutex_t snap_mu;
	json_t *snapshot;

	/* control thread only */
	struct store *st;
	struct docker_client *dc;
	struct svc **svcs;
	size_t nsvcs, svcs_cap;
	struct config *cluster;        /* cluster.toml of the current cluster revision */
	struct desired *projects;
	size_t nprojects;
	struct tracked_deploy *deploys;
	size_t ndeploys;
	uint64_t probe_keys;
	int64_t next_resync_ms;
	int64_t next_prune_ms;
	int64_t wake_ms;               /* earliest planned wake-up */
	bool dirty;                    /* the snapshot is out of date */
	int64_t engine_down_ms;        /* monotonic: since the engine stopped
					* answering; 0 while it answers (engine.c) */
	int64_t engine_down_unix_ms;   /* the same, for status */
	int64_t engine_retry_ms;       /* when to ask it again */
	char engine_error[512];        /* why it cannot be reached */
	bool adopted;                  /* start-up adoption done (the engine may
					* have been down at start) */
	bool recovering;               /* the resync right after an outage */
	char **networks_ok;            /* networks known to exist */
	size_t nnetworks_ok;
};

/* the control thread (control.c) */
void *control_thread_main(void *arg);

/* svc table (control.c) */
struct svc *control_find_svc(struct control *c, const char *project, const char *name);
struct svc *control_add_svc(struct control *c, const char *project, const char *name);
/* Stores restarts and last error so that a restarted server still shows them. */
void control_save_runtime(struct control *c, const struct svc *s);
struct replica *svc_find_replica(struct svc *s, const char *id, size_t *pos);
struct svc *control_find_by_container(struct control *c, const char *id, size_t *pos);
void control_event(struct control *c, const struct svc *s, int replica,
		   const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void control_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same at level "warn": something failed that the loop will retry. */
void control_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* desired state (project.c) */
int control_load_project(struct control *c, const char *project, struct tracked_deploy *td,
			 struct err *e);
int control_load_all(struct control *c, struct err *e);
int control_load_cluster(struct control *c, struct err *e);
struct desired *control_find_project(struct control *c, const char *project);

/* observing Docker (observe.c) */
/* One more failure in a row (a crash, a create that failed): sets the
 * service's back-off and returns how long the next start waits. */
int64_t control_back_off(struct svc *s);
int control_resync(struct control *c, struct err *e);
void control_on_event(struct control *c, const struct msg *m);
int control_events_start(struct control *c, struct err *e);
void control_events_stop(struct control *c);

/* acting (apply.c) */
int control_create_replica(struct control *c, struct svc *s, int index, struct err *e);
void control_drain_replica(struct control *c, struct svc *s, size_t pos);
void control_remove_replica(struct control *c, struct svc *s, size_t pos, const char *why);
void control_on_removed(struct control *c, const struct msg *m);

/* health (health.c) */
void control_watch_health(struct control *c, struct svc *s, struct replica *r);
void control_unwatch_health(struct control *c, struct replica *r);
void control_on_probe(struct control *c, const struct probe_result *r);

/* deploys (deploys.c, rollback.c) */
struct tracked_deploy *control_find_deploy(struct control *c, int64_t id);
struct deploy_item *deploy_item_of(struct tracked_deploy *td, const struct svc *s);
bool svc_converged(const struct svc *s);
void control_track_deploy(struct control *c, int64_t id);
void control_resume_deploys(struct control *c);
void control_rollout_failed(struct control *c, struct svc *s, const char *reason);
void control_check_deploys(struct control *c);
void control_check_activation(struct control *c);

/* pruning old revisions and deploys (prune.c) */
#define PRUNE_EVERY_MS (10 * 60 * 1000)
void control_prune_project(struct control *c, const char *project);
void control_prune_deploy(struct control *c, const struct tracked_deploy *td);
void control_prune_all(struct control *c);

/* observed-state cache in the store (cache.c) */
void control_cache_sync(struct control *c);
void control_cache_forget(struct control *c, const char *id);
void control_cache_reconcile(struct control *c);

/* status (status.c) */
void control_publish(struct control *c);
/* The names the proxy serves a service under: its `domain`, else
 * <service>.<project>.<cluster domain> when the cluster has a domain and the
 * service a port. Fills up to max into out (borrowed or from buf); returns
 * how many. */
size_t svc_domains(const struct control *c, const struct svc *s, const char **out, size_t max,
		   char *buf, size_t bufsz);
size_t svc_domain_count(const struct control *c, const struct svc *s);

/* the engine's reachability (engine.c) */
bool control_engine_down(const struct control *c);
/* The engine gave no answer: stop acting, say so, ask again later. */
void control_engine_lost(struct control *c, const char *why);
/* control_resync, and an engine that cannot be reached becomes down. */
int control_engine_resync(struct control *c, struct err *e);
/* While down, asks the engine again when due; resyncs when it answers. */
void control_engine_check(struct control *c);
/* {"state": "reachable"} or {"state": "unreachable", "since", "error"}. */
json_t *control_engine_json(const struct control *c);

/* images (image.c) */
/* The reference a new replica of s is created from, in out[n]: the
 * recorded image id while the engine has it, else the digest reference
 * (pulled again first), else the service's reference resolved again.
 * Returns 0, CONTROL_PULLING, or < 0 with e set. */
int control_image_for(struct control *c, struct svc *s, char *out, size_t n, struct err *e);
void control_on_pulled(struct control *c, const struct msg *m);
struct puller *puller_start(const char *docker_socket, long stall_ms, struct mailbox *mb,
			    struct err *e);
void puller_stop(struct puller *p);

/* reaper (reaper.c) */
struct reaper *reaper_start(const char *docker_socket, struct mailbox *mb, struct err *e);
void reaper_stop(struct reaper *r);
/* Disconnects the container from every network, stops it (SIGTERM, then
 * SIGKILL after STOP_TIMEOUT_S) and removes it; posts MSG_REMOVED. */
void reaper_remove(struct reaper *r, const char *id);

#endif
