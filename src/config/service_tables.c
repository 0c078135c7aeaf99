/*
 * service_tables.c - [service.resources], [service.placement],
 * [service.deploy] and the health check (short and long form).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/loader.h"
#include "config/syntax.h"
#include "config/units.h"

#define GPU_COUNT_MAX 64
#define THRESHOLD_MAX 1000
#define SURGE_MAX 1000
#define CANARY_WEIGHT_DEFAULT 10
#define DRAIN_DEFAULT_MS 30000
#define DRAIN_MAX_MS (3600 * 1000)

static const char *const resources_keys[] = { "memory", "cpu", "gpu", NULL };
static const char *const gpu_keys[] = { "count", "vendor", "vram_min", NULL };
static const char *const placement_keys[] = { "node", "labels", NULL };
static const char *const deploy_keys[] = {
	"strategy", "max_unavailable", "max_surge", "canary_weight", "drain",
	"canary_error_margin", "canary_min_requests", NULL,
};
static const char *const healthcheck_keys[] = {
	"path", "interval", "timeout", "healthy_threshold", "unhealthy_threshold",
	"start_period", NULL,
};

static void parse_gpu(const struct cfile *f, const char *ctx, const struct toml_value *t,
		      struct service *s)
{
	const struct toml_value *v;
	int64_t n;

	if (!cfile_table(f, ctx, "resources.gpu", t))
		return;
	cfile_check_keys(f, ctx, t, gpu_keys, "[service.resources.gpu]");
	if ((v = toml_get(t, "vendor")) == NULL)
		cfile_diag(f, t->pos, ctx, "[service.resources.gpu] needs 'vendor' (\"nvidia\" or "
			   "\"amd\")");
	else if (!cfile_gpu_vendor(f, ctx, "resources.gpu.vendor", v, &s->gpu.vendor))
		s->gpu.vendor = GPU_NONE;
	s->gpu.count = 1;
	if ((v = toml_get(t, "count")) != NULL &&
	    cfile_int(f, ctx, "resources.gpu.count", v, 1, GPU_COUNT_MAX, &n))
		s->gpu.count = (int)n;
	if ((v = toml_get(t, "vram_min")) != NULL)
		cfile_mib(f, ctx, "resources.gpu.vram_min", v, &s->gpu.vram_min_mib);
}

static void parse_resources(const struct cfile *f, const char *ctx,
			    const struct toml_value *tab, struct service *s)
{
	const struct toml_value *t = toml_get(tab, "resources"), *v;

	if (t == NULL || !cfile_table(f, ctx, "resources", t))
		return;
	cfile_check_keys(f, ctx, t, resources_keys, "[service.resources]");
	if ((v = toml_get(t, "memory")) != NULL)
		cfile_memory(f, ctx, "resources.memory", v, &s->memory_bytes);
	if ((v = toml_get(t, "cpu")) != NULL)
		cfile_cpu(f, ctx, "resources.cpu", v, &s->cpu_millis);
	if ((v = toml_get(t, "gpu")) != NULL)
		parse_gpu(f, ctx, v, s);
}

static void parse_placement(const struct cfile *f, const char *ctx,
			    const struct toml_value *tab, struct service *s)
{
	const struct toml_value *t = toml_get(tab, "placement"), *v;
	const char *node, *why;

	if (t == NULL || !cfile_table(f, ctx, "placement", t))
		return;
	cfile_check_keys(f, ctx, t, placement_keys, "[service.placement]");
	if ((v = toml_get(t, "node")) != NULL && cfile_string(f, ctx, "placement.node", v, &node)) {
		if ((why = syntax_name(node)) != NULL) {
			cfile_diag(f, v->pos, ctx, "placement.node '%s' is invalid: %s", node, why);
		} else {
			s->placement_node = xstrdup(node);
			s->placement_node_loc = cfile_loc(f, v->pos);
		}
	}
	if ((v = toml_get(t, "labels")) != NULL &&
	    cfile_string_table(f, ctx, "placement.labels", v, &s->placement_labels,
			       &s->nplacement_labels))
		for (size_t i = 0; i < v->u.tab.len; i++)
			if ((why = syntax_label_key(v->u.tab.items[i].key)) != NULL)
				cfile_diag(f, v->u.tab.items[i].pos, ctx, "label '%s' is invalid: %s",
					   v->u.tab.items[i].key, why);
}

static void parse_strategy(const struct cfile *f, const char *ctx,
			   const struct toml_value *v, struct deploy_policy *dp)
{
	const char *st;

	if (!cfile_string(f, ctx, "deploy.strategy", v, &st))
		return;
	if (strcmp(st, "canary") == 0)
		dp->strategy = DEPLOY_CANARY;
	else if (strcmp(st, "rolling") != 0)
		cfile_diag(f, v->pos, ctx, "'deploy.strategy' must be \"rolling\" or \"canary\", "
			   "not \"%s\"", st);
}

static void parse_canary_checks(const struct cfile *f, const char *ctx,
				const struct toml_value *t, struct deploy_policy *dp)
{
	const struct toml_value *v;
	int64_t n;

	if ((v = toml_get(t, "canary_error_margin")) != NULL &&
	    cfile_int(f, ctx, "deploy.canary_error_margin", v, 0, 100, &n))
		dp->canary_error_margin = (int)n;
	if ((v = toml_get(t, "canary_min_requests")) != NULL &&
	    cfile_int(f, ctx, "deploy.canary_min_requests", v, 1, 1000000, &n))
		dp->canary_min_requests = (int)n;
}

static void parse_deploy(const struct cfile *f, const char *ctx,
			 const struct toml_value *tab, struct service *s)
{
	const struct toml_value *t = toml_get(tab, "deploy"), *v, *w;
	struct deploy_policy *dp = &s->deploy;
	int64_t n;

	*dp = (struct deploy_policy){ .strategy = DEPLOY_ROLLING, .max_surge = 1,
				      .drain_ms = DRAIN_DEFAULT_MS, .canary_error_margin = 5,
				      .canary_min_requests = 100 };
	if (t == NULL || !cfile_table(f, ctx, "deploy", t))
		return;
	cfile_check_keys(f, ctx, t, deploy_keys, "[service.deploy]");
	if ((v = toml_get(t, "drain")) != NULL)
		cfile_duration_range(f, ctx, "deploy.drain", v, 0, DRAIN_MAX_MS, &dp->drain_ms);
	parse_canary_checks(f, ctx, t, dp);
	if ((v = toml_get(t, "strategy")) != NULL)
		parse_strategy(f, ctx, v, dp);
	if ((v = toml_get(t, "max_unavailable")) != NULL &&
	    cfile_int(f, ctx, "deploy.max_unavailable", v, 0, SURGE_MAX, &n))
		dp->max_unavailable = (int)n;
	if ((w = toml_get(t, "max_surge")) != NULL &&
	    cfile_int(f, ctx, "deploy.max_surge", w, 0, SURGE_MAX, &n))
		dp->max_surge = (int)n;
	if (dp->max_unavailable == 0 && dp->max_surge == 0)
		cfile_diag(f, (w ? w : v ? v : t)->pos, ctx, "deploy.max_unavailable and "
			   "deploy.max_surge cannot both be 0 (a rollout could never progress)");
	if (dp->strategy == DEPLOY_CANARY)
		dp->canary_weight = CANARY_WEIGHT_DEFAULT;
	if ((v = toml_get(t, "canary_weight")) == NULL)
		return;
	if (dp->strategy != DEPLOY_CANARY)
		cfile_diag(f, toml_get_kv(t, "canary_weight")->pos, ctx,
			   "'deploy.canary_weight' is only for strategy = \"canary\"");
	else if (cfile_int(f, ctx, "deploy.canary_weight", v, 1, 100, &n))
		dp->canary_weight = (int)n;
}

/* An HTTP path to probe: "/healthz", "/ready?full=1". */
static const char *health_path_problem(const char *p)
{
	if (p[0] != '/')
		return "it must start with '/'";
	for (; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return "it contains whitespace or control characters";
	return NULL;
}

static void set_health_path(const struct cfile *f, const char *ctx, const char *key,
			    const struct toml_value *v, struct healthcheck *h)
{
	const char *p, *why;

	if (!cfile_string(f, ctx, key, v, &p))
		return;
	if ((why = health_path_problem(p)) != NULL) {
		cfile_diag(f, v->pos, ctx, "health path '%s' is invalid: %s", p, why);
		return;
	}
	h->path = xstrdup(p);
}

static void get_duration(const struct cfile *f, const char *ctx, const char *key,
			 const struct toml_value *v, bool positive, int64_t *ms)
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
	if (positive && val == 0) {
		cfile_diag(f, v->pos, ctx, "'%s' must be more than 0", key);
		return;
	}
	*ms = val;
}

