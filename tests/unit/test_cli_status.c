/*
 * test_cli_status.c - `orca status`, `orca events`, `orca nodes` and the
 * SERVICE name rule, in-process against a fake API.
 */
#include "unit.h"

#include <time.h>

#include "cli_fixture.h"

static const char status_reply[] =
	"{\"projects\": ["
	"{\"name\": \"backend\", \"revision\": 3, \"services\": ["
	" {\"project\": \"backend\", \"name\": \"api\", \"runtime\": \"container\","
	"  \"image\": \"orca-example/api:1\", \"revision\": 3, \"state\": \"degraded\","
	"  \"desired\": 3, \"running\": 3, \"healthy\": 2, \"restarts\": 1,"
	"  \"last_error\": \"replica 1 exited with code 137\"},"
	" {\"project\": \"backend\", \"name\": \"worker\", \"runtime\": \"wasm\","
	"  \"module\": \"worker.wasm\", \"revision\": 3, \"state\": \"running\","
	"  \"desired\": 1, \"running\": 1, \"healthy\": 1, \"restarts\": 0, \"last_error\": \"\"}]},"
	"{\"name\": \"payments\", \"revision\": 1, \"services\": ["
	" {\"project\": \"payments\", \"name\": \"api\", \"image\": \"pay:2\", \"revision\": 1,"
	"  \"state\": \"running\", \"desired\": 1, \"running\": 1, \"healthy\": 1}]}]}";

TEST(status_table_one_row_per_service)
{
	struct run r;

	FAKE_START();
	fake_reply("GET", "/api/v1/status", 200, status_reply);
	RUN(&r, "status");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ(
		"PROJECT   SERVICE  STATE     REPLICAS  RUNNING  REVISION  IMAGE               RESTARTS  LAST ERROR\n"
		"backend   api      degraded  2/3       3        3         orca-example/api:1  1         replica 1 exited with code 137\n"
		"backend   worker   running   1/1       1        3         worker.wasm         0\n"
		"payments  api      running   1/1       1        1         pay:2               0\n",
		r.out);
	run_free(&r);
	RUN(&r, "status", "-o", "json");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_CONTAINS(r.out, "{\n  \"projects\": [\n    {\n      \"name\": \"backend\",");
	run_free(&r);
	RUN(&r, "status", "-o", "yaml");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_STREQ("orca status: unknown output format 'yaml' (table or json)\n", r.err);
	run_free(&r);
	fake_reply("GET", "/api/v1/projects/nope", 404,
		   "{\"error\": {\"code\": \"not_found\", \"message\": \"no project 'nope'\"}}");
	RUN(&r, "status", "nope");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca status: no project 'nope'\n", r.err);
	run_free(&r);
	fake_stop();
}

TEST(status_of_one_service_lists_replicas)
{
	char body[2048];
	long long now = (long long)time(NULL) * 1000;
	struct run r;

	FAKE_START();
	snprintf(body, sizeof(body),
		 "{\"service\": {\"project\": \"backend\", \"name\": \"api\", \"image\": \"a:1\","
		 " \"revision\": 3, \"state\": \"running\", \"desired\": 2, \"running\": 2,"
		 " \"healthy\": 2, \"restarts\": 0, \"replicas\": ["
		 "{\"index\": 0, \"container\": \"3f2a9c0d1e2f3a4b5c6d\", \"revision\": 3,"
		 " \"state\": \"running\", \"health\": \"healthy\", \"ip\": \"172.18.0.5\","
		 " \"started_at\": %lld, \"last_probe\": {\"ok\": true,"
		 " \"detail\": \"GET /healthz: 200\", \"at\": %lld}},"
		 "{\"index\": 1, \"container\": \"\", \"revision\": 3, \"state\": \"created\","
		 " \"health\": \"starting\", \"ip\": \"\", \"started_at\": 0}]}}",
		 now - 180000, now - 5000);
	fake_reply("GET", "/api/v1/projects/backend/services/api", 200, body);
	RUN(&r, "status", "backend/api");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ(
		"PROJECT  SERVICE  STATE    REPLICAS  RUNNING  REVISION  IMAGE  RESTARTS  LAST ERROR\n"
		"backend  api      running  2/2       2        3         a:1    0\n"
		"\n"
		"INDEX  CONTAINER     STATE    HEALTH    REVISION  IP          STARTED  LAST PROBE\n"
		"0      3f2a9c0d1e2f  running  healthy   3         172.18.0.5  3m ago   GET /healthz: 200 (ok, 5s ago)\n"
		"1      -             created  starting  3         -           -        -\n",
		r.out);
	run_free(&r);
	fake_stop();
}

TEST(bare_service_names_resolve_or_ask)
{
	char *log;
	struct run r;

	FAKE_START();
	fake_reply("GET", "/api/v1/status", 200, status_reply);
	fake_add("GET", "/api/v1/projects/backend/services/worker/logs", 200, "text/plain",
		 "[0] started\n[0] listening on 8080\n", 0);
	RUN(&r, "logs", "worker", "--tail", "10", "--since", "10m");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("[0] started\n[0] listening on 8080\n", r.out);
	log = fake_requests();
	EXPECT_CONTAINS(log, "GET /api/v1/projects/backend/services/worker/logs?tail=10&"
			"since=10m\n");
	free(log);
	run_free(&r);
	RUN(&r, "logs", "api", "-f");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	EXPECT_STREQ("orca logs: 'api' is in projects backend, payments: say which, e.g. "
		     "backend/api\n", r.err);
	run_free(&r);
	RUN(&r, "restart", "cache");
	EXPECT_EQ_INT(EXIT_FAILED, r.rc);
	EXPECT_STREQ("orca restart: no service 'cache' in any project (see 'orca status')\n",
		     r.err);
	run_free(&r);
	RUN(&r, "logs", "a/b/c");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	run_free(&r);
	RUN(&r, "logs", "api", "--since", "yesterday");
	EXPECT_EQ_INT(EXIT_USAGE, r.rc);
	run_free(&r);
	fake_stop();
}

