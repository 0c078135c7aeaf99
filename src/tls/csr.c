/*
 * csr.c - the PKCS#10 certificate signing request sent to finalize an order
 * (RFC 8555 §7.4): subject CN and DNS subjectAltNames, signed with SHA-256.
 */
#include "tls/internal.h"

#include <string.h>

#include <openssl/x509v3.h>

#include "base/xalloc.h"

static int add_sans(X509_REQ *req, const char *const *names, size_t n)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	X509_EXTENSION *ext = NULL;
	int ok = 0;

	if (exts == NULL || gens == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();

		if (g == NULL || s == NULL || !ASN1_STRING_set(s, names[i], (int)strlen(names[i]))) {
			GENERAL_NAME_free(g);
			ASN1_IA5STRING_free(s);
			goto out;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, s);
		sk_GENERAL_NAME_push(gens, g);
	}
	ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens);
	ok = ext && sk_X509_EXTENSION_push(exts, ext) && X509_REQ_add_extensions(req, exts);
	if (ok)
		ext = NULL;   /* owned by exts now */
out:
	X509_EXTENSION_free(ext);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(gens);
	return ok;
}

char *tls_csr_b64url(EVP_PKEY *key, const char *const *names, size_t nnames,
		     struct err *e)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *subj = X509_NAME_new();
	unsigned char *der = NULL;
	char *out = NULL;
	int len;

	if (nnames == 0 || nnames > TLS_NAMES_MAX) {
		err_set(e, ERR_INVALID, "a CSR needs 1 to %d names", TLS_NAMES_MAX);
		goto out;
	}
	/* A CN holds at most 64 characters; the SANs are what count anyway. */
	if (req == NULL || subj == NULL || !X509_REQ_set_version(req, 0) ||
	    (strlen(names[0]) <= 64 &&
	     !X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
					 (const unsigned char *)names[0], -1, -1, 0)) ||
	    !X509_REQ_set_subject_name(req, subj) || !X509_REQ_set_pubkey(req, key) ||
	    !add_sans(req, names, nnames) || !X509_REQ_sign(req, key, EVP_sha256()) ||
	    (len = i2d_X509_REQ(req, &der)) <= 0) {
		tls_ossl_err(e, "cannot build the CSR");
		goto out;
	}
	out = tls_b64url(der, (size_t)len);
out:
	OPENSSL_free(der);
	X509_NAME_free(subj);
	X509_REQ_free(req);
	return out;
}
