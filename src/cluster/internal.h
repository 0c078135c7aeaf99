/*
 * internal.h - what the files of src/cluster/ share; not for use outside.
 *
 * struct cluster: options and paths are set before threads start. The
 * member table and the store connection are guarded by mu; the ticker
 * thread and the listener's workers take it briefly and never call out
 * (to the store excepted) while holding it.
 */
#ifndef ORCA_CLUSTER_INTERNAL_H
#define ORCA_CLUSTER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "agent/inventory.h"
#include "docker/client.h"
#include "cluster/cluster.h"

struct http_server;
struct router;
struct store;

#define MEMBERS_MAX 256

struct member {
	char name[64];
	char serial[65];              /* the certificate it must present */
	char address[64];
	char source[64];              /* the address it joined from */
	bool draining;
	bool local;                   /* the server's own node */
	json_t *labels;               /* the agent's --label, an object */
	struct inventory inv;
	bool has_inv;
	char version[32];
	int64_t joined_at_ms;         /* unix ms */
	int64_t seen_ms;              /* monotonic: last heartbeat (or server start) */
	bool heard;                   /* a heartbeat since this server started */
	bool up;
	int64_t down_since_ms;        /* monotonic, 0 when up */
	int64_t stored_seen_ms;       /* monotonic: seen_at last written to the store */

	/* its engine's swarm membership, from its heartbeats (swarm.c) */
	char swarm_node[DOCKER_ID_SIZE];
	char swarm_cluster[DOCKER_ID_SIZE];
	bool swarm_manager;
	int64_t swarm_join_sent_ms;   /* monotonic, 0: never */

	/* instructions to the node (channel.c) */
	json_t *outbox;               /* commands not acknowledged, by seq */
	int64_t next_seq;             /* the last seq given */
	int64_t acked;                /* the node applied everything up to it */
	int64_t sent_seq;             /* written to the current stream up to it */
	struct http_req *stream;      /* detached, or NULL */
	void *stream_ref;             /* its cancel hook's argument */
	uint64_t stream_gen;
};

struct cluster_srv {
	struct cluster_opts o;
	char *data_dir, *ca_dir;
	char url[300];
	char advertise[64];
	char local[64];               /* the server's own node name */
	int64_t node_down_after_ms;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store *st;             /* under mu */
	struct member *members;       /* under mu; [0] is the server's own node */
	size_t nmembers;

	SSL_CTX *tls;
	struct router *router;
	struct http_server *srv;
	pthread_t ticker;
	bool ticker_started;
	atomic_int stopping;

	char epoch[17];               /* this run's: sequence numbers restart with it */
	pthread_mutex_t send_mu;      /* guards send_dirty */
	pthread_cond_t send_cv;
	bool send_dirty;
	pthread_t sender;
	bool sender_started;

	/* swarm.c: the overlay layer under several nodes */
	pthread_t swarm_thread;
	bool swarm_started;
	struct docker_client *swarm_dc;
	char swarm_cluster[DOCKER_ID_SIZE];   /* under mu: the server's engine's swarm */
	char swarm_error[256];                /* under mu: why it is not formed */
	bool swarm_dirty;                     /* under mu: look again */
};

int64_t cluster_now_ms(void);
/* An event in the store and the log (kind "node.down" ...); under mu. */
void cluster_event(struct cluster_srv *cl, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cluster_changed(struct cluster_srv *cl);

/* members.c; under mu */
int members_load(struct cluster_srv *cl, struct err *e);
struct member *member_find(struct cluster_srv *cl, const char *name);
struct member *member_add(struct cluster_srv *cl, const char *name);
void member_release(struct member *m);
json_t *member_json(const struct cluster_srv *cl, const struct member *m, int64_t now);
/* Marks nodes down (and up again): true when one changed. */
bool members_tick(struct cluster_srv *cl, int64_t now);

/* swarm.c */
int swarm_start(struct cluster_srv *cl, struct err *e);
void swarm_stop(struct cluster_srv *cl);
/* Under mu: a heartbeat's "swarm" into m. */
void swarm_seen(struct cluster_srv *cl, struct member *m, const json_t *swarm);

/* listen.c */
int cluster_listen_start(struct cluster_srv *cl, struct err *e);
void cluster_listen_stop(struct cluster_srv *cl);

/* channel.c */
int channel_start(struct cluster_srv *cl, struct err *e);
void channel_stop(struct cluster_srv *cl);
void channel_acked(struct member *m, int64_t acked);
/* Under mu: ends and forgets m's command stream. */
void channel_drop(struct member *m);
int cluster_routes_channel(struct router *r, struct cluster_srv *cl, struct err *e);

/* routes: h_join.c, h_node.c */
int cluster_routes_join(struct router *r, struct cluster_srv *cl, struct err *e);
int cluster_routes_node(struct router *r, struct cluster_srv *cl, struct err *e);

/* "10.0.0.2:41000" -> "10.0.0.2"; "[::1]:5" -> "::1". */
struct http_peer;
void cluster_peer_ip(const struct http_peer *p, char *out, size_t n);

/* The member a request's client certificate proves, or NULL after a 401
 * or 403 reply. Takes mu and returns with it held on success. */
struct http_req;
struct member *cluster_authenticate(struct cluster_srv *cl, struct http_req *req);

#endif
