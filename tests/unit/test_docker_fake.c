/*
 * test_docker_fake.c - src/docker's HTTP paths against a fake engine
 * (docker_fake.h): version negotiation, error statuses and sentences,
 * bounds, streams split anywhere, cancel from another thread.
 */
#include "unit.h"

#include <errno.h>
#include <time.h>

#include "docker/docker.h"
#include "docker_fake.h"

static struct fake_engine F;
static int fake_up;

static void stop_fake(void)
{
	fake_stop(&F);
}

/* A new client on the fake engine, serving routes. */
static struct docker_client *client(const struct fake_route *routes)
{
	struct docker_client *c = NULL;
	struct err e = { 0 };

	if (!fake_up) {
		fake_start(&F);
		atexit(stop_fake);
		fake_up = 1;
	}
	F.api_version = NULL;
	F.min_api_version = NULL;
	fake_routes(&F, routes);
	if (docker_client_new(&c, F.path, &e) < 0) {
		fprintf(stderr, "client: %s\n", e.msg);
		abort();
	}
	return c;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(negotiation_caps_at_newest_supported)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v" DOCKER_API_MAX "/containers/x/json", 200,
		  "{\"Id\":\"abc\",\"Name\":\"/x\"}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct docker_container_info info;
	struct err e = { 0 };
	char *log;

	F.api_version = "1.60";
	EXPECT_EQ_INT(0, docker_container_inspect(c, "x", &info, &e));
	EXPECT_STREQ(DOCKER_API_MAX, docker_client_api_version(c));
	EXPECT_STREQ("99.0-fake", docker_client_server_version(c));
	EXPECT_STREQ("x", info.name);
	log = fake_log(&F);
	EXPECT_STREQ("GET /version\nGET /v" DOCKER_API_MAX "/containers/x/json\n", log);
	free(log);
	docker_container_info_release(&info);
	docker_client_free(c);
}

/* Docker 29.0 answers ApiVersion 1.52, MinAPIVersion 1.44. */
TEST(docker_29_is_spoken_to_in_its_own_version)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.52/containers/x/start", 204, NULL },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };
	char *log;

	F.api_version = "1.52";
	F.min_api_version = "1.44";
	EXPECT_EQ_INT(0, docker_container_start(c, "x", &e));
	EXPECT_STREQ("1.52", docker_client_api_version(c));
	log = fake_log(&F);
	EXPECT_STREQ("GET /version\nPOST /v1.52/containers/x/start\n", log);
	free(log);
	docker_client_free(c);
}

TEST(old_engine_is_refused)
{
	struct docker_client *c = client(NULL);
	struct err e = { 0 };

	F.api_version = "1.39";
	EXPECT_EQ_INT(ERR_UNSUPPORTED, docker_container_start(c, "x", &e));
	EXPECT_CONTAINS(e.msg, "container 'x': start: docker 99.0-fake at ");
	EXPECT_CONTAINS(e.msg, ": the Docker Engine speaks API 1.39 at most, older than API "
			"1.40, the oldest orca supports: upgrade Docker to 19.03 or newer");
	docker_client_free(c);
}

TEST(too_new_engine_is_refused_naming_both_versions)
{
	struct docker_client *c = client(NULL);
	struct err e = { 0 };
	char *log;

	F.api_version = "1.70";
	F.min_api_version = "1.60";
	EXPECT_EQ_INT(ERR_UNSUPPORTED, docker_container_start(c, "x", &e));
	EXPECT_CONTAINS(e.msg, "the Docker Engine requires API 1.60 or newer, but orca "
			"has been checked against API " DOCKER_API_MAX " at most");
	log = fake_log(&F);
	EXPECT_STREQ("GET /version\n", log);   /* nothing else was asked */
	free(log);
	docker_client_free(c);
}

