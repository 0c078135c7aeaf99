/*
 * test_node_cert.c - node certificates: a key and request made on the node,
 * signed by the cluster CA, read back; bad requests refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/xalloc.h"
#include "tls/ca.h"
#include "tls/node_cert.h"
#include "unit.h"

static char *tmpdir(void)
{
	char *d = xstrdup("/tmp/orca-nodecert-XXXXXX");

	if (mkdtemp(d) == NULL)
		abort();
	return d;
}

static void rmdir_all(char *d)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", d);
	if (system(cmd) != 0)
		abort();
	free(d);
}

static X509 *pem_cert(const struct buf *b)
{
	BIO *bio = BIO_new_mem_buf(b->data, (int)b->len);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	BIO_free(bio);
	return x;
}

TEST(sign_and_read_back)
{
	char *dir = tmpdir(), *cadir = xasprintf("%s/ca", dir);
	struct buf key = BUF_INIT, csr = BUF_INIT, cert = BUF_INIT, ca = BUF_INIT;
	const char *names[] = { "10.99.0.12" };
	char serial[65] = "", cn[64], serial2[65], fp[65], cafp[65];
	struct err e = { 0 };
	X509 *x, *cax;

	EXPECT_EQ_INT(0, tls_node_csr("worker-b", &key, &csr, &e));
	EXPECT_TRUE(strstr(buf_str(&key), "PRIVATE KEY") != NULL);
	EXPECT_EQ_INT(0, tls_ca_sign_csr(cadir, csr.data, csr.len, "worker-b", names, 1, &cert,
					 serial, &e));
	EXPECT_TRUE(strlen(serial) > 8);
	EXPECT_EQ_INT(0, tls_cert_identity(cert.data, cert.len, cn, sizeof(cn), serial2,
					   sizeof(serial2), &e));
	EXPECT_STREQ("worker-b", cn);
	EXPECT_STREQ(serial, serial2);
	EXPECT_EQ_INT(0, tls_ca_public(cadir, &ca, cafp, &e));
	EXPECT_EQ_INT(0, tls_cert_fingerprint(ca.data, ca.len, fp, &e));
	EXPECT_STREQ(cafp, fp);
	x = pem_cert(&cert);
	cax = pem_cert(&ca);
	EXPECT_TRUE(x != NULL && cax != NULL);
	EXPECT_EQ_INT(1, X509_verify(x, X509_get0_pubkey(cax)));
	EXPECT_EQ_INT(1, X509_check_ip_asc(x, "10.99.0.12", 0));
	EXPECT_TRUE((X509_get_extended_key_usage(x) & XKU_SSL_CLIENT) != 0);
	EXPECT_TRUE((X509_get_extended_key_usage(x) & XKU_SSL_SERVER) != 0);
	X509_free(x);
	X509_free(cax);
	buf_release(&key);
	buf_release(&csr);
	buf_release(&cert);
	buf_release(&ca);
	free(cadir);
	rmdir_all(dir);
}

TEST(two_signings_differ_in_serial)
{
	char *dir = tmpdir(), *cadir = xasprintf("%s/ca", dir);
	struct buf key = BUF_INIT, csr = BUF_INIT, c1 = BUF_INIT, c2 = BUF_INIT;
	char s1[65], s2[65];
	struct err e = { 0 };

	EXPECT_EQ_INT(0, tls_node_csr("c", &key, &csr, &e));
	EXPECT_EQ_INT(0, tls_ca_sign_csr(cadir, csr.data, csr.len, "c", NULL, 0, &c1, s1, &e));
	EXPECT_EQ_INT(0, tls_ca_sign_csr(cadir, csr.data, csr.len, "c", NULL, 0, &c2, s2, &e));
	EXPECT_TRUE(strcmp(s1, s2) != 0);
	buf_release(&key);
	buf_release(&csr);
	buf_release(&c1);
	buf_release(&c2);
	free(cadir);
	rmdir_all(dir);
}

TEST(bad_requests_are_refused)
{
	char *dir = tmpdir(), *cadir = xasprintf("%s/ca", dir);
	struct buf key = BUF_INIT, csr = BUF_INIT, out = BUF_INIT;
	char serial[65];
	struct err e = { 0 };
	char *big = xcalloc(1, TLS_CA_CSR_MAX + 2);

	EXPECT_EQ_INT(ERR_INVALID, tls_ca_sign_csr(cadir, "garbage", 7, "x", NULL, 0, &out,
						   serial, &e));
	EXPECT_TRUE(strstr(e.msg, "certificate request") != NULL);
	memset(big, 'A', TLS_CA_CSR_MAX + 1);
	err_clear(&e);
	EXPECT_EQ_INT(ERR_TOOBIG, tls_ca_sign_csr(cadir, big, strlen(big), "x", NULL, 0, &out,
						  serial, &e));
	/* a request whose signature does not hold */
	EXPECT_EQ_INT(0, tls_node_csr("x", &key, &csr, &e));
	csr.data[csr.len / 2] = csr.data[csr.len / 2] == 'A' ? 'B' : 'A';
	err_clear(&e);
	EXPECT_TRUE(tls_ca_sign_csr(cadir, csr.data, csr.len, "x", NULL, 0, &out, serial, &e) < 0);
	EXPECT_EQ_INT(0, (int)out.len);
	free(big);
	buf_release(&key);
	buf_release(&csr);
	buf_release(&out);
	free(cadir);
	rmdir_all(dir);
}

UNIT_MAIN
