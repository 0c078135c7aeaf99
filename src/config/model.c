/*
 * model.c - owning and looking things up in a struct config.
 */
#include "config/model.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/load.h"
#include "config/loader.h"

struct config *config_new(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->cluster.name = xstrdup("orca");
	c->cluster.keep_revisions = CLUSTER_KEEP_REVISIONS;
	c->warnings = xcalloc(1, sizeof(*c->warnings));
	c->cluster.acme_directory = xstrdup(CONFIG_ACME_DIRECTORY_DEFAULT);
	c->cluster.proxy_http = xstrdup(":80");
	c->cluster.proxy_https = xstrdup(":443");
	c->cluster.proxy_connect_timeout_ms = 5000;
	c->cluster.proxy_head_timeout_ms = 10000;
	c->cluster.proxy_first_byte_timeout_ms = 60000;
	c->cluster.proxy_idle_timeout_ms = 60000;
	c->cluster.proxy_access_log = true;
	return c;
}

const char *config_intern_file(struct config *c, const char *file)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i], file) == 0)
			return c->files[i];
	c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof(*c->files));
	c->files[c->nfiles] = xstrdup(file);
	return c->files[c->nfiles++];
}

void config_service_release(struct service *s)
{
	free(s->project);
	free(s->name);
	free(s->image);
	free(s->module);
	free(s->module_path);
	config_strings_free(s->domains, s->ndomains);
	free(s->default_domain);
	config_strings_free(s->routes, s->nroutes);
	config_strings_free(s->aliases, s->naliases);
	config_kvs_free(s->env, s->nenv);
	config_strings_free(s->command, s->ncommand);
	for (size_t i = 0; i < s->nvolumes; i++) {
		free(s->volumes[i].name);
		free(s->volumes[i].path);
	}
	free(s->volumes);
	config_strings_free(s->depends_on, s->ndepends_on);
	for (size_t i = 0; i < s->ntriggers; i++)
		free(s->triggers[i].arg);
	free(s->triggers);
	free(s->placement_node);
	config_kvs_free(s->placement_labels, s->nplacement_labels);
	free(s->health.path);
	memset(s, 0, sizeof(*s));
}

static void project_release(struct project *p)
{
	free(p->name);
	free(p->dir);
	free(p->file);
	for (size_t i = 0; i < p->nservices; i++)
		config_service_release(&p->services[i]);
	free(p->services);
}

static void node_release(struct node *n)
{
	free(n->name);
	free(n->address);
	config_kvs_free(n->labels, n->nlabels);
	for (size_t i = 0; i < n->ngpus; i++)
		free(n->gpus[i].model);
	free(n->gpus);
}

static void cluster_release(struct cluster *cl)
{
	free(cl->name);
	free(cl->domain);
	free(cl->acme_email);
	free(cl->acme_directory);
	free(cl->acme_ca_bundle);
	for (size_t i = 0; i < cl->ncertificates; i++) {
		config_strings_free(cl->certificates[i].domains, cl->certificates[i].ndomains);
		free(cl->certificates[i].cert);
		free(cl->certificates[i].key);
	}
	free(cl->certificates);
	free(cl->data_dir);
	free(cl->proxy_http);
	free(cl->proxy_https);
	for (size_t i = 0; i < cl->nnodes; i++)
		node_release(&cl->nodes[i]);
	free(cl->nodes);
	for (size_t i = 0; i < cl->ntokens; i++) {
		free(cl->tokens[i].name);
		free(cl->tokens[i].hash);
	}
	free(cl->tokens);
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	cluster_release(&c->cluster);
	for (size_t i = 0; i < c->nprojects; i++)
		project_release(&c->projects[i]);
	free(c->projects);
	config_strings_free(c->files, c->nfiles);
	if (c->warnings != NULL)
		diags_release(c->warnings);
	free(c->warnings);
	free(c);
}

const struct project *config_find_project(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nprojects; i++)
		if (c->projects[i].name && strcmp(c->projects[i].name, name) == 0)
			return &c->projects[i];
	return NULL;
}

const struct service *project_find_service(const struct project *p, const char *name)
{
	for (size_t i = 0; i < p->nservices; i++)
		if (p->services[i].name && strcmp(p->services[i].name, name) == 0)
			return &p->services[i];
	return NULL;
}

const struct node *config_find_node(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->cluster.nnodes; i++)
		if (c->cluster.nodes[i].name && strcmp(c->cluster.nodes[i].name, name) == 0)
			return &c->cluster.nodes[i];
	return NULL;
}

const char *runtime_name(enum runtime r)
{
	return r == RUNTIME_WASM ? "wasm" : "container";
}

const char *gpu_vendor_name(enum gpu_vendor v)
{
	switch (v) {
	case GPU_NVIDIA: return "nvidia";
	case GPU_AMD: return "amd";
	case GPU_NONE: break;
	}
	return "none";
}

const char *trigger_kind_name(enum trigger_kind k)
{
	switch (k) {
	case TRIGGER_HTTP: return "http";
	case TRIGGER_CRON: return "cron";
	case TRIGGER_QUEUE: return "queue";
	case TRIGGER_EVENT: return "event";
	}
	return "unknown";
}

const char *deploy_strategy_name(enum deploy_strategy s)
{
	return s == DEPLOY_CANARY ? "canary" : "rolling";
}

const char *token_role_name(enum token_role r)
{
	switch (r) {
	case ROLE_ADMIN: return "admin";
	case ROLE_DEPLOYER: return "deployer";
	case ROLE_VIEWER: return "viewer";
	}
	return "unknown";
}
