/*
 * jws.c - JSON Web Signatures for ACME (RFC 7515, RFC 8555 §6.2): the JWK
 * of the account key, its RFC 7638 thumbprint, and flattened JWS objects
 * signed with ES256 (EC P-256) or RS256 (RSA).
 */
#include "tls/internal.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/sha.h>

#include "base/xalloc.h"

/* A big-number parameter of key as base64url of exactly width bytes (0:
 * its natural length). */
static char *bn_param(EVP_PKEY *key, const char *name, int width)
{
	BIGNUM *bn = NULL;
	unsigned char raw[1024];
	char *out = NULL;
	int n;

	if (!EVP_PKEY_get_bn_param(key, name, &bn))
		return NULL;
	n = width ? width : BN_num_bytes(bn);
	if (n > 0 && n <= (int)sizeof(raw) && BN_bn2binpad(bn, raw, n) == n)
		out = tls_b64url(raw, (size_t)n);
	BN_free(bn);
	return out;
}

char *tls_jwk_json(EVP_PKEY *key, struct err *e)
{
	char *a = NULL, *b = NULL, *out = NULL;

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
		a = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32);
		b = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
		if (a && b)
			out = xasprintf("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
					a, b);
	} else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
		a = bn_param(key, OSSL_PKEY_PARAM_RSA_E, 0);
		b = bn_param(key, OSSL_PKEY_PARAM_RSA_N, 0);
		if (a && b)
			out = xasprintf("{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", a, b);
	}
	if (out == NULL)
		err_set(e, ERR_INVALID, "cannot describe the key as a JWK");
	free(a);
	free(b);
	return out;
}

int tls_jwk_thumbprint(EVP_PKEY *key, char out[64], struct err *e)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *jwk = tls_jwk_json(key, e), *b;

	if (jwk == NULL)
		return ERR_INVALID;
	SHA256((const unsigned char *)jwk, strlen(jwk), md);
	b = tls_b64url(md, sizeof(md));
	snprintf(out, 64, "%s", b);
	free(b);
	free(jwk);
	return 0;
}

const char *tls_jws_alg(EVP_PKEY *key)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		return "ES256";
	case EVP_PKEY_RSA:
		return "RS256";
	default:
		return NULL;
	}
}

/* ECDSA's DER signature as the fixed 64-byte r||s that JWS wants. */
static int ecdsa_raw(const unsigned char *der, size_t len, unsigned char out[64])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int ok;

	if (sig == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

/* base64url of the signature over input. */
static char *sign(EVP_PKEY *key, const char *input, struct err *e)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *sig = NULL, raw[64];
	size_t len = 0;
	char *out = NULL;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &len, (const unsigned char *)input, strlen(input)) != 1)
		goto fail;
	sig = xmalloc(len);
	if (EVP_DigestSign(md, sig, &len, (const unsigned char *)input, strlen(input)) != 1)
		goto fail;
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
		if (ecdsa_raw(sig, len, raw) < 0)
			goto fail;
		out = tls_b64url(raw, sizeof(raw));
	} else {
		out = tls_b64url(sig, len);
	}
	goto done;
fail:
	tls_ossl_err(e, "cannot sign");
done:
	free(sig);
	EVP_MD_CTX_free(md);
	return out;
}

static json_t *protected_header(EVP_PKEY *key, const char *kid, const char *nonce,
				const char *url, struct err *e)
{
	json_t *h = json_pack("{s:s, s:s, s:s}", "alg", tls_jws_alg(key), "nonce", nonce,
			      "url", url);
	char *jwk;

	if (h == NULL) {
		err_set(e, ERR_INVALID, "cannot build the JWS header");
		return NULL;
	}
	if (kid != NULL) {
		json_object_set_new(h, "kid", json_string(kid));
		return h;
	}
	jwk = tls_jwk_json(key, e);
	if (jwk == NULL) {
		json_decref(h);
		return NULL;
	}
	json_object_set_new(h, "jwk", json_loads(jwk, 0, NULL));
	free(jwk);
	return h;
}

char *tls_jws_sign(EVP_PKEY *key, const char *kid, const char *nonce, const char *url,
		   const char *payload, struct err *e)
{
	json_t *h = NULL;
	char *hdr = NULL, *p64 = NULL, *h64 = NULL, *input = NULL, *sig = NULL, *out = NULL;

	if (tls_jws_alg(key) == NULL) {
		err_set(e, ERR_INVALID, "the account key is neither EC P-256 nor RSA");
		return NULL;
	}
	if ((h = protected_header(key, kid, nonce, url, e)) == NULL)
		return NULL;
	hdr = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
	h64 = tls_b64url(hdr, strlen(hdr));
	p64 = payload ? tls_b64url(payload, strlen(payload)) : xstrdup("");
	input = xasprintf("%s.%s", h64, p64);
	sig = sign(key, input, e);
	if (sig != NULL)
		out = xasprintf("{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"}",
				h64, p64, sig);
	json_decref(h);
	free(hdr);
	free(h64);
	free(p64);
	free(input);
	free(sig);
	return out;
}
