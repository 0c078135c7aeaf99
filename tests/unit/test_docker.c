/*
 * test_docker.c - the pure parts of src/docker: the output-frame decoder,
 * the create body, event parsing, error sentences, escaping, version choice.
 * The HTTP paths are in test_docker_fake.c, the real engine in
 * test_docker_live.c.
 */
#include "unit.h"

#include <errno.h>

#include "base/buf.h"
#include "docker/docker.h"
#include "docker/internal.h"

/* Compares JSON by canonical text, so a failure prints both documents. */
static void expect_json(const char *file, int line, const char *want,
			const json_t *got)
{
	json_error_t jerr;
	json_t *w = json_loads(want, 0, &jerr);
	char *ws, *gs;

	if (w == NULL) {
		fprintf(stderr, "  %s:%d: bad expected JSON: %s\n", file, line,
			jerr.text);
		unit_failed_now = 1;
		return;
	}
	ws = json_dumps(w, JSON_SORT_KEYS | JSON_COMPACT);
	gs = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
	if (strcmp(ws, gs) != 0) {
		fprintf(stderr, "  %s:%d: JSON differs\n    want %s\n    got  %s\n",
			file, line, ws, gs);
		unit_failed_now = 1;
	}
	free(ws);
	free(gs);
	json_decref(w);
}
#define EXPECT_JSON(want, got) expect_json(__FILE__, __LINE__, want, got)

/* ---- frame decoder ---- */

struct frames {
	struct buf out, err;
	int n;
	int stop_after;   /* stop when n reaches it; 0: never */
};

static int on_frame(void *arg, enum docker_stream stream, const char *data,
		    size_t len)
{
	struct frames *f = arg;

	buf_append(stream == DOCKER_STREAM_STDERR ? &f->err : &f->out, data, len);
	buf_putc(stream == DOCKER_STREAM_STDERR ? &f->err : &f->out, '|');
	f->n++;
	return f->stop_after && f->n >= f->stop_after;
}

static void frames_release(struct frames *f)
{
	buf_release(&f->out);
	buf_release(&f->err);
}

/* Appends a frame header and payload to b. */
static void put_frame(struct buf *b, int stream, const char *payload)
{
	size_t n = strlen(payload);
	unsigned char h[8] = { (unsigned char)stream, 0, 0, 0,
			       (unsigned char)(n >> 24), (unsigned char)(n >> 16),
			       (unsigned char)(n >> 8), (unsigned char)n };

	buf_append(b, h, 8);
	buf_append(b, payload, n);
}

static void sample_stream(struct buf *b)
{
	put_frame(b, 1, "hello ");
	put_frame(b, 2, "oops\n");
	put_frame(b, 1, "");            /* empty frames are legal, skipped */
	put_frame(b, 1, "world\n");
}

TEST(frame_decoder_whole_stream)
{
	struct buf b = BUF_INIT;
	struct frames f = { 0 };
	struct docker_frame_decoder d;
	struct err e = { 0 };

	sample_stream(&b);
	docker_frame_decoder_init(&d, 0);
	EXPECT_EQ_INT(0, docker_frame_feed(&d, b.data, b.len, on_frame, &f, &e));
	EXPECT_EQ_INT(0, docker_frame_decoder_finish(&d, &e));
	EXPECT_EQ_INT(3, f.n);
	EXPECT_STREQ("hello |world\n|", buf_str(&f.out));
	EXPECT_STREQ("oops\n|", buf_str(&f.err));
	docker_frame_decoder_release(&d);
	frames_release(&f);
	buf_release(&b);
}

TEST(frame_decoder_one_byte_at_a_time)
{
	struct buf b = BUF_INIT;
	struct frames f = { 0 };
	struct docker_frame_decoder d;
	struct err e = { 0 };

	sample_stream(&b);
	docker_frame_decoder_init(&d, 0);
	for (size_t i = 0; i < b.len; i++)
		EXPECT_EQ_INT(0, docker_frame_feed(&d, b.data + i, 1, on_frame,
						   &f, &e));
	EXPECT_EQ_INT(0, docker_frame_decoder_finish(&d, &e));
	EXPECT_EQ_INT(3, f.n);
	EXPECT_STREQ("hello |world\n|", buf_str(&f.out));
	EXPECT_STREQ("oops\n|", buf_str(&f.err));
	docker_frame_decoder_release(&d);
	frames_release(&f);
	buf_release(&b);
}

