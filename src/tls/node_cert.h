/*
 * node_cert.h - a node's side of its certificate: the key it makes, the
 * request it sends when it joins, and reading back what it was given.
 *
 * The key is EC P-256 and never leaves the node; the server's CA signs the
 * request (tls/ca.h, tls_ca_sign_csr) with the node name as CN. Library
 * code: never logs.
 */
#ifndef ORCA_TLS_NODE_CERT_H
#define ORCA_TLS_NODE_CERT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define TLS_NODE_PEM_MAX (64 * 1024)

/*
 * The server's side (the CA in dir, <data>/ca, made by tls/ca.h when
 * missing). Signs a PEM certificate request: CN = cn, subjectAltName the
 * names (addresses or DNS names, may be none), serverAuth and clientAuth,
 * TLS_CA_NODE_DAYS. The request must be signed by its own key (EC P-256 or
 * RSA >= 2048); its subject and extensions are ignored. Appends the
 * certificate (PEM) to out and its serial (lowercase hex) to serial.
 */
#define TLS_CA_NODE_DAYS 365
#define TLS_CA_CSR_MAX (16 * 1024)
int tls_ca_sign_csr(const char *dir, const char *csr_pem, size_t len, const char *cn,
		    const char *const *names, size_t n, struct buf *out, char serial[65],
		    struct err *e);
/* The CA certificate of dir (made when missing) as PEM, appended to pem,
 * and the hex SHA-256 of its DER (join tokens pin it). */
int tls_ca_public(const char *dir, struct buf *pem, char sha256[65], struct err *e);

/* A new key (PEM, into key_pem; the caller wipes and releases it) and a
 * certificate request for CN = node (PEM, into csr_pem). */
int tls_node_csr(const char *node, struct buf *key_pem, struct buf *csr_pem,
		 struct err *e);

/* The CN and serial (lowercase hex) of the first certificate in pem. */
int tls_cert_identity(const char *pem, size_t len, char *cn, size_t cnsz, char *serial,
		      size_t serialsz, struct err *e);

/* hex SHA-256 of the DER of the first certificate in pem (65 bytes). */
int tls_cert_fingerprint(const char *pem, size_t len, char out[65], struct err *e);

#endif