static void get_threshold(const struct cfile *f, const char *ctx, const char *key,
			  const struct toml_value *v, int *out)
{
	int64_t n;

	if (cfile_int(f, ctx, key, v, 1, THRESHOLD_MAX, &n))
		*out = (int)n;
}

static void parse_healthcheck(const struct cfile *f, const char *ctx,
			      const struct toml_value *t, struct healthcheck *h)
{
	const struct toml_value *v;

	cfile_check_keys(f, ctx, t, healthcheck_keys, "[service.healthcheck]");
	if ((v = toml_get(t, "path")) != NULL)
		set_health_path(f, ctx, "healthcheck.path", v, h);
	if ((v = toml_get(t, "interval")) != NULL)
		get_duration(f, ctx, "healthcheck.interval", v, true, &h->interval_ms);
	if ((v = toml_get(t, "timeout")) != NULL)
		get_duration(f, ctx, "healthcheck.timeout", v, true, &h->timeout_ms);
	if ((v = toml_get(t, "start_period")) != NULL)
		get_duration(f, ctx, "healthcheck.start_period", v, false, &h->start_period_ms);
	if ((v = toml_get(t, "healthy_threshold")) != NULL)
		get_threshold(f, ctx, "healthcheck.healthy_threshold", v, &h->healthy_threshold);
	if ((v = toml_get(t, "unhealthy_threshold")) != NULL)
		get_threshold(f, ctx, "healthcheck.unhealthy_threshold", v,
			      &h->unhealthy_threshold);
}