TEST(frame_decoder_every_two_way_split)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };

	sample_stream(&b);
	for (size_t cut = 0; cut <= b.len; cut++) {
		struct frames f = { 0 };
		struct docker_frame_decoder d;

		docker_frame_decoder_init(&d, 0);
		EXPECT_EQ_INT(0, docker_frame_feed(&d, b.data, cut, on_frame, &f, &e));
		EXPECT_EQ_INT(0, docker_frame_feed(&d, b.data + cut, b.len - cut,
						   on_frame, &f, &e));
		EXPECT_STREQ("hello |world\n|", buf_str(&f.out));
		EXPECT_STREQ("oops\n|", buf_str(&f.err));
		docker_frame_decoder_release(&d);
		frames_release(&f);
	}
	buf_release(&b);
}

TEST(frame_decoder_rejects_hostile_length)
{
	const unsigned char h[8] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	struct frames f = { 0 };
	struct docker_frame_decoder d;
	struct err e = { 0 };

	docker_frame_decoder_init(&d, 64 * 1024);
	EXPECT_EQ_INT(ERR_TOOBIG, docker_frame_feed(&d, (const char *)h, 8,
						    on_frame, &f, &e));
	EXPECT_CONTAINS(e.msg, "frame of 4294967295 bytes exceeds the 65536-byte bound");
	/* broken for good: nothing more is buffered or delivered */
	EXPECT_EQ_INT(ERR_INVALID, docker_frame_feed(&d, "xxxx", 4, on_frame,
						     &f, &e));
	EXPECT_EQ_INT(0, f.n);
	docker_frame_decoder_release(&d);
}

TEST(frame_decoder_length_just_over_bound_split_header)
{
	const unsigned char h[8] = { 2, 0, 0, 0, 0, 0, 0x10, 0x01 };
	struct frames f = { 0 };
	struct docker_frame_decoder d;
	struct err e = { 0 };

	docker_frame_decoder_init(&d, 4096);
	EXPECT_EQ_INT(0, docker_frame_feed(&d, (const char *)h, 5, on_frame, &f, &e));
	EXPECT_EQ_INT(ERR_TOOBIG, docker_frame_feed(&d, (const char *)h + 5, 3,
						    on_frame, &f, &e));
	docker_frame_decoder_release(&d);
}

TEST(frame_decoder_rejects_bad_header)
{
	const unsigned char bad_stream[8] = { 7, 0, 0, 0, 0, 0, 0, 1 };
	const unsigned char bad_pad[8] = { 1, 0, 1, 0, 0, 0, 0, 1 };
	struct frames f = { 0 };
	struct docker_frame_decoder d;
	struct err e = { 0 };

	docker_frame_decoder_init(&d, 0);
	EXPECT_EQ_INT(ERR_INVALID, docker_frame_feed(&d, (const char *)bad_stream,
						     8, on_frame, &f, &e));
	EXPECT_CONTAINS(e.msg, "bad frame header 07 00 00 00");
	docker_frame_decoder_release(&d);
	docker_frame_decoder_init(&d, 0);
	EXPECT_EQ_INT(ERR_INVALID, docker_frame_feed(&d, (const char *)bad_pad,
						     8, on_frame, &f, &e));
	docker_frame_decoder_release(&d);
	/* plain text where frames belong (a TTY container read as framed) */
	docker_frame_decoder_init(&d, 0);
	EXPECT_EQ_INT(ERR_INVALID, docker_frame_feed(&d, "hello world\n", 12,
						     on_frame, &f, &e));
	docker_frame_decoder_release(&d);
	EXPECT_EQ_INT(0, f.n);
}

TEST(frame_decoder_callback_stops)
{
	struct buf b = BUF_INIT;
	struct frames f = { .stop_after = 1 };
	struct docker_frame_decoder d;
	struct err e = { 0 };

	sample_stream(&b);
	docker_frame_decoder_init(&d, 0);
	EXPECT_EQ_INT(DOCKER_STOP, docker_frame_feed(&d, b.data, b.len, on_frame,
						     &f, &e));
	EXPECT_EQ_INT(1, f.n);
	docker_frame_decoder_release(&d);
	frames_release(&f);
	buf_release(&b);
}