TEST(create_conflict_is_a_sentence_and_body_is_sent)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.41/containers/create", 409,
		  "{\"message\":\"Conflict. The container name \\\"/orca-web-api-1\\\" is "
		  "already in use by container \\\"77\\\"\"}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct docker_container_spec s = { .name = "orca-web-api-1",
					   .image = "orca-example/api:1" };
	struct err e = { 0 };
	char id[DOCKER_ID_SIZE];
	json_t *sent;
	char *log;

	EXPECT_EQ_INT(ERR_CONFLICT, docker_container_create(c, &s, id, &e));
	EXPECT_STREQ("container 'orca-web-api-1': create: conflict: the container name "
		     "\"/orca-web-api-1\" is already in use by container \"77\"", e.msg);
	log = fake_log(&F);
	EXPECT_CONTAINS(log, "POST /v1.41/containers/create?name=orca-web-api-1\n");
	free(log);
	sent = json_loads(buf_str(&F.last_body), 0, NULL);
	EXPECT_STREQ("orca-example/api:1",
		     json_string_value(json_object_get(sent, "Image")));
	EXPECT_STREQ("no", json_string_value(json_object_get(json_object_get(
		json_object_get(sent, "HostConfig"), "RestartPolicy"), "Name")));
	json_decref(sent);
	docker_client_free(c);
}

TEST(image_inspect_escapes_and_says_not_found_locally)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/images/shop%2Fapi%3A1/json", 404,
		  "{\"message\":\"no such image: shop/api:1: No such image: shop/api:1\"}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_NOTFOUND, docker_image_inspect(c, "shop/api:1", NULL, &e));
	EXPECT_STREQ("image 'shop/api:1' not found locally", e.msg);
	docker_client_free(c);
}

static void pull_unreachable(int fd)
{
	const char *a = "{\"status\":\"Pulling from shop/api\",\"id\":\"1\"}\n{\"err";
	const char *b = "orDetail\":{\"message\":\"Get \\\"https://registry-1.docker.io/v2/\\\": "
			"dial tcp: lookup registry-1.docker.io: no such host\"},"
			"\"error\":\"Get \\\"https://registry-1.docker.io/v2/\\\": dial tcp: "
			"lookup registry-1.docker.io: no such host\"}\n";

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	fake_chunk(fd, a, strlen(a));
	fake_chunk(fd, b, strlen(b));
	fake_sendf(fd, "0\r\n\r\n");
}

static void on_progress(void *arg, const char *layer, const char *status)
{
	(void)layer;
	buf_puts(arg, status);
}

TEST(ensure_with_registry_error_in_stream)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/images/shop%2Fapi%3A1/json", 404, "{\"message\":\"no such image\"}" },
		{ "POST", "/v1.41/images/create?fromImage=shop%2Fapi&tag=1", 0, NULL,
		  pull_unreachable },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct buf progress = BUF_INIT;
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_image_ensure(c, "shop/api:1", on_progress,
							   &progress, NULL, &e));
	EXPECT_STREQ("image 'shop/api:1' not found locally and the registry could not "
		     "be reached: get \"https://registry-1.docker.io/v2/\": dial tcp: "
		     "lookup registry-1.docker.io: no such host", e.msg);
	EXPECT_STREQ("Pulling from shop/api", buf_str(&progress));
	buf_release(&progress);
	docker_client_free(c);
}

/* From API 1.48 "error" is deprecated and may be empty or stale: the
 * sentence comes from errorDetail.message. */
static void pull_error_detail_only(int fd)
{
	const char *a = "{\"errorDetail\":{\"message\":\"manifest for shop/api:1 not "
			"found: manifest unknown\"},\"error\":\"\"}\n";

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	fake_chunk(fd, a, strlen(a));
	fake_sendf(fd, "0\r\n\r\n");
}

TEST(pull_error_is_read_from_error_detail)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.52/images/create?fromImage=shop%2Fapi&tag=1", 0, NULL,
		  pull_error_detail_only },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };

	F.api_version = "1.52";
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_image_pull(c, "shop/api:1", NULL, NULL, &e));
	EXPECT_STREQ("image 'shop/api:1': pull: the registry has no such image: manifest "
		     "for shop/api:1 not found: manifest unknown", e.msg);
	docker_client_free(c);
}

