/*
 * tls_fixture.h - certificates made on the spot for the tls tests: keys,
 * self-signed or CA-signed certificates with chosen names and validity,
 * PEM text, and temporary directories. Header-only; include after unit.h.
 */
#ifndef ORCA_TESTS_TLS_FIXTURE_H
#define ORCA_TESTS_TLS_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "tls/internal.h"
#include "unit.h"

/* A certificate for key, valid from nb to na ("YYYYMMDDHHMMSSZ"), naming
 * sans (the first also as CN), signed by ca_key as ca_cn (NULL: itself). */
static inline X509 *fx_cert(EVP_PKEY *key, const char *const *sans, size_t n,
			    const char *nb, const char *na, EVP_PKEY *ca_key,
			    const char *ca_cn)
{
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	static long serial = 1;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	ASN1_TIME_set_string_X509(X509_getm_notBefore(x), nb);
	ASN1_TIME_set_string_X509(X509_getm_notAfter(x), na);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8, (const unsigned char *)sans[0], -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_UTF8,
				   (const unsigned char *)(ca_cn ? ca_cn : sans[0]), -1, -1, 0);
	X509_set_subject_name(x, subj);
	X509_set_issuer_name(x, iss);
	X509_set_pubkey(x, key);
	for (size_t i = 0; i < n; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();

		ASN1_STRING_set(s, sans[i], (int)strlen(sans[i]));
		GENERAL_NAME_set0_value(g, GEN_DNS, s);
		sk_GENERAL_NAME_push(gens, g);
	}
	if (n > 0)
		X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0);
	X509_sign(x, ca_key ? ca_key : key, EVP_sha256());
	GENERAL_NAMES_free(gens);
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	return x;
}

static inline char *fx_cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	char *out;

	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &data);
	out = xstrndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

static inline char *fx_key_pem(EVP_PKEY *k)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };

	tls_key_to_pem(k, &b, &e);
	return buf_steal(&b);
}

/* "key PEM + cert PEM" for a fresh key and a self-signed certificate. */
static inline char *fx_bundle(const char *name, const char *nb, const char *na)
{
	struct err e = { 0 };
	EVP_PKEY *k = tls_key_new_ec(&e);
	const char *sans[] = { name };
	X509 *x = fx_cert(k, sans, 1, nb, na, NULL, NULL);
	char *kp = fx_key_pem(k), *cp = fx_cert_pem(x);
	char *out = xasprintf("%s%s", kp, cp);

	free(kp);
	free(cp);
	X509_free(x);
	EVP_PKEY_free(k);
	return out;
}

static inline char *fx_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *templ = xasprintf("%s/orca-tls-XXXXXX", tmp ? tmp : "/tmp");

	if (mkdtemp(templ) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return templ;
}

static inline int fx_rm_one(const char *path, const struct stat *sb, int flag,
			    struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static inline void fx_rm(char *dir)
{
	nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline void fx_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		abort();
	}
	fputs(text, f);
	fclose(f);
}

#endif