TEST(frame_decoder_engine_error_and_truncation)
{
	struct buf b = BUF_INIT;
	struct frames f = { 0 };
	struct docker_frame_decoder d;
	struct err e = { 0 };

	put_frame(&b, 3, "exec failed: no such file");
	docker_frame_decoder_init(&d, 0);
	EXPECT_EQ_INT(ERR_FAIL, docker_frame_feed(&d, b.data, b.len, on_frame, &f, &e));
	EXPECT_STREQ("engine: exec failed: no such file", e.msg);
	docker_frame_decoder_release(&d);
	buf_reset(&b);
	put_frame(&b, 1, "truncated");
	docker_frame_decoder_init(&d, 0);
	EXPECT_EQ_INT(0, docker_frame_feed(&d, b.data, b.len - 3, on_frame, &f, &e));
	EXPECT_EQ_INT(ERR_INVALID, docker_frame_decoder_finish(&d, &e));
	EXPECT_CONTAINS(e.msg, "ended inside a frame (6 of 9 payload bytes)");
	docker_frame_decoder_release(&d);
	frames_release(&f);
	buf_release(&b);
}

/* ---- create body ---- */

TEST(create_body_plain)
{
	const char *const env[] = { "APP_MESSAGE=hi", "EMPTY=", NULL };
	const char *const labels[] = { "orca.managed=true", "orca.project=shop", NULL };
	const char *const aliases[] = { "api", "shop-api", NULL };
	const struct docker_mount mounts[] = { { "orca-shop-data-1", "/data", 0 } };
	struct docker_container_spec s = {
		.name = "orca-shop-api-1", .image = "orca-example/api:1",
		.env = env, .labels = labels, .hostname = "api-1",
		.memory_bytes = 512 << 20, .cpu_millis = 1500,
		.mounts = mounts, .nmounts = 1,
		.network = "orca-shop", .aliases = aliases,
		.port = 8080, .stop_timeout_s = 10,
	};
	json_t *body = docker_container_create_body(&s);

	EXPECT_JSON("{\"Image\":\"orca-example/api:1\","
		    "\"Env\":[\"APP_MESSAGE=hi\",\"EMPTY=\"],"
		    "\"Labels\":{\"orca.managed\":\"true\",\"orca.project\":\"shop\"},"
		    "\"Hostname\":\"api-1\",\"StopTimeout\":10,"
		    "\"ExposedPorts\":{\"8080/tcp\":{}},"
		    "\"HostConfig\":{\"Init\":true,\"RestartPolicy\":{\"Name\":\"no\"},"
		    "\"LogConfig\":{\"Type\":\"json-file\",\"Config\":"
		    "{\"max-size\":\"10485760\",\"max-file\":\"3\"}},"
		    "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"orca-shop-data-1\","
		    "\"Target\":\"/data\",\"ReadOnly\":false}],"
		    "\"Memory\":536870912,\"MemorySwap\":536870912,"
		    "\"NanoCpus\":1500000000,\"NetworkMode\":\"orca-shop\"},"
		    "\"NetworkingConfig\":{\"EndpointsConfig\":{\"orca-shop\":"
		    "{\"Aliases\":[\"api\",\"shop-api\"]}}}}",
		    body);
	json_decref(body);
}

TEST(create_body_minimal_has_no_ports_limits_or_network)
{
	const char *const cmd[] = { "sh", "-c", "echo hi", NULL };
	struct docker_container_spec s = {
		.name = "orca-test-min", .image = "orca-test/busybox:1", .cmd = cmd,
		.log_max_size_bytes = 1024, .log_max_files = 2,
	};
	json_t *body = docker_container_create_body(&s);

	EXPECT_JSON("{\"Image\":\"orca-test/busybox:1\",\"Env\":[],\"Labels\":{},"
		    "\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],"
		    "\"HostConfig\":{\"Init\":true,\"RestartPolicy\":{\"Name\":\"no\"},"
		    "\"LogConfig\":{\"Type\":\"json-file\",\"Config\":"
		    "{\"max-size\":\"1024\",\"max-file\":\"2\"}},\"Mounts\":[]}}",
		    body);
	json_decref(body);
}

