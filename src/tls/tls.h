/*
 * tls.h - certificates for the proxy: SNI lookups over an atomically
 * swapped table, HTTP-01 answers, certificates brought per domain, and ACME
 * (RFC 8555) issuance and renewal on a thread of its own.
 *
 * The proxy calls the lookups from its loop threads: they never block and
 * take no lock (tls_http01_lookup takes a short mutex; it serves only the
 * rare challenge requests). Every function accepts t == NULL (no TLS): the
 * lookups then find nothing. The tls thread never touches the proxy's
 * loops or the control loop; it learns about configuration changes from
 * tls_poke() and reads them back through the load callback, on its thread.
 */
#ifndef ORCA_TLS_TLS_H
#define ORCA_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "base/err.h"
#include "config/load.h"
#include "config/model.h"

#define TLS_LETSENCRYPT "https://acme-v02.api.letsencrypt.org/directory"
#define TLS_LETSENCRYPT_STAGING "https://acme-staging-v02.api.letsencrypt.org/directory"
#define TLS_KEYAUTH_MAX 256

struct tls;

/* Called on the tls thread for every SSL_CTX built, before anyone can see
 * it: the proxy registers its ALPN list and options there. */
typedef void (*tls_ctx_setup_fn)(void *arg, SSL_CTX *ctx);

/* A certificate brought by the user ([[proxy.certificate]]). */
struct tls_file_cert {
	char **domains;
	size_t ndomains;
	char *cert;                /* PEM chain, leaf first; path on this host */
	char *key;                 /* PEM private key */
};

/* What the configuration asks for. */
struct tls_desired {
	bool acme;                 /* false: only brought certificates */
	const char *acme_off_why;  /* static: why acme is false */
	char *acme_directory;
	char *acme_email;          /* NULL: no contact */
	char *acme_ca_bundle;      /* NULL: the system's CA store */
	struct tls_file_cert *files;
	size_t nfiles;
	char **domains;            /* every service domain, sorted, unique */
	size_t ndomains;
};

/* Copies the cluster's TLS settings (acme_*, [[proxy.certificate]]). */
void tls_desired_from_cluster(struct tls_desired *d, const struct cluster *cl);
/* Adds a service domain (duplicates are dropped). */
void tls_desired_add_domain(struct tls_desired *d, const char *domain);
void tls_desired_release(struct tls_desired *d);

struct tls_opts {
	const char *data_dir;      /* certificates go to DATA/tls/ (0700, files 0600) */
	tls_ctx_setup_fn ctx_setup;
	void *ctx_setup_arg;
	/* Fills *out with what the configuration asks now; tls thread. */
	int (*load)(void *arg, struct tls_desired *out, struct err *e);
	void *load_arg;
	/* kind: certificate.issued, certificate.renewed, certificate.failed,
	 * certificate.loaded. Called on the tls thread; may be NULL. */
	void (*event)(void *arg, const char *domain, const char *kind, const char *msg);
	void *event_arg;
};

/* tls_new makes the struct (lookups find nothing yet); tls_run starts
 * the tls thread, which loads the certificates already in the data
 * directory, then asks o->load. Two steps so that whoever o->load reads
 * from can be given t first. tls_start does both. */
int tls_new(const struct tls_opts *o, struct tls **out, struct err *e);
int tls_run(struct tls *t, struct err *e);
int tls_start(const struct tls_opts *o, struct tls **out, struct err *e);
/* Stops the thread (an ACME exchange in progress is abandoned); the
 * lookups, tls_poke and tls_status keep working on what was published. */
void tls_stop(struct tls *t);
/* Stops (if needed) and frees. Nobody may call anything on t afterwards. */
void tls_free(struct tls *t);
/* The configuration may have changed: reload it soon. Any thread, cheap. */
void tls_poke(struct tls *t);

/* A NEW reference to the context for an SNI name (case-insensitive, a
 * trailing dot ignored; exact name first, then "*.<parent>"), or NULL.
 * The caller does SSL_set_SSL_CTX(ssl, ctx) and then SSL_CTX_free(ctx). */
SSL_CTX *tls_sni_lookup(struct tls *t, const char *servername);
/* Does host (len bytes; a ":port" suffix is ignored) have a certificate? */
bool tls_has_cert(struct tls *t, const char *host, size_t len);
/* The key authorization for an HTTP-01 token (the whole 200 text/plain
 * body) into out; its length, or -1 when the token is unknown. */
int tls_http01_lookup(struct tls *t, const char *token, size_t token_len, char *out,
		      size_t outsz);

/* {"certificates": [...], "acme": {...}} (docs/API.md); a new reference. */
json_t *tls_status(struct tls *t);

/*
 * Checks the files a loaded config names, adding diagnostics located at
 * their keys in cluster.toml: every [[proxy.certificate]] must exist,
 * parse, pair with its key and cover its domains; acme_ca_bundle must hold
 * certificates. Files are read on this host. (The rules that need no file,
 * such as wildcards needing a brought certificate, are config_check's.)
 */
void tls_check_files(const struct config *c, struct diags *d);

#endif
