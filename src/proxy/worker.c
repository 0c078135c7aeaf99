/*
 * worker.c - the proxy's event loops: one thread per worker, each with its
 * own h2o context, globalconf and handler, accepting on shared listening
 * sockets (HTTP and HTTPS), and its own keep-alive pool per upstream.
 *
 * A worker's pools (struct uplocal) are touched by that worker alone; once
 * a second, a pool whose upstream left every table and has no request on
 * it is disposed. Stopping closes the listeners, asks h2o to finish
 * (HTTP/2 GOAWAY, no more keep-alive) and waits up to two seconds for the
 * connections to end.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


#include "base/log.h"
#include "base/xalloc.h"
#include "proxy/internal.h"

#define POOL_KEEPALIVE_MS 2000   /* below common backend keep-alive timeouts */
#define STOP_GRACE_MS 2000

struct uplocal {
	struct upstream *u;              /* ref */
	h2o_socketpool_t pool;
	int holds;                       /* requests using the pool */
	struct uplocal *next;
};

struct stop_msg {
	h2o_multithread_message_t super;
};

struct worker {
	struct proxy *p;
	int index;
	pthread_t thread;
	h2o_globalconf_t conf;
	h2o_context_t ctx;
	h2o_evloop_t *loop;
	h2o_accept_ctx_t accept_http, accept_https;
	h2o_socket_t *lsock[2];
	h2o_multithread_receiver_t stop_rx;
	struct stop_msg stop_msg;
	h2o_http1client_ctx_t client_ctx;
	h2o_timeout_t t_io, t_connect, t_first_byte, t_idle, t_ws;
	h2o_timeout_entry_t gc_entry;
	struct uplocal *locals;
	uint64_t rng;
	bool stopping;
	uint64_t stop_deadline;
	long conns;
	const struct proxy_conf *conf_in;   /* for the thread's setup only */
	const int *fds;
	sem_t started;
	bool disposed;                   /* the thread freed its loop and context */
};

static struct worker *graveyard[PROXY_WORKERS_MAX * 8];   /* see stop_one() */
static size_t ngraveyard;

struct worker *worker_of(h2o_context_t *ctx)
{
	return H2O_STRUCT_FROM_MEMBER(struct worker, ctx, ctx);
}

h2o_http1client_ctx_t *worker_client_ctx(struct worker *w) { return &w->client_ctx; }
struct proxy *worker_proxy(struct worker *w) { return w->p; }
uint64_t *worker_rng(struct worker *w) { return &w->rng; }

h2o_timeout_t *worker_timeout(struct worker *w, int which)
{
	switch (which) {
	case TIMEOUT_CONNECT: return &w->t_connect;
	case TIMEOUT_FIRST_BYTE: return &w->t_first_byte;
	default: return &w->t_idle;
	}
}

h2o_socketpool_t *worker_pool(struct worker *w, struct upstream *u)
{
	struct uplocal *l = u->local[w->index];

	if (l == NULL) {
		l = xcalloc(1, sizeof(*l));
		atomic_fetch_add(&u->refs, 1);   /* the caller holds one: never 0 here */
		l->u = u;
		h2o_socketpool_init_by_address(&l->pool, (struct sockaddr *)&u->addr,
					       sizeof(u->addr), 0, SIZE_MAX);
		h2o_socketpool_set_timeout(&l->pool, w->ctx.loop, POOL_KEEPALIVE_MS);
		l->next = w->locals;
		w->locals = l;
		u->local[w->index] = l;
	}
	return &l->pool;
}

void worker_pool_hold(struct worker *w, struct upstream *u, int delta)
{
	struct uplocal *l = u->local[w->index];

	if (l)
		l->holds += delta;
}

static void local_free(struct worker *w, struct uplocal *l)
{
	l->u->local[w->index] = NULL;
	h2o_socketpool_dispose(&l->pool);
	upstream_put(l->u);
	free(l);
}

/* Pools of upstreams that left every table and carry no request. */
static void gc(struct worker *w, bool all)
{
	struct uplocal **pp = &w->locals;

	while (*pp) {
		struct uplocal *l = *pp;

		if (l->holds == 0 && (all || atomic_load(&l->u->tables) == 0)) {
			*pp = l->next;
			local_free(w, l);
		} else {
			pp = &l->next;
		}
	}
}

static void on_gc(h2o_timeout_entry_t *entry)
{
	struct worker *w = H2O_STRUCT_FROM_MEMBER(struct worker, gc_entry, entry);

	gc(w, false);
	h2o_timeout_link(w->ctx.loop, &w->ctx.one_sec_timeout, &w->gc_entry);
}