TEST(create_body_host_port_only_when_asked)
{
	struct docker_container_spec s = {
		.name = "orca-test-web", .image = "orca-example/web:1",
		.port = 8080, .host_port = 18080, .host_ip = "127.0.0.1",
	};
	json_t *body = docker_container_create_body(&s);

	EXPECT_JSON("{\"8080/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"18080\"}]}",
		    json_object_get(json_object_get(body, "HostConfig"), "PortBindings"));
	EXPECT_JSON("{\"8080/tcp\":{}}", json_object_get(body, "ExposedPorts"));
	json_decref(body);
}

TEST(create_body_nvidia)
{
	struct docker_container_spec s = {
		.name = "orca-ml-train-1", .image = "ml/train:3",
		.gpu = { .vendor = DOCKER_GPU_NVIDIA, .count = 2 },
	};
	json_t *body = docker_container_create_body(&s);
	json_t *host = json_object_get(body, "HostConfig");

	EXPECT_JSON("[{\"Driver\":\"\",\"Count\":2,\"Capabilities\":[[\"gpu\"]],"
		    "\"Options\":{}}]",
		    json_object_get(host, "DeviceRequests"));
	EXPECT_NULL(json_object_get(host, "Devices"));
	EXPECT_NULL(json_object_get(host, "GroupAdd"));
	json_decref(body);
	s.gpu.count = -1;   /* all GPUs, like --gpus all */
	body = docker_container_create_body(&s);
	EXPECT_EQ_INT(-1, json_integer_value(json_object_get(json_array_get(
		json_object_get(json_object_get(body, "HostConfig"), "DeviceRequests"),
		0), "Count")));
	json_decref(body);
}

TEST(create_body_amd)
{
	const unsigned gids[] = { 44, 109 };
	struct docker_container_spec s = {
		.name = "orca-ml-infer-1", .image = "ml/infer:1",
		.gpu = { .vendor = DOCKER_GPU_AMD, .count = 1,
			 .group_ids = gids, .ngroup_ids = 2 },
	};
	json_t *body = docker_container_create_body(&s);
	json_t *host = json_object_get(body, "HostConfig");

	EXPECT_JSON("[{\"PathOnHost\":\"/dev/kfd\",\"PathInContainer\":\"/dev/kfd\","
		    "\"CgroupPermissions\":\"rwm\"},"
		    "{\"PathOnHost\":\"/dev/dri\",\"PathInContainer\":\"/dev/dri\","
		    "\"CgroupPermissions\":\"rwm\"}]",
		    json_object_get(host, "Devices"));
	EXPECT_JSON("[\"44\",\"109\"]", json_object_get(host, "GroupAdd"));
	EXPECT_NULL(json_object_get(host, "DeviceRequests"));
	json_decref(body);
}

/* ---- events ---- */

TEST(event_parse_die_with_labels)
{
	const char *line =
		"{\"status\":\"die\",\"id\":\"abc123\",\"from\":\"orca-example/api:1\","
		"\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"abc123\","
		"\"Attributes\":{\"exitCode\":\"137\",\"image\":\"orca-example/api:1\","
		"\"name\":\"orca-shop-api-1\",\"orca.managed\":\"true\","
		"\"orca.service\":\"api\"}},\"scope\":\"local\",\"time\":1700000000,"
		"\"timeNano\":1700000000123456789}";
	struct docker_event ev;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_event_parse(line, strlen(line), &ev, &e));
	EXPECT_STREQ("container", ev.type);
	EXPECT_STREQ("die", ev.action);
	EXPECT_STREQ("", ev.detail);
	EXPECT_STREQ("abc123", ev.id);
	EXPECT_STREQ("orca-shop-api-1", ev.name);
	EXPECT_EQ_INT(137, ev.exit_code);
	EXPECT_EQ_INT(1700000000123456789LL, ev.time_ns);
	EXPECT_STREQ("api", docker_labels_get(&ev.attributes, "orca.service"));
	EXPECT_STREQ("true", docker_labels_get(&ev.attributes, "orca.managed"));
	EXPECT_NULL(docker_labels_get(&ev.attributes, "orca.replica"));
	docker_event_release(&ev);
}

