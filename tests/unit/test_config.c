/*
 * test_config.c - the config model: every rule of service.toml and
 * cluster.toml, from TOML text, checking message and line:col.
 */
#include "unit.h"

#include "base/buf.h"
#include "config/json.h"
#include "config/load.h"

/* Diagnostics of one project's text (plus an optional cluster.toml), one
 * "line:col: message" per line, sorted. The caller frees. */
static char *diags_of2(const char *cluster, const char *svc)
{
	struct config *c = config_new();
	struct diags d = { 0 };
	struct buf b = BUF_INIT;

	if (cluster)
		config_add_cluster_text(c, "cluster.toml", cluster, strlen(cluster), &d);
	config_add_project_text(c, "app", NULL, "app.toml", svc, strlen(svc), &d);
	config_check(c, &d);
	diags_sort(&d);
	for (size_t i = 0; i < d.len; i++) {
		if (cluster && d.items[i].file)
			buf_printf(&b, "%s:", d.items[i].file);
		buf_printf(&b, "%d:%d: %s\n", d.items[i].line, d.items[i].col, d.items[i].msg);
	}
	diags_release(&d);
	config_free(c);
	return buf_steal(&b);
}

static char *diags_of(const char *svc)
{
	return diags_of2(NULL, svc);
}

/* Expects exactly one diagnostic, equal to want ("line:col: message"). */
#define EXPECT_DIAG(want, toml)                                        \
	do {                                                               \
		char *got_ = diags_of(toml);                                   \
		EXPECT_STREQ(want "\n", got_);                                 \
		free(got_);                                                    \
	} while (0)

#define EXPECT_VALID(toml)                                             \
	do {                                                               \
		char *got_ = diags_of(toml);                                   \
		EXPECT_STREQ("", got_);                                        \
		free(got_);                                                    \
	} while (0)

/* A valid project's config; the caller frees it. */
static struct config *load(const char *cluster, const char *svc)
{
	struct config *c = config_new();
	struct diags d = { 0 };

	if (cluster)
		config_add_cluster_text(c, "cluster.toml", cluster, strlen(cluster), &d);
	config_add_project_text(c, "app", "/srv/app", "app.toml", svc, strlen(svc), &d);
	config_check(c, &d);
	for (size_t i = 0; i < d.len; i++)
		UNIT_FAIL_AT("unexpected: %d:%d: %s", d.items[i].line, d.items[i].col,
			     d.items[i].msg);
	diags_release(&d);
	return c;
}

static const struct service *svc0(const struct config *c)
{
	return c->nprojects && c->projects[0].nservices ? &c->projects[0].services[0] : NULL;
}

#define C(name, image) "[[service]]\nname = \"" name "\"\nimage = \"" image "\"\n"
#define API C("api", "api:1")

/* ---- keys ---- */

TEST(unknown_key_with_hint)
{
	EXPECT_DIAG("4:1: service 'api': unknown key 'replica' (did you mean 'replicas'?)",
		    API "replica = 3\n");
}

TEST(unknown_key_without_hint)
{
	EXPECT_DIAG("4:1: service 'api': unknown key 'zzzzzz'", API "zzzzzz = 3\n");
}

TEST(unknown_key_in_subtable)
{
	EXPECT_DIAG("5:1: service 'api': unknown key 'memroy' in [service.resources] "
		    "(did you mean 'memory'?)",
		    API "[service.resources]\nmemroy = \"1Gi\"\n");
	EXPECT_DIAG("6:1: service 'api': unknown key 'intervall' in [service.healthcheck] "
		    "(did you mean 'interval'?)",
		    API "port = 1\n[service.healthcheck]\nintervall = \"1s\"\n"
			"path = \"/\"\n");
}

TEST(unknown_top_level_key)
{
	EXPECT_DIAG("1:3: unknown key 'services' (did you mean 'service'?)",
		    "[[services]]\nname = \"x\"\n");
	EXPECT_DIAG("1:1: unknown key 'title' (service.toml holds only [[service]] tables)",
		    "title = \"x\"\n");
	EXPECT_DIAG("1:1: 'service' must be an array of tables: write [[service]], not "
		    "[service]", "[service]\nname = \"x\"\n");
}

TEST(every_documented_key_is_known)
{
	EXPECT_VALID("[[service]]\nname = \"a\"\nruntime = \"container\"\nimage = \"a:1\"\n"
		     "replicas = 2\nport = 80\ndomain = \"a.example.com\"\nroutes = [\"/\"]\n"
		     "aliases = [\"b\"]\ninternal = true\nenv = { A = \"1\" }\n"
		     "command = [\"x\"]\nvolumes = [{ name = \"v\", path = \"/v\" }]\n"
		     "depends_on = []\n"
		     "[service.resources]\nmemory = \"1Gi\"\ncpu = 1\n"
		     "[service.resources.gpu]\ncount = 1\nvendor = \"amd\"\nvram_min = 0\n"
		     "[service.placement]\nnode = \"n\"\nlabels = { a = \"b\" }\n"
		     "[service.deploy]\nstrategy = \"canary\"\nmax_unavailable = 0\n"
		     "max_surge = 1\ncanary_weight = 5\n"
		     "[service.healthcheck]\npath = \"/h\"\ninterval = \"1s\"\ntimeout = \"1s\"\n"
		     "healthy_threshold = 1\nunhealthy_threshold = 1\nstart_period = \"0s\"\n"
		     "[[service.volume]]\nname = \"w\"\npath = \"/w\"\n"
		     "[[service]]\nname = \"e\"\nruntime = \"wasm\"\nmodule = \"e.wasm\"\n"
		     "health = \"/h\"\ntriggers = [\"http:/e\"]\n");
}

/* ---- types ---- */

TEST(wrong_value_type_at_the_value)
{
	EXPECT_DIAG("4:8: service 'api': 'port' must be an integer, not a string",
		    API "port = \"80\"\n");
	EXPECT_DIAG("4:12: service 'api': 'internal' must be a boolean (true or false), "
		    "not a string", API "internal = \"yes\"\n");
	EXPECT_DIAG("4:12: service 'api': 'aliases' must hold strings, not an integer",
		    API "aliases = [1]\n");
	EXPECT_DIAG("4:11: service 'api': 'command' must be an array of strings, not a string",
		    API "command = \"run\"\n");
	EXPECT_DIAG("2:8: service #1: 'name' must be a string, not an integer",
		    "[[service]]\nname = 5\nimage = \"a\"\n");
	EXPECT_DIAG("4:13: service 'api': 'resources' must be a table, not an integer",
		    API "resources = 5\n");
}

/* ---- names ---- */

