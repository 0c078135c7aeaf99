/*
 * check.c - the TLS checks that read files: every [[proxy.certificate]]
 * must exist, parse, pair with its key and cover its domains, and
 * acme_ca_bundle must hold certificates. Diagnostics point at the key in
 * cluster.toml. Files are read on this host: the server's when deploying,
 * the user's for `orca validate`.
 */
#include "tls/internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

static void diag(struct diags *d, const struct config_loc *loc, const char *ctx,
		 const char *msg)
{
	diags_add(d, loc->file, loc->line, loc->col, "%s: %s", ctx, msg);
}

static EVP_PKEY *read_key(const struct proxy_certificate *pc, const char *ctx,
			  struct diags *d)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	EVP_PKEY *k = NULL;

	if (tls_read_file(pc->key, TLS_PEM_MAX, &b, &e) == 0 &&
	    (k = tls_key_from_pem(b.data, b.len, &e)) == NULL)
		err_wrap(&e, "key '%s'", pc->key);
	if (k == NULL)
		diag(d, &pc->key_loc, ctx, e.msg);
	buf_release(&b);
	return k;
}

static X509 *read_cert(const struct proxy_certificate *pc, const char *ctx,
		       struct tls_certinfo *ci, struct diags *d)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	STACK_OF(X509) *chain = NULL;
	X509 *leaf = NULL;

	if (tls_read_file(pc->cert, TLS_PEM_MAX, &b, &e) == 0 &&
	    ((chain = tls_chain_from_pem(b.data, b.len, &e)) == NULL ||
	     tls_certinfo_from_x509(sk_X509_value(chain, 0), ci, &e) < 0))
		err_wrap(&e, "cert '%s'", pc->cert);
	if (e.code == 0) {
		leaf = sk_X509_value(chain, 0);
		X509_up_ref(leaf);
	} else {
		diag(d, &pc->cert_loc, ctx, e.msg);
	}
	sk_X509_pop_free(chain, X509_free);
	buf_release(&b);
	return leaf;
}

static void check_certificate(const struct proxy_certificate *pc, size_t index,
			      struct diags *d)
{
	struct tls_certinfo ci = { 0 };
	char ctx[64], msg[512];
	EVP_PKEY *key;
	X509 *leaf;

	if (pc->cert == NULL || pc->key == NULL)
		return;   /* reported by the loader */
	snprintf(ctx, sizeof(ctx), "proxy.certificate #%zu", index);
	leaf = read_cert(pc, ctx, &ci, d);
	key = read_key(pc, ctx, d);
	if (leaf && key && X509_check_private_key(leaf, key) != 1) {
		snprintf(msg, sizeof(msg), "key '%s' does not belong to cert '%s'", pc->key,
			 pc->cert);
		diag(d, &pc->key_loc, ctx, msg);
	}
	ERR_clear_error();
	for (size_t i = 0; leaf && i < pc->ndomains; i++)
		if (!tls_certinfo_covers(&ci, pc->domains[i])) {
			snprintf(msg, sizeof(msg), "cert '%s' does not cover '%s' (it names %s%s)",
				 pc->cert, pc->domains[i], ci.nnames ? ci.names[0] : "nothing",
				 ci.nnames > 1 ? ", ..." : "");
			diag(d, &pc->domains_loc, ctx, msg);
		}
	tls_certinfo_release(&ci);
	X509_free(leaf);
	EVP_PKEY_free(key);
}

static void check_ca_bundle(const struct cluster *cl, struct diags *d)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	STACK_OF(X509) *chain = NULL;

	if (cl->acme_ca_bundle == NULL)
		return;
	if (tls_read_file(cl->acme_ca_bundle, TLS_PEM_MAX, &b, &e) == 0 &&
	    (chain = tls_chain_from_pem(b.data, b.len, &e)) == NULL)
		err_wrap(&e, "'%s'", cl->acme_ca_bundle);
	if (e.code != 0)
		diag(d, &cl->acme_ca_bundle_loc, "cluster: acme_ca_bundle", e.msg);
	sk_X509_pop_free(chain, X509_free);
	buf_release(&b);
}

void tls_check_files(const struct config *c, struct diags *d)
{
	for (size_t i = 0; i < c->cluster.ncertificates && !diags_full(d); i++)
		check_certificate(&c->cluster.certificates[i], i + 1, d);
	check_ca_bundle(&c->cluster, d);
}
