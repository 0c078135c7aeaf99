/*
 * node_cert.c - a node's key and certificate request, and what its
 * certificate says.
 */
#include "tls/node_cert.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <sodium.h>

static int fail(struct err *e, const char *what)
{
	char msg[200] = "";
	unsigned long code = ERR_get_error();

	if (code)
		ERR_error_string_n(code, msg, sizeof(msg));
	ERR_clear_error();
	return err_set(e, ERR_INVALID, "%s%s%s", what, msg[0] ? ": " : "", msg);
}

static int bio_to_buf(BIO *b, struct buf *out)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);

	if (n <= 0)
		return -1;
	buf_append(out, data, (size_t)n);
	return 0;
}

int tls_node_csr(const char *node, struct buf *key_pem, struct buf *csr_pem, struct err *e)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509_REQ *req = X509_REQ_new();
	BIO *bk = BIO_new(BIO_s_mem()), *br = BIO_new(BIO_s_mem());
	X509_NAME *name;
	int rc = 0;

	if (key == NULL || req == NULL || bk == NULL || br == NULL) {
		rc = fail(e, "make a node key");
		goto out;
	}
	name = X509_REQ_get_subject_name(req);
	if (!X509_REQ_set_version(req, 0) || !X509_REQ_set_pubkey(req, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)node,
					-1, -1, 0) ||
	    !X509_REQ_sign(req, key, EVP_sha256()) ||
	    !PEM_write_bio_PrivateKey(bk, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509_REQ(br, req) || bio_to_buf(bk, key_pem) < 0 ||
	    bio_to_buf(br, csr_pem) < 0)
		rc = fail(e, "make a certificate request");
out:
	EVP_PKEY_free(key);
	X509_REQ_free(req);
	BIO_free(bk);
	BIO_free(br);
	return rc;
}

static X509 *read_cert(const char *pem, size_t len, struct err *e)
{
	BIO *b;
	X509 *x;

	if (len > TLS_NODE_PEM_MAX) {
		err_set(e, ERR_TOOBIG, "certificate of %zu bytes is over %d", len,
			TLS_NODE_PEM_MAX);
		return NULL;
	}
	b = BIO_new_mem_buf(pem, (int)len);
	x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (x == NULL)
		fail(e, "not a PEM certificate");
	return x;
}

int tls_cert_identity(const char *pem, size_t len, char *cn, size_t cnsz, char *serial,
		      size_t serialsz, struct err *e)
{
	X509 *x = read_cert(pem, len, e);
	BIGNUM *bn = NULL;
	char *hex = NULL;
	int rc = 0;

	if (x == NULL)
		return e->code;
	cn[0] = serial[0] = '\0';
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
				      (int)cnsz) < 0)
		cn[0] = '\0';
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	if (hex == NULL) {
		rc = fail(e, "read the certificate's serial");
	} else {
		for (char *p = hex; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		snprintf(serial, serialsz, "%s", hex);
	}
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	return rc;
}

int tls_cert_fingerprint(const char *pem, size_t len, char out[65], struct err *e)
{
	X509 *x = read_cert(pem, len, e);
	unsigned char *der = NULL, h[crypto_hash_sha256_BYTES];
	int n;

	if (x == NULL)
		return e->code;
	n = i2d_X509(x, &der);
	X509_free(x);
	if (n <= 0)
		return fail(e, "encode the certificate");
	crypto_hash_sha256(h, der, (unsigned long long)n);
	OPENSSL_free(der);
	for (size_t i = 0; i < sizeof(h); i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	return 0;
}
