/*
 * cluster.c - cluster.toml: [cluster], [[node]] (with [[node.gpus]]),
 * [[token]] and [proxy]. The file is optional; config_new() has the defaults.
 * The TLS keys (acme_*, [[proxy.certificate]]) are in cluster_tls.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/loader.h"
#include "config/syntax.h"

#define NODES_MAX 1000   /* orca is for 1 to 20 nodes; this only bounds work */
#define TOKENS_MAX 1000
#define NODE_GPUS_MAX 64

static const char *const top_keys[] = { "cluster", "node", "token", "proxy", NULL };
static const char *const cluster_keys[] = {
	"name", "domain", "acme_email", "acme_directory", "acme_ca_bundle", "data_dir",
	"keep_revisions", NULL,
};
static const char *const node_keys[] = {
	"name", "address", "labels", "cpu", "memory", "gpus", NULL,
};
static const char *const gpu_keys[] = { "vendor", "count", "model", "vram", NULL };
static const char *const token_keys[] = { "name", "role", "hash", NULL };
static const char *const proxy_keys[] = {
	"http", "https", "certificate", "workers", "connect_timeout", "head_timeout",
	"first_byte_timeout", "idle_timeout", "access_log", NULL,
};

/* A string key checked by a syntax_* function, copied into *out. */
static void set_string(const struct cfile *f, const char *ctx, const struct toml_value *t,
		       const char *key, const char *(*check)(const char *), char **out)
{
	const struct toml_value *v = toml_get(t, key);
	const char *s, *why;

	if (v == NULL || !cfile_string(f, ctx, key, v, &s))
		return;
	if (check != NULL && (why = check(s)) != NULL) {
		cfile_diag(f, v->pos, ctx, "%s '%s' is invalid: %s", key, s, why);
		return;
	}
	if (check == NULL && s[0] == '\0') {
		cfile_diag(f, v->pos, ctx, "'%s' must not be empty", key);
		return;
	}
	free(*out);
	*out = xstrdup(s);
}

/* The parent of default names (<service>.<project>.<domain>): no wildcard. */
static const char *cluster_domain(const char *s)
{
	if (s[0] == '*')
		return "it names the parent of every service's default name; write it "
		       "without '*.'";
	return syntax_hostname(s);
}

static void parse_cluster(const struct cfile *f, const struct toml_value *t)
{
	struct cluster *cl = &f->c->cluster;
	const struct toml_value *v;
	int64_t n;

	if (!cfile_table(f, NULL, "cluster", t))
		return;
	cfile_check_keys(f, "cluster", t, cluster_keys, "[cluster]");
	set_string(f, "cluster", t, "name", syntax_name, &cl->name);
	set_string(f, "cluster", t, "domain", cluster_domain, &cl->domain);
	set_string(f, "cluster", t, "acme_email", syntax_email, &cl->acme_email);
	set_string(f, "cluster", t, "data_dir", syntax_abs_path, &cl->data_dir);
	if (cl->data_dir != NULL)
		cl->data_dir_loc = cfile_loc(f, toml_get(t, "data_dir")->pos);
	if ((v = toml_get(t, "keep_revisions")) != NULL &&
	    cfile_int(f, "cluster", "keep_revisions", v, 1, CLUSTER_KEEP_REVISIONS_MAX, &n))
		cl->keep_revisions = (int)n;
	config_cluster_acme(f, t);
}

static void parse_node_gpu(const struct cfile *f, const char *ctx,
			   const struct toml_value *t, struct node_gpu *g)
{
	const struct toml_value *v;
	int64_t n;

	*g = (struct node_gpu){ .vendor = GPU_NONE, .count = 1 };
	cfile_check_keys(f, ctx, t, gpu_keys, "[[node.gpus]]");
	if ((v = toml_get(t, "vendor")) == NULL)
		cfile_diag(f, t->pos, ctx, "[[node.gpus]] needs 'vendor' (\"nvidia\" or \"amd\")");
	else
		cfile_gpu_vendor(f, ctx, "gpus.vendor", v, &g->vendor);
	if ((v = toml_get(t, "count")) != NULL &&
	    cfile_int(f, ctx, "gpus.count", v, 1, NODE_GPUS_MAX, &n))
		g->count = (int)n;
	set_string(f, ctx, t, "model", NULL, &g->model);
	if ((v = toml_get(t, "vram")) != NULL)
		cfile_mib(f, ctx, "gpus.vram", v, &g->vram_mib);
}