static void on_conn_close(void *data)
{
	struct worker *w = data;

	w->conns--;
	atomic_fetch_sub(&w->p->open_connections, 1);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
	struct worker *w = listener->data;
	h2o_socket_t *sock;

	if (err != NULL || (sock = h2o_evloop_socket_accept(listener)) == NULL)
		return;
	w->conns++;
	atomic_fetch_add(&w->p->open_connections, 1);
	sock->on_close.cb = on_conn_close;
	sock->on_close.data = w;
	h2o_accept(listener == w->lsock[1] ? &w->accept_https : &w->accept_http, sock);
}

static void on_stop(h2o_multithread_receiver_t *rx, h2o_linklist_t *messages)
{
	struct worker *w = H2O_STRUCT_FROM_MEMBER(struct worker, stop_rx, rx);

	while (!h2o_linklist_is_empty(messages))
		h2o_linklist_unlink(messages->next);
	for (int i = 0; i < 2; i++)
		if (w->lsock[i]) {
			h2o_socket_read_stop(w->lsock[i]);
			h2o_socket_close(w->lsock[i]);
			w->lsock[i] = NULL;
		}
	h2o_context_request_shutdown(&w->ctx);
	w->stopping = true;
	w->stop_deadline = h2o_now(w->ctx.loop) + STOP_GRACE_MS;
}

static void setup_loop(struct worker *w);
static void dispose_loop(struct worker *w);

/*
 * The loop, its context and its sockets are made and disposed on the
 * worker's own thread: h2o's socket buffers point at a thread-local
 * prototype of the thread that made them.
 */
static void *worker_main(void *arg)
{
	struct worker *w = arg;

	setup_loop(w);
	sem_post(&w->started);
	while (!w->stopping || (w->conns > 0 && h2o_now(w->ctx.loop) < w->stop_deadline))
		h2o_evloop_run(w->loop, w->stopping ? 50 : INT32_MAX);
	if (w->conns == 0)
		dispose_loop(w);
	return NULL;
}

static void listen_on(struct worker *w, int i, int fd)
{
	int dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dupfd < 0)
		return;
	w->lsock[i] = h2o_evloop_socket_create(w->loop, dupfd, H2O_SOCKET_FLAG_DONT_READ);
	w->lsock[i]->data = w;
	h2o_socket_read_start(w->lsock[i], on_accept);
}