static const char events_reply[] =
	"{\"events\": ["
	"{\"id\": 43, \"at\": 1764424990000, \"project\": \"backend\", \"service\": \"api\","
	" \"replica\": 0, \"kind\": \"replica.created\", \"message\": \"replica 0 created\"},"
	"{\"id\": 42, \"at\": 1764424981000, \"project\": \"backend\", \"service\": \"api\","
	" \"replica\": 0, \"kind\": \"replica.crashed\","
	" \"message\": \"replica 0 exited with code 137\"}]}";

TEST(events_list_and_follow)
{
	char *log;
	struct run r;

	FAKE_START();
	fake_reply("GET", "/api/v1/events", 200, events_reply);
	RUN(&r, "events", "--after", "40");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("2025-11-29 14:03:01  backend/api[0]  replica.crashed  replica 0 exited "
		     "with code 137\n"
		     "2025-11-29 14:03:10  backend/api[0]  replica.created  replica 0 created\n",
		     r.out);
	run_free(&r);
	fake_clear();
	fake_add("GET", "/api/v1/events", 200, "text/event-stream",
		 ": hello\n\nevent: orca\ndata: {\"id\": 44, \"at\": 1764424981000,"
		 " \"project\": \"backend\", \"kind\": \"deploy.started\", \"message\": \"deploy 8\"}"
		 "\n\nevent: orca\ndata: {\"id\": 45, \"at\": 1764424982000, \"kind\": \"x\","
		 " \"message\": \"y\"}\n\n", 0);
	RUN(&r, "events", "-f", "--after", "43");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("2025-11-29 14:03:01  backend  deploy.started  deploy 8\n"
		     "2025-11-29 14:03:02  -  x  y\n", r.out);
	run_free(&r);
	RUN(&r, "events", "-f", "-o", "json");
	EXPECT_CONTAINS(r.out, "{\"id\":44,\"at\":1764424981000,\"project\":\"backend\",");
	EXPECT_CONTAINS(r.out, "\n{\"id\":45,");
	run_free(&r);
	log = fake_requests();
	EXPECT_CONTAINS(log, "GET /api/v1/events?follow=1&after=43\n");
	EXPECT_CONTAINS(log, "GET /api/v1/events?follow=1\n");
	free(log);
	fake_stop();
}

TEST(nodes_table)
{
	struct run r;

	FAKE_START();
	fake_reply("GET", "/api/v1/nodes", 200,
		   "{\"nodes\": [{\"name\": \"local\", \"memory_bytes\": 17179869184,"
		   " \"memory_used\": 536870912, \"cpu_millis\": 8000, \"cpu_used\": 1500,"
		   " \"gpus\": 2, \"gpus_used\": 1, \"replicas\": 5, \"state\": \"ready\","
		   " \"heartbeat_ms_ago\": null, \"version\": \"0.1.0\","
		   " \"labels\": {\"zone\": \"eu-1\", \"disk\": \"ssd\"}},"
		   "{\"name\": \"edge\", \"gpus\": 0, \"gpus_used\": 0, \"replicas\": 0,"
		   " \"state\": \"down\", \"heartbeat_ms_ago\": 65000, \"labels\": {}},"
		   "{\"name\": \"w3\", \"gpus\": 0, \"gpus_used\": 0, \"replicas\": 1,"
		   " \"state\": \"draining\", \"heartbeat_ms_ago\": 420, \"version\": \"0.1.0\","
		   " \"labels\": {}}]}");
	RUN(&r, "nodes");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("NAME   STATE     HEARTBEAT  MEMORY          CPU    GPUS  REPLICAS  VERSION  LABELS\n"
		     "local  ready     -          512 MiB/16 GiB  1.5/8  1/2   5         0.1.0    zone=eu-1,disk=ssd\n"
		     "edge   down      65s        -               -      0/0   0         -        -\n"
		     "w3     draining  0.4s       -               -      0/0   1         0.1.0    -\n", r.out);
	run_free(&r);
	fake_stop();
}

TEST(nodes_table_names_the_cluster_and_gpu_models)
{
	struct run r;

	FAKE_START();
	fake_reply("GET", "/api/v1/nodes", 200,
		   "{\"cluster\": \"prod\", \"nodes\": [{\"name\": \"gpu-1\", \"gpus\": 3,"
		   " \"gpus_used\": 1, \"gpu_models\": [\"L4\", \"A100\"], \"replicas\": 1,"
		   " \"labels\": {}}]}");
	RUN(&r, "nodes");
	EXPECT_EQ_INT(EXIT_OK, r.rc);
	EXPECT_STREQ("cluster prod\n"
		     "NAME   STATE  HEARTBEAT  MEMORY  CPU  GPUS         REPLICAS  VERSION  LABELS\n"
		     "gpu-1  ready  -          -       -    1/3 L4,A100  1         -        -\n", r.out);
	run_free(&r);
	fake_stop();
}

UNIT_MAIN
