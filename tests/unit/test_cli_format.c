/*
 * test_cli_format.c - the CLI's pure helpers: tables, times and sizes,
 * one-line renderings, service names, convergence, the secret newline rule.
 */
#include "unit.h"

#include <stdlib.h>

#include "cli/args.h"
#include "cli/follow.h"
#include "cli/format.h"
#include "cli/lines.h"
#include "cli/remote.h"
#include "cli/secret_input.h"
#include "cli/table.h"
#include "cli/target.h"

static json_t *j(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	if (v == NULL)
		UNIT_FAIL_AT("bad test JSON: %s", text);
	return v;
}

TEST(table_pads_to_content_without_trailing_spaces)
{
	struct cli_table t;
	struct buf b = BUF_INIT;

	cli_table_init(&t, 3);
	cli_table_add(&t, "NAME");
	cli_table_add(&t, "STATE");
	cli_table_add(&t, "LAST ERROR");
	cli_table_add(&t, "backend/api");
	cli_table_add(&t, "running");
	cli_table_add(&t, "");
	cli_table_addf(&t, "%s/%s", "web", "x");
	cli_table_add(&t, "crashloop");
	cli_table_add(&t, "exited\nwith 137");
	cli_table_render(&t, &b);
	EXPECT_STREQ("NAME         STATE      LAST ERROR\n"
		     "backend/api  running\n"
		     "web/x        crashloop  exited with 137\n", buf_str(&b));
	EXPECT_EQ_INT(3, cli_table_rows(&t));
	buf_reset(&b);
	t.indent = "  ";
	cli_table_add(&t, "half");  /* a partial row is completed */
	cli_table_render(&t, &b);
	EXPECT_CONTAINS(buf_str(&b), "\n  half\n");
	EXPECT_CONTAINS(buf_str(&b), "  NAME         STATE      LAST ERROR\n");
	cli_table_release(&t);
	buf_release(&b);
}

TEST(table_counts_utf8_code_points)
{
	struct cli_table t;
	struct buf b = BUF_INIT;

	EXPECT_EQ_INT(6, cli_table_width("zürich"));
	cli_table_init(&t, 2);
	cli_table_add(&t, "zürich");
	cli_table_add(&t, "a");
	cli_table_add(&t, "bern");
	cli_table_add(&t, "b");
	cli_table_render(&t, &b);
	EXPECT_STREQ("zürich  a\nbern    b\n", buf_str(&b));
	cli_table_release(&t);
	buf_release(&b);
}

TEST(durations_and_ages)
{
	char s[FMT_MAX];

	EXPECT_STREQ("0.0 s", fmt_duration(s, 0));
	EXPECT_STREQ("0.4 s", fmt_duration(s, 420));
	EXPECT_STREQ("4.2 s", fmt_duration(s, 4200));
	EXPECT_STREQ("59.9 s", fmt_duration(s, 59940));
	EXPECT_STREQ("1m 00s", fmt_duration(s, 59960));
	EXPECT_STREQ("3m 05s", fmt_duration(s, 185000));
	EXPECT_STREQ("59m 59s", fmt_duration(s, 3599499));
	EXPECT_STREQ("1h 00m", fmt_duration(s, 3599500));
	EXPECT_STREQ("2h 07m", fmt_duration(s, 2 * 3600000 + 7 * 60000 + 999));
	EXPECT_STREQ("0.0 s", fmt_duration(s, -5));
	EXPECT_STREQ("-", fmt_ago(s, 1000000, 0));
	EXPECT_STREQ("now", fmt_ago(s, 1000000, 1000500));
	EXPECT_STREQ("5s ago", fmt_ago(s, 1000000, 995000));
	EXPECT_STREQ("3m ago", fmt_ago(s, 1000000000, 1000000000 - 200000));
	EXPECT_STREQ("7h ago", fmt_ago(s, 100000000, 100000000 - 7 * 3600000 - 5));
	EXPECT_STREQ("12d ago", fmt_ago(s, 2000000000, 2000000000 - 12LL * 86400000));
}

TEST(times_sizes_and_cpus)
{
	char s[FMT_MAX];

	setenv("TZ", "UTC", 1);
	EXPECT_STREQ("2025-11-29 14:03:01", fmt_time(s, 1764424981000));
	EXPECT_STREQ("-", fmt_time(s, 0));
	EXPECT_STREQ("0 B", fmt_bytes(s, 0));
	EXPECT_STREQ("900 B", fmt_bytes(s, 900));
	EXPECT_STREQ("512 MiB", fmt_bytes(s, 512LL << 20));
	EXPECT_STREQ("1.5 GiB", fmt_bytes(s, 3LL << 29));
	EXPECT_STREQ("16 GiB", fmt_bytes(s, 16LL << 30));
	EXPECT_STREQ("2", fmt_cpus(s, 2000));
	EXPECT_STREQ("1.5", fmt_cpus(s, 1500));
	EXPECT_STREQ("0.25", fmt_cpus(s, 250));
	EXPECT_STREQ("0.001", fmt_cpus(s, 1));
}

