/*
 * issue.c - ACME certificates on disk and their issuance, on the tls
 * thread. Each ACME server gets its own directory, DATA/tls/acme/<id>/
 * (0700): account.key, and <domain>.pem holding the key and then the chain
 * (one file, replaced atomically, mode 0600, so key and chain always pair).
 */
#include "tls/state.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "base/xalloc.h"

/* "acme-v02.api.letsencrypt.org-1a2b3c4d": readable, unique per URL. */
char *tls_acme_server_id(const char *url)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	const char *host = strstr(url, "://");
	char name[64];
	size_t n = 0;

	SHA256((const unsigned char *)url, strlen(url), md);
	for (host = host ? host + 3 : url; *host && *host != '/' && n < 40; host++)
		name[n++] = (isalnum((unsigned char)*host) || *host == '.' || *host == '-')
				    ? *host : '_';
	name[n] = '\0';
	return xasprintf("%s-%02x%02x%02x%02x", name, md[0], md[1], md[2], md[3]);
}

static const char *store_dir(struct tls *t)
{
	char *id;

	if (t->acme_dir == NULL && t->want.acme_directory != NULL) {
		id = tls_acme_server_id(t->want.acme_directory);
		t->acme_dir = xasprintf("%s/tls/acme/%s", t->data_dir, id);
		free(id);
	}
	return t->acme_dir;
}

void tls_acme_reset_client(struct tls *t)
{
	if (t->have_client)
		acme_client_release(&t->client);
	t->have_client = false;
	EVP_PKEY_free(t->account_key);
	t->account_key = NULL;
	free(t->acme_dir);
	t->acme_dir = NULL;
}

void tls_acme_cert_release(struct acme_cert *x)
{
	free(x->domain);
	SSL_CTX_free(x->ctx);
	tls_certinfo_release(&x->info);
	memset(x, 0, sizeof(*x));
}

static EVP_PKEY *account_key(const char *dir, struct err *e)
{
	char *path = xasprintf("%s/account.key", dir);
	struct buf b = BUF_INIT, pem = BUF_INIT;
	EVP_PKEY *k = NULL;

	if (tls_read_file(path, TLS_PEM_MAX, &b, e) == 0) {
		if ((k = tls_key_from_pem(b.data, b.len, e)) == NULL)
			err_wrap(e, "'%s'", path);
	} else if (e->code == -ENOENT) {
		err_clear(e);
		k = tls_key_new_ec(e);
		if (k && (tls_key_to_pem(k, &pem, e) < 0 ||
			  tls_write_file(path, pem.data, pem.len, e) < 0)) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
	buf_release(&b);
	buf_release(&pem);
	free(path);
	return k;
}

static int ensure_client(struct tls *t, struct err *e)
{
	const char *dir = store_dir(t);

	if (t->have_client)
		return 0;
	if (dir == NULL)
		return err_set(e, ERR_INVALID, "ACME is off");
	if (tls_mkdirs(dir, e) < 0)
		return ERR_FAIL;
	if (t->account_key == NULL && (t->account_key = account_key(dir, e)) == NULL)
		return err_wrap(e, "ACME account key");
	if (acme_client_init(&t->client, t->want.acme_directory, t->want.acme_ca_bundle,
			     t->want.acme_email, t->account_key, e) < 0) {
		acme_client_release(&t->client);
		return ERR_FAIL;
	}
	t->client.wait = tls_wait;
	t->client.wait_arg = t;
	t->have_client = true;
	return 0;
}

/* A context and its description from "key PEM + chain PEM"; 0 or error. */
static int load_pem(struct tls *t, const char *pem, size_t len, const char *domain,
		    SSL_CTX **ctx, struct tls_certinfo *info, struct err *e)
{
	EVP_PKEY *key = tls_key_from_pem(pem, len, e);
	int rc = key ? tls_certinfo_from_pem(pem, len, info, e) : ERR_INVALID;

	*ctx = NULL;
	if (rc == 0 && !tls_certinfo_covers(info, domain))
		rc = err_set(e, ERR_INVALID, "the certificate does not name '%s'", domain);
	if (rc == 0 && info->not_after * 1000 <= tls_wall_ms())
		rc = err_set(e, ERR_INVALID, "the certificate has expired");
	if (rc == 0 &&
	    (*ctx = tls_ctx_new(pem, len, key, t->o.ctx_setup, t->o.ctx_setup_arg, e)) == NULL)
		rc = ERR_INVALID;
	if (rc < 0)
		tls_certinfo_release(info);
	EVP_PKEY_free(key);
	return rc;
}

static void use_cert(struct acme_cert *x, SSL_CTX *ctx, struct tls_certinfo *info)
{
	SSL_CTX_free(x->ctx);   /* the published table holds its own reference */
	tls_certinfo_release(&x->info);
	x->ctx = ctx;
	x->info = *info;
	x->next_attempt_ms = tls_renew_at(info->not_before, info->not_after) * 1000;
}

void tls_acme_load_stored(struct tls *t, struct acme_cert *x)
{
	const char *dir = store_dir(t);
	char *path;
	struct buf b = BUF_INIT;
	struct tls_certinfo info;
	struct err e = { 0 };
	SSL_CTX *ctx;

	if (dir == NULL)
		return;
	path = xasprintf("%s/%s.pem", dir, x->domain);
	if (tls_read_file(path, TLS_PEM_MAX, &b, &e) == 0 &&
	    load_pem(t, b.data, b.len, x->domain, &ctx, &info, &e) == 0)
		use_cert(x, ctx, &info);
	buf_release(&b);
	free(path);
}

static void failed(struct tls *t, struct acme_cert *x, const struct err *e)
{
	int64_t wait = tls_backoff_ms(++x->failures, t->have_client ? t->client.retry_after_ms
								   : -1);

	x->next_attempt_ms = tls_wall_ms() + wait;
	snprintf(x->last_error, sizeof(x->last_error), "%s", e->msg);
	x->last_error_ms = tls_wall_ms();
	if (t->have_client) {
		/* start from the directory next time: the server may have
		 * restarted and forgotten the account */
		free(t->client.kid);
		t->client.kid = NULL;
		acme_directory_release(&t->client.dir);
		t->client.have_dir = false;
		t->client.nonce[0] = '\0';
		t->client.retry_after_ms = -1;
	}
	tls_event(t, x->domain, "certificate.failed", "%s (attempt %d; next in %lld s)", e->msg,
		  x->failures, (long long)wait / 1000);
}

/* "2026-03-01T12:00:00Z" */
static const char *utc(int64_t secs, char out[32])
{
	time_t t = (time_t)secs;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)secs);
	return out;
}

