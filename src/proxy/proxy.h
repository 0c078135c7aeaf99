/*
 * proxy.h - orca's reverse proxy: h2o event loops in front of the replicas.
 *
 * The proxy is fed by the control loop: proxy_publish() takes each new
 * status snapshot (reconcile/status.c), builds an immutable routing table
 * from it (hosts, routes, healthy replicas, canary weight) and swaps it in
 * atomically; the loop threads read it without locks. Listeners and loop
 * threads follow the snapshot's "proxy" object (cluster.toml [proxy]).
 *
 * Threads: proxy_publish() on the control thread only; proxy_inflight(),
 * proxy_metrics() and proxy_service_stats() on any thread; the loop threads
 * are the proxy's own. Nothing here stops or starts containers.
 */
#ifndef ORCA_PROXY_PROXY_H
#define ORCA_PROXY_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include <h2o.h>
#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

struct proxy;
struct tls;

/* A route served in-process instead of by containers (the wasm http
 * trigger). on_req runs on a proxy loop thread and must not block: rc 0
 * means the app owns the response now; anything else is answered 502. */
struct proxy_app {
	int (*on_req)(void *arg, h2o_req_t *req);
	void *arg;
};

struct proxy_opts {
	/* apps: app_get on the control thread returns a new reference (arg
	 * NULL: none); app_put drops it when the table holding it goes, on any
	 * thread */
	struct proxy_app (*app_get)(void *opaque, const char *project, const char *service);
	void (*app_put)(void *opaque, void *arg);
	void *app_opaque;
	/* test-only: a PEM certificate and key for the HTTPS listener when no
	 * SNI lookup answers (ORCA_PROXY_TEST_CERT); NULL: none */
	const char *fallback_cert, *fallback_key;
};

struct proxy *proxy_new(const struct proxy_opts *o);
/* Certificates from now on (tls/tls.h; NULL: none): SNI, the HTTP-01
 * answers and which hosts are redirected to HTTPS. Any thread; t must
 * outlive the proxy. */
void proxy_set_tls(struct proxy *p, struct tls *t);
/* Stops the loop threads (closing their connections) and frees everything. */
void proxy_free(struct proxy *p);

/* A new status snapshot (borrowed for the call). Control thread only. */
void proxy_publish(struct proxy *p, json_t *snapshot);

/* Requests in flight to a replica (container id), counting a routing table
 * that may still hand it out as one. Any thread, lock-free on the counter. */
int64_t proxy_inflight(struct proxy *p, const char *replica_id);

/* Appends Prometheus text for every service the proxy has seen. */
void proxy_metrics(struct proxy *p, struct buf *out);

/* Per-revision request counters of one service since its revision began:
 * fills an array of {"revision", "requests", "errors_5xx", "rate_per_s",
 * "error_rate", "p99_ms"}; a new reference. Any thread. */
json_t *proxy_service_stats(struct proxy *p, const char *project, const char *service);

/* For the control loop's canary check: requests and 5xx answers since the
 * canary began, n[0..1] of `revision`, n[2..3] of the others together.
 * Returns -1 when the proxy has counted nothing for that revision. */
int proxy_canary_counts(struct proxy *p, const char *project, const char *service,
			int revision, int64_t n[4]);

/* Registers h2's ALPN (and http/1.1) on a server SSL_CTX; for src/tls. */
void proxy_tls_ctx_setup(void *proxy, SSL_CTX *ctx);

#endif