static void setup_conf(struct worker *w, const struct proxy_conf *c)
{
	h2o_hostconf_t *host;
	h2o_pathconf_t *path;

	h2o_config_init(&w->conf);
	w->conf.server_name = h2o_iovec_init(H2O_STRLIT(""));   /* the replica's Server, if any */
	w->conf.http1.req_timeout = (uint64_t)c->head_timeout_ms;
	w->conf.http2.idle_timeout = (uint64_t)c->idle_timeout_ms;
	w->conf.handshake_timeout = (uint64_t)c->head_timeout_ms;
	w->conf.max_request_entity_size = 1024 * 1024 * 1024;
	host = h2o_config_register_host(&w->conf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	path = h2o_config_register_path(host, "/", 0);
	handler_register(path, w->p);
	accesslog_register(path, w->p);
	accesslog_register(&host->fallback_path, w->p);
}

static void setup_client(struct worker *w, const struct proxy_conf *c)
{
	int64_t io = c->idle_timeout_ms;

	if (c->first_byte_timeout_ms > io)
		io = c->first_byte_timeout_ms;
	if (c->connect_timeout_ms > io)
		io = c->connect_timeout_ms;
	h2o_timeout_init(w->ctx.loop, &w->t_io, (uint64_t)io + 1000);   /* our timers fire first */
	h2o_timeout_init(w->ctx.loop, &w->t_connect, (uint64_t)c->connect_timeout_ms);
	h2o_timeout_init(w->ctx.loop, &w->t_first_byte, (uint64_t)c->first_byte_timeout_ms);
	h2o_timeout_init(w->ctx.loop, &w->t_idle, (uint64_t)c->idle_timeout_ms);
	h2o_timeout_init(w->ctx.loop, &w->t_ws, (uint64_t)c->idle_timeout_ms);
	w->client_ctx.loop = w->ctx.loop;
	w->client_ctx.getaddr_receiver = &w->ctx.receivers.hostinfo_getaddr;
	w->client_ctx.io_timeout = &w->t_io;
	w->client_ctx.websocket_timeout = &w->t_ws;
}

static void setup_loop(struct worker *w)
{
	w->loop = h2o_evloop_create();
	h2o_context_init(&w->ctx, w->loop, &w->conf);
	setup_client(w, w->conf_in);
	h2o_multithread_register_receiver(w->ctx.queue, &w->stop_rx, on_stop);
	w->accept_http = (h2o_accept_ctx_t){ .ctx = &w->ctx, .hosts = w->conf.hosts };
	w->accept_https = (h2o_accept_ctx_t){ .ctx = &w->ctx, .hosts = w->conf.hosts,
					      .ssl_ctx = w->p->ssl_ctx };
	for (int i = 0; i < 2; i++)
		if (w->fds[i] >= 0)
			listen_on(w, i, w->fds[i]);
	w->gc_entry.cb = on_gc;
	h2o_timeout_link(w->ctx.loop, &w->ctx.one_sec_timeout, &w->gc_entry);
}

static void dispose_loop(struct worker *w)
{
	h2o_multithread_queue_t *queue = w->ctx.queue;

	h2o_timeout_unlink(&w->gc_entry);
	gc(w, true);
	h2o_multithread_unregister_receiver(w->ctx.queue, &w->stop_rx);
	h2o_timeout_dispose(w->ctx.loop, &w->t_io);
	h2o_timeout_dispose(w->ctx.loop, &w->t_connect);
	h2o_timeout_dispose(w->ctx.loop, &w->t_first_byte);
	h2o_timeout_dispose(w->ctx.loop, &w->t_idle);
	h2o_timeout_dispose(w->ctx.loop, &w->t_ws);
	/* HTTP/2's graceful shutdown sends its second GOAWAY a second later;
	 * with every connection gone there is nobody to send it to */
	if (h2o_timeout_is_linked(&w->ctx.http2._graceful_shutdown_timeout))
		h2o_timeout_unlink(&w->ctx.http2._graceful_shutdown_timeout);
	h2o_context_dispose(&w->ctx);
	h2o_evloop_destroy(w->loop);
	free(queue);   /* h2o 2.2.5's h2o_multithread_destroy_queue closes it, never frees it */
	w->disposed = true;
}

static struct worker *worker_new(struct proxy *p, int index, const struct proxy_conf *c,
				 const int fds[2])
{
	struct worker *w = xcalloc(1, sizeof(*w));

	w->p = p;
	w->index = index;
	w->rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(index + 1) ^ (uint64_t)(uintptr_t)w;
	w->conf_in = c;
	w->fds = fds;
	sem_init(&w->started, 0, 0);
	setup_conf(w, c);
	return w;
}

static void worker_free(struct worker *w)
{
	h2o_config_dispose(&w->conf);
	sem_destroy(&w->started);
	free(w);
}

/* "host:port", ":port" or "[v6]:port" into a listening socket. */
static int open_listener(const char *addr, struct err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char host[128];
	const char *colon = strrchr(addr, ':');
	int fd = -1, one = 1, rc;

	if (colon == NULL)
		return err_set(e, ERR_INVALID, "listen address '%s' has no port", addr);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (rc != 0)
		return err_set(e, ERR_INVALID, "listen address '%s': %s", addr, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 4096) < 0) {
		rc = err_errno(e, errno, "listen on %s", addr);
		if (fd >= 0)
			close(fd);
		fd = rc;
	}
	freeaddrinfo(res);
	return fd;
}

int workers_start(struct proxy *p, const struct proxy_conf *c, struct err *e)
{
	int fds[2] = { -1, -1 };
	int n = c->workers, rc = 0;

	if (c->http[0] && (fds[0] = open_listener(c->http, e)) < 0)
		rc = fds[0];
	if (rc == 0 && c->https[0] && (fds[1] = open_listener(c->https, e)) < 0)
		rc = fds[1];
	if (rc < 0)
		goto out;
	p->conf = *c;
	p->workers = xcalloc((size_t)n, sizeof(*p->workers));
	for (int i = 0; i < n; i++) {
		struct worker *w = worker_new(p, i, c, fds);

		if ((rc = pthread_create(&w->thread, NULL, worker_main, w)) != 0) {
			worker_free(w);
			rc = err_errno(e, rc, "start proxy worker %d", i);
			break;
		}
		while (sem_wait(&w->started) != 0)
			;   /* its listeners hold their own copies of fds from here */
		p->workers[p->nworkers++] = w;
	}
out:
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/*
 * A worker whose connections outlived the grace period still has requests
 * that point into its context; freeing it would pull memory from under
 * them. It is parked here instead and its memory stays reachable: this
 * only happens when the proxy is stopped or reconfigured under load.
 */
static void stop_one(struct worker *w)
{
	h2o_multithread_send_message(&w->stop_rx, &w->stop_msg.super);
	pthread_join(w->thread, NULL);
	if (w->disposed)
		worker_free(w);
	else if (ngraveyard < sizeof(graveyard) / sizeof(graveyard[0]))
		graveyard[ngraveyard++] = w;
	/* else: left as it is, on purpose (see above) */
}

void workers_stop(struct proxy *p)
{
	for (int i = 0; i < p->nworkers; i++)
		stop_one(p->workers[i]);
	free(p->workers);
	p->workers = NULL;
	p->nworkers = 0;
}
