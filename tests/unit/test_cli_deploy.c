/*
 * test_cli_deploy.c - `orca deploy` and `orca status` in-process against a
 * fake API: what is sent, what is printed, and the exit codes.
 */
#include "unit.h"

#include "cli_fixture.h"

static const char backend_toml[] =
	"[[service]]\nname = \"api\"\nimage = \"x/api:1\"\nreplicas = 2\n\n"
	"[[service]]\nname = \"db\"\nimage = \"x/db:1\"\n";
static const char web_toml[] = "[[service]]\nname = \"site\"\nimage = \"x/site:1\"\n";

static const char plan_reply[] =
	"{\"deploy\": {\"id\": 7, \"state\": \"running\", \"changes\": ["
	"{\"service\": \"backend/api\", \"change\": \"update\", \"revision\": 3},"
	"{\"service\": \"backend/db\", \"change\": \"unchanged\", \"revision\": 3}]}}";

/* A progress reply for deploy 7 with backend/api at updated/2. */
static void progress(const char *state, const char *svc_state, int updated,
		     const char *message, int sigint)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"deploy\": {\"id\": 7, \"state\": \"%s\", \"message\": \"%s\","
		 " \"created_at\": 1764424000000, \"finished_at\": %s,"
		 " \"projects\": [\"backend\"], \"services\": ["
		 "{\"service\": \"backend/api\", \"state\": \"%s\", \"revision\": 3,"
		 " \"desired\": 2, \"updated\": %d, \"healthy\": 2, \"message\": \"\"},"
		 "{\"service\": \"backend/db\", \"state\": \"done\", \"revision\": 3,"
		 " \"desired\": 1, \"updated\": 1, \"healthy\": 1, \"message\": \"\"}]}}",
		 state, message, strcmp(state, "running") ? "1764424004200" : "0",
		 svc_state, updated);
	fake_add("GET", "/api/v1/deploys/7", 200, NULL, body, sigint);
}

static char *config_dir(void)
{
	char *dir = strdup("/tmp/orca-cfg-XXXXXX");

	if (mkdtemp(dir) == NULL)
		return dir;
	write_file(dir, "cluster.toml", "[cluster]\nname = \"t\"\n");
	write_file(dir, "services/backend/service.toml", backend_toml);
	write_file(dir, "services/web/service.toml", web_toml);
	return dir;
}

TEST(deploy_sends_files_prints_plan_and_progress)
{
	char *dir = config_dir(), *log;
	struct run r;

	FAKE_START();
	fake_reply("POST", "/api/v1/deploy", 202, plan_reply);
	progress("running", "rolling", 0, "", 0);
	progress("running", "rolling", 1, "", 0);
	progress("running", "rolling", 1, "", 0);
	progress("succeeded", "done", 2, "", 0);
	RUN(&r, "deploy", dir);
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("", r.err);
	EXPECT_STREQ("deploy 7: 1 to update, 1 unchanged\n"
		     "  backend/api  update     revision 3\n"
		     "  backend/db   unchanged  revision 3\n"
		     "backend/api  rolling  0/2 updated, 2 healthy\n"
		     "backend/api  rolling  1/2 updated, 2 healthy\n"
		     "backend/api  done  2/2 updated, 2 healthy\n"
		     "deploy 7 succeeded in 4.2 s\n", r.out);
	log = fake_requests();
	EXPECT_CONTAINS(log, "POST /api/v1/deploy {\"dry_run\":false,\"cluster\":"
			"{\"file\":\"cluster.toml\",\"source\":\"[cluster]\\nname = \\\"t\\\"\\n\"},"
			"\"projects\":[{\"name\":\"backend\",\"file\":\"services/backend/"
			"service.toml\",\"source\":\"[[service]]\\nname = \\\"api\\\"");
	EXPECT_CONTAINS(log, "{\"name\":\"web\",\"file\":\"services/web/service.toml\"");
	EXPECT_CONTAINS(log, "GET /api/v1/deploys/7\n");
	free(log);
	run_free(&r);
	fake_stop();
	remove_tree(dir);
	free(dir);
}

TEST(deploy_of_some_projects_and_dry_run)
{
	char *dir = config_dir(), *log;
	struct run r;

	FAKE_START();
	fake_reply("POST", "/api/v1/deploy", 200,
		   "{\"deploy\": {\"state\": \"succeeded\", \"changes\": ["
		   "{\"service\": \"web/site\", \"change\": \"create\", \"revision\": 1}]}}");
	RUN(&r, "deploy", dir, "--project", "web", "--dry-run");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("dry run: 1 to create (nothing was changed)\n"
		     "  web/site  create  revision 1\n", r.out);
	log = fake_requests();
	EXPECT_CONTAINS(log, "{\"dry_run\":true,");
	EXPECT_CONTAINS(log, "\"projects\":[{\"name\":\"web\"");
	EXPECT_TRUE(strstr(log, "backend/service.toml") == NULL);
	EXPECT_TRUE(strstr(log, "/deploys/") == NULL);
	free(log);
	run_free(&r);
	RUN(&r, "deploy", dir, "-p", "web", "-p", "nope");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_CONTAINS(r.err, "orca deploy: no project 'nope' in /tmp/orca-cfg-");
	EXPECT_CONTAINS(r.err, "(projects: backend, web)\n");
	run_free(&r);
	fake_stop();
	remove_tree(dir);
	free(dir);
}

