/*
 * test_cli_commands.c - scale/stop/restart/rollback, exec and secrets,
 * in-process against a fake API (and a real store for `secrets get`).
 */
#include "unit.h"

#include "cli_fixture.h"
#include "store/secrets.h"
#include "store/store.h"

#define SVC_PATH "/api/v1/projects/backend/services/api"
#define PROJECT_PATH "/api/v1/projects/backend"
#define ACCEPTED "{\"accepted\": {\"project\": \"backend\", \"service\": \"api\"," \
		 " \"state\": \"pending\"}}"

/* GET /api/v1/projects/backend at a revision, with backend/api in a state. */
static void project(int revision, const char *state, int desired, int running, int healthy,
		    const char *last_error)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"project\": {\"name\": \"backend\", \"revision\": %d, \"services\": ["
		 "{\"project\": \"backend\", \"name\": \"api\", \"state\": \"%s\","
		 " \"desired\": %d, \"running\": %d, \"healthy\": %d, \"outdated\": 0,"
		 " \"draining\": 0, \"last_error\": \"%s\"},"
		 "{\"project\": \"backend\", \"name\": \"worker\", \"state\": \"running\","
		 " \"desired\": 1, \"running\": 1, \"healthy\": 1}]}}",
		 revision, state, desired, running, healthy, last_error);
	fake_reply("GET", PROJECT_PATH, 200, body);
}

TEST(scale_prints_progress_until_converged)
{
	char *log;
	struct run r;

	FAKE_START();
	project(4, "running", 2, 2, 2, "");   /* before the call */
	fake_reply("POST", SVC_PATH "/scale", 202, ACCEPTED);
	project(4, "running", 2, 2, 2, "");   /* not taken in yet: not printed */
	project(5, "deploying", 3, 2, 2, "");
	project(5, "deploying", 3, 3, 2, "");
	project(5, "deploying", 3, 3, 2, "");
	project(5, "running", 3, 3, 3, "");
	RUN(&r, "scale", "backend/api", "3");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("", r.err);
	EXPECT_CONTAINS(r.out, "backend/api  deploying  2/3 healthy, 2 running\n"
			"backend/api  deploying  2/3 healthy, 3 running\n"
			"backend/api  running  3/3 healthy, 3 running\n"
			"backend/api running in ");
	EXPECT_TRUE(strncmp(r.out, "backend/api  deploying", 22) == 0);
	log = fake_requests();
	EXPECT_CONTAINS(log, "GET " PROJECT_PATH "\nPOST " SVC_PATH "/scale {\"replicas\":3}\n");
	free(log);
	run_free(&r);
	RUN(&r, "scale", "backend/api", "3", "--no-wait");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("backend/api: scale accepted; watch it with 'orca status backend/api'\n",
		     r.out);
	run_free(&r);
	fake_stop();
}

TEST(stop_a_project_waits_for_every_service)
{
	static const char fmt[] = "{\"project\": {\"name\": \"backend\", \"revision\": %d,"
		" \"services\": [{\"project\": \"backend\", \"name\": \"api\", \"state\": "
		"\"stopped\", \"desired\": 0, \"running\": %d, \"healthy\": 0}, "
		"{\"project\": \"backend\", \"name\": \"worker\", \"state\": \"stopped\", "
		"\"desired\": 0, \"running\": 0, \"healthy\": 0}]}}";
	char body[1024];
	struct run r;

	FAKE_START();
	project(7, "running", 2, 2, 2, "");
	fake_reply("POST", "/api/v1/projects/backend/stop", 202,
		   "{\"accepted\": {\"project\": \"backend\", \"state\": \"pending\"}}");
	snprintf(body, sizeof(body), fmt, 8, 1);
	fake_reply("GET", PROJECT_PATH, 200, body);
	snprintf(body, sizeof(body), fmt, 8, 0);
	fake_reply("GET", PROJECT_PATH, 200, body);
	RUN(&r, "stop", "--project", "backend");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_CONTAINS(r.out, "backend/api     stopped  0/0 healthy, 1 running\n"
			"backend/worker  stopped  0/0 healthy, 0 running\n"
			"backend/api     stopped  0/0 healthy, 0 running\n"
			"project backend stopped in ");
	run_free(&r);
	RUN(&r, "stop", "--project", "backend", "backend/api");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_STREQ("orca stop: unexpected argument 'backend/api'\n", r.err);
	run_free(&r);
	fake_stop();
}