TEST(event_parse_health_and_oom)
{
	const char *health = "{\"Type\":\"container\",\"Action\":\"health_status: healthy\","
			     "\"Actor\":{\"ID\":\"x\",\"Attributes\":{\"name\":\"n\"}},\"time\":5}";
	const char *oom = "{\"Type\":\"container\",\"Action\":\"oom\",\"Actor\":{\"ID\":\"y\"}}";
	struct docker_event ev;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_event_parse(health, strlen(health), &ev, &e));
	EXPECT_STREQ("health_status", ev.action);
	EXPECT_STREQ("healthy", ev.detail);
	EXPECT_EQ_INT(-1, ev.exit_code);
	EXPECT_EQ_INT(5000000000LL, ev.time_ns);
	docker_event_release(&ev);
	EXPECT_EQ_INT(0, docker_event_parse(oom, strlen(oom), &ev, &e));
	EXPECT_STREQ("oom", ev.action);
	EXPECT_STREQ("y", ev.id);
	EXPECT_STREQ("", ev.name);
	EXPECT_EQ_INT(0, (long long)ev.attributes.n);
	docker_event_release(&ev);
}

TEST(event_parse_rejects_garbage)
{
	struct docker_event ev;
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_INVALID, docker_event_parse("[1,2]", 5, &ev, &e));
	docker_event_release(&ev);
	EXPECT_EQ_INT(ERR_INVALID, docker_event_parse("{\"Type\":", 8, &ev, &e));
	docker_event_release(&ev);
	/* wrong types are ignored, not trusted */
	EXPECT_EQ_INT(0, docker_event_parse("{\"Type\":5,\"Actor\":[]}", 21, &ev, &e));
	EXPECT_STREQ("", ev.type);
	docker_event_release(&ev);
}

/* ---- error sentences ---- */

TEST(status_error_conflict)
{
	const char *body = "{\"message\":\"Conflict. The container name \\\"/orca-web-api-1\\\" "
			   "is already in use by container \\\"0123\\\". You have to remove "
			   "(or rename) that container to be able to reuse that name.\"}\n";
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_CONFLICT, docker_status_error(&e, 409, body, strlen(body)));
	err_wrap(&e, "container '%s': create", "orca-web-api-1");
	EXPECT_STREQ("container 'orca-web-api-1': create: conflict: the container name "
		     "\"/orca-web-api-1\" is already in use by container \"0123\". You "
		     "have to remove (or rename) that container to be able to reuse "
		     "that name", e.msg);
}

TEST(status_error_not_found_and_others)
{
	const char *nf = "{\"message\":\"No such container: orca-x\"}";
	const char *bad = "{\"message\":\"invalid reference format\"}";
	const char *fb = "{\"message\":\"endpoint with name a already exists in network b\"}";
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_NOTFOUND, docker_status_error(&e, 404, nf, strlen(nf)));
	EXPECT_STREQ("no such container: orca-x", e.msg);

	EXPECT_EQ_INT(ERR_INVALID, docker_status_error(&e, 400, bad, strlen(bad)));
	EXPECT_STREQ("bad request: invalid reference format", e.msg);
	EXPECT_EQ_INT(ERR_FAIL, docker_status_error(&e, 500, "boom\n\tagain\n", 12));
	EXPECT_STREQ("engine error: boom  again", e.msg);
	EXPECT_EQ_INT(ERR_FAIL, docker_status_error(&e, 500, NULL, 0));
	EXPECT_STREQ("engine error (HTTP 500)", e.msg);
	EXPECT_EQ_INT(ERR_FAIL, docker_status_error(&e, 418, "{}", 2));
	EXPECT_STREQ("unexpected HTTP status 418", e.msg);
	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_status_error(&e, 503, "{\"message\":\"x\"}", 15));
	EXPECT_EQ_INT(ERR_CONFLICT, docker_status_error(&e, 403, fb, strlen(fb)));
	EXPECT_STREQ("forbidden: endpoint with name a already exists in network b", e.msg);
}

