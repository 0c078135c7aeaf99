/*
 * json.c - struct config to JSON. Names that are NULL (a partial config
 * from an invalid file) are keyed "" so that tooling can still print it.
 */
#include "config/json.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/load.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *kvs(const struct kv *v, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, v[i].key, json_string(v[i].value));
	return o;
}

static json_t *int_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *resources(const struct service *s)
{
	json_t *gpu = json_null();

	if (s->gpu.vendor != GPU_NONE)
		gpu = json_pack("{s:s, s:i, s:I}", "vendor", gpu_vendor_name(s->gpu.vendor),
				"count", s->gpu.count, "vram_min_mib",
				(json_int_t)s->gpu.vram_min_mib);
	return json_pack("{s:o, s:o, s:o}", "memory_bytes", int_or_null(s->memory_bytes),
			 "cpu_millis", int_or_null(s->cpu_millis), "gpu", gpu);
}

static json_t *healthcheck(const struct healthcheck *h)
{
	const char *type = !h->enabled ? "none" : h->path ? "http" : "tcp";

	return json_pack("{s:s, s:o, s:I, s:I, s:I, s:i, s:i}", "type", type,
			 "path", str_or_null(h->path),
			 "interval_ms", (json_int_t)h->interval_ms,
			 "timeout_ms", (json_int_t)h->timeout_ms,
			 "start_period_ms", (json_int_t)h->start_period_ms,
			 "healthy_threshold", h->healthy_threshold,
			 "unhealthy_threshold", h->unhealthy_threshold);
}

static json_t *deploy(const struct deploy_policy *d)
{
	return json_pack("{s:s, s:i, s:i, s:o, s:I, s:i, s:i}", "strategy",
			 deploy_strategy_name(d->strategy),
			 "max_unavailable", d->max_unavailable, "max_surge", d->max_surge,
			 "canary_weight", d->strategy == DEPLOY_CANARY
			 ? json_integer(d->canary_weight) : json_null(),
			 "drain_ms", (json_int_t)d->drain_ms,
			 "canary_error_margin", d->canary_error_margin,
			 "canary_min_requests", d->canary_min_requests);
}

static json_t *volumes(const struct service *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->nvolumes; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name", s->volumes[i].name,
						   "path", s->volumes[i].path));
	return a;
}

static json_t *triggers(const struct service *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->ntriggers; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "kind",
						   trigger_kind_name(s->triggers[i].kind),
						   "arg", s->triggers[i].arg));
	return a;
}

static json_t *placement(const struct service *s)
{
	return json_pack("{s:o, s:o}", "node", str_or_null(s->placement_node), "labels",
			 kvs(s->placement_labels, s->nplacement_labels));
}

json_t *config_service_to_json(const struct service *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", str_or_null(s->name));
	json_object_set_new(o, "project", str_or_null(s->project));
	json_object_set_new(o, "runtime", json_string(runtime_name(s->runtime)));
	json_object_set_new(o, "image", str_or_null(s->image));
	json_object_set_new(o, "module", str_or_null(s->module_path));
	json_object_set_new(o, "replicas", s->replicas_auto ? json_string("auto")
							    : json_integer(s->replicas));
	json_object_set_new(o, "port", int_or_null(s->port));
	json_object_set_new(o, "domains", strings(s->domains, s->ndomains));
	json_object_set_new(o, "default_domain", str_or_null(s->default_domain));
	json_object_set_new(o, "routes", strings(s->routes, s->nroutes));
	json_object_set_new(o, "aliases", strings(s->aliases, s->naliases));
	json_object_set_new(o, "internal", json_boolean(s->internal));
	json_object_set_new(o, "env", kvs(s->env, s->nenv));
	json_object_set_new(o, "command", s->command ? strings(s->command, s->ncommand)
						     : json_null());
	json_object_set_new(o, "volumes", volumes(s));
	json_object_set_new(o, "depends_on", strings(s->depends_on, s->ndepends_on));
	json_object_set_new(o, "triggers", triggers(s));
	json_object_set_new(o, "resources", resources(s));
	json_object_set_new(o, "placement", placement(s));
	json_object_set_new(o, "deploy", deploy(&s->deploy));
	json_object_set_new(o, "healthcheck", healthcheck(&s->health));
	json_object_set_new(o, "proxy", json_pack("{s:I, s:I}", "max_header_bytes",
						  (json_int_t)s->max_header_bytes, "max_body_bytes",
						  (json_int_t)s->max_body_bytes));
	return o;
}

static json_t *project(const struct project *p)
{
	json_t *svcs = json_object();

	for (size_t i = 0; i < p->nservices; i++) {
		const struct service *s = &p->services[i];

		json_object_set_new(svcs, s->name ? s->name : "", config_service_to_json(s));
	}
	return json_pack("{s:s, s:o, s:o}", "name", p->name, "file", str_or_null(p->file),
			 "services", svcs);
}

