/*
 * http_server.c - the h2o context, the loop thread, start and stop.
 *
 * Stopping never waits on a client: the loop stops accepting, cancels every
 * request (hooks run, stream writes fail) and shuts down every connection's
 * socket; the workers are joined (a running handler returns as soon as the
 * engine or the store lets it); then whatever h2o still holds is finished
 * with an error and the loop ends, within EXIT_GRACE_MS at worst.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/http_int.h"
#include "base/xalloc.h"

#define TICK_MS 1000
#define EXIT_GRACE_MS 2000

enum { CTL_STOP, CTL_EXIT };

struct ctl_msg {
	h2o_multithread_message_t super;
	int what;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
};

int64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#if defined(__SANITIZE_ADDRESS__)
/*
 * h2o 2.2.5 keeps up to 16 freed memory-pool chunks and 16 socket buffers
 * per thread for reuse (h2o_mem_alloc_recycle), in thread-local lists it
 * never frees; when the loop thread ends they are unreachable. Bounded, and
 * not orca's to free: told to LeakSanitizer rather than reported.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:h2o_mem_alloc_recycle\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

static int pick(int v, int dflt)
{
	return v > 0 ? v : dflt;
}

void http_limits_fill(struct http_limits *lim,
		      const struct http_server_config *cfg)
{
	lim->max_body_bytes = cfg->max_body_bytes ? cfg->max_body_bytes
						  : HTTP_DEFAULT_MAX_BODY_BYTES;
	lim->max_conns = pick(cfg->max_conns, HTTP_DEFAULT_MAX_CONNS);
	lim->unix_reserved = cfg->unix_reserved < 0 ? 0
		: pick(cfg->unix_reserved, HTTP_DEFAULT_UNIX_RESERVED);
	lim->max_streams = pick(cfg->max_streams, HTTP_DEFAULT_MAX_STREAMS);
	lim->stream_unix_reserved = cfg->stream_unix_reserved < 0 ? 0
		: pick(cfg->stream_unix_reserved, HTTP_DEFAULT_STREAM_UNIX_RESERVED);
	lim->workers = pick(cfg->workers, HTTP_DEFAULT_WORKERS);
	lim->queue_max = pick(cfg->queue_max, HTTP_DEFAULT_QUEUE_MAX);
	lim->request_timeout_ms = pick(cfg->request_timeout_ms,
				       HTTP_DEFAULT_REQUEST_TIMEOUT_MS);
	lim->write_timeout_ms = pick(cfg->write_timeout_ms,
				     HTTP_DEFAULT_WRITE_TIMEOUT_MS);
	lim->heartbeat_ms = pick(cfg->heartbeat_ms, HTTP_DEFAULT_HEARTBEAT_MS);
	lim->allow_remote = cfg->tcp_allow_remote;
	/* Reserves never take every slot. */
	if (lim->unix_reserved >= lim->max_conns)
		lim->unix_reserved = lim->max_conns - 1;
	if (lim->stream_unix_reserved >= lim->max_streams)
		lim->stream_unix_reserved = lim->max_streams - 1;
}

int http_server_stopping(const struct http_server *srv)
{
	return atomic_load(&srv->stopping);
}

int http_server_port(const struct http_server *srv)
{
	return srv->port;
}

static void on_tick(h2o_timeout_entry_t *entry)
{
	struct http_server *srv = H2O_STRUCT_FROM_MEMBER(struct http_server,
							 tick_entry, entry);

	http_sweep(srv);
	h2o_timeout_link(srv->loop, &srv->tick, &srv->tick_entry);
}

