/*
 * ca.c - a small CA and the leaves it signs (see ca.h). OpenSSL 3.
 */
#include "tls/ca.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/buf.h"
#include "base/xalloc.h"

#define CA_DAYS 3650
#define LEAF_DAYS 365
#define NAMES_MAX 64

static int ossl_fail(struct err *e, const char *what)
{
	char msg[256];
	unsigned long code = ERR_get_error();

	ERR_error_string_n(code, msg, sizeof(msg));
	ERR_clear_error();
	return err_set(e, ERR_FAIL, "%s: %s", what, code ? msg : "failed");
}

char *tls_ca_cert_path(const char *dir)
{
	return xasprintf("%s/ca.pem", dir);
}

char *tls_ca_leaf_path(const char *dir, const char *name, const char *ext)
{
	return xasprintf("%s/%s.%s", dir, name, ext);
}

static EVP_PKEY *new_key(struct err *e)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (k == NULL)
		ossl_fail(e, "generate an EC P-256 key");
	return k;
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

/* A certificate for key, named cn, valid days from now; not yet signed. */
static X509 *cert_new(EVP_PKEY *key, const char *cn, int days)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (x == NULL || !X509_set_version(x, 2) || !set_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) ||
	    !X509_set_pubkey(x, key))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"orca",
					-1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0))
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

/* Writes text to path (mode 0600) through a temporary file and rename. */
static int write_file(const char *path, const struct buf *text, struct err *e)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc = 0;

	if (fd < 0) {
		rc = err_errno(e, errno, "create '%s'", tmp);
	} else {
		if (fchmod(fd, 0600) < 0 || write(fd, text->data, text->len) != (ssize_t)text->len ||
		    fsync(fd) < 0)
			rc = err_errno(e, errno, "write '%s'", tmp);
		close(fd);
		if (rc == 0 && rename(tmp, path) < 0)
			rc = err_errno(e, errno, "rename '%s'", tmp);
		if (rc < 0)
			unlink(tmp);
	}
	free(tmp);
	return rc;
}

static int pem_out(BIO *b, struct buf *out)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);

	if (n <= 0)
		return -1;
	buf_append(out, data, (size_t)n);
	return 0;
}

static int save(const char *dir, const char *name, X509 *x, EVP_PKEY *key,
		struct err *e)
{
	BIO *bc = BIO_new(BIO_s_mem()), *bk = BIO_new(BIO_s_mem());
	struct buf cert = BUF_INIT, pkey = BUF_INIT;
	char *cpath = tls_ca_leaf_path(dir, name, "pem");
	char *kpath = tls_ca_leaf_path(dir, name, "key");
	int rc;

	if (bc == NULL || bk == NULL || !PEM_write_bio_X509(bc, x) ||
	    !PEM_write_bio_PrivateKey(bk, key, NULL, NULL, 0, NULL, NULL) ||
	    pem_out(bc, &cert) < 0 || pem_out(bk, &pkey) < 0)
		rc = ossl_fail(e, "encode a certificate");
	else if ((rc = write_file(kpath, &pkey, e)) == 0)
		rc = write_file(cpath, &cert, e);
	OPENSSL_cleanse(pkey.data, pkey.len);
	buf_release(&cert);
	buf_release(&pkey);
	BIO_free(bc);
	BIO_free(bk);
	free(cpath);
	free(kpath);
	return rc;
}

/* Loads NAME.pem and NAME.key: 1 when both are there, 0 when neither. */
static int load(const char *dir, const char *name, X509 **x, EVP_PKEY **key,
		struct err *e)
{
	char *cpath = tls_ca_leaf_path(dir, name, "pem");
	char *kpath = tls_ca_leaf_path(dir, name, "key");
	FILE *fc = fopen(cpath, "re"), *fk = fopen(kpath, "re");
	int rc = 0;

	*x = NULL;
	*key = NULL;
	if (fc != NULL)
		*x = PEM_read_X509(fc, NULL, NULL, NULL);
	if (fk != NULL)
		*key = PEM_read_PrivateKey(fk, NULL, NULL, NULL);
	if (fc == NULL && fk == NULL && errno == ENOENT)
		rc = 0;
	else if (*x == NULL || *key == NULL || X509_check_private_key(*x, *key) != 1)
		rc = err_set(e, ERR_INVALID, "'%s' and '%s' are not a certificate and its "
			     "key", cpath, kpath);
	else
		rc = 1;
	ERR_clear_error();
	if (fc)
		fclose(fc);
	if (fk)
		fclose(fk);
	free(cpath);
	free(kpath);
	return rc;
}