static json_t *node(const struct node *n)
{
	json_t *gpus = json_array();

	for (size_t i = 0; i < n->ngpus; i++) {
		const struct node_gpu *g = &n->gpus[i];

		json_array_append_new(gpus, json_pack("{s:s, s:i, s:o, s:o}", "vendor",
			gpu_vendor_name(g->vendor), "count", g->count, "model",
			str_or_null(g->model), "vram_mib", int_or_null(g->vram_mib)));
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "name", str_or_null(n->name),
			 "address", str_or_null(n->address), "labels", kvs(n->labels, n->nlabels),
			 "cpu_millis", int_or_null(n->cpu_millis),
			 "memory_bytes", int_or_null(n->memory_bytes), "gpus", gpus);
}

/* acme_directory, acme_ca_bundle and proxy.certificates into o. */
static void tls_keys(const struct cluster *cl, json_t *o)
{
	json_t *certs = json_array();

	for (size_t i = 0; i < cl->ncertificates; i++) {
		const struct proxy_certificate *pc = &cl->certificates[i];
		json_t *domains = json_array();

		for (size_t j = 0; j < pc->ndomains; j++)
			json_array_append_new(domains, json_string(pc->domains[j]));
		json_array_append_new(certs, json_pack("{s:o, s:o, s:o}", "domains", domains,
						       "cert", str_or_null(pc->cert),
						       "key", str_or_null(pc->key)));
	}
	json_object_set_new(o, "acme_directory", str_or_null(cl->acme_directory));
	json_object_set_new(o, "acme_ca_bundle", str_or_null(cl->acme_ca_bundle));
	json_object_set_new(json_object_get(o, "proxy"), "certificates", certs);
}

json_t *config_proxy_json(const struct cluster *cl)
{
	return json_pack("{s:o, s:o, s:b, s:i, s:I, s:I, s:I, s:I, s:b}", "http",
			 str_or_null(cl->proxy_http), "https", str_or_null(cl->proxy_https),
			 "declared", cl->proxy_declared, "workers", cl->proxy_workers,
			 "connect_timeout_ms", (json_int_t)cl->proxy_connect_timeout_ms,
			 "head_timeout_ms", (json_int_t)cl->proxy_head_timeout_ms,
			 "first_byte_timeout_ms", (json_int_t)cl->proxy_first_byte_timeout_ms,
			 "idle_timeout_ms", (json_int_t)cl->proxy_idle_timeout_ms,
			 "access_log", cl->proxy_access_log);
}

static json_t *cluster(const struct cluster *cl)
{
	json_t *nodes = json_object(), *tokens = json_object(), *o;

	for (size_t i = 0; i < cl->nnodes; i++)
		json_object_set_new(nodes, cl->nodes[i].name ? cl->nodes[i].name : "",
				    node(&cl->nodes[i]));
	for (size_t i = 0; i < cl->ntokens; i++) {
		const struct token *t = &cl->tokens[i];

		json_object_set_new(tokens, t->name ? t->name : "",
				    json_pack("{s:o, s:s, s:o}", "name", str_or_null(t->name),
					      "role", token_role_name(t->role),
					      "hash", str_or_null(t->hash)));
	}
	o = json_pack("{s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o}",
		      "name", str_or_null(cl->name), "domain", str_or_null(cl->domain),
		      "acme_email", str_or_null(cl->acme_email),
		      "data_dir", str_or_null(cl->data_dir),
		      "keep_revisions", cl->keep_revisions,
		      "proxy", config_proxy_json(cl),
		      "nodes", nodes, "tokens", tokens);
	tls_keys(cl, o);
	return o;
}

json_t *config_to_json(const struct config *c)
{
	json_t *projects = json_object();

	for (size_t i = 0; i < c->nprojects; i++)
		json_object_set_new(projects, c->projects[i].name, project(&c->projects[i]));
	return json_pack("{s:o, s:o}", "cluster", cluster(&c->cluster), "projects", projects);
}

char *config_json_text(const struct config *c)
{
	json_t *j = config_to_json(c);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	char *out;

	json_decref(j);
	if (s == NULL)
		return xstrdup("null\n");
	out = xasprintf("%s\n", s);
	free(s);
	return out;
}

json_t *config_diags_to_json(const struct diags *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->len; i++) {
		const struct diag *dg = &d->items[i];

		json_array_append_new(a, json_pack("{s:o, s:i, s:i, s:s}", "file",
						   str_or_null(dg->file), "line", dg->line,
						   "col", dg->col, "message", dg->msg));
	}
	return a;
}
