/*
 * http_server.c - listeners, accept threads, connection threads, stop.
 *
 * Each listener has an accept thread that polls its socket and a wake pipe.
 * Each connection gets a joinable thread; a finished thread marks itself
 * done and is joined by an accept thread within a second (or by stop), so
 * no thread outlives the server and none is detached. srv->lock guards the connection list,
 * the live count, and each connection's fd and done flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/http_int.h"
#include "base/xalloc.h"

#define LINGER_MS 500
#define REAP_MS 1000
#define LINGER_BYTES (256 * 1024)

struct listener {
	struct http_server *srv;
	int fd;
	int is_unix;
	pthread_t thread;
	int started;
};

struct http_server {
	struct http_limits lim;
	http_handler_fn handler;
	void *handler_arg;
	struct listener ls[2];
	int nls;
	char *unix_path;
	struct stat unix_st;            /* to remove only our own socket */
	int port;
	int wake[2];                    /* written once by stop */
	atomic_int stopping;
	pthread_mutex_t lock;
	struct http_conn *conns;
	int nlive;
};

void http_limits_fill(struct http_limits *lim,
		      const struct http_server_config *cfg)
{
	lim->max_body_bytes = cfg->max_body_bytes ? cfg->max_body_bytes
						  : HTTP_DEFAULT_MAX_BODY_BYTES;
	lim->max_conns = cfg->max_conns > 0 ? cfg->max_conns : HTTP_DEFAULT_MAX_CONNS;
	lim->idle_timeout_ms = cfg->idle_timeout_ms > 0 ? cfg->idle_timeout_ms
							: HTTP_DEFAULT_IDLE_TIMEOUT_MS;
	lim->request_timeout_ms = cfg->request_timeout_ms > 0
		? cfg->request_timeout_ms : HTTP_DEFAULT_REQUEST_TIMEOUT_MS;
	lim->write_timeout_ms = cfg->write_timeout_ms > 0
		? cfg->write_timeout_ms : HTTP_DEFAULT_WRITE_TIMEOUT_MS;
	lim->allow_remote = cfg->tcp_allow_remote;
}

int http_server_stopping(const struct http_server *srv)
{
	return atomic_load(&srv->stopping);
}

int http_server_port(const struct http_server *srv)
{
	return srv->port;
}

/* After an error reply, read what the client still sends for a moment, so
 * that closing with unread data does not reset the reply away (TCP RST). */
