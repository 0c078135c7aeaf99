/*
 * http_peer_cert.c - who a TLS client says it is, by its certificate.
 *
 * The listener's SSL_CTX decides whether a certificate is asked for and
 * which CAs it must chain to (the cluster listener: SSL_VERIFY_PEER against
 * the cluster CA). Here only a certificate that OpenSSL verified counts.
 *
 * h2o 2.2.5 has no accessor for a socket's SSL object: it lives in the
 * private struct st_h2o_socket_ssl_t (lib/common/socket.c), whose first two
 * members are the SSL_CTX and the SSL. That layout is relied on here, for
 * the version Debian 12 ships (the Makefile links exactly it).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "api/http_int.h"

struct h2o_ssl_head {
	SSL_CTX *ctx;
	SSL *ossl;
};

static void serial_hex(X509 *x, char *out, size_t n)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	out[0] = '\0';
	if (hex && strlen(hex) < n)
		snprintf(out, n, "%s", hex);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	OPENSSL_free(hex);
	BN_free(bn);
}

void http_peer_cert(h2o_socket_t *sock, struct http_peer *p)
{
	SSL *ssl = sock && sock->ssl ? ((struct h2o_ssl_head *)sock->ssl)->ossl : NULL;
	X509 *x = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
	char cn[sizeof(p->cert_cn)];

	p->cert_cn[0] = p->cert_serial[0] = '\0';
	if (x == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
				      (int)sizeof(cn)) <= 0)
		return;
	snprintf(p->cert_cn, sizeof(p->cert_cn), "%s", cn);
	serial_hex(x, p->cert_serial, sizeof(p->cert_serial));
}
