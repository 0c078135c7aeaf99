/*
 * test_config_inert.c - keys that have no effect yet become warnings at
 * their file:line:col (config/inert.c) and never errors; [cluster] domain
 * gives default names; [cluster] data_dir is an absolute path.
 *
 * When a key starts working, its row leaves config/inert.c and its case
 * here changes from "warns" to "silent".
 */
#include "unit.h"

#include <unistd.h>

#include "base/buf.h"
#include "config/json.h"
#include "config/load.h"
#include "reconcile/spec.h"

struct loaded {
	struct config *c;
	char *errors;    /* "file:line:col: message\n"... */
	char *warnings;  /* the same, with "warning: " */
};

static char *format_all(struct diags *d, bool warnings)
{
	struct buf b = BUF_INIT;

	diags_sort(d);
	for (size_t i = 0; i < d->len; i++) {
		char *line = warnings ? diag_format_warning(&d->items[i]) : diag_format(&d->items[i]);

		buf_printf(&b, "%s\n", line);
		free(line);
	}
	buf_puts(&b, "");
	return buf_steal(&b);
}

static struct loaded load(const char *cluster, const char *svc)
{
	struct loaded l = { config_new(), NULL, NULL };
	struct diags d = { 0 };

	if (cluster)
		config_add_cluster_text(l.c, "cluster.toml", cluster, strlen(cluster), &d);
	if (svc)
		config_add_project_text(l.c, "app", NULL, "app.toml", svc, strlen(svc), &d);
	config_check(l.c, &d);
	l.errors = format_all(&d, false);
	l.warnings = format_all(l.c->warnings, true);
	diags_release(&d);
	return l;
}

static void release(struct loaded *l)
{
	config_free(l->c);
	free(l->errors);
	free(l->warnings);
}

/* Valid, with exactly these warnings (each line ends in \n; "" for none). */
#define EXPECT_WARNINGS(want, cluster, svc)                            \
	do {                                                               \
		struct loaded l_ = load(cluster, svc);                         \
		EXPECT_STREQ("", l_.errors);                                   \
		EXPECT_STREQ(want, l_.warnings);                               \
		release(&l_);                                                  \
	} while (0)

#define API "[[service]]\nname = \"api\"\nimage = \"api:1\"\nport = 80\n"

/* ---- cluster.toml ---- */

TEST(acme_keys_work)
{
	/* the ACME account's contact, and where to get certificates from */
	EXPECT_WARNINGS("", "[cluster]\nname = \"c\"\nacme_email = \"ops@example.com\"\n"
			"acme_directory = \"off\"\n", NULL);
}

TEST(node_address_warns_for_each_node)
{
	EXPECT_WARNINGS("cluster.toml:3:1: warning: [[node]] address has no effect yet: orca "
			"runs every replica on the server's own node for now\n"
			"cluster.toml:8:1: warning: [[node]] address has no effect yet: orca "
			"runs every replica on the server's own node for now\n",
			"[[node]]\nname = \"a\"\naddress = \"10.0.0.1\"\n"
			"[[node]]\nname = \"b\"\n"
			"[[node]]\nname = \"c\"\naddress = \"10.0.0.3\"\n", NULL);
}

TEST(tokens_warn_once)
{
	EXPECT_WARNINGS("cluster.toml:1:3: warning: [[token]] has no effect yet: the API does "
			"not check tokens yet: anyone who can reach its socket or --listen "
			"address is admin\n",
			"[[token]]\nname = \"ci\"\nrole = \"deployer\"\n"
			"[[token]]\nname = \"ops\"\nrole = \"admin\"\n", NULL);
}

TEST(keys_that_work_are_silent)
{
	EXPECT_WARNINGS("",
			"[cluster]\nname = \"c\"\ndata_dir = \"/srv/orca\"\nkeep_revisions = 10\n"
			"domain = \"example.com\"\n[proxy]\nhttp = \"127.0.0.1:8080\"\n"
			"[[node]]\nname = \"local\"\nlabels = { zone = \"a\" }\ncpu = 2\n"
			"memory = \"1Gi\"\n[[node.gpus]]\nvendor = \"nvidia\"\nmodel = \"L4\"\n"
			"vram = \"24Gi\"\n", NULL);
}

/* ---- service.toml ---- */

