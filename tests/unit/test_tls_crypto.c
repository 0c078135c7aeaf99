/*
 * test_tls_crypto.c - the pure crypto of tls/: base64url, keys, the JWK and
 * its RFC 7638 thumbprint, JWS signatures (verified independently with
 * OpenSSL), the CSR, and what certinfo reads out of certificates.
 */
#include "unit.h"
#include "tls_fixture.h"

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>

/* base64url decode for checking: a malloc'd buffer of *len bytes. */
static unsigned char *unb64(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *std = xmalloc(n + 4);
	unsigned char *out = xmalloc(n + 4);
	int k;

	for (size_t i = 0; i < n; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (n % 4)
		std[n++] = '=';
	std[n] = '\0';
	k = EVP_DecodeBlock(out, (unsigned char *)std, (int)n);
	*len = k < 0 ? 0 : (size_t)k - (size_t)(n && std[n - 1] == '=') -
			   (size_t)(n > 1 && std[n - 2] == '=');
	free(std);
	return out;
}

static char *unb64_str(const char *s)
{
	size_t n;
	unsigned char *b = unb64(s, &n);
	char *out = xstrndup((char *)b, n);

	free(b);
	return out;
}

TEST(b64url_rfc4648_vectors)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
	};
	const unsigned char url[] = { 0xfb, 0xff, 0xbf };
	char *s;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		s = tls_b64url(v[i].in, strlen(v[i].in));
		EXPECT_STREQ(v[i].out, s);
		free(s);
	}
	s = tls_b64url(url, sizeof(url));
	EXPECT_STREQ("-_-_", s);   /* '+' and '/' become '-' and '_' */
	free(s);
}

/* The RSA public key of RFC 7638 §3.1. */
static EVP_PKEY *rfc7638_key(void)
{
	static const char n64[] =
		"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
		"tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4Qy"
		"Q5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpb"
		"ISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCu"
		"r-kEgU8awapJzKnqDKgw";
	size_t nlen;
	unsigned char *nraw = unb64(n64, &nlen);
	BIGNUM *n = BN_bin2bn(nraw, (int)nlen, NULL), *e = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *k = NULL;

	BN_set_word(e, 65537);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_fromdata_init(ctx);
	EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	free(nraw);
	return k;
}

TEST(jwk_thumbprint_matches_rfc7638)
{
	EVP_PKEY *k = rfc7638_key();
	struct err e = { 0 };
	char tp[64] = "";
	char *jwk;

	EXPECT_NOT_NULL(k);
	EXPECT_EQ_INT(0, tls_jwk_thumbprint(k, tp, &e));
	EXPECT_STREQ("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", tp);
	jwk = tls_jwk_json(k, &e);
	EXPECT_TRUE(strncmp(jwk, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"0vx7", 32) == 0);
	free(jwk);
	EVP_PKEY_free(k);
}

TEST(jwk_of_an_ec_key_has_fixed_width_coordinates)
{
	struct err e = { 0 };

	for (int i = 0; i < 20; i++) {   /* some coordinates have leading zeros */
		EVP_PKEY *k = tls_key_new_ec(&e);
		char *jwk = tls_jwk_json(k, &e);
		json_t *j = json_loads(jwk, 0, NULL);

		EXPECT_STREQ("EC", json_string_value(json_object_get(j, "kty")));
		EXPECT_STREQ("P-256", json_string_value(json_object_get(j, "crv")));
		EXPECT_EQ_INT(43, strlen(json_string_value(json_object_get(j, "x"))));
		EXPECT_EQ_INT(43, strlen(json_string_value(json_object_get(j, "y"))));
		EXPECT_EQ_INT(4, json_object_size(j));
		json_decref(j);
		free(jwk);
		EVP_PKEY_free(k);
	}
}

