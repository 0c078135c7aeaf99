/*
 * http_listen.c - the API's listening sockets and who is on the other end.
 *
 * The unix socket is the API's front door and equals root on the host (it
 * can run privileged containers), so it is created owner-only by default
 * and never left world-accessible even for an instant (see bind_unix). TCP
 * is loopback-only unless the operator explicitly allows otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/http_int.h"

#define BACKLOG 128

static int unix_addr(const char *path, struct sockaddr_un *sa, struct err *e)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return err_set(e, ERR_INVALID, "socket path '%s' is longer than %zu bytes",
			       path, sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* Is a server answering on path? 1 yes, 0 no (stale or absent), or error. */
static int probe(const struct sockaddr_un *sa, struct err *e)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int rc;

	if (fd < 0)
		return err_errno(e, errno, "socket");
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS)
		rc = 1;  /* EAGAIN: alive, with a full backlog */
	else if (errno == ECONNREFUSED || errno == ENOENT)
		rc = 0;
	else
		rc = err_errno(e, errno, "connect to '%s'", sa->sun_path);
	close(fd);
	return rc;
}

/* Removes a socket file nobody answers on; refuses to replace a live one. */
static int clear_stale(const struct sockaddr_un *sa, struct err *e)
{
	const char *path = sa->sun_path;
	struct stat st;
	int rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_errno(e, errno, "stat '%s'", path);
	if (!S_ISSOCK(st.st_mode))
		return err_set(e, ERR_CONFLICT, "'%s' exists and is not a socket", path);
	rc = probe(sa, e);
	if (rc > 0)
		return err_set(e, ERR_CONFLICT, "another orca server is listening on %s",
			       path);
	if (rc == 0 && unlink(path) < 0 && errno != ENOENT)
		return err_errno(e, errno, "remove stale socket '%s'", path);
	return rc;
}

/*
 * On Linux a unix socket's file takes its mode from the socket inode at
 * bind time (less the umask), so fchmod before bind means the file is never
 * wider than mode; the chmod after restores bits the umask removed.
 */
static int bind_unix(int fd, const struct sockaddr_un *sa, int mode,
		     struct err *e)
{
	if (fchmod(fd, (mode_t)mode) < 0)
		return err_errno(e, errno, "fchmod socket");
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		if (errno == EADDRINUSE)
			return err_set(e, ERR_CONFLICT, "another orca server is listening on %s",
				       sa->sun_path);
		return err_errno(e, errno, "bind '%s'", sa->sun_path);
	}
	if (chmod(sa->sun_path, (mode_t)mode) < 0)
		return err_errno(e, errno, "chmod '%s'", sa->sun_path);
	return 0;
}

int http_listen_unix(const char *path, int mode, struct err *e)
{
	struct sockaddr_un sa;
	int fd;

	if (unix_addr(path, &sa, e) < 0 || clear_stale(&sa, e) < 0)
		return e->code;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_errno(e, errno, "socket");
	if (bind_unix(fd, &sa, mode, e) < 0)
		goto fail;
	if (listen(fd, BACKLOG) < 0) {
		err_errno(e, errno, "listen on '%s'", path);
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return e->code;
}

/* "host:port", "[v6]:port" or ":port" into host (maybe "") and port. */
static int split_addr(const char *addr, char *host, size_t hostsz, char *port,
		      size_t portsz, struct err *e)
{
	const char *colon, *h = addr, *hend;

	if (addr[0] == '[') {
		h = addr + 1;
		hend = strchr(h, ']');
		colon = hend ? hend + 1 : NULL;
		if (colon && *colon != ':')
			colon = NULL;
	} else {
		colon = strrchr(addr, ':');
		hend = colon;
	}
	if (colon == NULL || hend == NULL || (size_t)(hend - h) >= hostsz ||
	    strlen(colon + 1) >= portsz || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) > 65535)
		return err_set(e, ERR_INVALID, "invalid listen address '%s' (want host:port)",
			       addr);
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

static int sockaddr_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

	if (sa->sa_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127;
}

static int bind_tcp(const struct addrinfo *ai, int *port, struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int one = 1, fd;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return err_errno(e, errno, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, BACKLOG) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		err_errno(e, errno, "listen");
		close(fd);
		return e->code;
	}
	*port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

int http_listen_tcp(const char *addr, int allow_remote, int *port,
		    struct err *e)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char host[256], portstr[8];
	int rc;

	if (split_addr(addr, host, sizeof(host), portstr, sizeof(portstr), e) < 0)
		return e->code;
	rc = getaddrinfo(host[0] ? host : NULL, portstr, &hints, &ai);
	if (rc != 0)
		return err_set(e, ERR_INVALID, "listen address '%s': %s", addr,
			       gai_strerror(rc));
	if (!allow_remote && !sockaddr_is_loopback(ai->ai_addr))
		rc = err_set(e, ERR_INVALID, "refusing to serve the API on non-loopback "
			     "address '%s': it has no TLS or authentication yet", addr);
	else
		rc = bind_tcp(ai, port, e);
	if (rc < 0)
		err_wrap(e, "tcp %s", addr);
	freeaddrinfo(ai);
	return rc;
}

int http_addr_is_loopback_host(const char *host)
{
	char name[256];
	size_t n;
	struct in_addr a4;
	struct in6_addr a6;

	if (host[0] == '[') {
		n = strcspn(host + 1, "]");
		host++;
	} else {
		n = strcspn(host, ":");
	}
	if (n >= sizeof(name))
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	if (strcasecmp(name, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, name, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

void http_peer_fill(int fd, int is_unix, struct http_peer *peer)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	char ip[INET6_ADDRSTRLEN] = "?";
	int port;

	memset(peer, 0, sizeof(*peer));
	peer->kind = is_unix ? HTTP_PEER_UNIX : HTTP_PEER_TCP;
	if (is_unix) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) {
			peer->has_cred = 1;
			peer->uid = cred.uid;
			peer->gid = cred.gid;
			peer->pid = cred.pid;
		}
		return;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		snprintf(peer->addr, sizeof(peer->addr), "[%s]:%d", ip, port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		snprintf(peer->addr, sizeof(peer->addr), "%s:%d", ip, port);
	}
}