TEST(canary_and_rolling_are_silent)
{
	EXPECT_WARNINGS("", NULL, API "domain = \"a.example.com\"\n[service.deploy]\n"
			"strategy = \"canary\"\ncanary_weight = 5\n");
	EXPECT_WARNINGS("", NULL, API "[service.deploy]\nstrategy = \"rolling\"\nmax_surge = 2\n");
	EXPECT_WARNINGS("", NULL, API "domain = \"a.example.com\"\nroutes = [\"/api/*\"]\n");
}

TEST(wasm_warns_and_container_is_silent)
{
	EXPECT_WARNINGS("app.toml:3:1: warning: service 'fn': runtime = \"wasm\" has no effect "
			"yet: wasm services are validated but not run, and a deploy refuses "
			"them\n",
			NULL, "[[service]]\nname = \"fn\"\nruntime = \"wasm\"\nmodule = \"f.wasm\"\n"
			"triggers = [\"cron:@daily\"]\n");
	EXPECT_WARNINGS("", NULL, API "runtime = \"container\"\n");
}

TEST(warnings_are_not_errors)
{
	struct loaded l = load("[[token]]\nname = \"ci\"\nrole = \"admin\"\n", API "replica = 2\n");

	EXPECT_STREQ("app.toml:5:1: service 'api': unknown key 'replica' (did you mean "
		     "'replicas'?)\n", l.errors);
	EXPECT_CONTAINS(l.warnings, "[[token]] has no effect yet");
	release(&l);
}

/* ---- [cluster] domain: default names ---- */

static const char *default_of(const struct loaded *l, const char *service)
{
	const struct project *p = config_find_project(l->c, "app");
	const struct service *s = p ? project_find_service(p, service) : NULL;

	return s ? s->default_domain : "(no such service)";
}

TEST(default_domain_for_http_services_without_domain)
{
	struct loaded l = load("[cluster]\ndomain = \"apps.example.com\"\n",
			       API "health = \"/healthz\"\n"
			       "[[service]]\nname = \"db\"\nimage = \"pg:16\"\nport = 5432\n"
			       "[[service]]\nname = \"www\"\nimage = \"w:1\"\nport = 80\n"
			       "health = \"/\"\ndomain = \"www.example.com\"\n"
			       "[[service]]\nname = \"job\"\nimage = \"j:1\"\n"
			       "[[service]]\nname = \"fn\"\nruntime = \"wasm\"\nmodule = \"f.wasm\"\n"
			       "triggers = [\"http:/fn/*\"]\n"
			       "[[service]]\nname = \"tick\"\nruntime = \"wasm\"\n"
			       "module = \"t.wasm\"\ntriggers = [\"cron:@daily\"]\n");
	char *json = NULL;
	json_t *j;

	EXPECT_STREQ("", l.errors);
	EXPECT_STREQ("api.app.apps.example.com", default_of(&l, "api"));
	EXPECT_NULL(default_of(&l, "db"));     /* a TCP port only: maybe not HTTP */
	EXPECT_NULL(default_of(&l, "www"));    /* has its own domain */
	EXPECT_NULL(default_of(&l, "job"));    /* no port */
	EXPECT_STREQ("fn.app.apps.example.com", default_of(&l, "fn"));
	EXPECT_NULL(default_of(&l, "tick"));   /* no http: trigger */
	j = config_to_json(l.c);
	json = json_dumps(json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(j, "projects"), "app"), "services"), "api"), "default_domain"),
		JSON_ENCODE_ANY);
	EXPECT_STREQ("\"api.app.apps.example.com\"", json);
	free(json);
	json = json_dumps(json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(j, "projects"), "app"), "services"), "db"), "default_domain"),
		JSON_ENCODE_ANY);
	EXPECT_STREQ("null", json);
	free(json);
	json_decref(j);
	release(&l);
}

/* A default name is for the proxy: it must not make every replica "changed". */
TEST(default_name_leaves_the_spec_hash_alone)
{
	struct loaded a = load("[cluster]\nname = \"c\"\n", API "health = \"/healthz\"\n");
	struct loaded b = load("[cluster]\ndomain = \"example.com\"\n", API "health = \"/healthz\"\n");
	char ha[SPEC_HASH_LEN + 1], hb[SPEC_HASH_LEN + 1];

	EXPECT_NULL(default_of(&a, "api"));
	EXPECT_NOT_NULL(default_of(&b, "api"));
	spec_hash(&a.c->projects[0].services[0], "sha256:1", 0, "", ha);
	spec_hash(&b.c->projects[0].services[0], "sha256:1", 0, "", hb);
	EXPECT_STREQ(ha, hb);
	release(&a);
	release(&b);
}