TEST(deploy_and_service_lines)
{
	json_t *d = j("{\"service\": \"backend/api\", \"state\": \"rolling\", \"desired\": 3,"
		      " \"updated\": 1, \"healthy\": 3, \"message\": \"\"}");
	json_t *s = j("{\"project\": \"backend\", \"name\": \"api\", \"state\": \"degraded\","
		      " \"desired\": 3, \"running\": 3, \"healthy\": 1, \"outdated\": 2,"
		      " \"draining\": 0, \"last_error\": \"replica 1 exited\\nwith code 137\"}");
	struct buf b = BUF_INIT;

	lines_deploy_service(&b, d, 0);
	EXPECT_STREQ("backend/api  rolling  1/3 updated, 3 healthy", buf_str(&b));
	buf_reset(&b);
	json_object_set_new(d, "message", json_string("replica 0 did not become healthy"));
	lines_deploy_service(&b, d, 14);
	EXPECT_STREQ("backend/api     rolling  1/3 updated, 3 healthy  replica 0 did not "
		     "become healthy", buf_str(&b));
	buf_reset(&b);
	lines_service(&b, s, 0);
	EXPECT_STREQ("backend/api  degraded  1/3 healthy, 3 running, 2 outdated  last error: "
		     "replica 1 exited with code 137", buf_str(&b));
	buf_reset(&b);
	json_object_set_new(s, "state", json_string("running"));
	lines_service(&b, s, 0);
	EXPECT_STREQ("backend/api  running  1/3 healthy, 3 running, 2 outdated", buf_str(&b));
	json_decref(d);
	json_decref(s);
	buf_release(&b);
}

TEST(event_lines)
{
	json_t *ev = j("{\"id\": 42, \"at\": 1764424981000, \"project\": \"backend\","
		       " \"service\": \"api\", \"replica\": 0, \"kind\": \"replica.crashed\","
		       " \"message\": \"replica 0 exited with code 137\"}");
	json_t *bare = j("{\"id\": 43, \"at\": 1764424981000, \"project\": \"backend\","
			 " \"kind\": \"deploy.started\", \"message\": \"\"}");
	json_t *none = j("{\"kind\": \"x\", \"message\": \"m\", \"replica\": null}");
	struct buf b = BUF_INIT;

	setenv("TZ", "UTC", 1);
	lines_event(&b, ev);
	EXPECT_STREQ("2025-11-29 14:03:01  backend/api[0]  replica.crashed  replica 0 "
		     "exited with code 137", buf_str(&b));
	buf_reset(&b);
	lines_event(&b, bare);
	EXPECT_STREQ("2025-11-29 14:03:01  backend  deploy.started", buf_str(&b));
	buf_reset(&b);
	lines_event(&b, none);
	EXPECT_STREQ("-  -  x  m", buf_str(&b));
	json_decref(ev);
	json_decref(bare);
	json_decref(none);
	buf_release(&b);
}

TEST(change_counts)
{
	json_t *c = j("[{\"service\": \"a/x\", \"change\": \"update\"},"
		      " {\"service\": \"a/y\", \"change\": \"unchanged\"},"
		      " {\"service\": \"a/z\", \"change\": \"create\"},"
		      " {\"service\": \"a/w\", \"change\": \"update\"}]");
	json_t *none = j("[{\"service\": \"a/y\", \"change\": \"unchanged\"}]");
	struct buf b = BUF_INIT;

	lines_change_counts(&b, c);
	EXPECT_STREQ("1 to create, 2 to update, 1 unchanged", buf_str(&b));
	buf_reset(&b);
	lines_change_counts(&b, none);
	EXPECT_STREQ("nothing to change", buf_str(&b));
	json_decref(c);
	json_decref(none);
	buf_release(&b);
}

TEST(service_names_parse)
{
	char *p, *s;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, target_parse("backend/api", &p, &s, &e));
	EXPECT_STREQ("backend", p);
	EXPECT_STREQ("api", s);
	free(p);
	free(s);
	EXPECT_EQ_INT(0, target_parse("api", &p, &s, &e));
	EXPECT_NULL(p);
	EXPECT_STREQ("api", s);
	free(s);
	EXPECT_EQ_INT(ERR_INVALID, target_parse("a/b/c", &p, &s, &e));
	EXPECT_STREQ("'a/b/c' is not a service: name it SERVICE or PROJECT/SERVICE", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, target_parse("/api", &p, &s, &e));
	EXPECT_EQ_INT(ERR_INVALID, target_parse("backend/", &p, &s, &e));
	EXPECT_EQ_INT(ERR_INVALID, target_parse("", &p, &s, &e));
}

