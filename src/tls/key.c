/*
 * key.c - private keys: new EC P-256 keys, PEM in and out.
 *
 * Accepted keys are EC P-256 (ES256) and RSA of 2048 bits or more (RS256),
 * the two algorithms every ACME server must support.
 */
#include "tls/internal.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

int tls_ossl_err(struct err *e, const char *what)
{
	unsigned long code = ERR_get_error();
	char buf[200] = "";

	if (code)
		ERR_error_string_n(code, buf, sizeof(buf));
	ERR_clear_error();
	return err_set(e, ERR_INVALID, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

EVP_PKEY *tls_key_new_ec(struct err *e)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (k == NULL)
		tls_ossl_err(e, "cannot generate an EC P-256 key");
	return k;
}

static const char *key_problem(EVP_PKEY *k)
{
	char group[32] = "";

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
						    sizeof(group), NULL) ||
		    strcmp(group, "prime256v1") != 0)
			return "an EC key must be on the P-256 curve";
		return NULL;
	case EVP_PKEY_RSA:
		return EVP_PKEY_get_bits(k) < 2048 ? "an RSA key must have at least 2048 bits"
						   : NULL;
	default:
		return "only EC P-256 and RSA keys are supported";
	}
}

EVP_PKEY *tls_key_from_pem(const char *pem, size_t len, struct err *e)
{
	BIO *bio;
	EVP_PKEY *k;
	const char *why;

	if (len > TLS_PEM_MAX || len > INT32_MAX) {
		err_set(e, ERR_TOOBIG, "key of %zu bytes is over the limit of %d", len,
			TLS_PEM_MAX);
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	BIO_free(bio);
	if (k == NULL) {
		tls_ossl_err(e, "no PEM private key");
		return NULL;
	}
	if ((why = key_problem(k)) != NULL) {
		err_set(e, ERR_INVALID, "%s", why);
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

int tls_key_to_pem(EVP_PKEY *key, struct buf *out, struct err *e)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc = 0;

	if (bio == NULL || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		rc = tls_ossl_err(e, "cannot write the key as PEM");
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	buf_append(out, data, (size_t)n);
out:
	BIO_free(bio);
	return rc;
}