TEST(no_cluster_domain_no_default_name)
{
	struct loaded l = load("[cluster]\nname = \"c\"\n", API "health = \"/healthz\"\n");

	EXPECT_NULL(default_of(&l, "api"));
	release(&l);
}

TEST(default_name_too_long_is_an_error)
{
	char label[64], domain[256], cluster[300], want[600];
	struct loaded l;

	/* 246 characters: valid alone, 254 with "api.app." before it */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(domain, sizeof(domain), "%s.%s.%s.%.50s.com", label, label, label, label);
	EXPECT_EQ_INT(246, strlen(domain));
	snprintf(cluster, sizeof(cluster), "[cluster]\ndomain = \"%s\"\n", domain);
	snprintf(want, sizeof(want), "app.toml:1:1: service 'api': its default name "
		 "'api.app.%s' is invalid (it is longer than 253 characters); give it a "
		 "'domain'\n", domain);
	l = load(cluster, API "health = \"/healthz\"\n");
	EXPECT_STREQ(want, l.errors);
	release(&l);
	l = load(cluster, API "health = \"/healthz\"\ndomain = \"api.example.com\"\n");
	EXPECT_STREQ("", l.errors);
	release(&l);
}

TEST(cluster_domain_refuses_a_wildcard)
{
	struct loaded l = load("[cluster]\ndomain = \"*.example.com\"\n", NULL);

	EXPECT_STREQ("cluster.toml:2:10: cluster: domain '*.example.com' is invalid: it names "
		     "the parent of every service's default name; write it without '*.'\n",
		     l.errors);
	release(&l);
}

/* ---- [cluster] data_dir ---- */

TEST(data_dir_is_absolute_and_located)
{
	struct loaded l = load("[cluster]\nname = \"c\"\n\ndata_dir = \"/srv/orca\"\n", NULL);

	EXPECT_STREQ("", l.errors);
	EXPECT_STREQ("/srv/orca", l.c->cluster.data_dir);
	EXPECT_STREQ("cluster.toml", l.c->cluster.data_dir_loc.file);
	EXPECT_EQ_INT(4, l.c->cluster.data_dir_loc.line);
	EXPECT_EQ_INT(12, l.c->cluster.data_dir_loc.col);
	release(&l);
	l = load("[cluster]\ndata_dir = \"state\"\n", NULL);
	EXPECT_STREQ("cluster.toml:2:12: cluster: data_dir 'state' is invalid: it must be an "
		     "absolute path\n", l.errors);
	EXPECT_NULL(l.c->cluster.data_dir);
	release(&l);
}

TEST(load_cluster_alone)
{
	char dir[] = "/tmp/orca-inert-XXXXXX", path[64];
	struct diags d = { 0 };
	struct config *c = NULL;
	FILE *f;

	EXPECT_NOT_NULL(mkdtemp(dir));
	config_load_cluster(dir, &c, &d);
	EXPECT_EQ_INT(1, d.len);
	if (d.len == 1)
		EXPECT_STREQ("no cluster.toml in this directory", d.items[0].msg);
	diags_release(&d);
	config_free(c);
	snprintf(path, sizeof(path), "%s/cluster.toml", dir);
	f = fopen(path, "w");
	EXPECT_NOT_NULL(f);
	if (f) {
		fputs("[cluster]\ndata_dir = \"/srv/x\"\n", f);
		fclose(f);
	}
	config_load_cluster(dir, &c, &d);
	EXPECT_EQ_INT(0, d.len);
	EXPECT_STREQ("/srv/x", c->cluster.data_dir);
	diags_release(&d);
	config_free(c);
	unlink(path);
	rmdir(dir);
}

/* ---- the diagnostics list ---- */

TEST(diags_truncate_and_warning_format)
{
	struct diags d = { 0 };
	char *s;

	diags_add(&d, "a.toml", 1, 2, "one");
	diags_add(&d, "a.toml", 0, 0, "two");
	diags_add(&d, NULL, 0, 0, "three");
	s = diag_format_warning(&d.items[0]);
	EXPECT_STREQ("a.toml:1:2: warning: one", s);
	free(s);
	s = diag_format_warning(&d.items[1]);
	EXPECT_STREQ("a.toml: warning: two", s);
	free(s);
	s = diag_format_warning(&d.items[2]);
	EXPECT_STREQ("warning: three", s);
	free(s);
	diags_truncate(&d, 1);
	EXPECT_EQ_INT(1, d.len);
	diags_truncate(&d, 5);
	EXPECT_EQ_INT(1, d.len);
	diags_release(&d);
}

UNIT_MAIN