TEST(pull_refused_by_registry_is_not_found)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.41/images/create", 404,
		  "{\"message\":\"pull access denied for nope, repository does not exist\"}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_NOTFOUND, docker_image_pull(c, "nope", NULL, NULL, &e));
	EXPECT_STREQ("image 'nope': pull: the registry has no such image: pull access "
		     "denied for nope, repository does not exist", e.msg);
	docker_client_free(c);
}

TEST(engine_text_error_and_bad_json)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/containers/a/json", 500, "boom\n" },
		{ "GET", "/v1.41/containers/b/json", 200, "not json" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct docker_container_info info;
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_FAIL, docker_container_inspect(c, "a", &info, &e));
	EXPECT_STREQ("container 'a': inspect: engine error: boom", e.msg);
	EXPECT_EQ_INT(ERR_FAIL, docker_container_inspect(c, "b", &info, &e));
	EXPECT_CONTAINS(e.msg, "container 'b': inspect: the Docker Engine sent invalid JSON");
	docker_client_free(c);
}

static void huge_body(int fd)
{
	static char zeros[1 << 16];
	size_t total = DOCKER_BODY_MAX + sizeof(zeros);
	char head[128];

	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
		 total);
	fake_sendf(fd, head);
	for (size_t sent = 0; sent < total; sent += sizeof(zeros))
		fake_send(fd, zeros, sizeof(zeros));
}

TEST(response_body_is_bounded)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/containers/json", 0, NULL, huge_body },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct docker_container_summary *list;
	size_t n;
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_TOOBIG, docker_container_list(c, NULL, &list, &n, &e));
	EXPECT_CONTAINS(e.msg, "response larger than 16777216 bytes");
	docker_client_free(c);
}

TEST(unreachable_engine_is_a_sentence)
{
	struct docker_client *c = NULL;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_client_new(&c, "/tmp/orca-test-no-such.sock", &e));
	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_container_start(c, "orca-web-api-1", &e));
	EXPECT_STREQ("container 'orca-web-api-1': start: cannot reach the Docker Engine "
		     "at /tmp/orca-test-no-such.sock: no such file or directory (is "
		     "dockerd running?)", e.msg);
	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_ping(c, &e));
	EXPECT_EQ_INT(1, docker_client_lost(c));
	docker_client_free(c);
}

/* An answer, even an error, is not a lost engine; no answer is, and the
 * version is negotiated again once the engine is back. */
TEST(lost_engine_is_told_apart_from_an_error)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.41/containers/x/start", 404, "{\"message\":\"No such container: x\"}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };
	char path[108];
	char *log;

	snprintf(path, sizeof(path), "%s", F.path);
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_container_start(c, "x", &e));
	EXPECT_EQ_INT(0, docker_client_lost(c));
	EXPECT_STREQ("1.41", docker_client_api_version(c));
	rename(path, "/tmp/orca-test-docker-fake-moved.sock");   /* the engine goes */
	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_container_start(c, "x", &e));
	EXPECT_EQ_INT(1, docker_client_lost(c));
	EXPECT_STREQ("", docker_client_api_version(c));
	rename("/tmp/orca-test-docker-fake-moved.sock", path);   /* and comes back */
	fake_routes(&F, routes);   /* a fresh request log */
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_container_start(c, "x", &e));
	EXPECT_EQ_INT(0, docker_client_lost(c));
	log = fake_log(&F);
	EXPECT_STREQ("GET /version\nPOST /v1.41/containers/x/start\n", log);
	free(log);
	docker_client_free(c);
}

static const char *const events_text =
	"{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c1\","
	"\"Attributes\":{\"name\":\"orca-a\"}},\"timeNano\":1}\n"
	"{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"c1\","
	"\"Attributes\":{\"name\":\"orca-a\",\"exitCode\":\"3\"}},\"timeNano\":2}\n"
	"{\"Type\":\"container\",\"Action\":\"health_status: unhealthy\","
	"\"Actor\":{\"ID\":\"c2\"},\"timeNano\":3}\n";

