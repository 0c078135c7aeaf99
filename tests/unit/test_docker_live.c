/*
 * test_docker_live.c - src/docker against the real Docker Engine.
 *
 * Needs the images of tests/images/build.sh; without them every test FAILS
 * (never skips) and says to run it. Objects are named orca-test-*-<pid> and
 * labelled orca.test.suite=docker_live so that parallel runs do not collide
 * and leftovers of a crashed run are removed by the next one.
 */
#include "unit.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "docker/docker.h"

#define SUITE_LABEL "orca.test.suite=docker_live"

static struct docker_client *C;
static char pid_label[64];       /* orca.test.pid=<pid> */
static const char *labels[3];

static const char *name(const char *what)
{
	static char names[8][96];
	static int next;
	char *s = names[next++ % 8];

	snprintf(s, sizeof(names[0]), "orca-test-%s-%d", what, (int)getpid());
	return s;
}

static void sleep_ms(long ms)
{
	const struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Containers of dead runs of this suite. */
static void remove_leftovers(void)
{
	const char *const filter[] = { SUITE_LABEL, NULL };
	struct docker_container_summary *list;
	struct err e = { 0 };
	size_t n;

	if (docker_container_list(C, filter, &list, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *pid = docker_labels_get(&list[i].labels, "orca.test.pid");

		if (pid && kill(atoi(pid), 0) < 0 && errno == ESRCH)
			docker_container_remove(C, list[i].id, 1, 1, &e);
	}
	docker_container_list_free(list, n);
}

/* The client, or NULL after reporting why the engine cannot be used. */
static struct docker_client *engine(void)
{
	static const char *const images[] = {
		"orca-test/busybox:1", "orca-example/web:1", "orca-example/api:1",
	};
	struct err e = { 0 };

	if (C == NULL) {
		if (docker_client_new(&C, NULL, &e) < 0 || docker_ping(C, &e) < 0) {
			UNIT_FAIL_AT("docker engine: %s", e.msg);
			docker_client_free(C);
			C = NULL;
			return NULL;
		}
		snprintf(pid_label, sizeof(pid_label), "orca.test.pid=%d", (int)getpid());
		labels[0] = SUITE_LABEL;
		labels[1] = pid_label;
		remove_leftovers();
	}
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		if (docker_image_inspect(C, images[i], NULL, &e) < 0) {
			UNIT_FAIL_AT("test image missing (%s): run tests/images/build.sh",
				     e.msg);
			return NULL;
		}
	}
	return C;
}

/* Creates and starts a container from the busybox image running cmd. */
static int run(const char *cname, const char *const *cmd, struct err *e)
{
	struct docker_container_spec s = {
		.name = cname, .image = "orca-test/busybox:1", .cmd = cmd,
		.labels = labels, .stop_timeout_s = 1,
	};
	int rc = docker_container_create(C, &s, NULL, e);

	return rc < 0 ? rc : docker_container_start(C, cname, e);
}

/* Waits until the container is no longer running; returns its state. */
static void wait_exit(const char *cname, struct docker_container_state *st)
{
	struct docker_container_info info;
	struct err e = { 0 };

	memset(st, 0, sizeof(*st));
	for (int i = 0; i < 200; i++) {
		if (docker_container_inspect(C, cname, &info, &e) < 0)
			return;
		*st = info.state;
		st->error = NULL;
		docker_container_info_release(&info);
		if (!st->running)
			return;
		sleep_ms(25);
	}
}

/* Runs argv in cname until it exits 0 or 4 s pass; returns the last result. */
static int exec_retry(const char *cname, const char *const *argv,
		      struct docker_exec_result *r, struct err *e)
{
	struct docker_exec_opts o = { .cmd = argv };
	int rc = -1;

	for (int i = 0; i < 40; i++) {
		rc = docker_exec(C, cname, &o, 0, r, e);
		if (rc == 0 && r->exit_code == 0)
			return 0;
		docker_exec_result_release(r);
		sleep_ms(100);
	}
	return rc < 0 ? rc : docker_exec(C, cname, &o, 0, r, e);
}

TEST(version_negotiation_and_ping)
{
	struct err e = { 0 };

	if (!engine())
		return;
	EXPECT_EQ_INT(0, docker_client_negotiate(C, &e));
	/* this engine speaks 1.41; never more than orca knows */
	EXPECT_STREQ("1.41", docker_client_api_version(C));
	EXPECT_TRUE(docker_client_server_version(C)[0] != '\0');
	EXPECT_EQ_INT(0, docker_ping(C, &e));
}

TEST(missing_image_and_unreachable_registry)
{
	struct err e = { 0 };

	if (!engine())
		return;
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_image_inspect(C, "orca-test/missing:1",
							 NULL, &e));
	EXPECT_STREQ("image 'orca-test/missing:1' not found locally", e.msg);
	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_image_pull(C, "orca-test/missing:1",
							 NULL, NULL, &e));
	EXPECT_CONTAINS(e.msg, "image 'orca-test/missing:1': pull: the registry "
			"could not be reached: ");
	EXPECT_EQ_INT(ERR_UNAVAILABLE, docker_image_ensure(C, "shop/api:1", NULL,
							   NULL, NULL, &e));
	EXPECT_CONTAINS(e.msg, "image 'shop/api:1' not found locally and the "
			"registry could not be reached: ");
}