static void linger(int fd)
{
	char tmp[4096];
	int64_t end = http_now_ms() + LINGER_MS;
	size_t total = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	shutdown(fd, SHUT_WR);
	while (total < LINGER_BYTES && http_now_ms() < end) {
		ssize_t n;

		if (poll(&p, 1, (int)(end - http_now_ms())) <= 0)
			break;
		n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

static void *conn_main(void *arg)
{
	struct http_conn *c = arg;
	struct http_server *srv = c->srv;

	http_conn_run(c);
	if (c->linger && !c->failed && !http_server_stopping(srv))
		linger(c->fd);
	pthread_mutex_lock(&srv->lock);
	close(c->fd);
	c->fd = -1;
	c->done = 1;
	srv->nlive--;
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

static void conn_free(struct http_conn *c)
{
	buf_release(&c->in);
	free(c);
}

/* Joins the connection threads that have finished. */
static void reap(struct http_server *srv)
{
	struct http_conn *done = NULL, **pp, *c;

	pthread_mutex_lock(&srv->lock);
	for (pp = &srv->conns; (c = *pp) != NULL;) {
		if (c->done) {
			*pp = c->next;
			c->next = done;
			done = c;
		} else {
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&srv->lock);
	while ((c = done) != NULL) {
		done = c->next;
		pthread_join(c->thread, NULL);
		conn_free(c);
	}
}

/* Over the connection cap: a short 503 from the accept thread, then close. */
static void refuse(int fd)
{
	static const char body[] = "{\"error\":{\"code\":\"unavailable\","
		"\"message\":\"too many connections to the orca server\"}}\n";
	char msg[512], tmp[4096];
	int n;

	n = snprintf(msg, sizeof(msg), "HTTP/1.1 503 Service Unavailable\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n%s", sizeof(body) - 1, body);
	(void)!send(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16 && recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT) > 0; i++)
		;
	close(fd);
}

static void conn_setup(struct http_server *srv, struct http_conn *c, int fd,
		       int is_unix)
{
	struct timeval tv = { .tv_sec = srv->lim.write_timeout_ms / 1000,
			      .tv_usec = srv->lim.write_timeout_ms % 1000 * 1000 };
	int one = 1;

	c->srv = srv;
	c->lim = &srv->lim;
	c->handler = srv->handler;
	c->handler_arg = srv->handler_arg;
	c->fd = fd;
	buf_init(&c->in);
	http_peer_fill(fd, is_unix, &c->peer);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!is_unix)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void spawn(struct http_server *srv, int fd, int is_unix)
{
	struct http_conn *c;
	pthread_t tid;
	int full;

	pthread_mutex_lock(&srv->lock);
	full = srv->nlive >= srv->lim.max_conns;
	if (!full)
		srv->nlive++;
	pthread_mutex_unlock(&srv->lock);
	if (full) {
		refuse(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	conn_setup(srv, c, fd, is_unix);
	if (pthread_create(&tid, NULL, conn_main, c) != 0) {
		pthread_mutex_lock(&srv->lock);
		srv->nlive--;
		pthread_mutex_unlock(&srv->lock);
		refuse(fd);
		conn_free(c);
		return;
	}
	pthread_mutex_lock(&srv->lock);
	c->thread = tid;
	c->next = srv->conns;
	srv->conns = c;
	pthread_mutex_unlock(&srv->lock);
}

static void *accept_main(void *arg)
{
	struct listener *l = arg;
	struct http_server *srv = l->srv;
	struct pollfd p[2] = { { .fd = l->fd, .events = POLLIN },
			       { .fd = srv->wake[0], .events = POLLIN } };
	int fd;

	while (!http_server_stopping(srv)) {
		/* Wakes at least every REAP_MS to join finished threads even
		 * when no one connects. */
		reap(srv);
		if (poll(p, 2, REAP_MS) <= 0 || p[1].revents)
			continue;
		fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
			    errno == ENOBUFS)
				poll(NULL, 0, 100);  /* let connections end first */
			continue;
		}
		spawn(srv, fd, l->is_unix);
	}
	return NULL;
}

/* Server threads take no async signals: the daemon's main thread does. */
static int start_thread(struct listener *l, struct err *e)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&l->thread, NULL, accept_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return err_errno(e, rc, "start accept thread");
	l->started = 1;
	return 0;
}

static int add_listener(struct http_server *srv, int fd, int is_unix)
{
	struct listener *l = &srv->ls[srv->nls++];

	l->srv = srv;
	l->fd = fd;
	l->is_unix = is_unix;
	return 0;
}

static int listen_all(struct http_server *srv,
		      const struct http_server_config *cfg, struct err *e)
{
	int mode = cfg->unix_mode ? cfg->unix_mode : 0600, fd;

	if (cfg->unix_path != NULL) {
		fd = http_listen_unix(cfg->unix_path, mode, e);
		if (fd < 0)
			return fd;
		srv->unix_path = xstrdup(cfg->unix_path);
		stat(srv->unix_path, &srv->unix_st);
		add_listener(srv, fd, 1);
	}
	if (cfg->tcp_addr != NULL) {
		fd = http_listen_tcp(cfg->tcp_addr, cfg->tcp_allow_remote, &srv->port, e);
		if (fd < 0)
			return fd;
		add_listener(srv, fd, 0);
	}
	if (srv->nls == 0)
		return err_set(e, ERR_INVALID, "no listen address given");
	return 0;
}

static struct http_server *server_new(const struct http_server_config *cfg)
{
	struct http_server *srv = xcalloc(1, sizeof(*srv));

	http_limits_fill(&srv->lim, cfg);
	srv->handler = cfg->handler;
	srv->handler_arg = cfg->handler_arg;
	srv->wake[0] = srv->wake[1] = -1;
	atomic_init(&srv->stopping, 0);
	pthread_mutex_init(&srv->lock, NULL);
	return srv;
}

struct http_server *http_server_start(const struct http_server_config *cfg,
				      struct err *e)
{
	struct http_server *srv = server_new(cfg);

	if (cfg->handler == NULL) {
		err_set(e, ERR_INVALID, "http server: no handler");
		goto fail;
	}
	if (pipe2(srv->wake, O_CLOEXEC) < 0) {
		err_errno(e, errno, "pipe");
		goto fail;
	}
	if (listen_all(srv, cfg, e) < 0)
		goto fail;
	for (int i = 0; i < srv->nls; i++)
		if (start_thread(&srv->ls[i], e) < 0)
			goto fail;
	return srv;
fail:
	http_server_stop(srv);
	return NULL;
}

static void close_listeners(struct http_server *srv)
{
	struct stat st;

	for (int i = 0; i < srv->nls; i++) {
		if (srv->ls[i].started)
			pthread_join(srv->ls[i].thread, NULL);
		close(srv->ls[i].fd);
	}
	if (srv->unix_path != NULL && stat(srv->unix_path, &st) == 0 &&
	    st.st_ino == srv->unix_st.st_ino && st.st_dev == srv->unix_st.st_dev)
		unlink(srv->unix_path);
}

/* Wakes every connection (blocked reads and writes fail), then joins all. */
static void close_conns(struct http_server *srv)
{
	struct http_conn *c, *next;

	pthread_mutex_lock(&srv->lock);
	for (c = srv->conns; c != NULL; c = c->next)
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&srv->lock);
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		pthread_join(c->thread, NULL);
		conn_free(c);
	}
	srv->conns = NULL;
}

void http_server_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	atomic_store(&srv->stopping, 1);
	if (srv->wake[1] >= 0)
		(void)!write(srv->wake[1], "x", 1);
	close_listeners(srv);
	close_conns(srv);
	for (int i = 0; i < 2; i++)
		if (srv->wake[i] >= 0)
			close(srv->wake[i]);
	pthread_mutex_destroy(&srv->lock);
	free(srv->unix_path);
	free(srv);
}
