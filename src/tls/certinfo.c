/*
 * certinfo.c - what a certificate says: its validity window (from its own
 * notBefore/notAfter, never file times), issuer, subject and DNS names, and
 * whether it covers a host name. PEM parsing is OpenSSL's.
 */
#include "tls/internal.h"

#include <ctype.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/xalloc.h"

int tls_asn1_time(const ASN1_TIME *t, int64_t *out, struct err *e)
{
	struct tm tm;
	time_t secs;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return err_set(e, ERR_INVALID, "unreadable certificate time");
	secs = timegm(&tm);
	if (secs == (time_t)-1 && tm.tm_year != 69)
		return err_set(e, ERR_INVALID, "certificate time out of range");
	*out = (int64_t)secs;
	return 0;
}

/* The entry nid of name as UTF-8 into out; false when absent. */
static bool name_entry(X509_NAME *name, int nid, char *out, size_t outsz)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	int n;

	if (i < 0)
		return false;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n < 0)
		return false;
	snprintf(out, outsz, "%.*s", n, (const char *)utf8);
	OPENSSL_free(utf8);
	return true;
}

static void describe_name(X509_NAME *name, char *out, size_t outsz)
{
	if (name_entry(name, NID_commonName, out, outsz) ||
	    name_entry(name, NID_organizationName, out, outsz))
		return;
	X509_NAME_oneline(name, out, (int)outsz);
}

static void add_name(struct tls_certinfo *ci, const unsigned char *s, int len)
{
	char *n;

	if (len <= 0 || len > 253 || ci->nnames >= TLS_NAMES_MAX || memchr(s, '\0', (size_t)len))
		return;
	n = xstrndup((const char *)s, (size_t)len);
	for (char *p = n; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	ci->names = xrealloc(ci->names, (ci->nnames + 1) * sizeof(*ci->names));
	ci->names[ci->nnames++] = n;
}

static void collect_names(X509 *x, struct tls_certinfo *ci)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	char cn[256];

	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS)
			add_name(ci, ASN1_STRING_get0_data(g->d.dNSName),
				 ASN1_STRING_length(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	if (ci->nnames == 0 && name_entry(X509_get_subject_name(x), NID_commonName, cn,
					  sizeof(cn)))
		add_name(ci, (const unsigned char *)cn, (int)strlen(cn));
}

int tls_certinfo_from_x509(X509 *x, struct tls_certinfo *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (tls_asn1_time(X509_get0_notBefore(x), &out->not_before, e) < 0 ||
	    tls_asn1_time(X509_get0_notAfter(x), &out->not_after, e) < 0)
		return ERR_INVALID;
	if (out->not_after <= out->not_before)
		return err_set(e, ERR_INVALID, "the certificate's notAfter is not after its "
			       "notBefore");
	describe_name(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
	describe_name(X509_get_subject_name(x), out->subject, sizeof(out->subject));
	collect_names(x, out);
	return 0;
}

STACK_OF(X509) *tls_chain_from_pem(const char *pem, size_t len, struct err *e)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	BIO *bio;
	X509 *x;

	if (len > TLS_PEM_MAX) {
		err_set(e, ERR_TOOBIG, "certificate file of %zu bytes is over the limit of %d",
			len, TLS_PEM_MAX);
		sk_X509_free(chain);
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	while (bio && sk_X509_num(chain) < TLS_CHAIN_MAX &&
	       (x = PEM_read_bio_X509(bio, NULL, NULL, (void *)"")) != NULL)
		sk_X509_push(chain, x);
	ERR_clear_error();   /* the end of the input reads as an error */
	BIO_free(bio);
	if (sk_X509_num(chain) == 0) {
		err_set(e, ERR_INVALID, "no PEM certificate");
		sk_X509_free(chain);
		return NULL;
	}
	return chain;
}

int tls_certinfo_from_pem(const char *pem, size_t len, struct tls_certinfo *out,
			  struct err *e)
{
	STACK_OF(X509) *chain = tls_chain_from_pem(pem, len, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (chain == NULL)
		return ERR_INVALID;
	rc = tls_certinfo_from_x509(sk_X509_value(chain, 0), out, e);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

static bool name_matches(const char *pattern, const char *host)
{
	const char *dot;

	if (strcmp(pattern, host) == 0)
		return true;
	if (strncmp(pattern, "*.", 2) != 0 || (dot = strchr(host, '.')) == NULL || dot == host)
		return false;
	return strcmp(pattern + 1, dot) == 0;
}

bool tls_certinfo_covers(const struct tls_certinfo *ci, const char *host)
{
	for (size_t i = 0; i < ci->nnames; i++)
		if (name_matches(ci->names[i], host))
			return true;
	return false;
}

void tls_certinfo_release(struct tls_certinfo *ci)
{
	for (size_t i = 0; i < ci->nnames; i++)
		free(ci->names[i]);
	free(ci->names);
	memset(ci, 0, sizeof(*ci));
}