TEST(image_ensure_of_a_local_image)
{
	struct docker_image_info info;
	char id[DOCKER_ID_SIZE];
	struct err e = { 0 };

	if (!engine())
		return;
	EXPECT_EQ_INT(0, docker_image_ensure(C, "orca-example/api:1", NULL, NULL, id, &e));
	EXPECT_EQ_INT(0, docker_image_inspect(C, "orca-example/api:1", &info, &e));
	EXPECT_STREQ(info.id, id);
	EXPECT_STREQ("1", docker_labels_get(&info.labels, "orca.test"));
	docker_image_info_release(&info);
}

static void check_api_inspect(const char *api, const char *net)
{
	struct docker_container_info info;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, docker_container_inspect(C, api, &info, &e));
	EXPECT_STREQ(api, info.name);
	EXPECT_STREQ("orca-example/api:1", info.image);
	EXPECT_STREQ("running", info.state.status);
	EXPECT_EQ_INT(1, info.state.running);
	EXPECT_TRUE(info.state.pid > 0);
	EXPECT_EQ_INT(64 << 20, info.memory_bytes);
	EXPECT_EQ_INT(500000000, info.nano_cpus);
	EXPECT_STREQ("docker_live", docker_labels_get(&info.labels, "orca.test.suite"));
	EXPECT_EQ_INT(1, (long long)info.nnets);
	if (info.nnets == 1) {
		EXPECT_STREQ(net, info.nets[0].network);
		EXPECT_TRUE(info.nets[0].ip[0] != '\0');
	}
	docker_container_info_release(&info);
}

static void check_exec(const char *api)
{
	const char *const info[] = { "wget", "-qO-", "http://127.0.0.1:8080/cgi-bin/info", NULL };
	const char *const codes[] = { "sh", "-c", "echo out; echo err >&2; exit 7", NULL };
	struct docker_exec_opts o = { .cmd = codes };
	struct docker_exec_result r;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, exec_retry(api, info, &r, &e));
	EXPECT_CONTAINS(buf_str(&r.out), "message=hello from orca");
	EXPECT_CONTAINS(buf_str(&r.out), "hostname=api-1");
	docker_exec_result_release(&r);
	EXPECT_EQ_INT(0, docker_exec(C, api, &o, 0, &r, &e));
	EXPECT_EQ_INT(7, r.exit_code);
	EXPECT_STREQ("out\n", buf_str(&r.out));
	EXPECT_STREQ("err\n", buf_str(&r.err));
	docker_exec_result_release(&r);
}

/* A second container joins the network later and finds api by its alias. */
static void check_alias(const char *net, const char *client)
{
	const char *const sleep_cmd[] = { "sleep", "60", NULL };
	const char *const get[] = { "wget", "-qO-", "http://api-alias:8080/healthz", NULL };
	const char *const aliases[] = { "client-alias", NULL };
	struct docker_exec_result r;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, run(client, sleep_cmd, &e));
	EXPECT_EQ_INT(0, docker_network_connect(C, net, client, aliases, &e));
	EXPECT_EQ_INT(ERR_CONFLICT, docker_network_connect(C, net, client, aliases, &e));
	EXPECT_EQ_INT(0, exec_retry(client, get, &r, &e));
	EXPECT_STREQ("ok", buf_str(&r.out));
	docker_exec_result_release(&r);
	EXPECT_EQ_INT(0, docker_network_disconnect(C, net, client, 0, &e));
	EXPECT_EQ_INT(0, docker_container_kill(C, client, "SIGKILL", &e));
	EXPECT_EQ_INT(ERR_CONFLICT, docker_container_kill(C, client, NULL, &e));
	EXPECT_CONTAINS(e.msg, "is not running");
}

static void check_list(const char *api)
{
	const char *const filter[] = { pid_label, NULL };
	struct docker_container_summary *list;
	struct err e = { 0 };
	size_t n;
	int found = 0;

	EXPECT_EQ_INT(0, docker_container_list(C, filter, &list, &n, &e));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].name, api) != 0)
			continue;
		found = 1;
		EXPECT_STREQ("running", list[i].state);
		EXPECT_STREQ("docker_live", docker_labels_get(&list[i].labels,
							      "orca.test.suite"));
	}
	EXPECT_TRUE(found);
	docker_container_list_free(list, n);
}