/* The records in chunks of 1, 2, 3, ... bytes. */
static void events_split(int fd)
{
	size_t len = strlen(events_text), off = 0;

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (size_t step = 1; off < len; step++) {
		size_t n = step < len - off ? step : len - off;

		fake_chunk(fd, events_text + off, n);
		off += n;
	}
	fake_sendf(fd, "0\r\n\r\n");
}

static int collect_event(void *arg, const struct docker_event *ev)
{
	buf_printf(arg, "%s %s %s %s %d %lld|", ev->action, ev->detail, ev->id,
		   ev->name, ev->exit_code, (long long)ev->time_ns);
	return 0;
}

TEST(events_split_across_chunks)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/events?filters=", 0, NULL, events_split },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	const char *const types[] = { "container", NULL };
	const char *const labels[] = { "orca.managed=true", NULL };
	struct docker_events_opts o = { .types = types, .labels = labels };
	struct buf got = BUF_INIT;
	struct err e = { 0 };
	char *log;

	EXPECT_EQ_INT(0, docker_events(c, &o, collect_event, &got, &e));
	EXPECT_STREQ("start  c1 orca-a -1 1|die  c1 orca-a 3 2|"
		     "health_status unhealthy c2  -1 3|", buf_str(&got));
	log = fake_log(&F);
	EXPECT_CONTAINS(log, "GET /v1.41/events?filters=%7B%22label%22%3A%5B%22orca."
			"managed%3Dtrue%22%5D%2C%22type%22%3A%5B%22container%22%5D%7D\n");
	free(log);
	buf_release(&got);
	docker_client_free(c);
}

/* API 1.52+ may answer application/json-seq: RS before each record. */
static void events_json_seq(int fd)
{
	const char *text = "\x1e{\"Type\":\"container\",\"Action\":\"start\","
			   "\"Actor\":{\"ID\":\"c1\"},\"timeNano\":1}\n"
			   "\x1e{\"Type\":\"container\",\"Action\":\"die\","
			   "\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"exitCode\":\"3\"}},"
			   "\"timeNano\":2}\n";

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json-seq\r\n"
		   "Transfer-Encoding: chunked\r\n\r\n");
	fake_chunk(fd, text, strlen(text));
	fake_sendf(fd, "0\r\n\r\n");
}

TEST(events_ask_for_ndjson_and_read_json_seq)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.52/events", 0, NULL, events_json_seq },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct buf got = BUF_INIT;
	struct err e = { 0 };

	F.api_version = "1.52";
	F.min_api_version = "1.44";
	EXPECT_EQ_INT(0, docker_events(c, NULL, collect_event, &got, &e));
	EXPECT_STREQ("start  c1  -1 1|die  c1  3 2|", buf_str(&got));
	EXPECT_STREQ("application/x-ndjson", F.last_accept);
	buf_release(&got);
	docker_client_free(c);
}

/* One event, then silence until the client hangs up. */
static void events_idle(int fd)
{
	const char *one = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c1\"}}\n";

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	fake_chunk(fd, one, strlen(one));
	fake_wait_hangup(fd);
}

static void *cancel_later(void *arg)
{
	const struct timespec pause = { 0, 200 * 1000000L };

	nanosleep(&pause, NULL);
	docker_client_cancel(arg);
	return NULL;
}

TEST(events_cancel_from_another_thread)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/events", 0, NULL, events_idle },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct buf got = BUF_INIT;
	struct err e = { 0 };
	pthread_t t;
	double t0;

	docker_client_negotiate(c, &e);
	pthread_create(&t, NULL, cancel_later, c);
	t0 = now_s();
	EXPECT_EQ_INT(-ECANCELED, docker_events(c, NULL, collect_event, &got, &e));
	EXPECT_TRUE(now_s() - t0 < 0.9);   /* the socket shutdown, not the 1 s poll */
	pthread_join(t, NULL);
	EXPECT_STREQ("start  c1  -1 0|", buf_str(&got));
	EXPECT_STREQ("docker: events: canceled", e.msg);
	/* sticky until the owner resets it */
	EXPECT_EQ_INT(-ECANCELED, docker_ping(c, &e));
	docker_client_reset_cancel(c);
	EXPECT_EQ_INT(0, docker_ping(c, &e));
	buf_release(&got);
	docker_client_free(c);
}