static void parse_node_gpus(const struct cfile *f, const char *ctx,
			    const struct toml_value *v, struct node *n)
{
	if (!cfile_table_array(f, ctx, "gpus", v))
		return;
	if (v->u.arr.len > NODE_GPUS_MAX) {
		cfile_diag(f, v->pos, ctx, "more than %d [[node.gpus]] entries", NODE_GPUS_MAX);
		return;
	}
	n->gpus = xcalloc(v->u.arr.len, sizeof(*n->gpus));
	for (size_t i = 0; i < v->u.arr.len; i++)
		parse_node_gpu(f, ctx, v->u.arr.items[i], &n->gpus[n->ngpus++]);
}

static void parse_labels(const struct cfile *f, const char *ctx, const struct toml_value *v,
			 struct kv **out, size_t *n)
{
	const char *why;

	if (!cfile_string_table(f, ctx, "labels", v, out, n))
		return;
	for (size_t i = 0; i < v->u.tab.len; i++)
		if ((why = syntax_label_key(v->u.tab.items[i].key)) != NULL)
			cfile_diag(f, v->u.tab.items[i].pos, ctx, "label '%s' is invalid: %s",
				   v->u.tab.items[i].key, why);
}

static const char *no_blanks(const char *s)
{
	if (s[0] == '\0')
		return "it is empty";
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || (unsigned char)*s < 0x20)
			return "it contains whitespace";
	return NULL;
}

/* One [[node]]; its name, unique among the nodes before it. */
static void parse_node(const struct cfile *f, const struct toml_value *t, size_t index,
		       struct node *n)
{
	const struct toml_value *v;
	char ctx[CTX_MAX];

	n->loc = cfile_loc(f, t->pos);
	snprintf(ctx, sizeof(ctx), "node #%zu", index);
	if ((v = toml_get(t, "name")) == NULL)
		cfile_diag(f, t->pos, ctx, "missing required key 'name'");
	set_string(f, ctx, t, "name", syntax_name, &n->name);
	if (n->name != NULL)
		snprintf(ctx, sizeof(ctx), "node '%s'", n->name);
	cfile_check_keys(f, ctx, t, node_keys, "[[node]]");
	set_string(f, ctx, t, "address", no_blanks, &n->address);
	if ((v = toml_get(t, "labels")) != NULL)
		parse_labels(f, ctx, v, &n->labels, &n->nlabels);
	if ((v = toml_get(t, "cpu")) != NULL)
		cfile_cpu(f, ctx, "cpu", v, &n->cpu_millis);
	if ((v = toml_get(t, "memory")) != NULL)
		cfile_memory(f, ctx, "memory", v, &n->memory_bytes);
	if ((v = toml_get(t, "gpus")) != NULL)
		parse_node_gpus(f, ctx, v, n);
}

static void parse_nodes(const struct cfile *f, const struct toml_value *v)
{
	struct cluster *cl = &f->c->cluster;

	if (!cfile_table_array(f, NULL, "node", v))
		return;
	if (v->u.arr.len > NODES_MAX) {
		cfile_diag(f, v->pos, NULL, "more than %d [[node]] entries", NODES_MAX);
		return;
	}
	cl->nodes = xcalloc(v->u.arr.len, sizeof(*cl->nodes));
	for (size_t i = 0; i < v->u.arr.len; i++) {
		const struct toml_value *t = v->u.arr.items[i];
		struct node *n = &cl->nodes[cl->nnodes++];

		parse_node(f, t, i + 1, n);
		for (size_t j = 0; n->name && j + 1 < cl->nnodes; j++)
			if (cl->nodes[j].name && strcmp(cl->nodes[j].name, n->name) == 0)
				cfile_diag(f, toml_get(t, "name")->pos, NULL, "node name '%s' is already "
					   "used by the node at line %d", n->name, cl->nodes[j].loc.line);
	}
}

static void parse_role(const struct cfile *f, const char *ctx, const struct toml_value *t,
		       struct token *tok)
{
	static const char *const roles[] = { "admin", "deployer", "viewer" };
	const struct toml_value *v = toml_get(t, "role");
	const char *r;