static int make_ca(const char *dir, X509 **ca, EVP_PKEY **key, struct err *e)
{
	char cn[128], host[64] = "";
	int rc = 0;

	gethostname(host, sizeof(host) - 1);
	snprintf(cn, sizeof(cn), "orca CA %s", host[0] ? host : "");
	if ((*key = new_key(e)) == NULL)
		return e->code;
	*ca = cert_new(*key, cn, CA_DAYS);
	if (*ca == NULL || !X509_set_issuer_name(*ca, X509_get_subject_name(*ca)) ||
	    !add_ext(*ca, *ca, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    !add_ext(*ca, *ca, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    !add_ext(*ca, *ca, NID_subject_key_identifier, "hash") ||
	    !X509_sign(*ca, *key, EVP_sha256()))
		rc = ossl_fail(e, "make the CA certificate");
	if (rc == 0)
		rc = save(dir, "ca", *ca, *key, e);
	return rc;
}

/* "DNS:a,IP:127.0.0.1,...": what subjectAltName says. */
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

static int make_leaf(const char *dir, const char *name, X509 *ca, EVP_PKEY *cakey,
		     const char *const *names, size_t n, struct err *e)
{
	EVP_PKEY *key = new_key(e);
	struct buf san = BUF_INIT;
	X509 *x = NULL;
	int rc = 0;

	if (key == NULL)
		return e->code;
	alt_names(names, n, &san);
	x = cert_new(key, n ? names[0] : name, LEAF_DAYS);
	if (x == NULL || !X509_set_issuer_name(x, X509_get_subject_name(ca)) ||
	    !add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, ca, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(x, ca, NID_ext_key_usage, "serverAuth,clientAuth") ||
	    !add_ext(x, ca, NID_authority_key_identifier, "keyid:always") ||
	    (san.len && !add_ext(x, ca, NID_subject_alt_name, buf_str(&san))) ||
	    !X509_sign(x, cakey, EVP_sha256()))
		rc = ossl_fail(e, "make the server certificate");
	if (rc == 0)
		rc = save(dir, name, x, key, e);
	buf_release(&san);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static int covers(X509 *x, const char *name)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, name, &a4) == 1 || inet_pton(AF_INET6, name, &a6) == 1)
		return X509_check_ip_asc(x, name, 0) == 1;
	return X509_check_host(x, name, 0, X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1;
}

/* Does the leaf still do: signed by ca, names covered, not near its end? */
static int leaf_ok(X509 *x, X509 *ca, const char *const *names, size_t n)
{
	time_t soon = time(NULL) + (time_t)TLS_CA_RENEW_DAYS * 86400;
	EVP_PKEY *capub = X509_get0_pubkey(ca);

	if (capub == NULL || X509_verify(x, capub) != 1 ||
	    X509_cmp_time(X509_get0_notAfter(x), &soon) <= 0) {
		ERR_clear_error();
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!covers(x, names[i]))
			return 0;
	return 1;
}

static int ensure_dir(const char *dir, struct err *e)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_errno(e, errno, "create '%s'", dir);
	if (stat(dir, &st) < 0)
		return err_errno(e, errno, "stat '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ERR_INVALID, "'%s' is not a directory", dir);
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) < 0)
		return err_errno(e, errno, "chmod '%s'", dir);
	return 0;
}

int tls_ca_ensure_leaf(const char *dir, const char *name,
		       const char *const *names, size_t n, int *reissued,
		       struct err *e)
{
	X509 *ca = NULL, *leaf = NULL;
	EVP_PKEY *cakey = NULL, *key = NULL;
	struct err ignored = { 0 };
	int rc;

	if (reissued)
		*reissued = 0;
	if (n > NAMES_MAX)
		return err_set(e, ERR_TOOBIG, "more than %d names for one certificate", NAMES_MAX);
	rc = ensure_dir(dir, e);
	if (rc == 0)
		rc = load(dir, "ca", &ca, &cakey, e);
	if (rc == 0)
		rc = make_ca(dir, &ca, &cakey, e);
	if (rc < 0)
		goto out;
	/* a leaf that is missing, broken or short of what it must be: anew */
	if (load(dir, name, &leaf, &key, &ignored) != 1 || !leaf_ok(leaf, ca, names, n)) {
		rc = make_leaf(dir, name, ca, cakey, names, n, e);
		if (rc == 0 && reissued)
			*reissued = 1;
	}
out:
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	return rc < 0 ? err_wrap(e, "TLS in '%s'", dir) : 0;
}