/* Verifies a flattened JWS with key; returns its protected header. */
static json_t *verify_jws(const char *jws, EVP_PKEY *key, char **payload)
{
	json_t *j = json_loads(jws, 0, NULL);
	const char *p = json_string_value(json_object_get(j, "protected"));
	const char *pl = json_string_value(json_object_get(j, "payload"));
	const char *sg = json_string_value(json_object_get(j, "signature"));
	char *input = xasprintf("%s.%s", p, pl), *hdr = unb64_str(p);
	size_t siglen;
	unsigned char *sig = unb64(sg, &siglen), *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	json_t *h = json_loads(hdr, 0, NULL);
	int ok, derlen = (int)siglen;

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
		ECDSA_SIG *es = ECDSA_SIG_new();

		EXPECT_EQ_INT(64, siglen);
		ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
		derlen = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
	}
	EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key);
	ok = EVP_DigestVerify(md, der ? der : sig, (size_t)derlen, (unsigned char *)input,
			      strlen(input));
	EXPECT_EQ_INT(1, ok);
	*payload = unb64_str(pl);
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	free(sig);
	free(input);
	free(hdr);
	json_decref(j);
	return h;
}

TEST(jws_es256_with_jwk_then_kid)
{
	struct err e = { 0 };
	EVP_PKEY *k = tls_key_new_ec(&e);
	char *jws = tls_jws_sign(k, NULL, "nonce-1", "https://ca/new-acct",
				 "{\"termsOfServiceAgreed\":true}", &e);
	char *payload = NULL;
	json_t *h = verify_jws(jws, k, &payload);

	EXPECT_STREQ("ES256", json_string_value(json_object_get(h, "alg")));
	EXPECT_STREQ("nonce-1", json_string_value(json_object_get(h, "nonce")));
	EXPECT_STREQ("https://ca/new-acct", json_string_value(json_object_get(h, "url")));
	EXPECT_TRUE(json_is_object(json_object_get(h, "jwk")));
	EXPECT_NULL(json_object_get(h, "kid"));
	EXPECT_STREQ("{\"termsOfServiceAgreed\":true}", payload);
	json_decref(h);
	free(payload);
	free(jws);

	/* POST-as-GET: kid instead of jwk, empty payload */
	jws = tls_jws_sign(k, "https://ca/acct/1", "nonce-2", "https://ca/order/1", NULL, &e);
	EXPECT_CONTAINS(jws, "\"payload\":\"\"");
	h = verify_jws(jws, k, &payload);
	EXPECT_STREQ("https://ca/acct/1", json_string_value(json_object_get(h, "kid")));
	EXPECT_NULL(json_object_get(h, "jwk"));
	EXPECT_STREQ("", payload);
	json_decref(h);
	free(payload);
	free(jws);
	EVP_PKEY_free(k);
}

TEST(jws_rs256)
{
	struct err e = { 0 };
	EVP_PKEY *k = EVP_RSA_gen(2048);
	char *jws = tls_jws_sign(k, "https://ca/acct/2", "n", "https://ca/x", "{}", &e);
	char *payload = NULL;
	json_t *h = verify_jws(jws, k, &payload);

	EXPECT_STREQ("RS256", json_string_value(json_object_get(h, "alg")));
	json_decref(h);
	free(payload);
	free(jws);
	EVP_PKEY_free(k);
}

TEST(keys_round_trip_and_weak_ones_are_refused)
{
	struct err e = { 0 };
	EVP_PKEY *k = tls_key_new_ec(&e), *back, *weak;
	char *pem = fx_key_pem(k);

	back = tls_key_from_pem(pem, strlen(pem), &e);
	EXPECT_NOT_NULL(back);
	EXPECT_EQ_INT(1, EVP_PKEY_eq(k, back));
	EVP_PKEY_free(back);
	free(pem);

	weak = EVP_EC_gen("P-384");
	pem = fx_key_pem(weak);
	EXPECT_NULL(tls_key_from_pem(pem, strlen(pem), &e));
	EXPECT_STREQ("an EC key must be on the P-256 curve", e.msg);
	free(pem);
	EVP_PKEY_free(weak);

	weak = EVP_RSA_gen(1024);
	pem = fx_key_pem(weak);
	EXPECT_NULL(tls_key_from_pem(pem, strlen(pem), &e));
	EXPECT_STREQ("an RSA key must have at least 2048 bits", e.msg);
	free(pem);
	EVP_PKEY_free(weak);

	EXPECT_NULL(tls_key_from_pem("not a key", 9, &e));
	EXPECT_CONTAINS(e.msg, "no PEM private key");
	EVP_PKEY_free(k);
}

