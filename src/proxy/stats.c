/*
 * stats.c - per-service request counters: status classes, a latency
 * histogram, upstream errors and retries, and per-revision counts for
 * canary deploys. Written with relaxed atomics by the loop threads; read
 * by /metrics, `orca status` and the canary check on other threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "proxy/internal.h"

/* Upper bounds (ms) of the latency buckets; the last one is +Inf. */
const int64_t stats_bucket_le_ms[PROXY_HIST_BUCKETS] = {
	1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750,
	1000, 1500, 2000, 3000, 5000, 7500, 10000, 30000, 60000, -1,
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int stats_bucket(int64_t us)
{
	for (int i = 0; i < PROXY_HIST_BUCKETS - 1; i++)
		if (us <= stats_bucket_le_ms[i] * 1000)
			return i;
	return PROXY_HIST_BUCKETS - 1;
}

struct svcstats *svcstats_get(struct proxy *p, const char *project, const char *service)
{
	struct svcstats *s;

	pthread_mutex_lock(&p->reg_mu);
	for (s = p->stats; s; s = s->next)
		if (strcmp(s->project, project) == 0 && strcmp(s->service, service) == 0)
			break;
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		snprintf(s->project, sizeof(s->project), "%s", project);
		snprintf(s->service, sizeof(s->service), "%s", service);
		s->next = p->stats;
		p->stats = s;
	}
	atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&p->reg_mu);
	return s;
}

/* Counters stay in the registry for /metrics (Prometheus counters must not
 * reset while the process lives); a service costs one struct. */
void svcstats_put(struct svcstats *s)
{
	if (s)
		atomic_fetch_sub(&s->refs, 1);
}

static struct revstats *rev_slot(struct svcstats *s, int revision, bool create)
{
	struct revstats *oldest = &s->revs[0];

	for (int i = 0; i < PROXY_REVS_MAX; i++) {
		if (atomic_load(&s->revs[i].revision) == revision)
			return &s->revs[i];
		if (atomic_load(&s->revs[i].since_ms) < atomic_load(&oldest->since_ms))
			oldest = &s->revs[i];
	}
	if (!create || revision <= 0)
		return NULL;
	/* a new revision takes the oldest slot; a racing writer may count one
	 * request into the wrong revision, which the rates tolerate */
	atomic_store(&oldest->revision, 0);
	atomic_store(&oldest->requests, 0);
	atomic_store(&oldest->errors_5xx, 0);
	atomic_store(&oldest->base_requests, 0);
	atomic_store(&oldest->base_errors, 0);
	for (int i = 0; i < PROXY_HIST_BUCKETS; i++)
		atomic_store(&oldest->hist[i], 0);
	atomic_store(&oldest->since_ms, wall_ms());
	atomic_store(&oldest->revision, revision);
	return oldest;
}

void svcstats_record(struct svcstats *s, int revision, int status, int64_t us, size_t bytes)
{
	int cls = status >= 100 && status < 600 ? status / 100 : 0;
	int b = stats_bucket(us);
	struct revstats *r;

	atomic_fetch_add_explicit(&s->by_class[cls], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->latency_sum_us, us, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->bytes_out, (long long)bytes, memory_order_relaxed);
	if (revision <= 0 || (r = rev_slot(s, revision, true)) == NULL)
		return;
	atomic_fetch_add_explicit(&r->requests, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->errors_5xx, cls == 5, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->hist[b], 1, memory_order_relaxed);
}

/* The canary and the stable revision are compared over the same window:
 * every other revision's counts restart when a canary revision appears. */
void svcstats_canary_started(struct svcstats *s, int canary_revision)
{
	if (rev_slot(s, canary_revision, false) != NULL)
		return;
	rev_slot(s, canary_revision, true);
	for (int i = 0; i < PROXY_REVS_MAX; i++) {
		struct revstats *r = &s->revs[i];

		if (atomic_load(&r->revision) == canary_revision)
			continue;
		atomic_store(&r->base_requests, atomic_load(&r->requests));
		atomic_store(&r->base_errors, atomic_load(&r->errors_5xx));
		atomic_store(&r->since_ms, wall_ms());
	}
}

int proxy_canary_counts(struct proxy *p, const char *project, const char *service,
			int revision, int64_t n[4])
{
	int rc = -1;

	memset(n, 0, 4 * sizeof(*n));
	if (p == NULL)
		return -1;
	pthread_mutex_lock(&p->reg_mu);
	for (struct svcstats *s = p->stats; s; s = s->next) {
		if (strcmp(s->project, project) != 0 || strcmp(s->service, service) != 0)
			continue;
		for (int i = 0; i < PROXY_REVS_MAX; i++) {
			struct revstats *r = &s->revs[i];
			int rev = atomic_load(&r->revision);
			int64_t req = atomic_load(&r->requests) - atomic_load(&r->base_requests);
			int64_t err = atomic_load(&r->errors_5xx) - atomic_load(&r->base_errors);

			if (rev <= 0)
				continue;
			n[rev == revision ? 0 : 2] += req;
			n[rev == revision ? 1 : 3] += err;
			rc = rev == revision ? 0 : rc;
		}
	}
	pthread_mutex_unlock(&p->reg_mu);
	return rc;
}

static int64_t p99_ms(const atomic_llong *hist, int64_t total)
{
	int64_t want = total - total / 100, seen = 0;

	if (total <= 0)
		return 0;
	for (int i = 0; i < PROXY_HIST_BUCKETS; i++) {
		seen += atomic_load(&hist[i]);
		if (seen >= want)
			return stats_bucket_le_ms[i] >= 0 ? stats_bucket_le_ms[i] : 60000;
	}
	return 0;
}