TEST(status_error_message_is_bounded)
{
	char big[4096];
	struct err e = { 0 };

	memset(big, 'x', sizeof(big));
	EXPECT_EQ_INT(ERR_FAIL, docker_status_error(&e, 500, big, sizeof(big)));
	EXPECT_TRUE(strlen(e.msg) < 400);
}

TEST(connect_error_sentences)
{
	struct err e = { 0 };

	EXPECT_EQ_INT(ERR_UNAVAILABLE,
		      docker_connect_error(&e, "/var/run/docker.sock", ECONNREFUSED));
	EXPECT_STREQ("cannot reach the Docker Engine at /var/run/docker.sock: "
		     "connection refused (is dockerd running?)", e.msg);
	docker_connect_error(&e, "/x.sock", ENOENT);
	EXPECT_STREQ("cannot reach the Docker Engine at /x.sock: no such file or "
		     "directory (is dockerd running?)", e.msg);
	docker_connect_error(&e, "/x.sock", EACCES);
	EXPECT_CONTAINS(e.msg, "permission denied (is this user allowed");
}

/* ---- escaping, queries, versions ---- */

TEST(url_escape_and_query)
{
	struct buf q = BUF_INIT;
	char *s = docker_url_escape("shop/api:1 ?&#%");
	char *f;

	EXPECT_STREQ("shop%2Fapi%3A1%20%3F%26%23%25", s);
	free(s);
	s = docker_url_escape("orca-web_1.x~");
	EXPECT_STREQ("orca-web_1.x~", s);
	free(s);
	buf_puts(&q, "/events");
	f = docker_filters_json((const char *const[]){ "container", NULL },
				(const char *const[]){ "orca.managed=true", NULL }, NULL);
	EXPECT_STREQ("{\"label\":[\"orca.managed=true\"],\"type\":[\"container\"]}", f);
	docker_query_add(&q, "filters", f);
	docker_query_time(&q, "since", 1700000000000000042LL);
	docker_query_time(&q, "until", 0);
	EXPECT_STREQ("/events?filters=%7B%22label%22%3A%5B%22orca.managed%3Dtrue%22%5D%2C"
		     "%22type%22%3A%5B%22container%22%5D%7D&since=1700000000.000000042",
		     buf_str(&q));
	EXPECT_NULL(docker_filters_json(NULL, (const char *const[]){ NULL }, NULL));
	free(f);
	buf_release(&q);
}

TEST(api_version_choice)
{
	char v[16];
	struct err e = { 0 };

	/* in range: the engine's own version */
	EXPECT_EQ_INT(0, docker_api_choose("1.41", "1.12", v, sizeof(v), &e));
	EXPECT_STREQ("1.41", v);
	EXPECT_EQ_INT(0, docker_api_choose("1.40", NULL, v, sizeof(v), &e));
	EXPECT_STREQ("1.40", v);
	/* Docker 29.0: 1.52, accepting 1.44 and newer */
	EXPECT_EQ_INT(0, docker_api_choose("1.52", "1.44", v, sizeof(v), &e));
	EXPECT_STREQ("1.52", v);
	EXPECT_EQ_INT(0, docker_api_choose(DOCKER_API_MAX, "1.40", v, sizeof(v), &e));
	EXPECT_STREQ(DOCKER_API_MAX, v);
	/* newer than orca knows, but accepting what orca knows: capped */
	EXPECT_EQ_INT(0, docker_api_choose("1.70", "1.40", v, sizeof(v), &e));
	EXPECT_STREQ(DOCKER_API_MAX, v);
	EXPECT_EQ_INT(0, docker_api_choose("1.70", DOCKER_API_MAX, v, sizeof(v), &e));
	EXPECT_STREQ(DOCKER_API_MAX, v);
	/* too old */
	EXPECT_EQ_INT(ERR_UNSUPPORTED, docker_api_choose("1.39", "1.12", v, sizeof(v), &e));
	EXPECT_STREQ("the Docker Engine speaks API 1.39 at most, older than API 1.40, the "
		     "oldest orca supports: upgrade Docker to 19.03 or newer", e.msg);
	/* too new: it refuses everything orca has been checked against */
	EXPECT_EQ_INT(ERR_UNSUPPORTED, docker_api_choose("1.70", "1.60", v, sizeof(v), &e));
	EXPECT_STREQ("the Docker Engine requires API 1.60 or newer, but orca has been "
		     "checked against API " DOCKER_API_MAX " at most: upgrade orca, or let "
		     "the engine accept API " DOCKER_API_MAX " (DOCKER_MIN_API_VERSION="
		     DOCKER_API_MAX " in dockerd's environment)", e.msg);
	EXPECT_EQ_INT(ERR_UNSUPPORTED, docker_api_choose("2.3", "2.0", v, sizeof(v), &e));
	EXPECT_CONTAINS(e.msg, "requires API 2.0 or newer");
	/* unreadable */
	EXPECT_EQ_INT(ERR_FAIL, docker_api_choose("", NULL, v, sizeof(v), &e));
	EXPECT_EQ_INT(ERR_FAIL, docker_api_choose("1.41x", NULL, v, sizeof(v), &e));
}

