/*
 * container.h - containers: create from a spec, start, stop, kill, remove,
 * inspect, list by label.
 *
 * orca heals containers itself, so every container is created with
 * RestartPolicy "no", an init process (signals and zombies handled), and
 * rotated json-file logs. Names and ids are interchangeable wherever the
 * engine accepts either.
 */
#ifndef ORCA_DOCKER_CONTAINER_H
#define ORCA_DOCKER_CONTAINER_H

#include <stdint.h>

#include <jansson.h>

#include "docker/client.h"

struct docker_mount {
	const char *volume;          /* named volume */
	const char *target;          /* path in the container */
	int read_only;
};

enum docker_gpu_vendor {
	DOCKER_GPU_NONE = 0,
	DOCKER_GPU_NVIDIA,           /* HostConfig.DeviceRequests */
	DOCKER_GPU_AMD,              /* /dev/kfd, /dev/dri and GroupAdd */
};

struct docker_gpu {
	enum docker_gpu_vendor vendor;
	int count;                   /* NVIDIA: GPUs wanted, -1 for all */
	const unsigned *group_ids;   /* AMD: host gids of 'video', 'render' */
	size_t ngroup_ids;
};

/* All pointers are borrowed for the call. Lists are NULL-terminated and
 * may be NULL; zero means "not set" for numbers. */
struct docker_container_spec {
	const char *name;
	const char *image;
	const char *const *cmd;      /* argv; NULL: the image's CMD */
	const char *const *env;      /* "K=V" */
	const char *const *labels;   /* "k=v" */
	const char *hostname;
	int64_t memory_bytes;        /* hard limit, swap included */
	int64_t cpu_millis;          /* 1000 = one CPU -> NanoCpus */
	const struct docker_mount *mounts;
	size_t nmounts;
	const char *network;         /* primary network, joined at create */
	const char *const *aliases;  /* DNS aliases on that network */
	int port;                    /* exposed tcp port */
	int host_port;               /* published on the host; 0: not at all */
	const char *host_ip;         /* where host_port listens; NULL: all */
	struct docker_gpu gpu;
	int stop_timeout_s;          /* SIGTERM to SIGKILL; 0: engine default */
	int64_t log_max_size_bytes;  /* per json-file log; 0: 10 MiB */
	int log_max_files;           /* 0: 3 */
};

/*
 * The body of POST /containers/create for spec: a new reference the caller
 * decrefs. Pure; exposed so tests can assert the exact request.
 */
json_t *docker_container_create_body(const struct docker_container_spec *spec);

/* Creates the container (not started); id may be NULL. A taken name is
 * ERR_CONFLICT, a missing image ERR_NOTFOUND. */
int docker_container_create(struct docker_client *c,
			    const struct docker_container_spec *spec,
			    char id[DOCKER_ID_SIZE], struct err *e);
/* Already running is success. */
int docker_container_start(struct docker_client *c, const char *container,
			   struct err *e);
/* SIGTERM (or the image's stop signal), SIGKILL after timeout_s; already
 * stopped is success. The request waits as long as the stop does. */
int docker_container_stop(struct docker_client *c, const char *container,
			  int timeout_s, struct err *e);
/* signal: "SIGKILL", "HUP", "9"; NULL is SIGKILL. Not running: ERR_CONFLICT. */
int docker_container_kill(struct docker_client *c, const char *container,
			  const char *signal, struct err *e);
/* force: kill it first if running; volumes: drop its anonymous volumes
 * (named ones stay). Missing: ERR_NOTFOUND. */
int docker_container_remove(struct docker_client *c, const char *container,
			    int force, int volumes, struct err *e);

struct docker_container_state {
	char status[16];             /* created running paused restarting
				      * removing exited dead */
	int running;
	int paused;
	int restarting;
	int oom_killed;
	int dead;
	int pid;                     /* 0 when not running */
	int exit_code;
	char started_at[40];         /* RFC 3339, "0001-01-01T00:00:00Z" never */
	char finished_at[40];
	char health[16];             /* starting healthy unhealthy, "" none */
	char *error;                 /* the engine's start error, "" none */
};

struct docker_container_net {
	char *network;               /* network name */
	char network_id[DOCKER_ID_SIZE];
	char ip[48];                 /* IPv4 address, "" when none */
};

struct docker_container_info {
	char id[DOCKER_ID_SIZE];
	char *name;                  /* without the leading '/' */
	char *image;                 /* as created: "shop/api:1" */
	char image_id[DOCKER_ID_SIZE];
	char *hostname;
	struct docker_labels labels;
	struct docker_container_state state;
	int restart_count;
	int64_t memory_bytes;        /* HostConfig.Memory */
	int64_t nano_cpus;           /* HostConfig.NanoCpus */
	struct docker_container_net *nets;
	size_t nnets;
};

/* GET /containers/{id}/json; release info after success. */
int docker_container_inspect(struct docker_client *c, const char *container,
			     struct docker_container_info *info,
			     struct err *e);
void docker_container_info_release(struct docker_container_info *info);

struct docker_container_summary {
	char id[DOCKER_ID_SIZE];
	char *name;                  /* without the leading '/' */
	char *image;
	char image_id[DOCKER_ID_SIZE];
	char state[16];              /* "running", "exited", ... */
	char *status;                /* "Up 3 minutes", "Exited (0) 2 s ago" */
	int64_t created_unix;
	struct docker_labels labels;
	struct docker_container_net *nets;
	size_t nnets;
};

/* All containers (running or not) carrying every label ("k=v" or "k");
 * free with docker_container_list_free(). */
int docker_container_list(struct docker_client *c, const char *const *labels,
			  struct docker_container_summary **out, size_t *n,
			  struct err *e);
void docker_container_list_free(struct docker_container_summary *list,
				size_t n);

/* Pure parsers of inspect and list JSON, exposed for tests. */
void docker_container_info_parse(struct docker_container_info *info,
				 const json_t *j);
void docker_container_summary_parse(struct docker_container_summary *s,
				    const json_t *j);

#endif
