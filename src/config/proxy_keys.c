/*
 * proxy_keys.c - the keys that tune the reverse proxy: cluster.toml's
 * [proxy] (beyond the listen addresses, which cluster.c reads) and a
 * service's [service.proxy] limits.
 */
#include <string.h>

#include "config/loader.h"
#include "config/units.h"

#define WORKERS_MAX 64
#define TIMEOUT_MAX_MS (3600 * 1000)
#define HEADER_MIN (1024)
#define HEADER_MAX (256 * 1024)      /* h2o 2.2.5 reads request heads up to ~408 KiB */
#define BODY_MAX (1024LL * 1024 * 1024)

static const char *const service_proxy_keys[] = { "max_header_size", "max_body_size", NULL };

/* A duration like "5s" between min_ms and max_ms, into *ms. */
void cfile_duration_range(const struct cfile *f, const char *ctx, const char *key,
			  const struct toml_value *v, int64_t min_ms, int64_t max_ms, int64_t *ms)
{
	struct err e = { 0 };
	int64_t val;

	if (v->type != TOML_STRING) {
		cfile_bad_type(f, ctx, key, v, "a duration like \"5s\"");
		return;
	}
	if (units_parse_duration(v->u.str.ptr, &val, &e) < 0) {
		cfile_diag(f, v->pos, ctx, "invalid '%s': %s", key, e.msg);
		return;
	}
	if (val < min_ms || val > max_ms) {
		cfile_diag(f, v->pos, ctx, "'%s' must be between %lldms and %llds", key,
			   (long long)min_ms, (long long)(max_ms / 1000));
		return;
	}
	*ms = val;
}

static void duration(const struct cfile *f, const struct toml_value *t, const char *key,
		     int64_t *ms)
{
	const struct toml_value *v = toml_get(t, key);

	if (v)
		cfile_duration_range(f, "proxy", key, v, 1, TIMEOUT_MAX_MS, ms);
}

void config_cluster_proxy_extra(const struct cfile *f, const struct toml_value *t)
{
	struct cluster *cl = &f->c->cluster;
	const struct toml_value *v;
	int64_t n;
	bool b;

	cl->proxy_declared = true;
	if ((v = toml_get(t, "workers")) && cfile_int(f, "proxy", "workers", v, 1, WORKERS_MAX, &n))
		cl->proxy_workers = (int)n;
	duration(f, t, "connect_timeout", &cl->proxy_connect_timeout_ms);
	duration(f, t, "head_timeout", &cl->proxy_head_timeout_ms);
	duration(f, t, "first_byte_timeout", &cl->proxy_first_byte_timeout_ms);
	duration(f, t, "idle_timeout", &cl->proxy_idle_timeout_ms);
	if ((v = toml_get(t, "access_log")) && cfile_bool(f, "proxy", "access_log", v, &b))
		cl->proxy_access_log = b;
}

static void size_key(const struct cfile *f, const char *ctx, const struct toml_value *t,
		     const char *key, int64_t min, int64_t max, int64_t *out)
{
	const struct toml_value *v = toml_get(t, key);
	int64_t n = 0;

	if (v == NULL || !cfile_memory(f, ctx, key, v, &n))
		return;
	if (n < min || n > max) {
		cfile_diag(f, v->pos, ctx, "'proxy.%s' must be between %lld and %lld bytes", key,
			   (long long)min, (long long)max);
		return;
	}
	*out = n;
}

void config_service_proxy(const struct cfile *f, const char *ctx, const struct toml_value *tab,
			  struct service *s)
{
	const struct toml_value *t = toml_get(tab, "proxy");

	s->max_header_bytes = CONFIG_MAX_HEADER_BYTES;
	s->max_body_bytes = CONFIG_MAX_BODY_BYTES;
	if (t == NULL || !cfile_table(f, ctx, "proxy", t))
		return;
	cfile_check_keys(f, ctx, t, service_proxy_keys, "[service.proxy]");
	size_key(f, ctx, t, "max_header_size", HEADER_MIN, HEADER_MAX, &s->max_header_bytes);
	size_key(f, ctx, t, "max_body_size", 1, BODY_MAX, &s->max_body_bytes);
}
