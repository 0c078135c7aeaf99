/*
 * internal.h - the pieces of tls/, shared by its files and its tests.
 *
 * Not for use outside tls/ (see tls.h), except by tests and fuzz targets.
 * Pure pieces (b64, key, jws, csr, certinfo, renew, acme_msg) do no I/O;
 * acme_http and acme do network I/O and run on the tls thread only.
 */
#ifndef ORCA_TLS_INTERNAL_H
#define ORCA_TLS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/buf.h"
#include "base/err.h"
#include "tls/tls.h"

#define TLS_PEM_MAX (256 * 1024)   /* a key or a chain file */
#define TLS_CHAIN_MAX 10           /* certificates in one chain */
#define TLS_NAMES_MAX 100          /* names in one certificate we look at */

/* ---- b64.c ---------------------------------------------------------- */

/* base64url without padding (RFC 7515 §2); a malloc'd string. */
char *tls_b64url(const void *data, size_t len);

/* ---- key.c ---------------------------------------------------------- */

/* ERR_INVALID "what: <OpenSSL's first queued error>"; clears the queue. */
int tls_ossl_err(struct err *e, const char *what);

/* A new EC P-256 key. */
EVP_PKEY *tls_key_new_ec(struct err *e);
/* A private key from PEM (EC P-256 or RSA >= 2048 bits). */
EVP_PKEY *tls_key_from_pem(const char *pem, size_t len, struct err *e);
/* The key as PKCS#8 PEM, appended to out. */
int tls_key_to_pem(EVP_PKEY *key, struct buf *out, struct err *e);

/* ---- jws.c ---------------------------------------------------------- */

/* The public JWK with only the required members in lexicographic order
 * (RFC 7638), as compact JSON: a malloc'd string. */
char *tls_jwk_json(EVP_PKEY *key, struct err *e);
/* base64url(SHA-256(JWK)), 43 characters and a NUL. */
int tls_jwk_thumbprint(EVP_PKEY *key, char out[64], struct err *e);
/* "ES256" or "RS256"; NULL for an unsupported key. */
const char *tls_jws_alg(EVP_PKEY *key);
/*
 * A JWS in the flattened JSON serialization (RFC 8555 §6.2): the protected
 * header holds alg, nonce, url and either kid (when not NULL) or the jwk.
 * payload NULL means POST-as-GET (an empty payload). A malloc'd string.
 */
char *tls_jws_sign(EVP_PKEY *key, const char *kid, const char *nonce, const char *url,
		   const char *payload, struct err *e);

/* ---- csr.c ---------------------------------------------------------- */

/* A PKCS#10 CSR for names (subject CN = names[0], every name as a DNS SAN),
 * signed with key; base64url of its DER, a malloc'd string. */
char *tls_csr_b64url(EVP_PKEY *key, const char *const *names, size_t nnames,
		     struct err *e);

/* ---- certinfo.c ----------------------------------------------------- */

struct tls_certinfo {
	int64_t not_before;        /* unix seconds */
	int64_t not_after;
	char issuer[256];          /* the issuer's CN, else O, else the whole name */
	char subject[256];
	char **names;              /* DNS SANs (else the CN), lowercase */
	size_t nnames;
};

/* An ASN1 time as unix seconds. */
int tls_asn1_time(const ASN1_TIME *t, int64_t *out, struct err *e);
int tls_certinfo_from_x509(X509 *x, struct tls_certinfo *out, struct err *e);
/* Every certificate of a PEM chain (at most TLS_CHAIN_MAX), leaf first. The
 * caller frees them with sk_X509_pop_free(chain, X509_free). */
STACK_OF(X509) *tls_chain_from_pem(const char *pem, size_t len, struct err *e);
/* The leaf of a PEM chain, described. */
int tls_certinfo_from_pem(const char *pem, size_t len, struct tls_certinfo *out,
			  struct err *e);