static void ctl_done(struct ctl_msg *m)
{
	pthread_mutex_lock(&m->mu);
	m->done = 1;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static void on_control(h2o_multithread_receiver_t *r, h2o_linklist_t *msgs)
{
	struct http_server *srv = H2O_STRUCT_FROM_MEMBER(struct http_server,
							 control, r);

	while (!h2o_linklist_is_empty(msgs)) {
		struct ctl_msg *m = H2O_STRUCT_FROM_MEMBER(struct ctl_msg, super.link,
							   msgs->next);

		h2o_linklist_unlink(&m->super.link);
		if (m->what == CTL_STOP) {
			http_accept_close(srv);
			/* no keep-alive from now on; h2o_context_request_shutdown
			 * would also arm HTTP/2's timer, which the API has not */
			srv->ctx.shutdown_requested = 1;
			http_cancel_all(srv);
			http_accept_shutdown_all(srv);
		} else {
			srv->exiting = 1;
		}
		ctl_done(m);
	}
}

/* Sends a control message and waits until the loop has taken it. */
static void control(struct http_server *srv, int what)
{
	struct ctl_msg m = { .what = what };

	pthread_mutex_init(&m.mu, NULL);
	pthread_cond_init(&m.cv, NULL);
	h2o_multithread_send_message(&srv->control, &m.super);
	pthread_mutex_lock(&m.mu);
	while (!m.done)
		pthread_cond_wait(&m.cv, &m.mu);
	pthread_mutex_unlock(&m.mu);
	pthread_cond_destroy(&m.cv);
	pthread_mutex_destroy(&m.mu);
}

static void *loop_main(void *arg)
{
	struct http_server *srv = arg;
	int64_t deadline = 0;

	for (;;) {
		if (srv->exiting && deadline == 0) {
			deadline = http_now_ms() + EXIT_GRACE_MS;
			http_finish_all(srv);
		}
		if (srv->exiting && (srv->conns == NULL || http_now_ms() >= deadline))
			break;
		h2o_evloop_run(srv->loop, srv->exiting ? 50 : INT32_MAX);
	}
	http_forget_all(srv);
	return NULL;
}

static int start_loop(struct http_server *srv, struct err *e)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&srv->loop_thread, NULL, loop_main, srv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return err_errno(e, rc, "start the API loop thread");
	srv->loop_started = 1;
	return 0;
}

static void setup_h2o(struct http_server *srv)
{
	h2o_hostconf_t *host;
	h2o_pathconf_t *path;
	struct orca_handler *h;

	h2o_config_init(&srv->config);
	srv->config.server_name = h2o_iovec_init(H2O_STRLIT("orca"));
	srv->config.max_request_entity_size = srv->lim.max_body_bytes;
	srv->config.http1.req_timeout = (uint64_t)srv->lim.request_timeout_ms;
	srv->config.http1.upgrade_to_http2 = 0;
	host = h2o_config_register_host(&srv->config,
					h2o_iovec_init(H2O_STRLIT("default")), 65535);
	path = h2o_config_register_path(host, "/", 0);
	h = (struct orca_handler *)h2o_create_handler(path, sizeof(*h));
	h->super.on_req = http_on_req;
	h->srv = srv;
	srv->loop = h2o_evloop_create();
	h2o_context_init(&srv->ctx, srv->loop, &srv->config);
	h2o_multithread_register_receiver(srv->ctx.queue, &srv->to_loop,
					  http_send_receive);
	h2o_multithread_register_receiver(srv->ctx.queue, &srv->control,
					  on_control);
	h2o_timeout_init(srv->loop, &srv->tick, TICK_MS);
	h2o_timeout_init(srv->loop, &srv->pause, 100);
	srv->tick_entry.cb = on_tick;
	h2o_timeout_link(srv->loop, &srv->tick, &srv->tick_entry);
}

/*
 * h2o 2.2.5 leaves three things behind that a server started many times in
 * one process (the tests) would leak: the multithread queue's struct, the
 * sockets closed but not yet reaped by the loop, and the epoll descriptor
 * (struct st_h2o_evloop_epoll_t is { h2o_evloop_t super; int ep; }; the
 * descriptor is checked to be an epoll instance before it is closed).
 */
static void close_epoll(h2o_evloop_t *loop)
{
	struct epoll_loop {
		h2o_evloop_t super;
		int ep;
	} *l = (struct epoll_loop *)loop;
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", l->ep);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		if (strcmp(link, "anon_inode:[eventpoll]") == 0)
			close(l->ep);
	}
}