static json_t *rev_json(const struct revstats *r, int64_t now)
{
	int64_t req = atomic_load(&r->requests) - atomic_load(&r->base_requests);
	int64_t errs = atomic_load(&r->errors_5xx) - atomic_load(&r->base_errors);
	int64_t since = atomic_load(&r->since_ms);
	double secs = now > since ? (double)(now - since) / 1000.0 : 1.0;

	return json_pack("{s:i, s:I, s:I, s:f, s:f, s:I, s:I}", "revision",
			 atomic_load(&r->revision), "requests", (json_int_t)req, "errors_5xx",
			 (json_int_t)errs, "rate_per_s", (double)req / (secs < 1 ? 1 : secs),
			 "error_rate", req ? (double)errs / (double)req : 0.0, "p99_ms",
			 (json_int_t)p99_ms(r->hist, atomic_load(&r->requests)), "since",
			 (json_int_t)since);
}

json_t *proxy_service_stats(struct proxy *p, const char *project, const char *service)
{
	json_t *arr = json_array();
	int64_t now = wall_ms();

	if (p == NULL)
		return arr;
	pthread_mutex_lock(&p->reg_mu);
	for (struct svcstats *s = p->stats; s; s = s->next) {
		if (strcmp(s->project, project) != 0 || strcmp(s->service, service) != 0)
			continue;
		for (int i = 0; i < PROXY_REVS_MAX; i++)
			if (atomic_load(&s->revs[i].revision) > 0)
				json_array_append_new(arr, rev_json(&s->revs[i], now));
	}
	pthread_mutex_unlock(&p->reg_mu);
	return arr;
}

static void labels(char *lab, size_t n, const struct svcstats *s)
{
	snprintf(lab, n, "project=\"%s\",service=\"%s\"", s->project, s->service);
}

static void family_requests(struct buf *out, struct svcstats *s)
{
	static const char *const cls[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };
	char lab[160];

	labels(lab, sizeof(lab), s);
	for (int i = 0; i < 6; i++)
		buf_printf(out, "orca_proxy_requests_total{%s,code=\"%s\"} %lld\n", lab, cls[i],
			   (long long)atomic_load(&s->by_class[i]));
}

static void family_duration(struct buf *out, struct svcstats *s)
{
	char lab[160];
	int64_t cum = 0;

	labels(lab, sizeof(lab), s);
	for (int i = 0; i < PROXY_HIST_BUCKETS; i++) {
		cum += atomic_load(&s->hist[i]);
		if (stats_bucket_le_ms[i] >= 0)
			buf_printf(out, "orca_proxy_request_duration_seconds_bucket{%s,le=\"%g\"} %lld\n",
				   lab, (double)stats_bucket_le_ms[i] / 1000.0, (long long)cum);
		else
			buf_printf(out, "orca_proxy_request_duration_seconds_bucket{%s,le=\"+Inf\"} "
				   "%lld\n", lab, (long long)cum);
	}
	buf_printf(out, "orca_proxy_request_duration_seconds_sum{%s} %.6f\n", lab,
		   (double)atomic_load(&s->latency_sum_us) / 1e6);
	buf_printf(out, "orca_proxy_request_duration_seconds_count{%s} %lld\n", lab, (long long)cum);
}

static void family_simple(struct buf *out, struct svcstats *s, const char *name,
			  const atomic_llong *v)
{
	char lab[160];

	labels(lab, sizeof(lab), s);
	buf_printf(out, "%s{%s} %lld\n", name, lab, (long long)atomic_load(v));
}

static void each(struct proxy *p, struct buf *out, const char *head, int which)
{
	buf_puts(out, head);
	for (struct svcstats *s = p->stats; s; s = s->next) {
		switch (which) {
		case 0: family_requests(out, s); break;
		case 1: family_duration(out, s); break;
		case 2: family_simple(out, s, "orca_proxy_upstream_errors_total", &s->upstream_errors); break;
		case 3: family_simple(out, s, "orca_proxy_retries_total", &s->retries); break;
		case 4: family_simple(out, s, "orca_proxy_upstream_requests_in_flight", &s->inflight); break;
		default: family_simple(out, s, "orca_proxy_response_bytes_total", &s->bytes_out); break;
		}
	}
}

void proxy_metrics(struct proxy *p, struct buf *out)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->reg_mu);
	each(p, out, "# HELP orca_proxy_requests_total Requests answered by the proxy, by status "
		     "class.\n# TYPE orca_proxy_requests_total counter\n", 0);
	each(p, out, "# HELP orca_proxy_request_duration_seconds From the request head to the "
		     "end of the response.\n# TYPE orca_proxy_request_duration_seconds histogram\n", 1);
	each(p, out, "# HELP orca_proxy_upstream_errors_total Replicas that failed a request "
		     "(connect, reset, timeout).\n# TYPE orca_proxy_upstream_errors_total counter\n", 2);
	each(p, out, "# HELP orca_proxy_retries_total Requests sent again to another replica "
		     "after a failed connect.\n# TYPE orca_proxy_retries_total counter\n", 3);
	each(p, out, "# HELP orca_proxy_upstream_requests_in_flight Requests open to the "
		     "service's replicas.\n# TYPE orca_proxy_upstream_requests_in_flight gauge\n", 4);
	each(p, out, "# HELP orca_proxy_response_bytes_total Response body bytes sent.\n"
		     "# TYPE orca_proxy_response_bytes_total counter\n", 5);
	pthread_mutex_unlock(&p->reg_mu);
	buf_printf(out, "# HELP orca_proxy_open_connections Client connections open on the "
		   "proxy.\n# TYPE orca_proxy_open_connections gauge\n"
		   "orca_proxy_open_connections %lld\n",
		   (long long)atomic_load(&p->open_connections));
}
