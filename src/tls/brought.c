/*
 * brought.c - certificates brought in cluster.toml ([[proxy.certificate]]):
 * loaded when the configuration changes, and again whenever their files
 * change (checked every minute), so that a certificate renewed by another
 * tool is picked up. A broken replacement keeps the previous one in use.
 */
#include "tls/state.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/xalloc.h"

void tls_file_cert_release(struct file_cert *fc)
{
	SSL_CTX_free(fc->ctx);
	tls_certinfo_release(&fc->info);
	memset(fc, 0, sizeof(*fc));   /* want is borrowed from t->want */
}

static int load_files(struct tls *t, const struct tls_file_cert *w, SSL_CTX **ctx,
		      struct tls_certinfo *info, struct err *e)
{
	struct buf cert = BUF_INIT, keypem = BUF_INIT;
	EVP_PKEY *key = NULL;
	int rc = tls_read_file(w->cert, TLS_PEM_MAX, &cert, e);

	*ctx = NULL;
	if (rc == 0 && (rc = tls_read_file(w->key, TLS_PEM_MAX, &keypem, e)) == 0 &&
	    (key = tls_key_from_pem(keypem.data, keypem.len, e)) == NULL)
		rc = err_wrap(e, "key '%s'", w->key);
	if (rc == 0 && tls_certinfo_from_pem(cert.data, cert.len, info, e) < 0)
		rc = err_wrap(e, "cert '%s'", w->cert);
	for (size_t i = 0; rc == 0 && i < w->ndomains; i++)
		if (!tls_certinfo_covers(info, w->domains[i]))
			rc = err_set(e, ERR_INVALID, "cert '%s' does not cover '%s'", w->cert,
				     w->domains[i]);
	if (rc == 0 && (*ctx = tls_ctx_new(cert.data, cert.len, key, t->o.ctx_setup,
					   t->o.ctx_setup_arg, e)) == NULL)
		rc = err_wrap(e, "cert '%s' and key '%s'", w->cert, w->key);
	if (rc < 0)
		tls_certinfo_release(info);
	EVP_PKEY_free(key);
	buf_release(&cert);
	buf_release(&keypem);
	return rc;
}

static void stat_files(struct file_cert *fc, struct stat *c, struct stat *k)
{
	memset(c, 0, sizeof(*c));
	memset(k, 0, sizeof(*k));
	if (fc->want.cert)
		stat(fc->want.cert, c);
	if (fc->want.key)
		stat(fc->want.key, k);
}

/* Loads fc's files; on failure keeps what fc had (if anything). */
static void load(struct tls *t, struct file_cert *fc)
{
	struct tls_certinfo info;
	struct err e = { 0 };
	SSL_CTX *ctx;

	stat_files(fc, &fc->cert_st, &fc->key_st);
	if (load_files(t, &fc->want, &ctx, &info, &e) < 0) {
		snprintf(fc->error, sizeof(fc->error), "%s", e.msg);
		tls_event(t, fc->want.domains[0], "certificate.failed", "%s", e.msg);
		return;
	}
	SSL_CTX_free(fc->ctx);
	tls_certinfo_release(&fc->info);
	fc->ctx = ctx;
	fc->info = info;
	fc->error[0] = '\0';
}

void tls_files_apply(struct tls *t)
{
	for (size_t i = 0; i < t->nfiles; i++)
		tls_file_cert_release(&t->files[i]);
	free(t->files);
	t->files = xcalloc(t->want.nfiles + 1, sizeof(*t->files));
	t->nfiles = 0;
	for (size_t i = 0; i < t->want.nfiles; i++) {
		struct file_cert *fc = &t->files[t->nfiles++];

		fc->want = t->want.files[i];   /* borrowed */
		if (fc->want.ndomains > 0)
			load(t, fc);
	}
}

static bool changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
	       a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

bool tls_files_check(struct tls *t)
{
	bool any = false;

	for (size_t i = 0; i < t->nfiles; i++) {
		struct file_cert *fc = &t->files[i];
		struct stat c, k;

		stat_files(fc, &c, &k);
		if (fc->want.ndomains == 0 || (!changed(&c, &fc->cert_st) &&
					       !changed(&k, &fc->key_st)))
			continue;
		load(t, fc);
		any = true;
	}
	return any;
}