/* One event, then the engine goes away mid-stream (a restart). */
static void events_cut(int fd)
{
	const char *one = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c1\"}}\n";

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	fake_chunk(fd, one, strlen(one));
}

TEST(events_engine_going_away_is_unavailable)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/events", 0, NULL, events_cut },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct buf got = BUF_INIT;
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_events(c, NULL, collect_event, &got, &e));
	EXPECT_CONTAINS(e.msg, "docker: events: the connection to the Docker Engine at ");
	EXPECT_STREQ("start  c1  -1 0|", buf_str(&got));
	buf_release(&got);
	docker_client_free(c);
}

static int stop_at_first(void *arg, const struct docker_event *ev)
{
	(void)ev;
	(*(int *)arg)++;
	return 1;
}

TEST(events_callback_stops_stream)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/events", 0, NULL, events_idle },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };
	int n = 0;

	EXPECT_EQ_INT(0, docker_events(c, NULL, stop_at_first, &n, &e));
	EXPECT_EQ_INT(1, n);
	docker_client_free(c);
}

static void exec_output(int fd)
{
	static const unsigned char frames[] = {
		1, 0, 0, 0, 0, 0, 0, 6, 'h', 'e', 'l', 'l', 'o', '\n',
		2, 0, 0, 0, 0, 0, 0, 4, 'b', 'a', 'd', '\n',
	};

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker."
		   "raw-stream\r\n\r\n");
	/* split mid-header, as a real socket may */
	fake_send(fd, frames, 5);
	usleep(20000);
	fake_send(fd, frames + 5, sizeof(frames) - 5);
}

TEST(exec_captures_streams_capped_and_exit_code)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.41/containers/c1/exec", 201, "{\"Id\":\"e1\"}" },
		{ "POST", "/v1.41/exec/e1/start", 0, NULL, exec_output },
		{ "GET", "/v1.41/exec/e1/json", 200, "{\"Running\":false,\"ExitCode\":3}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	const char *const cmd[] = { "sh", "-c", "echo hello; echo bad >&2; exit 3", NULL };
	struct docker_exec_opts o = { .cmd = cmd };
	struct docker_exec_result r;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_exec(c, "c1", &o, 4, &r, &e));
	EXPECT_STREQ("hell", buf_str(&r.out));
	EXPECT_STREQ("bad\n", buf_str(&r.err));
	EXPECT_EQ_INT(1, r.truncated);
	EXPECT_EQ_INT(3, r.exit_code);
	docker_exec_result_release(&r);
	docker_client_free(c);
}

static void logs_hostile(int fd)
{
	static const unsigned char h[] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 'x' };

	fake_sendf(fd, "HTTP/1.1 200 OK\r\n\r\n");
	fake_send(fd, h, sizeof(h));
	fake_wait_hangup(fd);
}

static int ignore_output(void *arg, enum docker_stream s, const char *d, size_t n)
{
	(void)arg, (void)s, (void)d, (void)n;
	return 0;
}

TEST(logs_with_hostile_frame_length)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/containers/c1/logs?stdout=1&stderr=1&follow=1", 0, NULL,
		  logs_hostile },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct docker_logs_opts o = { .follow = 1 };
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_TOOBIG, docker_container_logs(c, "c1", &o, ignore_output,
							NULL, &e));
	EXPECT_STREQ("container 'c1': logs: malformed output stream: frame of "
		     "4294967295 bytes exceeds the 1048576-byte bound", e.msg);
	docker_client_free(c);
}

