/*
 * ca_node.c - node certificates signed by orca's own CA (tls/ca.h), for
 * the nodes of a cluster: the CA's files are read here, made by
 * tls_ca_ensure_leaf when missing.
 */
#include "tls/node_cert.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/xalloc.h"
#include "tls/ca.h"

#define NAMES_MAX 64
#define LEAF "cluster"   /* the listener's own leaf: made with the CA */

static int fail(struct err *e, const char *what)
{
	char msg[256];
	unsigned long code = ERR_get_error();

	ERR_error_string_n(code, msg, sizeof(msg));
	ERR_clear_error();
	return err_set(e, ERR_FAIL, "%s: %s", what, code ? msg : "failed");
}

/* The CA of dir; made (with a throwaway leaf) when there is none yet. */
static int ca_load(const char *dir, X509 **ca, EVP_PKEY **key, struct err *e)
{
	char *cpath = tls_ca_cert_path(dir), *kpath = xasprintf("%s/ca.key", dir);
	FILE *fc, *fk;
	int rc = 0;

	*ca = NULL;
	*key = NULL;
	if (access(cpath, R_OK) < 0)
		rc = tls_ca_ensure_leaf(dir, LEAF, NULL, 0, NULL, e);
	fc = rc == 0 ? fopen(cpath, "re") : NULL;
	fk = rc == 0 ? fopen(kpath, "re") : NULL;
	if (fc)
		*ca = PEM_read_X509(fc, NULL, NULL, NULL);
	if (fk)
		*key = PEM_read_PrivateKey(fk, NULL, NULL, NULL);
	if (rc == 0 && (*ca == NULL || *key == NULL || X509_check_private_key(*ca, *key) != 1))
		rc = err_set(e, ERR_INVALID, "'%s' and '%s' are not the CA and its key", cpath,
			     kpath);
	ERR_clear_error();
	if (fc)
		fclose(fc);
	if (fk)
		fclose(fk);
	free(cpath);
	free(kpath);
	return rc;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int set_serial(X509 *x)
{
	unsigned char raw[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return 0;
	raw[0] &= 0x7f;   /* positive */
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

/* "DNS:a,IP:10.0.0.2,...". */
static void alt_names(const char *const *names, size_t n, struct buf *b)
{
	struct in6_addr a6;
	struct in_addr a4;

	for (size_t i = 0; i < n; i++) {
		int ip = inet_pton(AF_INET, names[i], &a4) == 1 ||
			 inet_pton(AF_INET6, names[i], &a6) == 1;

		buf_printf(b, "%s%s:%s", b->len ? "," : "", ip ? "IP" : "DNS", names[i]);
	}
}

static X509_REQ *read_csr(const char *pem, size_t len, struct err *e)
{
	BIO *b;
	X509_REQ *req;
	EVP_PKEY *pub;

	if (len > TLS_CA_CSR_MAX) {
		err_set(e, ERR_TOOBIG, "certificate request of %zu bytes is over %d", len,
			TLS_CA_CSR_MAX);
		return NULL;
	}
	b = BIO_new_mem_buf(pem, (int)len);
	req = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	pub = req ? X509_REQ_get0_pubkey(req) : NULL;
	if (req == NULL || pub == NULL || X509_REQ_verify(req, pub) != 1) {
		ERR_clear_error();
		err_set(e, ERR_INVALID, "not a PEM certificate request signed by its own key");
		X509_REQ_free(req);
		return NULL;
	}
	if (!((EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC && EVP_PKEY_get_bits(pub) == 256) ||
	      (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pub) >= 2048))) {
		err_set(e, ERR_INVALID, "a node key must be EC P-256 or RSA of 2048 bits or more");
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}

static void serial_hex(X509 *x, char out[65])
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	out[0] = '\0';
	if (hex && strlen(hex) < 65)
		snprintf(out, 65, "%s", hex);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	OPENSSL_free(hex);
	BN_free(bn);
}

static X509 *leaf_new(X509 *ca, EVP_PKEY *pub, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (x == NULL || !X509_set_version(x, 2) || !set_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)TLS_CA_NODE_DAYS * 86400) ||
	    !X509_set_pubkey(x, pub) || !X509_set_issuer_name(x, X509_get_subject_name(ca)))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)"orca node", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0))
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

static int pem_out(X509 *x, struct buf *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc = -1;

	if (b && PEM_write_bio_X509(b, x) && (n = BIO_get_mem_data(b, &data)) > 0) {
		buf_append(out, data, (size_t)n);
		rc = 0;
	}
	BIO_free(b);
	return rc;
}

int tls_ca_sign_csr(const char *dir, const char *csr_pem, size_t len, const char *cn,
		    const char *const *names, size_t n, struct buf *out, char serial[65],
		    struct err *e)
{
	X509 *ca = NULL, *x = NULL;
	EVP_PKEY *cakey = NULL;
	X509_REQ *req = NULL;
	struct buf san = BUF_INIT;
	int rc;

	if (n > NAMES_MAX)
		return err_set(e, ERR_TOOBIG, "more than %d names for one certificate", NAMES_MAX);
	if ((rc = ca_load(dir, &ca, &cakey, e)) < 0)
		goto out;
	if ((req = read_csr(csr_pem, len, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	alt_names(names, n, &san);
	x = leaf_new(ca, X509_REQ_get0_pubkey(req), cn);
	if (x == NULL || !add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, ca, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(x, ca, NID_ext_key_usage, "serverAuth,clientAuth") ||
	    !add_ext(x, ca, NID_authority_key_identifier, "keyid:always") ||
	    (san.len && !add_ext(x, ca, NID_subject_alt_name, buf_str(&san))) ||
	    !X509_sign(x, cakey, EVP_sha256()) || pem_out(x, out) < 0)
		rc = fail(e, "sign the node certificate");
	else
		serial_hex(x, serial);
out:
	buf_release(&san);
	X509_REQ_free(req);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	return rc < 0 ? err_wrap(e, "node certificate '%s'", cn) : 0;
}

int tls_ca_public(const char *dir, struct buf *pem, char sha256[65], struct err *e)
{
	X509 *ca = NULL;
	EVP_PKEY *key = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = ca_load(dir, &ca, &key, e);

	if (rc == 0 && (pem_out(ca, pem) < 0 || !X509_digest(ca, EVP_sha256(), md, &mdlen) ||
			mdlen != 32))
		rc = fail(e, "read the CA certificate");
	for (unsigned int i = 0; rc == 0 && i < mdlen; i++)
		snprintf(sha256 + 2 * i, 3, "%02x", md[i]);
	X509_free(ca);
	EVP_PKEY_free(key);
	return rc < 0 ? err_wrap(e, "cluster CA in '%s'", dir) : 0;
}
