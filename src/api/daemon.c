/*
 * daemon.c - `orca server`: the control loop plus the API, until a signal.
 *
 * The data directory's lock (store_lock_dir) comes first: a second server
 * on the same directory leaves before it adopts or changes anything.
 *
 * SIGTERM, SIGINT and SIGHUP are blocked in every thread and taken with
 * sigwait() here, so shutting down is an ordinary function call: stop the
 * API (waiting for its handlers), then the control loop. Containers are
 * never stopped on the way out. SIGHUP only reopens the log file.
 */
#include "api/api.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "api/ctx.h"
#include "api/daemon_tls.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "cluster/cluster.h"
#include "proxy/proxy.h"
#include "store/store.h"

static struct router *routes(struct api *a, struct err *e)
{
	struct router *r = router_new();

	if (api_routes_status(r, a, e) < 0 || api_routes_deploy(r, a, e) < 0 ||
	    api_routes_lifecycle(r, a, e) < 0 || api_routes_logs(r, a, e) < 0 ||
	    api_routes_events(r, a, e) < 0 || api_routes_secrets(r, a, e) < 0 ||
	    api_routes_certs(r, a, e) < 0 || api_routes_nodes(r, a, e) < 0) {
		router_free(r);
		return NULL;
	}
	return r;
}

/* Waits for SIGTERM or SIGINT; SIGHUP reopens the log file (logrotate). */
static int wait_for_stop(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		struct err e = { 0 };

		sigwait(&set, &sig);
		if (sig != SIGHUP)
			return sig;
		if (log_reopen(&e) < 0)
			log_at(LOG_ERROR, NULL, 0, "SIGHUP: %s; still logging to the old file", e.msg);
		else if (log_path())
			log_line("SIGHUP: reopened the log file '%s'", log_path());
		else
			log_line("SIGHUP: logging to stderr, nothing to reopen");
	}
}

/* Every client connection of the proxy is a descriptor: use what the
 * hard limit allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The nodes that joined, and the listener for agents when asked for. */
static int start_cluster(struct api *a, const struct api_opts *o, struct err *e)
{
	struct cluster_opts co = { 0 };

	co.data_dir = o->data_dir;
	co.key_file = o->key_file;
	co.listen = o->cluster_listen;
	co.advertise = o->advertise;
	co.node = control_node(a->control);
	co.docker_socket = o->docker_socket;
	co.inventory_root = getenv("ORCA_TEST_INVENTORY_ROOT");
	return cluster_start(&co, &a->cluster, e);
}

static void block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The control loop's new snapshot: the proxy routes by it, tls/ looks for
 * domains that need a certificate. */
static void on_publish(void *arg, json_t *snapshot)
{
	struct api *a = arg;

	proxy_publish(a->proxy, snapshot);
	daemon_tls_poke(a, snapshot);
}

static int64_t on_inflight(void *arg, const char *replica_id)
{
	return proxy_inflight(arg, replica_id);
}

static int on_canary_counts(void *arg, const char *project, const char *service, int revision,
			    int64_t n[4])
{
	return proxy_canary_counts(arg, project, service, revision, n);
}

static struct proxy *start_proxy(void)
{
	struct proxy_opts po = { 0 };

	/* test-only: one PEM pair for every name no certificate of tls/ has */
	po.fallback_cert = getenv("ORCA_PROXY_TEST_CERT");
	po.fallback_key = getenv("ORCA_PROXY_TEST_KEY");
	return proxy_new(&po);
}

int api_serve(const struct api_opts *o, struct err *e)
{
	struct control_opts co = { o->data_dir, o->docker_socket, o->node, 0, o->key_file,
				   o->pull_stall_ms };
	struct http_server_config hc = { 0 };
	struct http_server *srv = NULL;
	struct router *r = NULL;
	char *sock = o->socket_path ? xstrdup(o->socket_path) : paths_socket_in(o->data_dir);
	struct store_lock *lock = NULL;
	struct api a;
	int rc;

	block_signals();
	/* No core dumps and no ptrace or /proc/PID/mem by other processes of
	 * this uid: the memory holds the master key and resolved secrets. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		free(sock);
		return err_errno(e, errno, "prctl(PR_SET_DUMPABLE, 0)");
	}
	/* before anything reads the directory or touches the engine */
	rc = store_lock_dir(o->data_dir, &lock, e);
	if (rc == 0 && o->log_file)
		rc = log_open(o->log_file, e);
	if (rc < 0) {
		store_unlock_dir(lock);
		free(sock);
		return rc;
	}
	log_set_format(o->log_format);
	raise_fd_limit();
	rc = api_ctx_init(&a, o->data_dir, o->docker_socket, e);
	a.key_file = o->key_file ? xstrdup(o->key_file) : NULL;
	a.pull_stall_ms = o->pull_stall_ms;
	a.proxy = start_proxy();
	co.publish = on_publish;
	co.publish_arg = &a;
	co.inflight = on_inflight;
	co.inflight_arg = a.proxy;
	co.canary_counts = on_canary_counts;
	co.canary_counts_arg = a.proxy;
	if (rc == 0)
		rc = control_start(&co, &a.control, e);
	if (rc < 0)
		goto out;
	if ((rc = daemon_tls_start(&a, proxy_tls_ctx_setup, a.proxy, &a.tls, e)) < 0)
		goto stop;
	proxy_set_tls(a.proxy, a.tls);
	if ((rc = start_cluster(&a, o, e)) < 0)
		goto stop;
	r = routes(&a, e);
	hc.unix_path = sock;
	hc.tcp_addr = o->listen;
	hc.handler = router_handle;
	hc.handler_arg = r;
	srv = r ? http_server_start(&hc, e) : NULL;
	if (srv == NULL) {
		rc = ERR_FAIL;
		goto stop;
	}
	log_line("serving the API on %s%s%s (data %s, node '%s', instance %s)", sock,
		 o->listen ? " and " : "", o->listen ? o->listen : "", o->data_dir,
		 control_node(a.control), control_instance(a.control));
	log_line("stopping on signal %d; workloads keep running", wait_for_stop());
	http_server_stop(srv);
stop:
	cluster_stop(a.cluster);  /* before the control loop it pokes */
	tls_stop(a.tls);          /* its thread reads the control loop's snapshot */
	control_stop(a.control);  /* which pokes a.tls until it stops */
	proxy_free(a.proxy);      /* its loops look certificates up in a.tls */
	tls_free(a.tls);
	router_free(r);
out:
	if (a.control == NULL)
		proxy_free(a.proxy);
	api_ctx_release(&a);
	store_unlock_dir(lock);
	free(sock);
	return rc;
}
