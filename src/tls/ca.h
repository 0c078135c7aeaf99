/*
 * ca.h - orca's own small certificate authority, in a directory.
 *
 * The control API speaks TLS on TCP with a certificate this CA signs, made
 * on first start; clients trust the CA's certificate (ca.pem), which never
 * changes, while the server certificate is reissued when the names it must
 * cover change or it nears its end. Kept apart from the proxy's certificates
 * (tls.h) so that the multi-node work can sign agents' certificates with
 * the same CA later.
 *
 * Files, all mode 0600 in a 0700 directory, written whole (temp + rename):
 *	ca.pem, ca.key         the CA (EC P-256, 10 years, CA:TRUE, pathlen 0)
 *	NAME.pem, NAME.key     a leaf it signed (EC P-256, 1 year, serverAuth)
 * Library code: never logs.
 */
#ifndef ORCA_TLS_CA_H
#define ORCA_TLS_CA_H

#include <stddef.h>

#include "base/err.h"

#define TLS_CA_RENEW_DAYS 30      /* a leaf closer to its end is reissued */

/*
 * Makes sure dir holds a CA and a leaf NAME.pem/NAME.key valid for every
 * name in names[0..n) (DNS names and IP addresses) for at least
 * TLS_CA_RENEW_DAYS more days: creates what is missing, reissues a leaf
 * that falls short or that the CA did not sign. *reissued (may be NULL) is
 * 1 when a leaf was written. An unreadable or mismatched CA is an error,
 * never replaced (clients trust it).
 */
int tls_ca_ensure_leaf(const char *dir, const char *name,
		       const char *const *names, size_t n, int *reissued,
		       struct err *e);

/* The paths of dir's files (malloc'd, the caller frees). */
char *tls_ca_cert_path(const char *dir);
char *tls_ca_leaf_path(const char *dir, const char *name, const char *ext);

#endif