static void teardown_h2o(struct http_server *srv)
{
	h2o_multithread_queue_t *queue = srv->ctx.queue;

	if (srv->loop == NULL)
		return;
	if (h2o_timeout_is_linked(&srv->tick_entry))
		h2o_timeout_unlink(&srv->tick_entry);
	if (h2o_timeout_is_linked(&srv->pause_entry))
		h2o_timeout_unlink(&srv->pause_entry);
	h2o_timeout_dispose(srv->loop, &srv->tick);
	h2o_timeout_dispose(srv->loop, &srv->pause);
	h2o_multithread_unregister_receiver(queue, &srv->to_loop);
	h2o_multithread_unregister_receiver(queue, &srv->control);
	h2o_context_dispose(&srv->ctx);
	free(queue);
	h2o_evloop_run(srv->loop, 0);   /* reaps closed sockets */
	close_epoll(srv->loop);
	h2o_evloop_destroy(srv->loop);
	h2o_config_dispose(&srv->config);
	srv->loop = NULL;
}

static struct http_server *server_new(const struct http_server_config *cfg)
{
	struct http_server *srv = xcalloc(1, sizeof(*srv));

	http_limits_fill(&srv->lim, cfg);
	srv->handler = cfg->handler;
	srv->handler_arg = cfg->handler_arg;
	srv->admit = cfg->admit;
	srv->admit_arg = cfg->admit_arg;
	atomic_init(&srv->stopping, 0);
	return srv;
}

static int open_listeners(struct http_server *srv,
			  const struct http_server_config *cfg, int *ufd,
			  int *tfd, struct err *e)
{
	struct stat st;

	*ufd = *tfd = -1;
	if (cfg->unix_path == NULL && cfg->tcp_addr == NULL)
		return err_set(e, ERR_INVALID, "no listen address given");
	if (cfg->unix_path != NULL) {
		*ufd = http_listen_unix(cfg->unix_path, cfg->unix_mode ? cfg->unix_mode
									: 0600, e);
		if (*ufd < 0)
			return *ufd;
		srv->unix_path = xstrdup(cfg->unix_path);
		if (stat(srv->unix_path, &st) == 0) {
			srv->unix_dev = st.st_dev;
			srv->unix_ino = st.st_ino;
		}
	}
	if (cfg->tcp_addr != NULL) {
		*tfd = http_listen_tcp(cfg->tcp_addr, cfg->tcp_allow_remote, &srv->port, e);
		if (*tfd < 0)
			return *tfd;
	}
	return 0;
}

static void remove_socket_file(struct http_server *srv)
{
	struct stat st;

	if (srv->unix_path != NULL && stat(srv->unix_path, &st) == 0 &&
	    st.st_ino == srv->unix_ino && st.st_dev == srv->unix_dev)
		unlink(srv->unix_path);
}

struct http_server *http_server_start(const struct http_server_config *cfg,
				      struct err *e)
{
	struct http_server *srv = server_new(cfg);
	int ufd = -1, tfd = -1;

	if (cfg->handler == NULL) {
		err_set(e, ERR_INVALID, "http server: no handler");
		goto fail;
	}
	if (open_listeners(srv, cfg, &ufd, &tfd, e) < 0)
		goto fail;
	setup_h2o(srv);
	if (http_accept_start(srv, ufd, tfd, cfg->tls, e) < 0)
		goto fail;
	ufd = tfd = -1;   /* h2o owns them now */
	srv->pool = http_pool_start(srv, srv->lim.workers, srv->lim.queue_max, e);
	if (srv->pool == NULL || start_loop(srv, e) < 0)
		goto fail;
	return srv;
fail:
	if (ufd >= 0)
		close(ufd);
	if (tfd >= 0)
		close(tfd);
	http_server_stop(srv);
	return NULL;
}

void http_server_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	atomic_store(&srv->stopping, 1);
	if (srv->loop_started)
		control(srv, CTL_STOP);
	http_pool_stop(srv->pool);
	if (srv->loop_started) {
		control(srv, CTL_EXIT);
		pthread_join(srv->loop_thread, NULL);
	} else if (srv->loop != NULL) {
		http_accept_close(srv);
	}
	teardown_h2o(srv);
	remove_socket_file(srv);
	free(srv->unix_path);
	free(srv);
}