TEST(service_name_resolution)
{
	json_t *st = j("{\"projects\": ["
		       "{\"name\": \"backend\", \"services\": [{\"name\": \"api\"}, {\"name\": \"db\"}]},"
		       "{\"name\": \"payments\", \"services\": [{\"name\": \"api\"}]},"
		       "{\"name\": \"web\", \"services\": []}]}");
	struct err e = { 0 };
	char *p = NULL;

	EXPECT_EQ_INT(0, target_pick(st, "db", &p, &e));
	EXPECT_STREQ("backend", p);
	free(p);
	EXPECT_EQ_INT(ERR_INVALID, target_pick(st, "api", &p, &e));
	EXPECT_NULL(p);
	EXPECT_STREQ("'api' is in projects backend, payments: say which, e.g. backend/api",
		     e.msg);
	EXPECT_EQ_INT(ERR_NOTFOUND, target_pick(st, "cache", &p, &e));
	EXPECT_STREQ("no service 'cache' in any project (see 'orca status')", e.msg);
	json_decref(st);
}

TEST(convergence)
{
	json_t *s = j("{\"state\": \"running\", \"desired\": 3, \"running\": 3, \"healthy\": 3,"
		      " \"outdated\": 0, \"draining\": 0}");

	EXPECT_EQ_INT(1, follow_converged(s, -1));
	EXPECT_EQ_INT(1, follow_converged(s, 3));
	EXPECT_EQ_INT(0, follow_converged(s, 5));  /* the scale is not seen yet */
	json_object_set_new(s, "outdated", json_integer(1));
	EXPECT_EQ_INT(0, follow_converged(s, -1));
	json_object_set_new(s, "outdated", json_integer(0));
	json_object_set_new(s, "healthy", json_integer(2));
	EXPECT_EQ_INT(0, follow_converged(s, -1));
	json_object_set_new(s, "state", json_string("deploying"));
	EXPECT_EQ_INT(0, follow_converged(s, -1));
	json_object_set_new(s, "state", json_string("failed"));
	EXPECT_EQ_INT(-1, follow_converged(s, -1));
	json_object_set_new(s, "state", json_string("stopped"));
	json_object_set_new(s, "desired", json_integer(0));
	EXPECT_EQ_INT(0, follow_converged(s, 0));  /* 3 still running */
	json_object_set_new(s, "running", json_integer(0));
	json_object_set_new(s, "draining", json_integer(1));
	EXPECT_EQ_INT(0, follow_converged(s, 0));  /* containers still stopping */
	json_object_set_new(s, "draining", json_integer(0));
	EXPECT_EQ_INT(1, follow_converged(s, 0));
	json_decref(s);
}

TEST(secret_newline_rule)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "hunter2\n");
	secret_input_trim(&b);
	EXPECT_STREQ("hunter2", buf_str(&b));
	buf_reset(&b);
	buf_puts(&b, "hunter2\r\n");
	secret_input_trim(&b);
	EXPECT_STREQ("hunter2", buf_str(&b));
	buf_reset(&b);
	buf_puts(&b, "-----BEGIN KEY-----\nabc\n-----END KEY-----\n");
	secret_input_trim(&b);
	EXPECT_STREQ("-----BEGIN KEY-----\nabc\n-----END KEY-----\n", buf_str(&b));
	buf_reset(&b);
	buf_puts(&b, "no newline");
	secret_input_trim(&b);
	EXPECT_STREQ("no newline", buf_str(&b));
	buf_reset(&b);
	buf_puts(&b, "two\n\n");
	secret_input_trim(&b);
	EXPECT_STREQ("two\n\n", buf_str(&b));
	secret_input_wipe(&b);
	EXPECT_EQ_INT(0, b.len);
}

TEST(numbers_and_paths)
{
	struct buf b = BUF_INIT;
	int64_t v = 0;
	char *p;

	EXPECT_EQ_INT(0, args_int("120", 1, 86400, &v));
	EXPECT_EQ_INT(120, v);
	EXPECT_EQ_INT(-1, args_int("0", 1, 86400, &v));
	EXPECT_EQ_INT(-1, args_int("12s", 1, 86400, &v));
	EXPECT_EQ_INT(-1, args_int(" 1", 0, 9, &v));
	EXPECT_EQ_INT(-1, args_int("", 0, 9, &v));
	EXPECT_EQ_INT(-1, args_int("99999999999999999999", 0, INT64_MAX, &v));
	remote_path_add(&b, "a b/c?d%");
	EXPECT_STREQ("/a%20b%2Fc%3Fd%25", buf_str(&b));
	buf_release(&b);
	p = remote_service_path("backend", "api", "scale");
	EXPECT_STREQ("/api/v1/projects/backend/services/api/scale", p);
	free(p);
	p = remote_project_path("_cluster", "secrets");
	EXPECT_STREQ("/api/v1/projects/_cluster/secrets", p);
	free(p);
}

UNIT_MAIN
