/*
 * probe.h - health checks of replicas, run by one prober thread.
 *
 * A target is a TCP address with an optional HTTP path: without a path the
 * check passes when a TCP connection is accepted; with one it passes on an
 * HTTP status 200-399 to `GET path`. The prober thread multiplexes every
 * probe with poll(), so a slow replica never delays the checks of others.
 *
 * Until a target has passed once, it is probed every PROBE_FAST_MS so that a
 * new replica is seen healthy within a fraction of a second; the failures of
 * those early probes are reported with counted=false (they must not count
 * toward unhealthy_threshold, or a slow starter would be declared unhealthy
 * in under a second). From `interval_ms` after the target was added, probes
 * run at the interval and every result counts.
 *
 * Results go to the callback, called in the prober thread: it must be quick
 * and not call back into the prober (post a message to the owner instead).
 * prober_set/prober_remove may be called from any thread.
 */
#ifndef ORCA_RECONCILE_PROBE_H
#define ORCA_RECONCILE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#define PROBE_FAST_MS 100
#define PROBE_MAX_TARGETS 4096

struct probe_target {
	uint64_t key;            /* the caller's id for this target */
	char addr[64];           /* numeric IPv4 or IPv6 address */
	int port;
	char path[256];          /* "" for a TCP check */
	int64_t interval_ms;
	int64_t timeout_ms;
};

struct probe_result {
	uint64_t key;
	bool ok;
	bool counted;            /* false for the fast probes before the first pass */
	int http_status;         /* 0 for TCP checks and failures before a status */
	int64_t latency_ms;
	int64_t at_ms;           /* CLOCK_REALTIME, ms */
	char detail[160];        /* "GET /healthz: 503", "connect: connection refused" */
};

typedef void (*probe_cb)(void *arg, const struct probe_result *r);

struct prober;

/* Starts the prober thread. Returns NULL and sets errno on failure. */
struct prober *prober_new(probe_cb cb, void *arg);
/* Stops the thread, then frees; no callback runs after it returns. */
void prober_free(struct prober *p);
/* Adds a target, or replaces the one with the same key (keeping its history
 * when address, port and path are unchanged). Returns -ENOSPC when full. */
int prober_set(struct prober *p, const struct probe_target *t);
void prober_remove(struct prober *p, uint64_t key);

#endif