TEST(service_names)
{
	EXPECT_DIAG("2:8: service name 'Api' is invalid: only a-z, 0-9 and '-' are allowed",
		    C("Api", "a"));
	EXPECT_DIAG("2:8: service name '-api' is invalid: it must not start or end with '-'",
		    C("-api", "a"));
	EXPECT_DIAG("2:8: service name 'api-' is invalid: it must not start or end with '-'",
		    C("api-", "a"));
	EXPECT_DIAG("2:8: service name '' is invalid: it is empty", C("", "a"));
	EXPECT_DIAG("2:8: service name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
		    "is invalid: it is longer than 63 characters",
		    C("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a"));
	EXPECT_VALID(C("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a"));
	EXPECT_VALID(C("a-1", "a"));
	EXPECT_DIAG("1:1: service #1: missing required key 'name'", "[[service]]\nimage = \"a\"\n");
}

TEST(duplicate_service_name_is_the_second)
{
	EXPECT_DIAG("8:8: service name 'api' is already used by the service at line 2",
		    API C("web", "w") C("api", "a"));
}

TEST(project_names)
{
	struct config *c = config_new();
	struct diags d = { 0 };

	config_add_project_text(c, "My_App", "services/My_App", "services/My_App/service.toml",
				"", 0, &d);
	EXPECT_EQ_INT(1, d.len);
	if (d.len == 1) {
		EXPECT_STREQ("services/My_App", d.items[0].file);
		EXPECT_EQ_INT(0, d.items[0].line);
		EXPECT_STREQ("project name 'My_App' is invalid: only a-z, 0-9 and '-' are allowed",
			     d.items[0].msg);
	}
	config_add_project_text(c, "My_App", NULL, "again.toml", "", 0, &d);
	EXPECT_EQ_INT(3, d.len);
	if (d.len == 3)
		EXPECT_STREQ("project 'My_App' is given twice", d.items[2].msg);
	diags_release(&d);
	config_free(c);
}

TEST(projects_are_sorted)
{
	struct config *c = config_new();
	struct diags d = { 0 };

	config_add_project_text(c, "web", NULL, "w", API, strlen(API), &d);
	config_add_project_text(c, "api", NULL, "a", API, strlen(API), &d);
	config_add_project_text(c, "db", NULL, "d", API, strlen(API), &d);
	EXPECT_EQ_INT(0, d.len);
	EXPECT_EQ_INT(3, c->nprojects);
	EXPECT_STREQ("api", c->projects[0].name);
	EXPECT_STREQ("db", c->projects[1].name);
	EXPECT_STREQ("web", c->projects[2].name);
	EXPECT_STREQ("web", c->projects[2].services[0].project);
	EXPECT_NOT_NULL(config_find_project(c, "db"));
	EXPECT_NULL(config_find_project(c, "nope"));
	EXPECT_NOT_NULL(project_find_service(&c->projects[0], "api"));
	diags_release(&d);
	config_free(c);
}

/* ---- runtime, image, module ---- */

TEST(runtime_values)
{
	EXPECT_DIAG("4:11: service 'api': 'runtime' must be \"container\" or \"wasm\", not "
		    "\"docker\"", API "runtime = \"docker\"\n");
}

TEST(container_needs_image)
{
	EXPECT_DIAG("1:1: service 'api': missing required key 'image' (a container service "
		    "runs an image)", "[[service]]\nname = \"api\"\n");
}

TEST(container_forbids_wasm_keys)
{
	EXPECT_DIAG("4:1: service 'api': 'module' is only for runtime = \"wasm\"",
		    API "module = \"x.wasm\"\n");
	EXPECT_DIAG("4:1: service 'api': 'triggers' is only for runtime = \"wasm\"",
		    API "triggers = [\"http:/x\"]\n");
	EXPECT_DIAG("4:12: service 'api': replicas = \"auto\" is only for runtime = \"wasm\"",
		    API "replicas = \"auto\"\n");
}

#define WASM "[[service]]\nname = \"edge\"\nruntime = \"wasm\"\nmodule = \"edge.wasm\"\n"

TEST(wasm_needs_module_and_forbids_image)
{
	EXPECT_DIAG("1:1: service 'edge': missing required key 'module' (a wasm service "
		    "runs a WebAssembly component)",
		    "[[service]]\nname = \"edge\"\nruntime = \"wasm\"\n");
	EXPECT_DIAG("5:1: service 'edge': 'image' is only for runtime = \"container\"",
		    WASM "image = \"x\"\n");
}

TEST(wasm_defaults_and_module_path)
{
	struct config *c = load(NULL, WASM);
	const struct service *s = svc0(c);

	EXPECT_EQ_INT(RUNTIME_WASM, s->runtime);
	EXPECT_TRUE(s->replicas_auto);
	EXPECT_STREQ("edge.wasm", s->module);
	EXPECT_STREQ("/srv/app/edge.wasm", s->module_path);
	config_free(c);
	c = load(NULL, WASM "replicas = 2\n");
	EXPECT_FALSE(svc0(c)->replicas_auto);
	EXPECT_EQ_INT(2, svc0(c)->replicas);
	config_free(c);
}