	if (v == NULL) {
		cfile_diag(f, t->pos, ctx, "missing required key 'role' (\"admin\", \"deployer\" or "
			   "\"viewer\")");
		return;
	}
	if (!cfile_string(f, ctx, "role", v, &r))
		return;
	for (int i = 0; i < 3; i++)
		if (strcmp(r, roles[i]) == 0) {
			tok->role = (enum token_role)i;
			return;
		}
	cfile_diag(f, v->pos, ctx, "'role' must be \"admin\", \"deployer\" or \"viewer\", not \"%s\"",
		   r);
}

static void parse_tokens(const struct cfile *f, const struct toml_value *v)
{
	struct cluster *cl = &f->c->cluster;

	if (!cfile_table_array(f, NULL, "token", v))
		return;
	if (v->u.arr.len > TOKENS_MAX) {
		cfile_diag(f, v->pos, NULL, "more than %d [[token]] entries", TOKENS_MAX);
		return;
	}
	cl->tokens = xcalloc(v->u.arr.len, sizeof(*cl->tokens));
	for (size_t i = 0; i < v->u.arr.len; i++) {
		const struct toml_value *t = v->u.arr.items[i];
		struct token *tok = &cl->tokens[cl->ntokens++];
		char ctx[CTX_MAX];

		snprintf(ctx, sizeof(ctx), "token #%zu", i + 1);
		if (toml_get(t, "name") == NULL)
			cfile_diag(f, t->pos, ctx, "missing required key 'name'");
		set_string(f, ctx, t, "name", syntax_name, &tok->name);
		if (tok->name != NULL)
			snprintf(ctx, sizeof(ctx), "token '%s'", tok->name);
		cfile_check_keys(f, ctx, t, token_keys, "[[token]]");
		parse_role(f, ctx, t, tok);
		set_string(f, ctx, t, "hash", syntax_sha256, &tok->hash);
		for (size_t j = 0; tok->name && j + 1 < cl->ntokens; j++)
			if (cl->tokens[j].name && strcmp(cl->tokens[j].name, tok->name) == 0)
				cfile_diag(f, toml_get(t, "name")->pos, NULL,
					   "token name '%s' is given twice", tok->name);
	}
}

static void parse_proxy(const struct cfile *f, const struct toml_value *t)
{
	struct cluster *cl = &f->c->cluster;

	if (!cfile_table(f, NULL, "proxy", t))
		return;
	cfile_check_keys(f, "proxy", t, proxy_keys, "[proxy]");
	set_string(f, "proxy", t, "http", syntax_listen_addr, &cl->proxy_http);
	set_string(f, "proxy", t, "https", syntax_listen_addr, &cl->proxy_https);
	if (cl->proxy_http && cl->proxy_https && strcmp(cl->proxy_http, cl->proxy_https) == 0 &&
	    strcmp(cl->proxy_http, "off") != 0)
		cfile_diag(f, toml_get(t, "https")->pos, "proxy", "'http' and 'https' cannot both "
			   "listen on %s", cl->proxy_https);
	if (toml_get(t, "certificate") != NULL)
		config_proxy_certificates(f, toml_get(t, "certificate"));
	config_cluster_proxy_extra(f, t);
}

void config_add_cluster_text(struct config *c, const char *file, const char *text,
			     size_t len, struct diags *d)
{
	struct cfile f = { c, d, config_intern_file(c, file), NULL };
	struct toml_value *root = NULL;
	struct toml_pos pos = { 0, 0 };
	const struct toml_value *v;
	struct err e = { 0 };

	if (toml_parse(text, len, &root, &pos, &e) < 0) {
		cfile_diag(&f, pos, NULL, "%s", e.msg);
		return;
	}
	cfile_check_keys(&f, NULL, root, top_keys, NULL);
	if ((v = toml_get(root, "cluster")) != NULL)
		parse_cluster(&f, v);
	if ((v = toml_get(root, "node")) != NULL)
		parse_nodes(&f, v);
	if ((v = toml_get(root, "token")) != NULL)
		parse_tokens(&f, v);
	if ((v = toml_get(root, "proxy")) != NULL)
		parse_proxy(&f, v);
	config_inert_cluster(&f, root);
	toml_free(root);
}
