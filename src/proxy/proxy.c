/*
 * proxy.c - the proxy's life: new, publish (tables and listener settings
 * from the control loop's snapshot), free.
 *
 * Listeners open once there is something to serve: a service with a domain,
 * or a [proxy] table in cluster.toml. A change of the [proxy] settings
 * restarts the loop threads (open connections get two seconds to finish);
 * a change of routes or replicas only swaps the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "proxy/internal.h"
#include "tls/tls.h"


#define MMAP_THRESHOLD (4 * 1024 * 1024)

struct proxy *proxy_new(const struct proxy_opts *o)
{
	struct proxy *p = xcalloc(1, sizeof(*p));

	p->opts = *o;
	pthread_mutex_init(&p->reg_mu, NULL);
	/* request bodies above this go to an unlinked temporary file, not the
	 * heap (h2o reads a whole body before the handler runs) */
	h2o_socket_buffer_mmap_settings.threshold = MMAP_THRESHOLD;
	return p;
}

static const char *cstr(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

static int64_t cint(const json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static int cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > PROXY_WORKERS_MAX ? PROXY_WORKERS_MAX : (int)n;
}

/* The snapshot's "proxy" object, defaults filled in. */
static void read_conf(const json_t *j, struct proxy_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->http, sizeof(c->http), "%s", cstr(j, "http", ":80"));
	snprintf(c->https, sizeof(c->https), "%s", cstr(j, "https", ":443"));
	if (strcmp(c->http, "off") == 0)
		c->http[0] = '\0';
	if (strcmp(c->https, "off") == 0)
		c->https[0] = '\0';
	c->workers = (int)cint(j, "workers", 0);
	if (c->workers <= 0 || c->workers > PROXY_WORKERS_MAX)
		c->workers = cpus();
	c->connect_timeout_ms = cint(j, "connect_timeout_ms", 5000);
	c->head_timeout_ms = cint(j, "head_timeout_ms", 10000);
	c->first_byte_timeout_ms = cint(j, "first_byte_timeout_ms", 60000);
	c->idle_timeout_ms = cint(j, "idle_timeout_ms", 60000);
	c->access_log = !json_is_false(json_object_get(j, "access_log"));
}

/* Something to serve: [proxy] was written, or a service has a domain. */
static bool wanted(const json_t *snap)
{
	json_t *proxy = json_object_get(snap, "proxy"), *proj, *svc;
	size_t i, j;

	if (json_is_true(json_object_get(proxy, "declared")))
		return true;
	json_array_foreach(json_object_get(snap, "projects"), i, proj)
		json_array_foreach(json_object_get(proj, "services"), j, svc)
			if (json_array_size(json_object_get(svc, "domains")) > 0)
				return true;
	return false;
}

static int servername_cb(SSL *ssl, int *al, void *arg)
{
	struct proxy *p = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	struct tls *t = atomic_load(&p->tls);
	SSL_CTX *ctx;

	(void)al;
	if (name == NULL || t == NULL)
		return SSL_TLSEXT_ERR_OK;   /* the default context answers */
	ctx = tls_sni_lookup(t, name);
	if (ctx) {
		SSL_set_SSL_CTX(ssl, ctx);
		SSL_CTX_free(ctx);
	}
	return SSL_TLSEXT_ERR_OK;
}

void proxy_tls_ctx_setup(void *arg, SSL_CTX *ctx)
{
	(void)arg;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
}

static SSL_CTX *default_ssl_ctx(struct proxy *p, struct err *e)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL)
		return NULL;
	proxy_tls_ctx_setup(p, ctx);
	SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx, p);
	if (p->opts.fallback_cert &&
	    (SSL_CTX_use_certificate_chain_file(ctx, p->opts.fallback_cert) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, p->opts.fallback_key, SSL_FILETYPE_PEM) != 1)) {
		err_set(e, ERR_INVALID, "certificate '%s': %s", p->opts.fallback_cert,
			ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void stop(struct proxy *p)
{
	if (p->nworkers)
		workers_stop(p);
	if (p->ssl_ctx)
		SSL_CTX_free(p->ssl_ctx);
	p->ssl_ctx = NULL;
	json_decref(p->conf_json);
	p->conf_json = NULL;
}

/* Starts, restarts or stops the loop threads to match the snapshot. */
static void reconfigure(struct proxy *p, const json_t *snap)
{
	json_t *want = wanted(snap) ? json_object_get(snap, "proxy") : NULL;
	struct proxy_conf c;
	struct err e = { 0 };

	if (want == NULL && p->conf_json == NULL)
		return;
	if (want && p->conf_json && json_equal(want, p->conf_json))
		return;
	stop(p);
	if (want == NULL) {
		log_line("proxy: stopped (nothing to serve)");
		return;
	}
	read_conf(want, &c);
	p->conf_json = json_deep_copy(want);
	if (c.https[0] && (p->ssl_ctx = default_ssl_ctx(p, &e)) == NULL)
		c.https[0] = '\0';
	if (e.code == 0 && workers_start(p, &c, &e) == 0) {
		log_line("proxy: listening on %s%s%s%s with %d workers", c.http[0] ? c.http : "",
			 c.http[0] && c.https[0] ? " and " : "", c.https[0] ? c.https : "",
			 c.https[0] ? " (https)" : "", p->nworkers);
		return;
	}
	log_line("proxy: %s", e.msg);
	workers_stop(p);   /* those that started; conf_json stays: no retry loop */
}

void proxy_set_tls(struct proxy *p, struct tls *t)
{
	if (p)
		atomic_store(&p->tls, t);
}

void proxy_publish(struct proxy *p, json_t *snapshot)
{
	struct err e = { 0 };
	struct table *t;

	if (p == NULL || snapshot == NULL)
		return;
	t = table_build(p, snapshot, &e);
	table_swap(p, t);
	reconfigure(p, snapshot);
}

void proxy_free(struct proxy *p)
{
	if (p == NULL)
		return;
	stop(p);
	table_swap(p, NULL);
	while (p->stats) {
		struct svcstats *s = p->stats;

		p->stats = s->next;
		free(s);
	}
	pthread_mutex_destroy(&p->reg_mu);
	free(p);
}