/* Does the certificate cover host (exact, or '*.' one label deep)? */
bool tls_certinfo_covers(const struct tls_certinfo *ci, const char *host);
void tls_certinfo_release(struct tls_certinfo *ci);

/* ---- renew.c (pure) ------------------------------------------------- */

#define TLS_BACKOFF_FIRST_MS (30 * 1000)
#define TLS_BACKOFF_MAX_MS (3 * 3600 * 1000)

/* When to start renewing: two thirds into the certificate's own lifetime. */
int64_t tls_renew_at(int64_t not_before, int64_t not_after);
/* How long to wait after the n-th failure in a row (n >= 1): 30 s doubling,
 * capped at 3 h; a longer retry_after_ms from the server wins (capped too). */
int64_t tls_backoff_ms(int failures, int64_t retry_after_ms);

/* ---- acme_msg.c (pure; fuzzed) -------------------------------------- */

#define ACME_URL_MAX 2048
#define ACME_TOKEN_MAX 128
#define ACME_AUTHZ_MAX 100
#define ACME_BODY_MAX (256 * 1024)

enum acme_status {
	ACME_UNKNOWN = 0,
	ACME_PENDING,
	ACME_READY,
	ACME_PROCESSING,
	ACME_VALID,
	ACME_INVALID,
	ACME_EXPIRED,
	ACME_DEACTIVATED,
	ACME_REVOKED,
};

struct acme_directory {
	char *new_nonce, *new_account, *new_order;
	char *terms;               /* meta.termsOfService; may be NULL */
};

struct acme_order {
	enum acme_status status;
	char **authorizations;
	size_t nauthorizations;
	char *finalize;
	char *certificate;         /* once valid */
	char *error;               /* the problem's detail, when given */
};

struct acme_authz {
	enum acme_status status;
	char *identifier;          /* the DNS name */
	bool wildcard;
	enum acme_status http01_status;
	char *http01_url;          /* NULL: the server offers no http-01 */
	char *http01_token;
	char *error;               /* the http-01 challenge's error detail */
};

struct acme_problem {
	char type[128];            /* "urn:ietf:params:acme:error:badNonce" */
	char detail[384];
};

const char *acme_status_name(enum acme_status s);
int acme_parse_directory(const char *body, size_t len, struct acme_directory *out,
			 struct err *e);
int acme_parse_order(const char *body, size_t len, struct acme_order *out, struct err *e);
int acme_parse_authz(const char *body, size_t len, struct acme_authz *out, struct err *e);
/* 0 when body is a problem document (RFC 7807), with type and detail. */
int acme_parse_problem(const char *body, size_t len, struct acme_problem *out);
/* A Retry-After value (delay-seconds or an HTTP-date) as milliseconds from
 * now; -1 when absent or unreadable. Capped at one day. */
int64_t acme_retry_after_ms(const char *value, time_t now);
/* A token usable in a URL path: base64url characters, 1..ACME_TOKEN_MAX. */
bool acme_token_ok(const char *token);
void acme_directory_release(struct acme_directory *d);
void acme_order_release(struct acme_order *o);
void acme_authz_release(struct acme_authz *a);

/* ---- acme_http.c: one ACME server, one account ---------------------- */

/* Returns false to abandon the work (stop, or the domain left the config);
 * may sleep up to ms while waiting. ms 0: only asks. */
typedef bool (*acme_wait_fn)(void *arg, int64_t ms);

struct acme_resp {
	long status;
	struct buf body;
	char location[ACME_URL_MAX];
	int64_t retry_after_ms;    /* -1: none */
	char content_type[128];
};

struct acme_client {
	void *curl;                /* CURL *, reused for keep-alive */
	char *directory_url;
	char *ca_bundle;           /* NULL: the system's */
	char *email;               /* NULL: no contact */
	EVP_PKEY *key;             /* the account key; borrowed */
	char thumbprint[64];
	struct acme_directory dir;
	bool have_dir;
	char *kid;                 /* the account URL, once registered */
	char nonce[256];
	acme_wait_fn wait;
	void *wait_arg;
	int64_t polls_max_ms;      /* give up polling after this long */
	int64_t retry_after_ms;    /* of the last failed answer; -1: none */
};