TEST(network_create_adopts_ours_and_refuses_others)
{
	static const struct fake_route ours[] = {
		{ "GET", "/v1.41/networks/orca-shop", 200,
		  "{\"Id\":\"n1\",\"Internal\":false,\"Labels\":{\"orca.managed\":\"true\"}}" },
		{ NULL },
	};
	static const struct fake_route theirs[] = {
		{ "GET", "/v1.41/networks/orca-shop", 200, "{\"Id\":\"n9\",\"Labels\":{}}" },
		{ NULL },
	};
	static const struct fake_route fresh[] = {
		{ "GET", "/v1.41/networks/orca-shop", 404, "{\"message\":\"network orca-shop not found\"}" },
		{ "POST", "/v1.41/networks/create", 201, "{\"Id\":\"n2\"}" },
		{ NULL },
	};
	const char *const labels[] = { "orca.managed=true", NULL };
	struct docker_network_spec s = { .name = "orca-shop", .labels = labels,
					 .owner_label = "orca.managed=true" };
	struct docker_client *c = client(ours);
	char id[DOCKER_ID_SIZE];
	struct err e = { 0 };
	int created = -1;

	EXPECT_EQ_INT(0, docker_network_create(c, &s, id, &created, &e));
	EXPECT_STREQ("n1", id);
	EXPECT_EQ_INT(0, created);
	fake_routes(&F, theirs);
	EXPECT_EQ_INT(ERR_CONFLICT, docker_network_create(c, &s, id, &created, &e));
	EXPECT_STREQ("network 'orca-shop' already exists "
		     "and is not orca's (no label orca.managed=true)", e.msg);
	fake_routes(&F, fresh);
	EXPECT_EQ_INT(0, docker_network_create(c, &s, id, &created, &e));
	EXPECT_STREQ("n2", id);
	EXPECT_EQ_INT(1, created);
	EXPECT_STREQ("{\"Name\":\"orca-shop\",\"Driver\":\"bridge\",\"Internal\":false,"
		     "\"Labels\":{\"orca.managed\":\"true\"},\"CheckDuplicate\":true}",
		     buf_str(&F.last_body));
	docker_client_free(c);
}

/* API 1.44 deprecated CheckDuplicate (duplicates always fail there). */
TEST(network_create_without_check_duplicate_from_1_44)
{
	static const struct fake_route fresh[] = {
		{ "GET", "/v1.44/networks/orca-shop", 404, "{\"message\":\"not found\"}" },
		{ "POST", "/v1.44/networks/create", 201, "{\"Id\":\"n2\"}" },
		{ NULL },
	};
	struct docker_network_spec s = { .name = "orca-shop", .owner_label = "orca.managed=true" };
	struct docker_client *c = client(fresh);
	char id[DOCKER_ID_SIZE];
	struct err e = { 0 };

	F.api_version = "1.44";
	EXPECT_EQ_INT(0, docker_network_create(c, &s, id, NULL, &e));
	EXPECT_STREQ("n2", id);
	EXPECT_STREQ("{\"Name\":\"orca-shop\",\"Driver\":\"bridge\",\"Internal\":false,"
		     "\"Labels\":{}}", buf_str(&F.last_body));
	docker_client_free(c);
}

TEST(start_and_stop_already_done_are_success)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.41/containers/c1/start", 304, NULL },
		{ "POST", "/v1.41/containers/c1/stop?t=5", 304, NULL },
		{ "POST", "/v1.41/containers/c1/kill?signal=SIGHUP", 409,
		  "{\"message\":\"Container c1 is not running\"}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_container_start(c, "c1", &e));
	EXPECT_EQ_INT(0, docker_container_stop(c, "c1", 5, &e));
	EXPECT_EQ_INT(ERR_CONFLICT, docker_container_kill(c, "c1", "SIGHUP", &e));
	EXPECT_STREQ("container 'c1': kill: conflict: container c1 is not running", e.msg);
	docker_client_free(c);
}

static void slow_reply(int fd)
{
	usleep(600 * 1000);
	fake_reply(fd, 200, "{}");
}

/* A pull whose registry stalls: one record, then nothing. */
static void pull_stalls(int fd)
{
	const char *a = "{\"status\":\"Pulling from x\",\"id\":\"1\"}\n";

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	fake_chunk(fd, a, strlen(a));
	fake_wait_hangup(fd);
}