TEST(socket_from_docker_host)
{
	char p[108];
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_socket_from_host(NULL, p, sizeof(p), &e));
	EXPECT_STREQ("/var/run/docker.sock", p);
	EXPECT_EQ_INT(0, docker_socket_from_host("", p, sizeof(p), &e));
	EXPECT_STREQ("/var/run/docker.sock", p);
	EXPECT_EQ_INT(0, docker_socket_from_host("unix:///run/user/1000/docker.sock",
						 p, sizeof(p), &e));
	EXPECT_STREQ("/run/user/1000/docker.sock", p);
	EXPECT_EQ_INT(ERR_UNSUPPORTED, docker_socket_from_host("tcp://10.0.0.1:2375",
							       p, sizeof(p), &e));
	EXPECT_CONTAINS(e.msg, "DOCKER_HOST 'tcp://10.0.0.1:2375' is not supported");
	EXPECT_EQ_INT(ERR_INVALID, docker_socket_from_host("unix://relative", p,
							   sizeof(p), &e));
}

TEST(image_ref_split)
{
	static const char *const cases[][3] = {
		{ "shop/api:1", "shop/api", "1" },
		{ "redis", "redis", "latest" },
		{ "localhost:5000/x", "localhost:5000/x", "latest" },
		{ "localhost:5000/x:2", "localhost:5000/x", "2" },
		{ "x@sha256:abc", "x", "sha256:abc" },
		{ "x:1@sha256:abc", "x", "sha256:abc" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *repo, *tag;

		docker_image_ref_split(cases[i][0], &repo, &tag);
		EXPECT_STREQ(cases[i][1], repo);
		EXPECT_STREQ(cases[i][2], tag);
		free(repo);
		free(tag);
	}
}

/* ---- lines ---- */

static int on_line(void *arg, const char *line, size_t len, struct err *e)
{
	(void)e;
	buf_append(arg, line, len);
	buf_putc(arg, '|');
	return 0;
}

TEST(image_digest_ref_matches_the_repository)
{
	char *digests[] = {
		"redis@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"127.0.0.1:5000/web@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		"broken@sha256:short", NULL,
	};
	struct docker_image_info info = { .repo_digests = digests };
	struct docker_image_info built = { 0 };
	char out[DOCKER_DIGEST_REF_SIZE];

	EXPECT_EQ_INT(0, docker_image_digest_ref(&info, "127.0.0.1:5000/web:2", out));
	EXPECT_STREQ(digests[1], out);
	EXPECT_EQ_INT(0, docker_image_digest_ref(&info, "docker.io/library/redis", out));
	EXPECT_STREQ(digests[0], out);
	EXPECT_EQ_INT(0, docker_image_digest_ref(&info, "redis:7", out));
	EXPECT_STREQ(digests[0], out);
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_image_digest_ref(&info, "broken:1", out));
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_image_digest_ref(&info, "127.0.0.1:5000/api:1", out));
	/* built here: no digest, unless the reference itself is one */
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_image_digest_ref(&built, "shop/api:1", out));
	EXPECT_EQ_INT(0, docker_image_digest_ref(&built, "shop/api@sha256:"
		"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", out));
	EXPECT_STREQ("shop/api@sha256:"
		     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", out);
}

