/*
 * ctx.h - what every API handler shares: the control loop, and per-thread
 * connections to the store and to Docker (a connection thread keeps its own
 * for as long as it lives; they are closed when the thread ends).
 */
#ifndef ORCA_API_CTX_H
#define ORCA_API_CTX_H

#include <pthread.h>

#include <jansson.h>

#include "api/http.h"
#include "api/router.h"
#include "docker/docker.h"
#include "reconcile/control.h"
#include "store/store.h"

#define API_CLUSTER_SCOPE "_cluster"   /* the cluster-wide secrets scope in paths */

struct tls;
struct proxy;
struct cluster_srv;

struct api {
	struct control *control;
	struct tls *tls;               /* set once, atomically, after control starts */
	struct proxy *proxy;           /* the reverse proxy (proxy/proxy.h) */
	struct cluster_srv *cluster;   /* the nodes that joined; set before the API serves */
	char *data_dir;
	char *key_file;                /* the master key; NULL: in data_dir */
	char *docker_socket;
	long pull_stall_ms;            /* for every handler's Docker client */
	pthread_mutex_t deploy_mu;     /* one deploy or lifecycle change at a time */
	pthread_key_t store_key;
	pthread_key_t docker_key;
};

int api_ctx_init(struct api *a, const char *data_dir, const char *docker_socket,
		 struct err *e);
void api_ctx_release(struct api *a);
/* This thread's store / Docker client, opened on first use. Borrowed. */
struct store *api_store(struct api *a, struct err *e);
struct docker_client *api_docker(struct api *a, struct err *e);

/* The service object of the status snapshot (a new reference), or NULL
 * with a 404-worthy error. */
json_t *api_find_service(struct api *a, const char *project, const char *service,
			 struct err *e);
json_t *api_find_project(struct api *a, const char *project, struct err *e);

/* Route tables, one per file. */
int api_routes_status(struct router *r, struct api *a, struct err *e);
int api_routes_deploy(struct router *r, struct api *a, struct err *e);
int api_routes_lifecycle(struct router *r, struct api *a, struct err *e);
int api_routes_logs(struct router *r, struct api *a, struct err *e);
int api_routes_events(struct router *r, struct api *a, struct err *e);
int api_routes_secrets(struct router *r, struct api *a, struct err *e);
int api_routes_nodes(struct router *r, struct api *a, struct err *e);

#endif