TEST(csr_names_the_domains_and_is_signed)
{
	struct err e = { 0 };
	EVP_PKEY *k = tls_key_new_ec(&e);
	const char *names[] = { "app.example.com", "www.example.com" };
	char *b64 = tls_csr_b64url(k, names, 2, &e), cn[128] = "";
	size_t len;
	unsigned char *der = unb64(b64, &len);
	const unsigned char *p = der;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
	STACK_OF(X509_EXTENSION) *exts;
	GENERAL_NAMES *gens;

	EXPECT_NOT_NULL(req);
	EXPECT_EQ_INT(1, X509_REQ_verify(req, k));
	X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn, sizeof(cn));
	EXPECT_STREQ("app.example.com", cn);
	exts = X509_REQ_get_extensions(req);
	gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	EXPECT_EQ_INT(2, sk_GENERAL_NAME_num(gens));
	EXPECT_STREQ("www.example.com",
		     (const char *)ASN1_STRING_get0_data(sk_GENERAL_NAME_value(gens, 1)->d.dNSName));
	EXPECT_NULL(tls_csr_b64url(k, names, 0, &e));
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	free(der);
	free(b64);
	EVP_PKEY_free(k);
}

TEST(certinfo_reads_validity_issuer_and_names)
{
	struct err e = { 0 };
	EVP_PKEY *ca = tls_key_new_ec(&e), *k = tls_key_new_ec(&e);
	const char *sans[] = { "App.Example.com", "*.api.example.com" };
	/* UTCTime before 2050, GeneralizedTime after */
	X509 *x = fx_cert(k, sans, 2, "20250101000000Z", "20510101000030Z", ca, "Test CA 1");
	char *pem = fx_cert_pem(x);
	struct tls_certinfo ci;

	EXPECT_EQ_INT(0, tls_certinfo_from_pem(pem, strlen(pem), &ci, &e));
	EXPECT_EQ_INT(1735689600, ci.not_before);   /* 2025-01-01T00:00:00Z */
	EXPECT_EQ_INT(2556144030, ci.not_after);    /* 2051-01-01T00:00:30Z */
	EXPECT_STREQ("Test CA 1", ci.issuer);
	EXPECT_STREQ("App.Example.com", ci.subject);
	EXPECT_EQ_INT(2, ci.nnames);
	EXPECT_STREQ("app.example.com", ci.names[0]);   /* lowercased */
	EXPECT_TRUE(tls_certinfo_covers(&ci, "app.example.com"));
	EXPECT_TRUE(tls_certinfo_covers(&ci, "v1.api.example.com"));
	EXPECT_TRUE(tls_certinfo_covers(&ci, "*.api.example.com"));
	EXPECT_FALSE(tls_certinfo_covers(&ci, "api.example.com"));
	EXPECT_FALSE(tls_certinfo_covers(&ci, "a.v1.api.example.com"));
	EXPECT_FALSE(tls_certinfo_covers(&ci, "example.com"));
	tls_certinfo_release(&ci);
	free(pem);
	X509_free(x);
	EVP_PKEY_free(ca);
	EVP_PKEY_free(k);
}

TEST(certinfo_refuses_garbage_and_inverted_validity)
{
	struct err e = { 0 };
	struct tls_certinfo ci;
	EVP_PKEY *k = tls_key_new_ec(&e);
	const char *sans[] = { "a.example.com" };
	X509 *x = fx_cert(k, sans, 1, "20300101000000Z", "20250101000000Z", NULL, NULL);
	char *pem = fx_cert_pem(x);

	EXPECT_EQ_INT(ERR_INVALID, tls_certinfo_from_pem("junk", 4, &ci, &e));
	EXPECT_STREQ("no PEM certificate", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, tls_certinfo_from_pem(pem, strlen(pem), &ci, &e));
	EXPECT_CONTAINS(e.msg, "notAfter is not after its notBefore");
	free(pem);
	X509_free(x);
	EVP_PKEY_free(k);
}

TEST(chain_keeps_order_and_is_capped)
{
	struct err e = { 0 };
	char *one = fx_bundle("a.example.com", "20250101000000Z", "20350101000000Z");
	struct buf b = BUF_INIT;
	STACK_OF(X509) *chain;

	for (int i = 0; i < TLS_CHAIN_MAX + 3; i++)
		buf_puts(&b, one);
	chain = tls_chain_from_pem(b.data, b.len, &e);
	EXPECT_EQ_INT(TLS_CHAIN_MAX, sk_X509_num(chain));
	sk_X509_pop_free(chain, X509_free);
	buf_release(&b);
	free(one);
}

UNIT_MAIN
