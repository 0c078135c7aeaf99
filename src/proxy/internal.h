/*
 * internal.h - the proxy's shared types; for src/proxy/ only.
 *
 * Ownership in one picture:
 *
 *   struct proxy  --current-->  struct table (immutable, refcounted; swapped
 *        |                        atomically by the control thread)
 *        |                          hosts -> routes -> struct target
 *        |                          targets -> struct upstream * (refs)
 *        +-- registry of struct upstream (one per replica, refcounted,
 *        |   counters atomic) and struct svcstats (one per service)
 *        +-- workers[]: one h2o loop thread each, with a pool of keep-alive
 *            connections per upstream it has talked to (struct uplocal)
 *
 * A table never changes once published. Counters on upstreams and stats
 * change on any loop thread with atomics; nothing on the request path
 * takes a lock.
 */
#ifndef ORCA_PROXY_INTERNAL_H
#define ORCA_PROXY_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <h2o.h>
#include <h2o/http1client.h>
#include <h2o/socketpool.h>

#include "proxy/proxy.h"

#define PROXY_WORKERS_MAX 64
#define PROXY_EJECT_FAILS 5          /* failures in a row that eject a replica */
#define PROXY_RETRIES_MAX 2          /* other replicas tried after a connect failure */
#define PROXY_REVS_MAX 4             /* revisions of a service counted at once */
#define PROXY_HIST_BUCKETS 27        /* latency buckets, see stats.c */

/* One replica as an upstream. Shared by tables, workers and requests. */
struct upstream {
	char id[80];                     /* container id */
	char addr_text[64];              /* "ip:port" */
	struct sockaddr_in addr;
	int revision;
	atomic_int refs;
	atomic_int tables;               /* tables that list it */
	atomic_llong inflight;           /* requests sent and not finished */
	atomic_int fails;                /* connection failures in a row */
	atomic_llong ejected_at_ms;      /* 0: not ejected (unix ms) */
	atomic_llong probe_ok_at_ms;     /* last passing health check (unix ms) */
	struct uplocal *local[PROXY_WORKERS_MAX];   /* [w]: worker w only */
	struct proxy *owner;
	struct upstream *next;           /* registry list, under proxy->reg_mu */
};

/* Counters of one revision of a service. */
struct revstats {
	atomic_int revision;             /* 0: slot free */
	atomic_llong since_ms;           /* unix ms the slot was (re)started */
	atomic_llong requests, errors_5xx, base_requests, base_errors;
	atomic_llong hist[PROXY_HIST_BUCKETS];
};

/* Counters of one service; lives as long as a table or a request holds it. */
struct svcstats {
	char project[64], service[64];
	atomic_int refs;
	atomic_llong by_class[6];        /* [0] other, [1] 1xx ... [5] 5xx */
	atomic_llong hist[PROXY_HIST_BUCKETS];
	atomic_llong latency_sum_us;
	atomic_llong upstream_errors, retries, inflight, bytes_out;
	struct revstats revs[PROXY_REVS_MAX];
	struct svcstats *next;           /* registry list, under proxy->reg_mu */
};

/* Where a route sends requests: container replicas or an app. */
struct target {
	char project[64], service[64];
	struct upstream **ups;           /* stable replicas, healthy */
	size_t nups;
	struct upstream **canary;        /* replicas of the canary revision */
	size_t ncanary;
	int canary_weight;               /* percent of requests to canary */
	int canary_revision;
	struct proxy_app app;            /* app.on_req != NULL: served in-process */
	bool is_app;
	size_t max_header_bytes, max_body_bytes;
	struct svcstats *stats;
};

struct route {
	char *prefix;                    /* "/api/" for the pattern "/api/ *"; "/login" for "/login" */
	size_t len;
	bool subtree;                    /* the pattern ended in a slash-star: prefix and below */
	struct target *target;
};

struct host {
	char *name;                      /* lowercase; ".example.com" for "*.example.com" */
	bool wildcard;
	struct route *routes;            /* longest prefix first */
	size_t nroutes;
};

struct table {
	atomic_int refs;
	uint64_t generation;
	struct host *hosts;              /* exact names sorted, then wildcards sorted */
	size_t nexact, nhosts;
	struct target **targets;
	size_t ntargets;
	size_t max_body_bytes;           /* the largest of any target */
	struct proxy *owner;
};