TEST(lines_split_anywhere_and_bounded)
{
	const char *text = "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}";
	struct err e = { 0 };

	for (size_t cut = 0; cut <= strlen(text); cut++) {
		struct buf got = BUF_INIT;
		struct docker_lines l;

		docker_lines_init(&l, 64, on_line, &got);
		EXPECT_EQ_INT(0, docker_lines_feed(&l, text, cut, &e));
		EXPECT_EQ_INT(0, docker_lines_feed(&l, text + cut, strlen(text) - cut, &e));
		EXPECT_EQ_INT(0, docker_lines_finish(&l, &e));
		EXPECT_STREQ("{\"a\":1}|{\"b\":2}|{\"c\":3}|", buf_str(&got));
		docker_lines_release(&l);
		buf_release(&got);
	}
	{
		struct buf got = BUF_INIT;
		struct docker_lines l;
		char big[100];

		memset(big, 'x', sizeof(big));
		docker_lines_init(&l, 64, on_line, &got);
		EXPECT_EQ_INT(0, docker_lines_feed(&l, big, 60, &e));
		EXPECT_EQ_INT(ERR_TOOBIG, docker_lines_feed(&l, big, 40, &e));
		docker_lines_release(&l);
		buf_release(&got);
	}
}

/* ---- inspect parsing ---- */

TEST(container_inspect_parse)
{
	const char *text =
		"{\"Id\":\"c0ffee\",\"Name\":\"/orca-shop-api-1\",\"Image\":\"sha256:1234\","
		"\"RestartCount\":2,\"State\":{\"Status\":\"exited\",\"Running\":false,"
		"\"OOMKilled\":true,\"Pid\":0,\"ExitCode\":137,\"Error\":\"\","
		"\"StartedAt\":\"2024-01-02T03:04:05.1Z\",\"FinishedAt\":\"2024-01-02T03:05:00Z\","
		"\"Health\":{\"Status\":\"unhealthy\"}},"
		"\"Config\":{\"Hostname\":\"api-1\",\"Image\":\"orca-example/api:1\","
		"\"Labels\":{\"orca.service\":\"api\"}},"
		"\"HostConfig\":{\"Memory\":67108864,\"NanoCpus\":500000000},"
		"\"NetworkSettings\":{\"Networks\":{\"orca-shop\":{\"NetworkID\":\"n1\","
		"\"IPAddress\":\"172.18.0.5\"}}}}";
	json_t *j = json_loads(text, 0, NULL);
	struct docker_container_info info;

	docker_container_info_parse(&info, j);
	EXPECT_STREQ("c0ffee", info.id);
	EXPECT_STREQ("orca-shop-api-1", info.name);
	EXPECT_STREQ("orca-example/api:1", info.image);
	EXPECT_STREQ("sha256:1234", info.image_id);
	EXPECT_STREQ("api-1", info.hostname);
	EXPECT_STREQ("api", docker_labels_get(&info.labels, "orca.service"));
	EXPECT_STREQ("exited", info.state.status);
	EXPECT_EQ_INT(1, info.state.oom_killed);
	EXPECT_EQ_INT(137, info.state.exit_code);
	EXPECT_STREQ("unhealthy", info.state.health);
	EXPECT_STREQ("2024-01-02T03:04:05.1Z", info.state.started_at);
	EXPECT_EQ_INT(2, info.restart_count);
	EXPECT_EQ_INT(67108864, info.memory_bytes);
	EXPECT_EQ_INT(500000000, info.nano_cpus);
	EXPECT_EQ_INT(1, (long long)info.nnets);
	EXPECT_STREQ("orca-shop", info.nets[0].network);
	EXPECT_STREQ("172.18.0.5", info.nets[0].ip);
	docker_container_info_release(&info);
	json_decref(j);
	/* any shape at all is survivable */
	j = json_loads("[1]", 0, NULL);
	docker_container_info_parse(&info, j);
	EXPECT_STREQ("", info.name);
	docker_container_info_release(&info);
	json_decref(j);
}

UNIT_MAIN