TEST(pull_without_progress_fails_at_the_stall_deadline)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/images/reg%3A5000%2Fx%3A1/json", 404, "{\"message\":\"no such image\"}" },
		{ "POST", "/v1.41/images/create?fromImage=reg%3A5000%2Fx&tag=1", 0, NULL, pull_stalls },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct err e = { 0 };

	docker_client_set_pull_stall(c, 1000);
	EXPECT_EQ_INT(ERR_TIMEOUT, docker_image_pull(c, "reg:5000/x:1", NULL, NULL, &e));
	EXPECT_STREQ("image 'reg:5000/x:1': pull made no progress for 1 s (the registry "
		     "stalls or is too slow); gave up", e.msg);
	EXPECT_EQ_INT(ERR_TIMEOUT, docker_image_ensure(c, "reg:5000/x:1", NULL, NULL, NULL, &e));
	EXPECT_STREQ("image 'reg:5000/x:1' not found locally and its pull made no progress "
		     "for 1 s (the registry stalls or is too slow); gave up", e.msg);
	docker_client_free(c);
}

/* A slow pull that keeps reporting: six records 400 ms apart. */
static void pull_slow_but_moving(int fd)
{
	const struct timespec pause = { 0, 400 * 1000000L };
	char rec[96];

	fake_sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 6; i++) {
		snprintf(rec, sizeof(rec), "{\"status\":\"Downloading\",\"id\":\"l%d\"}\n", i);
		fake_chunk(fd, rec, strlen(rec));
		nanosleep(&pause, NULL);
	}
	fake_sendf(fd, "0\r\n\r\n");
}

TEST(pull_that_progresses_outlives_the_stall_deadline)
{
	static const struct fake_route routes[] = {
		{ "POST", "/v1.41/images/create", 0, NULL, pull_slow_but_moving },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct buf progress = BUF_INIT;
	struct err e = { 0 };

	/* 2.4 s in all, more than twice the deadline, never 1 s silent */
	docker_client_set_pull_stall(c, 1000);
	EXPECT_EQ_INT(0, docker_image_pull(c, "x:1", on_progress, &progress, &e));
	EXPECT_STREQ("DownloadingDownloadingDownloadingDownloadingDownloadingDownloading",
		     buf_str(&progress));
	buf_release(&progress);
	docker_client_free(c);
}

TEST(image_inspect_reads_repo_digests)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/images/reg%3A5000%2Fshop%2Fapi%3A1/json", 200,
		  "{\"Id\":\"sha256:aa\",\"RepoDigests\":[\"other/api@sha256:"
		  "1111111111111111111111111111111111111111111111111111111111111111\","
		  "\"reg:5000/shop/api@sha256:"
		  "2222222222222222222222222222222222222222222222222222222222222222\"]}" },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct docker_image_info info;
	char ref[DOCKER_DIGEST_REF_SIZE];
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_image_inspect(c, "reg:5000/shop/api:1", &info, &e));
	EXPECT_STREQ("sha256:aa", info.id);
	EXPECT_EQ_INT(0, docker_image_digest_ref(&info, "reg:5000/shop/api:1", ref));
	EXPECT_STREQ("reg:5000/shop/api@sha256:"
		     "2222222222222222222222222222222222222222222222222222222222222222", ref);
	docker_image_info_release(&info);
	docker_client_free(c);
}

TEST(request_timeout)
{
	static const struct fake_route routes[] = {
		{ "GET", "/v1.41/containers/slow/json", 0, NULL, slow_reply },
		{ NULL },
	};
	struct docker_client *c = client(routes);
	struct docker_container_info info;
	struct err e = { 0 };

	docker_client_negotiate(c, &e);
	docker_client_set_timeout(c, 150);
	EXPECT_EQ_INT(ERR_TIMEOUT, docker_container_inspect(c, "slow", &info, &e));
	EXPECT_CONTAINS(e.msg, "container 'slow': inspect: the Docker Engine at ");
	EXPECT_CONTAINS(e.msg, "did not answer in time");
	docker_client_free(c);
}

UNIT_MAIN