/* Listener and timeout settings: the snapshot's "proxy" object. */
struct proxy_conf {
	char http[128], https[128];      /* "" : not listening */
	int workers;
	int64_t connect_timeout_ms, head_timeout_ms, first_byte_timeout_ms, idle_timeout_ms;
	bool access_log;
};

struct worker;

struct proxy {
	struct proxy_opts opts;
	_Atomic(struct tls *) tls;
	_Atomic(struct table *) current;
	pthread_mutex_t reg_mu;          /* guards the two registries below */
	struct upstream *upstreams;
	struct svcstats *stats;
	uint64_t generation;             /* control thread */
	json_t *conf_json;               /* control thread: conf of the running workers */
	struct proxy_conf conf;          /* set before workers start */
	struct worker **workers;
	int nworkers;
	SSL_CTX *ssl_ctx;                /* the HTTPS listener's default context */
	atomic_llong open_connections;
};

/* table.c */
struct table *table_build(struct proxy *p, const json_t *snapshot, struct err *e);
struct table *table_acquire(struct proxy *p);
void table_release(struct table *t);
/* route.c: pure lookups; host is the Host header value (port ignored). */
const struct target *table_route(const struct table *t, const char *host, size_t hostlen,
				 const char *path, size_t pathlen);
int route_parse(const char *pattern, struct route *out);
/* Lowercases host[0..len) into out without a port or trailing dot; returns
 * its length, or -1 when it is not a valid host name or IP literal. */
int host_normalize(const char *host, size_t len, char *out, size_t outsz);

/* upstream.c */
struct upstream *upstream_get(struct proxy *p, const char *id, const char *ip, int port,
			      int revision);
void upstream_put(struct upstream *u);
struct upstream *upstream_pick(struct upstream **ups, size_t n, uint64_t *rng,
			       struct upstream *const *tried, size_t ntried);
void upstream_failed(struct upstream *u);
void upstream_succeeded(struct upstream *u);
void table_swap(struct proxy *p, struct table *t);

/* stats.c */
struct svcstats *svcstats_get(struct proxy *p, const char *project, const char *service);
void svcstats_put(struct svcstats *s);
void svcstats_record(struct svcstats *s, int revision, int status, int64_t duration_us,
		     size_t bytes);
void svcstats_canary_started(struct svcstats *s, int canary_revision);
int stats_bucket(int64_t duration_us);
extern const int64_t stats_bucket_le_ms[PROXY_HIST_BUCKETS];

/* worker.c */
int workers_start(struct proxy *p, const struct proxy_conf *c, struct err *e);
void workers_stop(struct proxy *p);
struct uplocal;
h2o_socketpool_t *worker_pool(struct worker *w, struct upstream *u);
void worker_pool_hold(struct worker *w, struct upstream *u, int delta);
struct worker *worker_of(h2o_context_t *ctx);
h2o_http1client_ctx_t *worker_client_ctx(struct worker *w);
struct proxy *worker_proxy(struct worker *w);
uint64_t *worker_rng(struct worker *w);
h2o_timeout_t *worker_timeout(struct worker *w, int which);
enum { TIMEOUT_CONNECT, TIMEOUT_FIRST_BYTE, TIMEOUT_IDLE };

/* handler.c */
void handler_register(h2o_pathconf_t *pathconf, struct proxy *p);

/* forward.c */
struct note;
void forward_start(h2o_req_t *req, struct note *n);

/* A request's own record: what it was routed to, for the access log and
 * the counters. Lives in the request's pool; its dispose drops the refs. */
struct note {
	h2o_req_overrides_t overrides;   /* first: req->overrides points here */
	struct proxy *p;
	h2o_req_t *req;
	struct svcstats *stats;          /* ref; NULL before routing */
	struct upstream *up;             /* the replica that answered (ref), or NULL */
	int revision;
	int retries;
	bool upstream_error;             /* the replica failed (connect, reset, timeout) */
	char service[130];               /* "project/service" */
	char upstream[64];
	uint64_t start_us;
};
struct note *note_of(h2o_req_t *req);
/* log.c */
void accesslog_register(h2o_pathconf_t *pathconf, struct proxy *p);

#endif