TEST(image_references)
{
	EXPECT_VALID(C("a", "nginx"));
	EXPECT_VALID(C("a", "library/nginx:1.25-alpine"));
	EXPECT_VALID(C("a", "localhost:5000/team/api:v1.2"));
	EXPECT_VALID(C("a", "ghcr.io/org/app@sha256:"
			    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
	EXPECT_DIAG("3:9: service 'a': image 'my image' is invalid: it contains whitespace",
		    C("a", "my image"));
	EXPECT_DIAG("3:9: service 'a': image '' is invalid: it is empty", C("a", ""));
	EXPECT_DIAG("3:9: service 'a': image 'Nginx' is invalid: the repository must be "
		    "lowercase a-z, 0-9 and '.', '_', '-' between letters, in '/'-separated parts",
		    C("a", "Nginx"));
	EXPECT_DIAG("3:9: service 'a': image 'app@sha256:abc' is invalid: the digest must be "
		    "@sha256:<64 lowercase hex digits>", C("a", "app@sha256:abc"));
	EXPECT_DIAG("3:9: service 'a': image 'app:' is invalid: the tag must be 1-128 characters",
		    C("a", "app:"));
	EXPECT_DIAG("3:9: service 'a': image 'a//b' is invalid: the repository must be "
		    "lowercase a-z, 0-9 and '.', '_', '-' between letters, in '/'-separated parts",
		    C("a", "a//b"));
}

/* ---- replicas, port ---- */

TEST(replicas_bounds)
{
	struct config *c = load(NULL, API);

	EXPECT_EQ_INT(1, svc0(c)->replicas);
	EXPECT_FALSE(svc0(c)->replicas_auto);
	config_free(c);
	EXPECT_VALID(API "replicas = 0\n");
	EXPECT_VALID(API "replicas = 1000\n");
	EXPECT_DIAG("4:12: service 'api': 'replicas' must be between 0 and 1000, not 1001",
		    API "replicas = 1001\n");
	EXPECT_DIAG("4:12: service 'api': 'replicas' must be between 0 and 1000, not -1",
		    API "replicas = -1\n");
	EXPECT_DIAG("4:12: service 'api': 'replicas' must be an integer or \"auto\", not \"many\"",
		    API "replicas = \"many\"\n");
	EXPECT_DIAG("4:12: service 'api': 'replicas' must be an integer or \"auto\", not a float",
		    API "replicas = 1.5\n");
}

TEST(port_bounds)
{
	EXPECT_VALID(API "port = 1\n");
	EXPECT_VALID(API "port = 65535\n");
	EXPECT_DIAG("4:8: service 'api': 'port' must be between 1 and 65535, not 0",
		    API "port = 0\n");
	EXPECT_DIAG("4:8: service 'api': 'port' must be between 1 and 65535, not 65536",
		    API "port = 65536\n");
}

/* ---- domain, routes ---- */

TEST(domains)
{
	/* a wildcard without a brought certificate needs ACME off (test_config_tls) */
	struct config *c = load("[cluster]\nacme_directory = \"off\"\n",
				API "port = 80\ndomain = [\"a.example.com\", \"*.example.com\"]\n");

	EXPECT_EQ_INT(2, svc0(c)->ndomains);
	EXPECT_STREQ("*.example.com", svc0(c)->domains[1]);
	config_free(c);
	EXPECT_DIAG("5:10: service 'api': domain 'Example.com' is invalid: only lowercase "
		    "a-z, 0-9, '-' and '.' are allowed",
		    API "port = 80\ndomain = \"Example.com\"\n");
	EXPECT_DIAG("5:25: service 'api': domain 'a..b' is invalid: a label is empty",
		    API "port = 80\ndomain = [\"ok.example\", \"a..b\"]\n");
	EXPECT_DIAG("5:10: service 'api': domain 'a.*.com' is invalid: '*' is only allowed "
		    "as the whole first label ('*.example.com')",
		    API "port = 80\ndomain = \"a.*.com\"\n");
	EXPECT_DIAG("5:10: service 'api': domain '-a.com' is invalid: a label must not start "
		    "or end with '-'", API "port = 80\ndomain = \"-a.com\"\n");
	EXPECT_DIAG("5:10: service 'api': 'domain' must be a hostname or an array of hostnames, "
		    "not an integer", API "port = 80\ndomain = 5\n");
	EXPECT_DIAG("4:1: service 'api': 'domain' needs a 'port' to send requests to",
		    API "domain = \"a.com\"\n");
}

TEST(domain_length_limits)
{
	char toml[1024], label[70];

	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(toml, sizeof(toml), API "port = 1\ndomain = \"%s.com\"\n", label);
	EXPECT_DIAG("5:10: service 'api': domain '" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaa.com' is invalid: a label is longer than 63 characters",
		    toml);
}

TEST(routes)
{
	EXPECT_VALID(API "port = 80\ndomain = \"a.com\"\nroutes = [\"/\", \"/api/*\", \"/v1\"]\n");
	EXPECT_DIAG("6:11: service 'api': route 'api' is invalid: it must start with '/'",
		    API "port = 80\ndomain = \"a.com\"\nroutes = [\"api\"]\n");
	EXPECT_DIAG("6:11: service 'api': route '/a*/b' is invalid: '*' is only allowed as "
		    "the whole last segment ('/api/*')",
		    API "port = 80\ndomain = \"a.com\"\nroutes = [\"/a*/b\"]\n");
	EXPECT_DIAG("4:1: service 'api': 'routes' needs a 'domain' to route under",
		    API "routes = [\"/x\"]\n");
}

/* ---- health ---- */

TEST(health_defaults_and_short_form)
{
	struct config *c = load(NULL, API "port = 80\nhealth = \"/healthz\"\n");
	const struct healthcheck *h = &svc0(c)->health;

	EXPECT_TRUE(h->enabled);
	EXPECT_STREQ("/healthz", h->path);
	EXPECT_EQ_INT(2000, h->interval_ms);
	EXPECT_EQ_INT(1000, h->timeout_ms);
	EXPECT_EQ_INT(0, h->start_period_ms);
	EXPECT_EQ_INT(1, h->healthy_threshold);
	EXPECT_EQ_INT(3, h->unhealthy_threshold);
	config_free(c);
}

TEST(health_tcp_when_no_path_and_off_without_port)
{
	struct config *c = load(NULL, API "port = 5432\n");

	EXPECT_TRUE(svc0(c)->health.enabled);
	EXPECT_NULL(svc0(c)->health.path);
	config_free(c);
	c = load(NULL, API);
	EXPECT_FALSE(svc0(c)->health.enabled);
	config_free(c);
}

TEST(health_long_form)
{
	struct config *c = load(NULL, API "port = 80\n[service.healthcheck]\npath = \"/ready\"\n"
				    "interval = \"5s\"\ntimeout = \"500ms\"\nstart_period = \"1m\"\n"
				    "healthy_threshold = 2\nunhealthy_threshold = 5\n");
	const struct healthcheck *h = &svc0(c)->health;

	EXPECT_STREQ("/ready", h->path);
	EXPECT_EQ_INT(5000, h->interval_ms);
	EXPECT_EQ_INT(500, h->timeout_ms);
	EXPECT_EQ_INT(60000, h->start_period_ms);
	EXPECT_EQ_INT(2, h->healthy_threshold);
	EXPECT_EQ_INT(5, h->unhealthy_threshold);
	config_free(c);
}

TEST(health_errors)
{
	EXPECT_DIAG("6:10: service 'api': 'health' and [service.healthcheck] are both set; "
		    "keep one (health = \"/path\" is the short form)",
		    API "port = 80\nhealth = \"/h\"\n[service.healthcheck]\npath = \"/h\"\n");
	EXPECT_DIAG("6:21: service 'api': 'healthcheck.healthy_threshold' must be between 1 "
		    "and 1000, not 0",
		    API "port = 80\n[service.healthcheck]\nhealthy_threshold = 0\n");
	EXPECT_DIAG("6:12: service 'api': invalid 'healthcheck.interval': unknown unit 'sec' "
		    "in '5sec' (use ms, s, m or h)",
		    API "port = 80\n[service.healthcheck]\ninterval = \"5sec\"\n");
	EXPECT_DIAG("6:11: service 'api': 'healthcheck.timeout' must be more than 0",
		    API "port = 80\n[service.healthcheck]\ntimeout = \"0s\"\n");
	EXPECT_DIAG("6:12: service 'api': 'healthcheck.interval' must be a duration like \"5s\", "
		    "not an integer", API "port = 80\n[service.healthcheck]\ninterval = 5\n");
	EXPECT_DIAG("5:10: service 'api': health path 'healthz' is invalid: it must start "
		    "with '/'", API "port = 80\nhealth = \"healthz\"\n");
	EXPECT_DIAG("4:10: service 'api': an HTTP health check needs a 'port' to probe",
		    API "health = \"/h\"\n");
}

/* ---- aliases ---- */

TEST(aliases)
{
	EXPECT_VALID(API "aliases = [\"backend\", \"v1\"]\n" C("db", "d") "aliases = [\"pg\"]\n");
	EXPECT_DIAG("4:12: service 'api': alias 'Back' is invalid: only a-z, 0-9 and '-' are "
		    "allowed", API "aliases = [\"Back\"]\n");
	EXPECT_DIAG("4:17: service 'api': alias 'db' is already the name of service 'db' "
		    "(line 6)", API "aliases = [\"x\", \"db\"]\n" C("db", "d"));
	EXPECT_DIAG("4:12: service 'api': alias 'api' is the service's own name",
		    API "aliases = [\"api\"]\n");
	EXPECT_DIAG("4:17: service 'api': alias 'x' is listed twice",
		    API "aliases = [\"x\", \"x\"]\n");
	EXPECT_DIAG("8:12: service 'db': alias 'pg' is already an alias of service 'api' "
		    "(line 4)", API "aliases = [\"pg\"]\n" C("db", "d") "aliases = [\"pg\"]\n");
}

/* ---- env ---- */

TEST(env_values_are_stringified)
{
	struct config *c = load(NULL, API "[service.env]\nA = \"x\"\nB = 42\nC = true\n"
				    "D = \"${secrets.DB_PASSWORD}\"\nE = \"$$HOME and $PATH\"\n");
	const struct service *s = svc0(c);

	EXPECT_EQ_INT(5, s->nenv);
	EXPECT_STREQ("B", s->env[1].key);
	EXPECT_STREQ("42", s->env[1].value);
	EXPECT_STREQ("true", s->env[2].value);
	EXPECT_STREQ("${secrets.DB_PASSWORD}", s->env[3].value);
	EXPECT_STREQ("$$HOME and $PATH", s->env[4].value);
	config_free(c);
}

TEST(env_errors)
{
	EXPECT_DIAG("5:5: service 'api': env 'A' must be a string, not a float",
		    API "[service.env]\nA = 1.5\n");
	EXPECT_DIAG("5:5: service 'api': env 'A' must be a string, not an array",
		    API "[service.env]\nA = [\"x\"]\n");
	EXPECT_DIAG("5:1: service 'api': env name '1A' is invalid: it must start with a "
		    "letter or '_'", API "[service.env]\n\"1A\" = \"x\"\n");
	EXPECT_DIAG("5:1: service 'api': env name 'A-B' is invalid: only A-Z, a-z, 0-9 and "
		    "'_' are allowed", API "[service.env]\n\"A-B\" = \"x\"\n");
	EXPECT_DIAG("4:7: service 'api': 'env' must be a table, not a string", API "env = \"A=1\"\n");
}

TEST(env_secret_references)
{
	EXPECT_DIAG("5:5: service 'api': env 'A': '${secret.X}' is not a reference orca knows "
		    "(use ${secrets.KEY}, or $$ for a literal '$')",
		    API "[service.env]\nA = \"${secret.X}\"\n");
	EXPECT_DIAG("5:5: service 'api': env 'A': '${HOME}' is not a reference orca knows "
		    "(use ${secrets.KEY}, or $$ for a literal '$')",
		    API "[service.env]\nA = \"${HOME}\"\n");
	EXPECT_DIAG("5:5: service 'api': env 'A': '${secrets.}' is not a reference orca knows "
		    "(use ${secrets.KEY}, or $$ for a literal '$')",
		    API "[service.env]\nA = \"${secrets.}\"\n");
	EXPECT_DIAG("5:5: service 'api': env 'A': '${secrets.a-b}' is not a reference orca "
		    "knows (use ${secrets.KEY}, or $$ for a literal '$')",
		    API "[service.env]\nA = \"${secrets.a-b}\"\n");
	EXPECT_DIAG("5:5: service 'api': env 'A': '${' without a closing '}'",
		    API "[service.env]\nA = \"x ${secrets.A\"\n");
	EXPECT_VALID(API "[service.env]\nA = \"$${HOME} ${secrets._k1} $\"\n");
}

/* ---- command, volumes ---- */

TEST(command)
{
	struct config *c = load(NULL, API "command = [\"sh\", \"-c\", \"echo hi\"]\n");

	EXPECT_EQ_INT(3, svc0(c)->ncommand);
	EXPECT_STREQ("echo hi", svc0(c)->command[2]);
	config_free(c);
	EXPECT_DIAG("4:11: service 'api': 'command' must not be empty (leave it out to run "
		    "the image's own command)", API "command = []\n");
	EXPECT_DIAG("4:18: service 'api': 'command' must hold strings, not an integer",
		    API "command = [\"sh\", 1]\n");
}

TEST(volumes_both_forms)
{
	struct config *c = load(NULL, API "volumes = [{ name = \"data\", path = \"/data\" }]\n"
				    "[[service.volume]]\nname = \"logs.v1\"\npath = \"/var/log\"\n");
	const struct service *s = svc0(c);

	EXPECT_EQ_INT(2, s->nvolumes);
	EXPECT_STREQ("data", s->volumes[0].name);
	EXPECT_STREQ("/var/log", s->volumes[1].path);
	config_free(c);
}

TEST(volume_errors)
{
	EXPECT_DIAG("4:21: service 'api': volume name 'Data' is invalid: only a-z, 0-9, '.', "
		    "'_' and '-' are allowed",
		    API "volumes = [{ name = \"Data\", path = \"/d\" }]\n");
	EXPECT_DIAG("4:33: service 'api': volume path 'data' is invalid: it must be an "
		    "absolute path", API "volumes = [{ name = \"d\", path = \"data\" }]\n");
	EXPECT_DIAG("7:8: service 'api': volume path '/d' is already used by volume 'a'",
		    API "volumes = [{ name = \"a\", path = \"/d\" }]\n"
			"[[service.volume]]\nname = \"b\"\npath = \"/d\"\n");
	EXPECT_DIAG("4:12: service 'api': a volume needs both 'name' and 'path'",
		    API "volumes = [{ name = \"a\" }]\n");
	EXPECT_DIAG("4:39: service 'api': unknown key 'mode' in a 'volumes' entry",
		    API "volumes = [{ name = \"a\", path = \"/a\", mode = \"ro\" }]\n");
	EXPECT_DIAG("4:12: service 'api': 'volumes' must be an array of tables, not a string",
		    API "volumes = [\"a:/a\"]\n");
}

/* ---- depends_on ---- */

TEST(depends_on_ok)
{
	struct config *c = load(NULL, API "depends_on = [\"db\"]\n" C("db", "d"));

	EXPECT_EQ_INT(1, svc0(c)->ndepends_on);
	EXPECT_STREQ("db", svc0(c)->depends_on[0]);
	config_free(c);
}

TEST(depends_on_unknown)
{
	EXPECT_DIAG("4:15: service 'api': depends_on 'dbb' is not a service of project 'app' "
		    "(did you mean 'db'?)", API "depends_on = [\"dbb\"]\n" C("db", "d"));
	EXPECT_DIAG("4:15: service 'api': depends_on 'zzzzzz' is not a service of project 'app'",
		    API "depends_on = [\"zzzzzz\"]\n" C("db", "d"));
	EXPECT_DIAG("4:15: service 'api': depends_on 'pg' is an alias; name the service 'db'",
		    API "depends_on = [\"pg\"]\n" C("db", "d") "aliases = [\"pg\"]\n");
	EXPECT_DIAG("4:21: service 'api': depends_on 'db' is listed twice",
		    API "depends_on = [\"db\", \"db\"]\n" C("db", "d"));
}

TEST(depends_on_cycles)
{
	EXPECT_DIAG("8:15: depends_on cycle: a -> b -> a",
		    C("a", "x") "depends_on = [\"b\"]\n" C("b", "x") "depends_on = [\"a\"]\n");
	EXPECT_DIAG("4:15: depends_on cycle: a -> a", C("a", "x") "depends_on = [\"a\"]\n");
	EXPECT_DIAG("16:15: depends_on cycle: b -> c -> d -> b",
		    C("a", "x") "depends_on = [\"b\"]\n" C("b", "x") "depends_on = [\"c\"]\n"
		    C("c", "x") "depends_on = [\"d\"]\n" C("d", "x") "depends_on = [\"b\"]\n");
	/* a diamond is not a cycle */
	EXPECT_VALID(C("a", "x") "depends_on = [\"b\", \"c\"]\n" C("b", "x")
		     "depends_on = [\"d\"]\n" C("c", "x") "depends_on = [\"d\"]\n" C("d", "x"));
}

TEST(depends_on_long_cycle_is_elided_and_deep_chain_is_fine)
{
	struct buf b = BUF_INIT;
	char *got;

	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "[[service]]\nname = \"s%d\"\nimage = \"x\"\n"
			   "depends_on = [\"s%d\"]\n", i, (i + 1) % 5000);
	got = diags_of(buf_str(&b));
	EXPECT_CONTAINS(got, ": depends_on cycle: s0 -> s1 -> s2 -> s3 -> s4 -> s5 -> s6 -> "
			"s7 -> ... -> s4992 -> ");
	EXPECT_CONTAINS(got, "s4999 -> s0\n");
	free(got);
	buf_release(&b);
}

/* ---- triggers ---- */

TEST(triggers_parse)
{
	struct config *c = load(NULL, WASM "triggers = [\"http:/api/edge/*\", \"cron:0 9 * * *\", "
				    "\"queue:orders\", \"event:service.*.crashed\", "
				    "\"cron:@hourly\"]\n");
	const struct service *s = svc0(c);

	EXPECT_EQ_INT(5, s->ntriggers);
	EXPECT_EQ_INT(TRIGGER_HTTP, s->triggers[0].kind);
	EXPECT_STREQ("/api/edge/*", s->triggers[0].arg);
	EXPECT_EQ_INT(TRIGGER_CRON, s->triggers[1].kind);
	EXPECT_STREQ("0 9 * * *", s->triggers[1].arg);
	EXPECT_EQ_U64(1u << 9, s->triggers[1].cron.hours);
	EXPECT_EQ_INT(TRIGGER_QUEUE, s->triggers[2].kind);
	EXPECT_EQ_INT(TRIGGER_EVENT, s->triggers[3].kind);
	EXPECT_EQ_INT(5, s->triggers[1].loc.line);
	config_free(c);
}

TEST(trigger_errors)
{
	EXPECT_DIAG("5:13: service 'edge': trigger 'cron:0 24 * * *' is invalid: hour 24 is "
		    "out of range 0-23", WASM "triggers = [\"cron:0 24 * * *\"]\n");
	EXPECT_DIAG("5:13: service 'edge': trigger 'cron:0 9 * *' is invalid: expected 5 "
		    "fields (minute hour day-of-month month day-of-week), got 4",
		    WASM "triggers = [\"cron:0 9 * *\"]\n");
	EXPECT_DIAG("5:13: service 'edge': trigger 'http:api' is invalid: it must start with '/'",
		    WASM "triggers = [\"http:api\"]\n");
	EXPECT_DIAG("5:13: service 'edge': trigger 'http:/a/*/b' is invalid: '*' is only "
		    "allowed as the whole last segment ('/api/*')",
		    WASM "triggers = [\"http:/a/*/b\"]\n");
	EXPECT_DIAG("5:13: service 'edge': trigger 'queue:Orders' is invalid: only a-z, 0-9, "
		    "'.', '_' and '-' are allowed", WASM "triggers = [\"queue:Orders\"]\n");
	EXPECT_DIAG("5:13: service 'edge': trigger 'event:a..b' is invalid: a segment is "
		    "empty (segments are separated by one '.')",
		    WASM "triggers = [\"event:a..b\"]\n");
	EXPECT_DIAG("5:13: service 'edge': trigger 'event:a.b*' is invalid: segments are "
		    "a-z, 0-9, '_' and '-', or a whole '*'", WASM "triggers = [\"event:a.b*\"]\n");
	EXPECT_DIAG("5:13: service 'edge': trigger 'timer:5s' has an unknown kind (use "
		    "http:<route>, cron:<schedule>, queue:<topic> or event:<pattern>)",
		    WASM "triggers = [\"timer:5s\"]\n");
}

/* ---- resources ---- */

TEST(resources_normalised)
{
	struct config *c = load(NULL, API "[service.resources]\nmemory = \"1.5Gi\"\ncpu = 1.5\n");

	EXPECT_EQ_INT(1610612736, svc0(c)->memory_bytes);
	EXPECT_EQ_INT(1500, svc0(c)->cpu_millis);
	config_free(c);
	c = load(NULL, API "[service.resources]\nmemory = 1048576\ncpu = 2\n");
	EXPECT_EQ_INT(1048576, svc0(c)->memory_bytes);
	EXPECT_EQ_INT(2000, svc0(c)->cpu_millis);
	config_free(c);
	c = load(NULL, API "[service.resources]\nmemory = \"256M\"\n");
	EXPECT_EQ_INT(256000000, svc0(c)->memory_bytes);
	EXPECT_EQ_INT(0, svc0(c)->cpu_millis);
	config_free(c);
}

TEST(resources_errors)
{
	EXPECT_DIAG("5:10: service 'api': invalid 'resources.memory': unknown unit 'MB' in "
		    "'512MB' (use Ki, Mi, Gi, Ti, K, M, G or T)",
		    API "[service.resources]\nmemory = \"512MB\"\n");
	EXPECT_DIAG("5:10: service 'api': invalid 'resources.memory': '-1Gi' is negative",
		    API "[service.resources]\nmemory = \"-1Gi\"\n");
	EXPECT_DIAG("5:10: service 'api': 'resources.memory' must be more than 0 bytes",
		    API "[service.resources]\nmemory = -5\n");
	EXPECT_DIAG("5:10: service 'api': 'resources.memory' must be more than 0 bytes",
		    API "[service.resources]\nmemory = \"0Gi\"\n");
	EXPECT_DIAG("5:10: service 'api': invalid 'resources.memory': '99999999Ti' is too large",
		    API "[service.resources]\nmemory = \"99999999Ti\"\n");
	EXPECT_DIAG("5:10: service 'api': 'resources.memory' must be a size like \"512Mi\" or "
		    "an integer of bytes, not a float", API "[service.resources]\nmemory = 1.5\n");
	EXPECT_DIAG("5:7: service 'api': invalid 'resources.cpu': 0.0001 is less than 0.001",
		    API "[service.resources]\ncpu = 0.0001\n");
	EXPECT_DIAG("5:7: service 'api': 'resources.cpu' must be a number of cores like 1.5, "
		    "not a string", API "[service.resources]\ncpu = \"500m\"\n");
}

TEST(gpu)
{
	struct config *c = load(NULL, API "[service.resources.gpu]\nvendor = \"nvidia\"\n"
				    "vram_min = 16384\n");

	EXPECT_EQ_INT(GPU_NVIDIA, svc0(c)->gpu.vendor);
	EXPECT_EQ_INT(1, svc0(c)->gpu.count);
	EXPECT_EQ_INT(16384, svc0(c)->gpu.vram_min_mib);
	config_free(c);
	c = load(NULL, API "[service.resources.gpu]\nvendor = \"amd\"\ncount = 2\n"
			   "vram_min = \"24Gi\"\n");
	EXPECT_EQ_INT(GPU_AMD, svc0(c)->gpu.vendor);
	EXPECT_EQ_INT(2, svc0(c)->gpu.count);
	EXPECT_EQ_INT(24576, svc0(c)->gpu.vram_min_mib);
	config_free(c);
	c = load(NULL, API);
	EXPECT_EQ_INT(GPU_NONE, svc0(c)->gpu.vendor);
	config_free(c);
}

TEST(gpu_errors)
{
	EXPECT_DIAG("5:10: service 'api': 'resources.gpu.vendor' must be \"nvidia\" or \"amd\", "
		    "not \"intel\"", API "[service.resources.gpu]\nvendor = \"intel\"\n");
	EXPECT_DIAG("4:1: service 'api': [service.resources.gpu] needs 'vendor' (\"nvidia\" or "
		    "\"amd\")", API "[service.resources.gpu]\ncount = 1\n");
	EXPECT_DIAG("6:9: service 'api': 'resources.gpu.count' must be between 1 and 64, not 0",
		    API "[service.resources.gpu]\nvendor = \"amd\"\ncount = 0\n");
	EXPECT_DIAG("6:12: service 'api': 'resources.gpu.vram_min' must not be negative",
		    API "[service.resources.gpu]\nvendor = \"amd\"\nvram_min = -1\n");
}

/* ---- placement ---- */

#define NODES "[[node]]\nname = \"gpu-1\"\n[[node]]\nname = \"cpu-1\"\n"

TEST(placement)
{
	struct config *c = load(NODES, API "[service.placement]\nnode = \"gpu-1\"\n"
				     "labels = { zone = \"eu-1\" }\n");

	EXPECT_STREQ("gpu-1", svc0(c)->placement_node);
	EXPECT_EQ_INT(1, svc0(c)->nplacement_labels);
	EXPECT_STREQ("eu-1", svc0(c)->placement_labels[0].value);
	EXPECT_NOT_NULL(config_find_node(c, "cpu-1"));
	config_free(c);
	/* no declared nodes: any name is accepted (the implicit local node) */
	c = load(NULL, API "[service.placement]\nnode = \"anywhere\"\n");
	EXPECT_STREQ("anywhere", svc0(c)->placement_node);
	config_free(c);
}

TEST(placement_errors)
{
	char *got = diags_of2(NODES, API "[service.placement]\nnode = \"gpu-2\"\n");

	EXPECT_STREQ("app.toml:5:8: service 'api': placement.node 'gpu-2' is not a [[node]] of "
		     "cluster.toml (did you mean 'gpu-1'?)\n", got);
	free(got);
	got = diags_of2(NODES, API "[service.placement]\nnode = \"zzzzzz\"\n");
	EXPECT_STREQ("app.toml:5:8: service 'api': placement.node 'zzzzzz' is not a [[node]] "
		     "of cluster.toml\n", got);
	free(got);
	EXPECT_DIAG("5:19: service 'api': 'placement.labels.zone' must be a string, not an "
		    "integer", API "[service.placement]\nlabels = { zone = 1 }\n");
}

/* ---- deploy ---- */

TEST(deploy_defaults)
{
	struct config *c = load(NULL, API);
	const struct deploy_policy *d = &svc0(c)->deploy;

	EXPECT_EQ_INT(DEPLOY_ROLLING, d->strategy);
	EXPECT_EQ_INT(0, d->max_unavailable);
	EXPECT_EQ_INT(1, d->max_surge);
	EXPECT_EQ_INT(0, d->canary_weight);
	EXPECT_EQ_INT(30000, d->drain_ms);
	EXPECT_EQ_INT(5, d->canary_error_margin);
	EXPECT_EQ_INT(100, d->canary_min_requests);
	EXPECT_EQ_INT(32 * 1024, svc0(c)->max_header_bytes);
	EXPECT_EQ_INT(100 * 1024 * 1024, svc0(c)->max_body_bytes);
	config_free(c);
	c = load(NULL, API "port = 80\ndomain = \"a.test\"\n[service.deploy]\nstrategy = \"canary\"\n"
		 "drain = \"5s\"\ncanary_error_margin = 20\ncanary_min_requests = 7\n"
		 "[service.proxy]\nmax_header_size = \"4Ki\"\nmax_body_size = \"1Mi\"\n");
	EXPECT_EQ_INT(DEPLOY_CANARY, svc0(c)->deploy.strategy);
	EXPECT_EQ_INT(10, svc0(c)->deploy.canary_weight);
	EXPECT_EQ_INT(5000, svc0(c)->deploy.drain_ms);
	EXPECT_EQ_INT(20, svc0(c)->deploy.canary_error_margin);
	EXPECT_EQ_INT(7, svc0(c)->deploy.canary_min_requests);
	EXPECT_EQ_INT(4096, svc0(c)->max_header_bytes);
	EXPECT_EQ_INT(1024 * 1024, svc0(c)->max_body_bytes);
	config_free(c);
}

TEST(deploy_errors)
{
	EXPECT_DIAG("5:12: service 'api': 'deploy.strategy' must be \"rolling\" or \"canary\", "
		    "not \"blue-green\"", API "[service.deploy]\nstrategy = \"blue-green\"\n");
	EXPECT_DIAG("6:13: service 'api': deploy.max_unavailable and deploy.max_surge cannot "
		    "both be 0 (a rollout could never progress)",
		    API "[service.deploy]\nmax_unavailable = 0\nmax_surge = 0\n");
	EXPECT_DIAG("5:1: service 'api': 'deploy.canary_weight' is only for strategy = \"canary\"",
		    API "[service.deploy]\ncanary_weight = 5\n");
	EXPECT_DIAG("8:17: service 'api': 'deploy.canary_weight' must be between 1 and 100, "
		    "not 101", API "port = 80\ndomain = \"a.test\"\n[service.deploy]\nstrategy = \"canary\"\n"
		    "canary_weight = 101\n");
	EXPECT_DIAG("5:12: service 'api': strategy = \"canary\" needs a 'domain': only requests "
		    "through the proxy can be weighted between two revisions",
		    API "[service.deploy]\nstrategy = \"canary\"\n");
	EXPECT_DIAG("5:17: service 'api': 'proxy.max_body_size' must be between 1 and 1073741824 bytes",
		    API "[service.proxy]\nmax_body_size = \"2Gi\"\n");
	EXPECT_DIAG("5:9: service 'api': 'deploy.drain' must be between 0ms and 3600s",
		    API "[service.deploy]\ndrain = \"2h\"\n");
	EXPECT_DIAG("5:19: service 'api': 'deploy.max_unavailable' must be between 0 and 1000, "
		    "not -1", API "[service.deploy]\nmax_unavailable = -1\n");
}

TEST(internal_names_are_unique_across_projects)
{
	struct config *c = config_new();
	struct diags d = { 0 };
	const char *db = C("db", "d") "internal = true\n";
	const char *db_private = C("db", "d");

	config_add_project_text(c, "shop", NULL, "shop.toml", db, strlen(db), &d);
	config_add_project_text(c, "blog", NULL, "blog.toml", db, strlen(db), &d);
	config_add_project_text(c, "wiki", NULL, "wiki.toml", db_private, strlen(db_private), &d);
	config_check(c, &d);
	EXPECT_EQ_INT(1, d.len);
	if (d.len == 1) {
		EXPECT_STREQ("shop.toml", d.items[0].file);
		EXPECT_EQ_INT(1, d.items[0].line);
		EXPECT_STREQ("service 'db': internal = true, but project 'blog' has an internal "
			     "service 'db' too (blog.toml:1); names on the orca-internal network "
			     "must be unique", d.items[0].msg);
	}
	diags_release(&d);
	config_free(c);
}

/* ---- cluster.toml ---- */

static char *cluster_diags(const char *toml)
{
	return diags_of2(toml, API);
}

#define EXPECT_CLUSTER_DIAG(want, toml)                                \
	do {                                                               \
		char *got_ = cluster_diags(toml);                              \
		EXPECT_STREQ("cluster.toml:" want "\n", got_);                 \
		free(got_);                                                    \
	} while (0)

TEST(cluster_defaults)
{
	struct config *c = load(NULL, API);

	EXPECT_STREQ("orca", c->cluster.name);
	EXPECT_EQ_INT(50, c->cluster.keep_revisions);
	EXPECT_EQ_INT(0, c->cluster.nnodes);
	EXPECT_STREQ(":80", c->cluster.proxy_http);
	EXPECT_STREQ(":443", c->cluster.proxy_https);
	EXPECT_FALSE(c->cluster.proxy_declared);
	EXPECT_EQ_INT(5000, c->cluster.proxy_connect_timeout_ms);
	EXPECT_TRUE(c->cluster.proxy_access_log);
	config_free(c);
}

TEST(cluster_full)
{
	struct config *c = load("[cluster]\nname = \"prod\"\ndomain = \"example.com\"\n"
				"acme_email = \"ops@example.com\"\ndata_dir = \"/var/lib/orca\"\n"
				"keep_revisions = 7\n"
				"[proxy]\nhttp = \"0.0.0.0:80\"\nhttps = \"[::]:443\"\n"
				"[[node]]\nname = \"n1\"\naddress = \"10.0.0.1\"\ncpu = 8\n"
				"memory = \"32Gi\"\nlabels = { zone = \"eu-1\" }\n"
				"[[node.gpus]]\nvendor = \"nvidia\"\ncount = 2\nmodel = \"L4\"\n"
				"vram = 24576\n"
				"[[token]]\nname = \"ci\"\nrole = \"deployer\"\nhash = \"sha256:"
				"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n",
				API);
	const struct cluster *cl = &c->cluster;

	EXPECT_STREQ("prod", cl->name);
	EXPECT_EQ_INT(7, cl->keep_revisions);
	json_t *j = config_to_json(c);
	EXPECT_EQ_INT(7, json_integer_value(json_object_get(json_object_get(j, "cluster"),
							    "keep_revisions")));
	json_decref(j);
	EXPECT_STREQ("[::]:443", cl->proxy_https);
	EXPECT_EQ_INT(1, cl->nnodes);
	EXPECT_EQ_INT(8000, cl->nodes[0].cpu_millis);
	EXPECT_EQ_INT(32LL << 30, cl->nodes[0].memory_bytes);
	EXPECT_EQ_INT(1, cl->nodes[0].ngpus);
	EXPECT_EQ_INT(GPU_NVIDIA, cl->nodes[0].gpus[0].vendor);
	EXPECT_EQ_INT(24576, cl->nodes[0].gpus[0].vram_mib);
	EXPECT_STREQ("L4", cl->nodes[0].gpus[0].model);
	EXPECT_EQ_INT(10, cl->nodes[0].loc.line);
	EXPECT_EQ_INT(ROLE_DEPLOYER, cl->tokens[0].role);
	config_free(c);
}

TEST(cluster_errors)
{
	EXPECT_CLUSTER_DIAG("1:3: unknown key 'nodes' (did you mean 'node'?)",
			    "[[nodes]]\nname = \"a\"\n");
	EXPECT_CLUSTER_DIAG("2:18: cluster: 'keep_revisions' must be between 1 and 100000, "
			    "not 0", "[cluster]\nkeep_revisions = 0\n");
	EXPECT_CLUSTER_DIAG("2:1: cluster: unknown key 'nmae' in [cluster] (did you mean "
			    "'name'?)", "[cluster]\nnmae = \"x\"\n");
	EXPECT_CLUSTER_DIAG("4:8: node name 'a' is already used by the node at line 1",
			    "[[node]]\nname = \"a\"\n[[node]]\nname = \"a\"\n");
	EXPECT_CLUSTER_DIAG("2:8: node #1: name 'A' is invalid: only a-z, 0-9 and '-' are "
			    "allowed", "[[node]]\nname = \"A\"\n");
	EXPECT_CLUSTER_DIAG("4:10: node 'a': 'gpus.vendor' must be \"nvidia\" or \"amd\", not "
			    "\"intel\"", "[[node]]\nname = \"a\"\n[[node.gpus]]\nvendor = \"intel\"\n");
	EXPECT_CLUSTER_DIAG("3:8: token 'ci': 'role' must be \"admin\", \"deployer\" or "
			    "\"viewer\", not \"root\"", "[[token]]\nname = \"ci\"\nrole = \"root\"\n");
	EXPECT_CLUSTER_DIAG("4:8: token 'ci': hash 'md5:x' is invalid: it must be "
			    "sha256:<64 lowercase hex digits>",
			    "[[token]]\nname = \"ci\"\nrole = \"admin\"\nhash = \"md5:x\"\n");
	EXPECT_CLUSTER_DIAG("2:8: proxy: http '80' is invalid: it must be host:port "
			    "(\"0.0.0.0:80\"), :port or \"off\"", "[proxy]\nhttp = \"80\"\n");
	EXPECT_CLUSTER_DIAG("2:11: proxy: 'workers' must be between 1 and 64, not 0",
			    "[proxy]\nworkers = 0\n");
	EXPECT_CLUSTER_DIAG("2:16: proxy: invalid 'head_timeout': 'soon' is not a number",
			    "[proxy]\nhead_timeout = \"soon\"\n");
	EXPECT_CLUSTER_DIAG("2:1: proxy: unknown key 'idle' in [proxy]",
			    "[proxy]\nidle = \"5s\"\n");
	EXPECT_CLUSTER_DIAG("2:8: proxy: http 'a:0' is invalid: the port must be 1-65535",
			    "[proxy]\nhttp = \"a:0\"\n");
	EXPECT_CLUSTER_DIAG("3:9: proxy: 'http' and 'https' cannot both listen on [::1]:80",
			    "[proxy]\nhttp = \"[::1]:80\"\nhttps = \"[::1]:80\"\n");
}

/* ---- files, syntax errors, bounds ---- */

TEST(toml_syntax_error_is_a_diagnostic_and_skips_the_rest)
{
	char *got = diags_of("[[service]]\nname = \"Bad Name\"\nimage = \n");

	/* one diagnostic, at the syntax error; the bad name is not reported */
	EXPECT_TRUE(strncmp(got, "3:", 2) == 0);
	EXPECT_NULL(strstr(got, "Bad Name"));
	EXPECT_EQ_INT(strlen(got), strchr(got, '\n') - got + 1);
	free(got);
}

TEST(diagnostics_are_bounded)
{
	struct buf b = BUF_INIT;
	struct config *c = config_new();
	struct diags d = { 0 };

	for (int i = 0; i < 3000; i++)
		buf_printf(&b, "[[service]]\nname = \"S%d\"\n", i);
	config_add_project_text(c, "app", NULL, "app.toml", buf_str(&b), b.len, &d);
	EXPECT_EQ_INT(CONFIG_MAX_DIAGS + 1, d.len);
	EXPECT_TRUE(diags_full(&d));
	diags_sort(&d);
	EXPECT_CONTAINS(d.items[d.len - 1].msg, "too many errors");
	EXPECT_NULL(d.items[d.len - 1].file);
	diags_release(&d);
	config_free(c);
	buf_release(&b);
}

TEST(diags_sort_and_format)
{
	struct diags d = { 0 };
	char *s;

	diags_add(&d, "b.toml", 1, 1, "b1");
	diags_add(&d, "a.toml", 9, 2, "a92");
	diags_add(&d, "a.toml", 9, 1, "a91");
	diags_add(&d, NULL, 0, 0, "general");
	diags_add(&d, "a.toml", 0, 0, "a0");
	diags_add(&d, "a.toml", 9, 1, "a91-second");
	diags_sort(&d);
	EXPECT_STREQ("general", d.items[0].msg);
	EXPECT_STREQ("a0", d.items[1].msg);
	EXPECT_STREQ("a91", d.items[2].msg);
	EXPECT_STREQ("a91-second", d.items[3].msg);
	EXPECT_STREQ("a92", d.items[4].msg);
	EXPECT_STREQ("b1", d.items[5].msg);
	s = diag_format(&d.items[0]);
	EXPECT_STREQ("general", s);
	free(s);
	s = diag_format(&d.items[1]);
	EXPECT_STREQ("a.toml: a0", s);
	free(s);
	s = diag_format(&d.items[2]);
	EXPECT_STREQ("a.toml:9:1: a91", s);
	free(s);
	diags_release(&d);
}

TEST(diag_messages_stay_on_one_line)
{
	char *got = diags_of(C("a", "x") "\"we\\nird\" = 1\n");

	EXPECT_STREQ("4:1: service 'a': unknown key 'we?ird'\n", got);
	free(got);
}

/* ---- JSON ---- */

TEST(json_is_normalised_and_sorted)
{
	struct config *c = load(NULL, API "port = 80\n[service.resources]\nmemory = \"512Mi\"\n"
				    "cpu = 0.5\n" WASM);
	char *text = config_json_text(c);
	json_error_t je;
	json_t *j = json_loads(text, 0, &je), *api, *edge;

	EXPECT_NOT_NULL(j);
	api = json_object_get(json_object_get(json_object_get(json_object_get(j, "projects"),
							      "app"), "services"), "api");
	edge = json_object_get(json_object_get(json_object_get(json_object_get(j, "projects"),
							       "app"), "services"), "edge");
	EXPECT_EQ_INT(536870912, json_integer_value(json_object_get(
					 json_object_get(api, "resources"), "memory_bytes")));
	EXPECT_EQ_INT(500, json_integer_value(json_object_get(
				   json_object_get(api, "resources"), "cpu_millis")));
	EXPECT_STREQ("tcp", json_string_value(json_object_get(json_object_get(api, "healthcheck"),
							      "type")));
	EXPECT_STREQ("auto", json_string_value(json_object_get(edge, "replicas")));
	EXPECT_STREQ("orca", json_string_value(json_object_get(json_object_get(j, "cluster"),
							       "name")));
	/* sorted keys: "cluster" before "projects", "aliases" first in a service */
	EXPECT_TRUE(strstr(text, "\"cluster\"") < strstr(text, "\"projects\""));
	EXPECT_TRUE(text[strlen(text) - 1] == '\n');
	json_decref(j);
	free(text);
	config_free(c);
}

UNIT_MAIN