TEST(lifecycle_failures)
{
	struct run r;

	FAKE_START();
	project(4, "running", 2, 2, 2, "");
	fake_reply("POST", SVC_PATH "/rollback", 409,
		   "{\"error\": {\"code\": \"conflict\", \"message\": \"no earlier revision of "
		   "'backend/api' differs from the current one\"}}");
	RUN(&r, "rollback", "backend/api");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca rollback: no earlier revision of 'backend/api' differs from the "
		     "current one\n", r.err);
	run_free(&r);
	project(4, "running", 2, 2, 2, "");
	fake_reply("POST", SVC_PATH "/restart", 202, ACCEPTED);
	project(5, "failed", 2, 0, 0, "image x/api:2 is missing");
	RUN(&r, "restart", "backend/api", "--timeout", "5");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca restart: backend/api failed: image x/api:2 is missing\n", r.err);
	EXPECT_CONTAINS(r.out, "backend/api  failed  0/2 healthy, 0 running  last error: "
			"image x/api:2 is missing\n");
	run_free(&r);
	fake_clear();
	project(5, "running", 2, 2, 2, "");
	fake_reply("POST", SVC_PATH "/restart", 202, ACCEPTED);
	project(5, "running", 2, 2, 2, "");  /* never taken in */
	RUN(&r, "restart", "backend/api", "--timeout", "1");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca restart: backend/api did not converge in 1.0 s; it goes on on the "
		     "server (see 'orca status backend/api')\n", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
	RUN(&r, "scale", "backend/api", "-1");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	run_free(&r);
	fake_clear();
	fake_reply("GET", "/api/v1/projects/ghost", 404, "{\"error\": {\"code\": \"not_found\","
		   " \"message\": \"project 'ghost' is not deployed\"}}");
	RUN(&r, "restart", "ghost/api");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca restart: project 'ghost' is not deployed\n", r.err);
	run_free(&r);
	fake_stop();
}

TEST(exec_passes_output_and_exit_code)
{
	char *log;
	struct run r;

	FAKE_START();
	fake_reply("POST", SVC_PATH "/exec", 200,
		   "{\"exit_code\": 3, \"stdout\": \"PATH=/bin\\nHOME=/\\n\", \"stderr\": \"warn\\n\","
		   " \"truncated\": false}");
	fake_reply("POST", SVC_PATH "/exec", 200,
		   "{\"exit_code\": 300, \"stdout\": \"x\", \"stderr\": \"\", \"truncated\": true}");
	RUN(&r, "exec", "backend/api", "--replica", "1", "--", "sh", "-c", "env; exit 3");
	EXPECT_EQ_INT(3, r.rc);
	EXPECT_STREQ("PATH=/bin\nHOME=/\n", r.out);
	EXPECT_STREQ("warn\n", r.err);
	log = fake_requests();
	EXPECT_CONTAINS(log, "POST " SVC_PATH "/exec {\"cmd\":[\"sh\",\"-c\",\"env; exit 3\"],"
			"\"replica\":1}\n");
	free(log);
	run_free(&r);
	RUN(&r, "exec", "backend/api", "--", "cat", "big");
	EXPECT_EQ_INT(255, r.rc);
	EXPECT_STREQ("x", r.out);
	EXPECT_STREQ("orca exec: output cut at 1 MiB per stream\n", r.err);
	run_free(&r);
	RUN(&r, "exec", "backend/api");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_STREQ("orca exec: missing CMD (orca exec SERVICE -- CMD ...)\n", r.err);
	run_free(&r);
	RUN(&r, "exec", "backend/api", "ls", "-l");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_STREQ("orca exec: invalid option -- 'l'\n(put the command after '--': orca "
		     "exec SERVICE -- CMD ...)\n", r.err);
	run_free(&r);
	RUN(&r, "secrets", "rm", "--force", "K");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_CONTAINS(r.err, "orca secrets rm: unrecognized option '--force'\n");
	run_free(&r);
	fake_stop();
}

TEST(secrets_set_reads_stdin_and_never_prints_values)
{
	char *log;
	struct run r;

	FAKE_START();
	fake_reply("PUT", "/api/v1/projects/backend/secrets/DB_PASS", 200, "{}");
	fake_reply("PUT", "/api/v1/projects/_cluster/secrets/TOKEN", 200, "{}");
	RUN_IN(&r, "s3cret-value\n", "secrets", "set", "--project", "backend", "DB_PASS");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("set DB_PASS in project 'backend'\n", r.out);
	run_free(&r);
	RUN_IN(&r, "line 1\nline 2\n", "secrets", "set", "TOKEN", "-");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("set TOKEN in the cluster-wide scope\n", r.out);
	run_free(&r);
	RUN(&r, "secrets", "set", "TOKEN", "from-arg");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_TRUE(strstr(r.out, "from-arg") == NULL);
	run_free(&r);
	log = fake_requests();
	EXPECT_CONTAINS(log, "PUT /api/v1/projects/backend/secrets/DB_PASS "
			"{\"value\":\"s3cret-value\"}\n");
	EXPECT_CONTAINS(log, "PUT /api/v1/projects/_cluster/secrets/TOKEN "
			"{\"value\":\"line 1\\nline 2\\n\"}\n");
	EXPECT_CONTAINS(log, "{\"value\":\"from-arg\"}\n");
	free(log);
	RUN(&r, "secrets", "set", "9BAD", "x");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_STREQ("orca secrets set: '9BAD' is not a secret name: letters, digits and '_', "
		     "not starting with a digit\n", r.err);
	run_free(&r);
	{
		char *big = malloc(70000);

		memset(big, 'x', 69999);
		big[69999] = '\0';
		RUN_IN(&r, big, "secrets", "set", "K");
		EXPECT_EQ_INT(EXIT_FAILED, r.rc);
		EXPECT_STREQ("orca secrets set: the value on stdin is over 65536 bytes\n", r.err);
		run_free(&r);
		free(big);
	}
	RUN_IN(&r, "\xff\xfe\n", "secrets", "set", "K");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca secrets set: the value of K is not UTF-8 text\n", r.err);
	run_free(&r);
	fake_reply("PUT", "/api/v1/projects/web/secrets/K", 400,
		   "{\"error\": {\"code\": \"invalid\", \"message\": \"value too long\"}}");
	RUN(&r, "secrets", "set", "-p", "web", "K", "hunter2");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca secrets set: value too long\n", r.err);
	EXPECT_TRUE(strstr(r.out, "hunter2") == NULL && strstr(r.err, "hunter2") == NULL);
	run_free(&r);
	fake_stop();
}

