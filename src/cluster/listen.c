/*
 * listen.c - the listener agents talk to: HTTPS with a certificate of the
 * server's CA (<data>/ca, the same CA as the API's), asking every client
 * for a certificate of that CA without requiring one (a node that joins
 * has none yet; the join routes take a token instead, every other route
 * refuses a request without a verified node certificate).
 *
 * Its own http_server and router: node routes never appear on the API's
 * listener, and API tokens mean nothing here.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "api/http.h"
#include "api/router.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cluster/internal.h"
#include "tls/ca.h"

#define NAMES_MAX 64
#define LEAF "cluster"

struct names {
	char *v[NAMES_MAX];
	size_t n;
};

static void add(struct names *ns, const char *s)
{
	if (s == NULL || s[0] == '\0' || ns->n == NAMES_MAX)
		return;
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return;
	ns->v[ns->n++] = xstrdup(s);
}

/* Every address of this host: agents may use any of them. */
static void collect(struct cluster_srv *cl, struct names *ns)
{
	struct ifaddrs *all, *i;
	char ip[INET6_ADDRSTRLEN], host[256] = "";

	add(ns, cl->advertise);
	add(ns, "localhost");
	if (gethostname(host, sizeof(host) - 1) == 0)
		add(ns, host);
	if (getifaddrs(&all) < 0)
		return;
	for (i = all; i != NULL; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (sa == NULL)
			continue;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
		else if (sa->sa_family == AF_INET6 &&
			 !IN6_IS_ADDR_LINKLOCAL(&((const struct sockaddr_in6 *)sa)->sin6_addr))
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip,
				  sizeof(ip));
		else
			continue;
		add(ns, ip);
	}
	freeifaddrs(all);
}

static SSL_CTX *fail(struct err *e, const char *what, SSL_CTX *ctx)
{
	char msg[256];
	unsigned long code = ERR_get_error();

	ERR_error_string_n(code, msg, sizeof(msg));
	ERR_clear_error();
	err_set(e, ERR_INVALID, "cluster listener: %s: %s", what, code ? msg : "failed");
	SSL_CTX_free(ctx);
	return NULL;
}

static SSL_CTX *tls_ctx(struct cluster_srv *cl, struct err *e)
{
	struct names ns = { .n = 0 };
	char *cert = tls_ca_leaf_path(cl->ca_dir, LEAF, "pem");
	char *key = tls_ca_leaf_path(cl->ca_dir, LEAF, "key");
	char *ca = tls_ca_cert_path(cl->ca_dir);
	SSL_CTX *ctx = NULL;

	collect(cl, &ns);
	if (tls_ca_ensure_leaf(cl->ca_dir, LEAF, (const char *const *)ns.v, ns.n, NULL, e) < 0)
		goto out;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		ctx = fail(e, "context", ctx);
		goto out;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		ctx = fail(e, cert, ctx);
	else if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		ctx = fail(e, ca, ctx);
	if (ctx) {
		/* asked, verified when sent, not required: see the file comment */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(ca));
	}
out:
	for (size_t i = 0; i < ns.n; i++)
		free(ns.v[i]);
	free(cert);
	free(key);
	free(ca);
	return ctx;
}

static void set_url(struct cluster_srv *cl, int port)
{
	const char *host = cl->advertise[0] ? cl->advertise : "SERVER";

	snprintf(cl->url, sizeof(cl->url), "https://%s%s%s:%d", strchr(host, ':') ? "[" : "",
		 host, strchr(host, ':') ? "]" : "", port);
}

int cluster_listen_start(struct cluster_srv *cl, struct err *e)
{
	struct http_server_config hc = { 0 };

	cl->tls = tls_ctx(cl, e);
	if (cl->tls == NULL)
		return e->code;
	cl->router = router_new();
	if (cluster_routes_join(cl->router, cl, e) < 0 || cluster_routes_node(cl->router, cl, e) < 0 ||
	    cluster_routes_channel(cl->router, cl, e) < 0)
		return e->code;
	hc.tcp_addr = cl->o.listen;
	hc.tcp_allow_remote = 1;
	hc.tls = cl->tls;
	hc.handler = router_handle;
	hc.handler_arg = cl->router;
	hc.unix_reserved = -1;
	hc.stream_unix_reserved = -1;
	hc.max_streams = MEMBERS_MAX + 8;
	hc.max_conns = 4 * MEMBERS_MAX;
	hc.workers = 8;
	hc.heartbeat_ms = 2000;   /* command streams: a dead node is found */
	if (channel_start(cl, e) < 0)
		return e->code;
	cl->srv = http_server_start(&hc, e);
	if (cl->srv == NULL)
		return e->code ? e->code : ERR_FAIL;
	set_url(cl, http_server_port(cl->srv));
	log_line("agents join at %s (orca node token makes a token)", cl->url);
	return 0;
}

void cluster_listen_stop(struct cluster_srv *cl)
{
	channel_stop(cl);   /* ends the streams it holds first */
	http_server_stop(cl->srv);
	cl->srv = NULL;
	router_free(cl->router);
	cl->router = NULL;
	SSL_CTX_free(cl->tls);
	cl->tls = NULL;
}