/* Stores, loads and publishes a new certificate. */
static int install(struct tls *t, struct acme_cert *x, char *chain, EVP_PKEY *key,
		   struct err *e)
{
	struct buf pem = BUF_INIT;
	struct tls_certinfo info;
	char *path = xasprintf("%s/%s.pem", store_dir(t), x->domain);
	SSL_CTX *ctx;
	char until[32];
	bool renewal = x->ctx != NULL || x->renewed_once;
	int rc = tls_key_to_pem(key, &pem, e);

	buf_puts(&pem, chain);
	if (rc == 0)
		rc = load_pem(t, pem.data, pem.len, x->domain, &ctx, &info, e);
	if (rc == 0) {
		use_cert(x, ctx, &info);
		x->failures = 0;
		x->last_error[0] = '\0';
		x->renewed_once = true;
		tls_publish_sni(t);
		if (tls_write_file(path, pem.data, pem.len, e) < 0)
			snprintf(x->last_error, sizeof(x->last_error), "not stored: %.480s", e->msg);
		tls_event(t, x->domain, renewal ? "certificate.renewed" : "certificate.issued",
			  "certificate from '%s', valid until %s", x->info.issuer,
			  utc(x->info.not_after, until));
	}
	buf_release(&pem);
	free(path);
	return rc;
}

void tls_acme_issue(struct tls *t, const char *domain_in)
{
	char domain[256];
	struct acme_cert *x = NULL;
	struct err e = { 0 };
	char *chain = NULL;
	EVP_PKEY *key = NULL;
	bool go_on;
	int rc;

	snprintf(domain, sizeof(domain), "%s", domain_in);
	rc = ensure_client(t, &e);
	t->issuing = domain;
	tls_publish_status(t);
	if (rc == 0)
		rc = acme_issue(&t->client, t->http01, domain, &chain, &key, &e);
	go_on = tls_wait(t, 0);   /* stopped, or the domain left: not a failure */
	t->issuing = NULL;
	for (size_t i = 0; i < t->nacme && x == NULL; i++)
		if (strcmp(t->acme[i].domain, domain) == 0)
			x = &t->acme[i];
	if (x != NULL && rc == 0)
		rc = install(t, x, chain, key, &e);   /* kept even when stopping */
	if (x != NULL && rc < 0 && go_on)
		failed(t, x, &e);
	free(chain);
	EVP_PKEY_free(key);
	tls_publish_status(t);
}