static void parse_health(const struct cfile *f, const char *ctx,
			 const struct toml_value *tab, struct service *s)
{
	const struct toml_value *shrt = toml_get(tab, "health");
	const struct toml_value *lng = toml_get(tab, "healthcheck");
	struct healthcheck *h = &s->health;

	*h = (struct healthcheck){
		.interval_ms = 2000, .timeout_ms = 1000, .start_period_ms = 0,
		.healthy_threshold = 1, .unhealthy_threshold = 3,
	};
	if (shrt != NULL && lng != NULL)
		cfile_diag(f, toml_get_kv(tab, "healthcheck")->pos, ctx, "'health' and "
			   "[service.healthcheck] are both set; keep one (health = \"/path\" is "
			   "the short form)");
	else if (shrt != NULL)
		set_health_path(f, ctx, "health", shrt, h);
	else if (lng != NULL && cfile_table(f, ctx, "healthcheck", lng))
		parse_healthcheck(f, ctx, lng, h);
	h->enabled = h->path != NULL || s->port != 0;
	if (h->path != NULL && s->port == 0 && s->runtime == RUNTIME_CONTAINER)
		cfile_diag(f, (shrt ? shrt : lng)->pos, ctx, "an HTTP health check needs a 'port' "
			   "to probe");
}

void config_service_tables(const struct cfile *f, const char *ctx,
			   const struct toml_value *tab, struct service *s)
{
	parse_resources(f, ctx, tab, s);
	parse_placement(f, ctx, tab, s);
	parse_deploy(f, ctx, tab, s);
	parse_health(f, ctx, tab, s);
}