static void make_network_and_volume(const char *net, const char *vol)
{
	struct docker_network_spec ns = { .name = net, .labels = labels,
					  .owner_label = SUITE_LABEL };
	struct docker_volume_spec vs = { .name = vol, .labels = labels,
					 .owner_label = SUITE_LABEL };
	struct docker_network_info *nets;
	struct err e = { 0 };
	int created = -1;
	size_t n;

	EXPECT_EQ_INT(0, docker_network_create(C, &ns, NULL, &created, &e));
	EXPECT_EQ_INT(1, created);
	EXPECT_EQ_INT(0, docker_network_create(C, &ns, NULL, &created, &e));
	EXPECT_EQ_INT(0, created);
	ns.internal = 1;
	EXPECT_EQ_INT(ERR_CONFLICT, docker_network_create(C, &ns, NULL, NULL, &e));
	EXPECT_EQ_INT(0, docker_volume_create(C, &vs, &e));
	EXPECT_EQ_INT(0, docker_volume_create(C, &vs, &e));
	EXPECT_EQ_INT(0, docker_network_list(C, (const char *const[]){ pid_label, NULL },
					     &nets, &n, &e));
	EXPECT_EQ_INT(1, (long long)n);
	if (n == 1)
		EXPECT_STREQ(net, nets[0].name);
	docker_network_list_free(nets, n);
}