TEST(secrets_list_rm_and_import)
{
	char dir[] = "/tmp/orca-env-XXXXXX", path[64], *log;
	struct run r;

	FAKE_START();
	fake_reply("GET", "/api/v1/projects/backend/secrets", 200,
		   "{\"secrets\": [{\"name\": \"DB_PASS\", \"updated_at\": 1764424981000},"
		   " {\"name\": \"API_KEY\", \"updated_at\": 1764424000000}]}");
	fake_reply("GET", "/api/v1/projects/_cluster/secrets", 200, "{\"secrets\": []}");
	fake_reply("DELETE", "/api/v1/projects/backend/secrets/DB_PASS", 204, "");
	fake_reply("PUT", "/api/v1/projects/backend/secrets/A", 200, "{}");
	fake_reply("PUT", "/api/v1/projects/backend/secrets/B", 200, "{}");
	RUN(&r, "secrets", "list", "--project", "backend");
	EXPECT_STREQ("NAME     UPDATED\nDB_PASS  2025-11-29 14:03:01\n"
		     "API_KEY  2025-11-29 13:46:40\n", r.out);
	run_free(&r);
	RUN(&r, "secrets", "list");
	EXPECT_STREQ("no secrets in the cluster-wide scope\n", r.out);
	run_free(&r);
	RUN(&r, "secrets", "rm", "--project", "backend", "DB_PASS");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("removed DB_PASS from project 'backend'\n", r.out);
	run_free(&r);
	EXPECT_NOT_NULL(mkdtemp(dir));
	write_file(dir, "app.env", "# comment\nA=1\nexport B=\"two words\"\n");
	snprintf(path, sizeof(path), "%s/app.env", dir);
	RUN(&r, "secrets", "import", "--project", "backend", path);
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("imported 2 secrets into project 'backend'\n", r.out);
	run_free(&r);
	log = fake_requests();
	EXPECT_CONTAINS(log, "PUT /api/v1/projects/backend/secrets/B {\"value\":\"two words\"}\n");
	free(log);
	write_file(dir, "app.env", "A=1\nnot a line\n");
	RUN(&r, "secrets", "import", "--project", "backend", path);
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_CONTAINS(r.err, "app.env: line 2: ");
	run_free(&r);
	RUN(&r, "secrets", "import", path);
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	run_free(&r);
	remove_tree(dir);
	fake_stop();
}

TEST(secrets_get_reads_the_data_directory)
{
	char dir[] = "/tmp/orca-data-XXXXXX";
	struct store *st = NULL;
	struct err e = { 0 };
	struct run r;

	EXPECT_NOT_NULL(mkdtemp(dir));
	EXPECT_EQ_INT(0, store_open(dir, &st, &e));
	EXPECT_EQ_INT(0, secrets_set(st, "backend", "DB_PASS", "pa ss\n", 6, &e));
	EXPECT_EQ_INT(0, secrets_set(st, "", "TOKEN", "t0k", 3, &e));
	store_close(st);
	RUN(&r, "secrets", "get", "--data", dir, "--project", "backend", "DB_PASS");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("pa ss\n", r.out);  /* exactly, stdout is not a terminal */
	run_free(&r);
	RUN(&r, "secrets", "get", "TOKEN", "--data", dir);
	EXPECT_STREQ("t0k", r.out);
	run_free(&r);
	RUN(&r, "secrets", "get", "--data", dir, "-p", "web", "DB_PASS");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca secrets get: no secret DB_PASS in project 'web'\n", r.err);
	run_free(&r);
	RUN(&r, "secrets", "get", "--data", "/nonexistent/orca", "X");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca secrets get: no orca data in /nonexistent/orca (give the server's "
		     "data directory with --data DIR)\n", r.err);
	run_free(&r);
	remove_tree(dir);
}

UNIT_MAIN
