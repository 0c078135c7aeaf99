/*
 * http_accept.c - listeners on the loop, connection records and quotas.
 *
 * Every accepted socket gets a struct http_conn (its kind, descriptor and
 * peer) hung on the socket's on_close hook, which h2o calls when it closes
 * the connection; http_conn_of() finds it again from a request. Over the
 * cap a unix connection gets a short 503 and is closed; a TCP one is closed
 * before TLS (there is nothing to say it with). TCP may never take the
 * slots reserved for the unix socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/http_int.h"
#include "base/xalloc.h"

static int has_room(struct http_server *srv, enum http_peer_kind kind)
{
	int total = srv->nconns[HTTP_PEER_UNIX] + srv->nconns[HTTP_PEER_TCP];
	int cap = srv->lim.max_conns;

	if (kind == HTTP_PEER_TCP)
		cap -= srv->lim.unix_reserved;
	return total < cap;
}

static void on_close(void *data)
{
	struct http_conn *c = data;
	struct http_server *srv = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns[c->peer.kind]--;
	free(c);
}

static void refuse(h2o_socket_t *sock, int is_unix)
{
	static const char body[] = "{\"error\":{\"code\":\"unavailable\","
		"\"message\":\"too many connections to the orca server\"}}\n";
	char msg[512];
	int n;

	if (is_unix) {
		n = snprintf(msg, sizeof(msg), "HTTP/1.1 503 Service Unavailable\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
			     "Connection: close\r\n\r\n%s", sizeof(body) - 1, body);
		(void)!send(h2o_socket_get_fd(sock), msg, (size_t)n,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		shutdown(h2o_socket_get_fd(sock), SHUT_WR);
	}
	h2o_socket_close(sock);
}

static void track(struct http_server *srv, h2o_socket_t *sock, int is_unix)
{
	struct http_conn *c = xcalloc(1, sizeof(*c));

	c->srv = srv;
	c->sock = sock;
	c->fd = h2o_socket_get_fd(sock);
	http_peer_fill(c->fd, is_unix, &c->peer);
	c->peer.tls = !is_unix && srv->accept_tcp.ssl_ctx != NULL;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns[c->peer.kind]++;
	sock->on_close.cb = on_close;
	sock->on_close.data = c;
}

static void on_resume(h2o_timeout_entry_t *entry);

static void accept_one(h2o_socket_t *listener, const char *err, int is_unix)
{
	struct http_server *srv = listener->data;
	h2o_socket_t *sock;

	if (err != NULL)
		return;
	sock = h2o_evloop_socket_accept(listener);
	if (sock == NULL) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
		    errno == ENOBUFS) {
			/* Out of descriptors: let connections end first rather
			 * than spin on a listener that stays readable. */
			if (srv->ls_unix)
				h2o_socket_read_stop(srv->ls_unix);
			if (srv->ls_tcp)
				h2o_socket_read_stop(srv->ls_tcp);
			srv->pause_entry.cb = on_resume;
			if (!h2o_timeout_is_linked(&srv->pause_entry))
				h2o_timeout_link(srv->loop, &srv->pause, &srv->pause_entry);
		}
		return;
	}
	if (http_server_stopping(srv) ||
	    !has_room(srv, is_unix ? HTTP_PEER_UNIX : HTTP_PEER_TCP)) {
		refuse(sock, is_unix);
		return;
	}
	track(srv, sock, is_unix);
	h2o_accept(is_unix ? &srv->accept_unix : &srv->accept_tcp, sock);
}

static void on_accept_unix(h2o_socket_t *listener, const char *err)
{
	accept_one(listener, err, 1);
}

static void on_accept_tcp(h2o_socket_t *listener, const char *err)
{
	accept_one(listener, err, 0);
}

static void on_resume(h2o_timeout_entry_t *entry)
{
	struct http_server *srv = H2O_STRUCT_FROM_MEMBER(struct http_server,
							 pause_entry, entry);

	if (srv->ls_unix)
		h2o_socket_read_start(srv->ls_unix, on_accept_unix);
	if (srv->ls_tcp)
		h2o_socket_read_start(srv->ls_tcp, on_accept_tcp);
}

static h2o_socket_t *listen_on(struct http_server *srv, int fd,
			       h2o_socket_cb cb)
{
	h2o_socket_t *sock = h2o_evloop_socket_create(srv->loop, fd,
						      H2O_SOCKET_FLAG_DONT_READ);

	sock->data = srv;
	h2o_socket_read_start(sock, cb);
	return sock;
}

int http_accept_start(struct http_server *srv, int unix_fd, int tcp_fd,
		      struct ssl_ctx_st *tls, struct err *e)
{
	(void)e;
	srv->accept_unix.ctx = &srv->ctx;
	srv->accept_unix.hosts = srv->config.hosts;
	srv->accept_tcp = srv->accept_unix;
	srv->accept_tcp.ssl_ctx = tls;
	if (unix_fd >= 0)
		srv->ls_unix = listen_on(srv, unix_fd, on_accept_unix);
	if (tcp_fd >= 0)
		srv->ls_tcp = listen_on(srv, tcp_fd, on_accept_tcp);
	return 0;
}

void http_accept_close(struct http_server *srv)
{
	if (srv->ls_unix) {
		h2o_socket_read_stop(srv->ls_unix);
		h2o_socket_close(srv->ls_unix);
		srv->ls_unix = NULL;
	}
	if (srv->ls_tcp) {
		h2o_socket_read_stop(srv->ls_tcp);
		h2o_socket_close(srv->ls_tcp);
		srv->ls_tcp = NULL;
	}
	if (h2o_timeout_is_linked(&srv->pause_entry))
		h2o_timeout_unlink(&srv->pause_entry);
}

void http_accept_shutdown_all(struct http_server *srv)
{
	for (struct http_conn *c = srv->conns; c != NULL; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
}

struct http_conn *http_conn_of(h2o_req_t *h2o)
{
	h2o_socket_t *sock;

	if (h2o->conn->callbacks->get_socket == NULL)
		return NULL;
	sock = h2o->conn->callbacks->get_socket(h2o->conn);
	if (sock == NULL || sock->on_close.cb != on_close)
		return NULL;
	return sock->on_close.data;
}