static void remove_all(const char *net, const char *vol, const char *api,
		       const char *client)
{
	struct docker_volume_info *vols;
	struct err e = { 0 };
	size_t n;

	docker_container_remove(C, client, 1, 1, &e);
	EXPECT_EQ_INT(0, docker_container_remove(C, api, 1, 1, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_container_remove(C, api, 1, 1, &e));
	EXPECT_EQ_INT(0, docker_network_remove(C, net, &e));
	EXPECT_EQ_INT(0, docker_volume_remove(C, vol, 0, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_volume_remove(C, vol, 0, &e));
	EXPECT_EQ_INT(0, docker_volume_list(C, (const char *const[]){ pid_label, NULL },
					    &vols, &n, &e));
	EXPECT_EQ_INT(0, (long long)n);
	docker_volume_list_free(vols, n);
}

TEST(network_volume_container_lifecycle)
{
	const char *net = name("net"), *vol = name("vol");
	const char *api = name("api"), *client = name("client");
	const char *const env[] = { "APP_MESSAGE=hello from orca", NULL };
	const char *const aliases[] = { "api-alias", NULL };
	const struct docker_mount mounts[] = { { vol, "/data", 0 } };
	struct docker_container_spec s = {
		.name = api, .image = "orca-example/api:1", .env = env,
		.labels = labels, .hostname = "api-1",
		.memory_bytes = 64 << 20, .cpu_millis = 500,
		.mounts = mounts, .nmounts = 1, .network = net, .aliases = aliases,
		.port = 8080, .stop_timeout_s = 5,
	};
	struct docker_container_state st;
	char id[DOCKER_ID_SIZE];
	struct err e = { 0 };

	if (!engine())
		return;
	make_network_and_volume(net, vol);
	EXPECT_EQ_INT(0, docker_container_create(C, &s, id, &e));
	EXPECT_EQ_INT(64, (long long)strlen(id));
	EXPECT_EQ_INT(ERR_CONFLICT, docker_container_create(C, &s, NULL, &e));
	EXPECT_CONTAINS(e.msg, "create: conflict: ");
	EXPECT_EQ_INT(0, docker_container_start(C, api, &e));
	EXPECT_EQ_INT(0, docker_container_start(C, api, &e));   /* 304 */
	check_api_inspect(api, net);
	check_exec(api);
	check_alias(net, client);
	check_list(api);
	EXPECT_EQ_INT(0, docker_container_stop(C, api, 5, &e));
	wait_exit(api, &st);
	EXPECT_EQ_INT(0, st.running);
	EXPECT_STREQ("exited", st.status);
	EXPECT_EQ_INT(0, docker_container_stop(C, api, 5, &e));  /* 304 */
	remove_all(net, vol, api, client);
}

struct logs {
	struct buf out, err;
	int frames, stop_after;
};

static int on_log(void *arg, enum docker_stream s, const char *data, size_t len)
{
	struct logs *l = arg;

	buf_append(s == DOCKER_STREAM_STDERR ? &l->err : &l->out, data, len);
	l->frames++;
	return l->stop_after && l->frames >= l->stop_after;
}

TEST(logs_of_an_exited_and_a_running_container)
{
	const char *done = name("logger"), *live = name("ticker");
	const char *const once[] = { "sh", "-c", "echo out1; echo err1 >&2; echo out2", NULL };
	const char *const tick[] = { "sh", "-c", "while true; do echo tick; sleep 0.1; done", NULL };
	struct docker_logs_opts all = { 0 }, last = { .tail = 1 };
	struct docker_logs_opts follow = { .follow = 1, .timestamps = 1 };
	struct logs l = { .out = BUF_INIT, .err = BUF_INIT };
	struct docker_container_state st;
	struct err e = { 0 };

	if (!engine())
		return;
	EXPECT_EQ_INT(0, run(done, once, &e));
	wait_exit(done, &st);
	EXPECT_EQ_INT(0, st.exit_code);
	EXPECT_EQ_INT(0, docker_container_logs(C, done, &all, on_log, &l, &e));
	EXPECT_STREQ("out1\nout2\n", buf_str(&l.out));
	EXPECT_STREQ("err1\n", buf_str(&l.err));
	/* the last line of either stream: their relative order is the engine's */
	buf_reset(&l.out);
	buf_reset(&l.err);
	l.frames = 0;
	EXPECT_EQ_INT(0, docker_container_logs(C, done, &last, on_log, &l, &e));
	EXPECT_EQ_INT(1, l.frames);
	EXPECT_TRUE(strcmp(buf_str(&l.out), "out2\n") == 0 ||
		    strcmp(buf_str(&l.err), "err1\n") == 0);
	/* follow a running container; the callback ends it after 3 lines */
	EXPECT_EQ_INT(0, run(live, tick, &e));
	buf_reset(&l.out);
	l.frames = 0;
	l.stop_after = 3;
	EXPECT_EQ_INT(0, docker_container_logs(C, live, &follow, on_log, &l, &e));
	EXPECT_EQ_INT(3, l.frames);
	EXPECT_CONTAINS(buf_str(&l.out), "Z tick\n");
	EXPECT_EQ_INT(0, docker_container_remove(C, done, 1, 1, &e));
	EXPECT_EQ_INT(0, docker_container_remove(C, live, 1, 1, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, docker_container_logs(C, done, &all, on_log, &l, &e));
	buf_release(&l.out);
	buf_release(&l.err);
}

struct watch {
	struct docker_client *c;
	const char *const *labels;
	pthread_mutex_t lock;
	struct buf seen;
	int rc;
	struct err e;
};

static int on_event(void *arg, const struct docker_event *ev)
{
	struct watch *w = arg;
	const char *suite = docker_labels_get(&ev->attributes, "orca.test.suite");

	pthread_mutex_lock(&w->lock);
	buf_printf(&w->seen, "%s:%s:%d:%s|", ev->action, ev->name, ev->exit_code,
		   suite ? suite : "");
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static void *watch_events(void *arg)
{
	struct watch *w = arg;
	const char *const types[] = { "container", NULL };
	struct docker_events_opts o = { .types = types, .labels = w->labels };

	w->rc = docker_events(w->c, &o, on_event, w, &w->e);
	return NULL;
}

static int seen(struct watch *w, const char *what)
{
	int yes;

	pthread_mutex_lock(&w->lock);
	yes = strstr(buf_str(&w->seen), what) != NULL;
	pthread_mutex_unlock(&w->lock);
	return yes;
}

TEST(events_see_start_and_die)
{
	const char *ev = name("events");
	const char *const cmd[] = { "sh", "-c", "sleep 0.3; exit 3", NULL };
	const char *const filter[] = { pid_label, NULL };
	struct watch w = { .labels = filter, .seen = BUF_INIT };
	char die[160];
	struct err e = { 0 };
	pthread_t t;

	if (!engine())
		return;
	EXPECT_EQ_INT(0, docker_client_new(&w.c, NULL, &e));
	EXPECT_EQ_INT(0, docker_client_negotiate(w.c, &e));
	pthread_mutex_init(&w.lock, NULL);
	pthread_create(&t, NULL, watch_events, &w);
	sleep_ms(300);   /* let the stream open before the container starts */
	EXPECT_EQ_INT(0, run(ev, cmd, &e));
	snprintf(die, sizeof(die), "die:%s:3:docker_live|", ev);
	for (int i = 0; i < 100 && !seen(&w, die); i++)
		sleep_ms(50);
	docker_client_cancel(w.c);
	pthread_join(t, NULL);
	EXPECT_EQ_INT(-ECANCELED, w.rc);
	EXPECT_CONTAINS(buf_str(&w.seen), "start:");
	EXPECT_CONTAINS(buf_str(&w.seen), die);
	EXPECT_EQ_INT(0, docker_container_remove(C, ev, 1, 1, &e));
	docker_client_free(w.c);
	pthread_mutex_destroy(&w.lock);
	buf_release(&w.seen);
}

TEST(zz_free_client)
{
	docker_client_free(C);
	C = NULL;
}

UNIT_MAIN