int acme_client_init(struct acme_client *c, const char *directory, const char *ca_bundle,
		     const char *email, EVP_PKEY *account_key, struct err *e);
void acme_client_release(struct acme_client *c);
int acme_get(struct acme_client *c, const char *url, struct acme_resp *r, struct err *e);
/* A signed POST (payload NULL: POST-as-GET) with a fresh nonce; a badNonce
 * answer is retried with the nonce it carries. Non-2xx answers become
 * errors with the problem's detail. */
int acme_post(struct acme_client *c, const char *url, const char *payload,
	      struct acme_resp *r, struct err *e);
void acme_resp_release(struct acme_resp *r);

/* ---- acme.c: the flow ----------------------------------------------- */

/* The HTTP-01 answers: the flow adds a token before it asks the server to
 * validate and removes it when the authorization is done. */
struct tls_http01;

int acme_ensure_account(struct acme_client *c, struct err *e);
/*
 * Orders a certificate for domain, answers its HTTP-01 challenge through
 * tokens, finalizes with a CSR for a new key and downloads the chain. On
 * success *chain_pem (malloc'd) and *cert_key (the caller frees) are set.
 */
int acme_issue(struct acme_client *c, struct tls_http01 *tokens, const char *domain,
	       char **chain_pem, EVP_PKEY **cert_key, struct err *e);

/* ---- http01.c ------------------------------------------------------- */

#define TLS_HTTP01_MAX 64

struct tls_http01 *tls_http01_new(void);
void tls_http01_free(struct tls_http01 *h);
/* Adds (or replaces) token -> keyauth. ERR_TOOBIG when full. Any thread. */
int tls_http01_add(struct tls_http01 *h, const char *token, const char *keyauth,
		   struct err *e);
void tls_http01_remove(struct tls_http01 *h, const char *token);
int tls_http01_get(struct tls_http01 *h, const char *token, size_t token_len, char *out,
		   size_t outsz);

/* ---- sni.c ---------------------------------------------------------- */

struct tls_sni;

struct tls_sni_item {
	const char *name;          /* lowercase; "*.example.com" for wildcards */
	SSL_CTX *ctx;              /* the table takes a reference of its own */
};

struct tls_sni *tls_sni_new(void);
/* Frees the table; no reader may be inside any more. */
void tls_sni_free(struct tls_sni *s);
/* Publishes a new table (items copied; duplicates: the first wins) and
 * frees the old one once no reader holds it. One writer at a time. */
void tls_sni_publish(struct tls_sni *s, const struct tls_sni_item *items, size_t n);
/* A new reference to the context for name (exact, then wildcard), or NULL. */
SSL_CTX *tls_sni_get(struct tls_sni *s, const char *name, size_t len);
bool tls_sni_has(struct tls_sni *s, const char *name, size_t len);

/* ---- ctx.c ---------------------------------------------------------- */

/* A server SSL_CTX (TLS 1.2+) for a PEM chain and its key; setup (may be
 * NULL) is called on it last. The caller owns the reference. */
SSL_CTX *tls_ctx_new(const char *chain_pem, size_t chain_len, EVP_PKEY *key,
		     tls_ctx_setup_fn setup, void *setup_arg, struct err *e);

/* ---- files.c -------------------------------------------------------- */

/* Reads a whole file of at most max bytes into out (NUL-terminated). */
int tls_read_file(const char *path, size_t max, struct buf *out, struct err *e);
/* Writes data to path atomically (temporary file, fsync, rename), mode 0600. */
int tls_write_file(const char *path, const void *data, size_t len, struct err *e);
/* mkdir -p with mode 0700 for the directories it creates. */
int tls_mkdirs(const char *path, struct err *e);

#endif