TEST(failed_deploy_says_why_and_exits_1)
{
	char *dir = config_dir();
	struct run r;

	FAKE_START();
	fake_reply("POST", "/api/v1/deploy", 202, plan_reply);
	progress("running", "rolling", 1, "", 0);
	progress("failed", "rolled_back", 0, "backend/api: replica 0 did not become healthy: "
		 "GET /healthz: 500; rolled back to revision 2", 0);
	RUN(&r, "deploy", dir, "--socket", fake.sock);
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("deploy 7 failed: backend/api: replica 0 did not become healthy: "
		     "GET /healthz: 500; rolled back to revision 2\n", r.err);
	EXPECT_CONTAINS(r.out, "backend/api  rolled_back  0/2 updated, 2 healthy\n");
	run_free(&r);
	fake_stop();
	remove_tree(dir);
	free(dir);
}

TEST(server_config_errors_print_like_local_ones)
{
	char *dir = config_dir();
	struct run r;

	FAKE_START();
	fake_reply("POST", "/api/v1/deploy", 400,
		   "{\"error\": {\"code\": \"invalid_config\", \"message\": \"2 errors\","
		   " \"details\": ["
		   "{\"file\": \"services/web/service.toml\", \"line\": 4, \"col\": 12,"
		   " \"message\": \"unknown key 'replica' (did you mean 'replicas'?)\"},"
		   "{\"file\": \"cluster.toml\", \"line\": 2, \"col\": 1, \"message\": \"bad\"}]}}");
	RUN(&r, "deploy", dir);
	EXPECT_EQ_INT(EXIT_INVALID, r.rc);
	EXPECT_STREQ("cluster.toml:2:1: bad\n"
		     "services/web/service.toml:4:12: unknown key 'replica' (did you mean "
		     "'replicas'?)\n2 errors\n", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
	fake_reply("POST", "/api/v1/deploy", 409,
		   "{\"error\": {\"code\": \"unsatisfiable\", \"message\": \"the deploy cannot "
		   "be placed\", \"details\": ["
		   "{\"service\": \"backend/api\", \"message\": \"no node has an nvidia GPU\"},"
		   "{\"service\": \"web/site\", \"message\": \"secret 'KEY' is not set\"},"
		   "{\"service\": \"*\", \"message\": \"this server is not a node\"}]}}");
	RUN(&r, "deploy", dir);
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("backend/api: no node has an nvidia GPU\n"
		     "web/site: secret 'KEY' is not set\n"
		     "this server is not a node\n"
		     "3 problems; nothing was changed\n", r.err);
	run_free(&r);
	fake_stop();
	remove_tree(dir);
	free(dir);
}

TEST(local_config_errors_send_nothing)
{
	char *dir = config_dir(), *log;
	struct run r;

	FAKE_START();
	write_file(dir, "services/web/service.toml", "[[service]]\nname = \"site\"\n"
		   "image = \"x\"\nreplica = 2\n");
	RUN(&r, "deploy", dir);
	EXPECT_EQ_INT(EXIT_INVALID, r.rc);
	EXPECT_CONTAINS(r.err, "/services/web/service.toml:4:1: service 'site': unknown key 'replica' "
			"(did you mean 'replicas'?)\n1 error\n");
	log = fake_requests();
	EXPECT_STREQ("", log);
	free(log);
	run_free(&r);
	fake_stop();
	remove_tree(dir);
	free(dir);
}

TEST(ctrl_c_leaves_the_deploy_running)
{
	char *dir = config_dir();
	struct run r;

	FAKE_START();
	fake_reply("POST", "/api/v1/deploy", 202, plan_reply);
	progress("running", "rolling", 0, "", 0);
	progress("running", "rolling", 1, "", 1);
	progress("running", "rolling", 1, "", 0);
	RUN(&r, "deploy", dir);
	EXPECT_EQ_INT(EXIT_INTERRUPTED, r.rc);
	EXPECT_CONTAINS(r.err, "orca deploy: stopped watching; deploy 7 goes on on the "
			"server (watch it with 'orca status')\n");
	run_free(&r);
	fake_stop();
	remove_tree(dir);
	free(dir);
}

TEST(unreachable_server_exits_4)
{
	char *dir = config_dir();
	struct run r;

	setenv("ORCA_SOCKET", "/nonexistent/orca.sock", 1);
	RUN(&r, "deploy", dir);
	EXPECT_EQ_INT(EXIT_NO_SERVER, r.rc);
	EXPECT_STREQ("orca deploy: cannot reach the orca server at /nonexistent/orca.sock "
		     "(is it running? start it with 'orca server --data DIR')\n", r.err);
	run_free(&r);
	RUN(&r, "status");
	EXPECT_EQ_INT(EXIT_NO_SERVER, r.rc);
	EXPECT_CONTAINS(r.err, "orca status: cannot reach the orca server at");
	run_free(&r);
	RUN(&r, "scale", "api", "3");
	EXPECT_EQ_INT(EXIT_NO_SERVER, r.rc);
	run_free(&r);
	remove_tree(dir);
	free(dir);
}

UNIT_MAIN
