/*
 * acme.c - obtaining one certificate from an ACME server (RFC 8555 §7):
 * directory, account (newAccount, which also finds an existing account for
 * the same key), newOrder, each authorization's http-01 challenge answered
 * through the token table, finalize with a CSR for a fresh key, polling
 * with Retry-After, and the certificate chain's download and checks.
 *
 * Runs on the tls thread. Every wait goes through the client's wait
 * callback, so that stopping orca or removing the domain from the config
 * abandons the work at the next step.
 */
#include "tls/internal.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>

#include "base/xalloc.h"

#define POLL_DEFAULT_MS 1000
#define POLL_MAX_MS 30000

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms unless the work is abandoned; false then. */
static bool pause_ms(struct acme_client *c, int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	if (c->wait != NULL)
		return c->wait(c->wait_arg, ms);
	nanosleep(&ts, NULL);
	return true;
}

static int ensure_directory(struct acme_client *c, struct err *e)
{
	struct acme_resp r = { 0 };
	int rc;

	if (c->have_dir)
		return 0;
	rc = acme_get(c, c->directory_url, &r, e);
	if (rc == 0)
		rc = acme_parse_directory(r.body.data, r.body.len, &c->dir, e);
	acme_resp_release(&r);
	if (rc < 0)
		return err_wrap(e, "ACME directory %s", c->directory_url);
	c->have_dir = true;
	return 0;
}

static char *account_payload(const struct acme_client *c)
{
	json_t *p = json_pack("{s:b}", "termsOfServiceAgreed", 1);
	char *s, *mailto;

	if (c->email != NULL) {
		mailto = xasprintf("mailto:%s", c->email);
		json_object_set_new(p, "contact", json_pack("[s]", mailto));
		free(mailto);
	}
	s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}

int acme_ensure_account(struct acme_client *c, struct err *e)
{
	struct acme_resp r = { 0 };
	char *payload;
	const char *status;
	json_t *j;
	int rc;

	if (c->kid != NULL)
		return 0;
	if ((rc = ensure_directory(c, e)) < 0)
		return rc;
	payload = account_payload(c);
	rc = acme_post(c, c->dir.new_account, payload, &r, e);
	free(payload);
	if (rc == 0 && strncmp(r.location, "https://", 8) != 0)
		rc = err_set(e, ERR_INVALID, "newAccount: no account URL in the answer");
	j = rc == 0 ? json_loadb(r.body.data, r.body.len, 0, NULL) : NULL;
	status = json_string_value(json_object_get(j, "status"));
	if (rc == 0 && status && strcmp(status, "valid") != 0)
		rc = err_set(e, ERR_INVALID, "the ACME account is %.20s", status);
	if (rc == 0)
		c->kid = xstrdup(r.location);
	json_decref(j);
	acme_resp_release(&r);
	return rc < 0 ? err_wrap(e, "ACME account") : 0;
}

/* How long to wait before the next poll. */
static int64_t poll_delay(const struct acme_resp *r)
{
	if (r->retry_after_ms < 0)
		return POLL_DEFAULT_MS;
	return r->retry_after_ms > POLL_MAX_MS ? POLL_MAX_MS : r->retry_after_ms;
}

static int fetch_authz(struct acme_client *c, const char *url, struct acme_authz *a,
		       struct acme_resp *r, struct err *e)
{
	int rc = acme_post(c, url, NULL, r, e);

	acme_authz_release(a);
	return rc < 0 ? rc : acme_parse_authz(r->body.data, r->body.len, a, e);
}

/* Polls the authorization until it is no longer pending. */
static int await_authz(struct acme_client *c, const char *url, struct acme_authz *a,
		       struct acme_resp *r, struct err *e)
{
	int64_t deadline = now_ms() + c->polls_max_ms;

	while (a->status == ACME_PENDING) {
		if (now_ms() > deadline)
			return err_set(e, ERR_TIMEOUT, "still pending after %lld s",
				       (long long)c->polls_max_ms / 1000);
		if (!pause_ms(c, poll_delay(r)))
			return err_set(e, ERR_FAIL, "abandoned");
		if (fetch_authz(c, url, a, r, e) < 0)
			return ERR_FAIL;
	}
	if (a->status != ACME_VALID)
		return err_set(e, ERR_INVALID, "authorization is %s%s%s",
			       acme_status_name(a->status), a->error ? ": " : "",
			       a->error ? a->error : "");
	return 0;
}

static int answer_challenge(struct acme_client *c, struct tls_http01 *tokens,
			    const char *url, struct acme_authz *a, struct acme_resp *r,
			    struct err *e)
{
	char keyauth[TLS_KEYAUTH_MAX];
	int rc;

	if (a->http01_url == NULL)
		return err_set(e, ERR_UNSUPPORTED, "the ACME server offers no http-01 challenge");
	snprintf(keyauth, sizeof(keyauth), "%s.%s", a->http01_token, c->thumbprint);
	if ((rc = tls_http01_add(tokens, a->http01_token, keyauth, e)) < 0)
		return rc;
	if (a->http01_status == ACME_PENDING)
		rc = acme_post(c, a->http01_url, "{}", r, e);
	if (rc == 0)
		rc = await_authz(c, url, a, r, e);
	tls_http01_remove(tokens, a->http01_token);
	return rc;
}

static int authorize(struct acme_client *c, struct tls_http01 *tokens, const char *url,
		     struct err *e)
{
	struct acme_authz a = { 0 };
	struct acme_resp r = { 0 };
	int rc = fetch_authz(c, url, &a, &r, e);

	if (rc == 0 && a.status == ACME_PENDING)
		rc = answer_challenge(c, tokens, url, &a, &r, e);
	else if (rc == 0 && a.status != ACME_VALID)
		rc = err_set(e, ERR_INVALID, "authorization is %s", acme_status_name(a.status));
	acme_authz_release(&a);
	acme_resp_release(&r);
	return rc;
}

static int fetch_order(struct acme_client *c, const char *url, const char *payload,
		       struct acme_order *o, struct acme_resp *r, struct err *e)
{
	int rc = acme_post(c, url, payload, r, e);

	acme_order_release(o);
	return rc < 0 ? rc : acme_parse_order(r->body.data, r->body.len, o, e);
}

/* Polls the order while its status is one of the waiting ones. */
static int await_order(struct acme_client *c, const char *url, enum acme_status waiting,
		       struct acme_order *o, struct acme_resp *r, struct err *e)
{
	int64_t deadline = now_ms() + c->polls_max_ms;

	while (o->status == waiting || o->status == ACME_PROCESSING) {
		if (now_ms() > deadline)
			return err_set(e, ERR_TIMEOUT, "order still %s after %lld s",
				       acme_status_name(o->status),
				       (long long)c->polls_max_ms / 1000);
		if (!pause_ms(c, poll_delay(r)))
			return err_set(e, ERR_FAIL, "abandoned");
		if (fetch_order(c, url, NULL, o, r, e) < 0)
			return ERR_FAIL;
	}
	return 0;
}

static int new_order(struct acme_client *c, const char *domain, struct acme_order *o,
		     char **order_url, struct err *e)
{
	struct acme_resp r = { 0 };
	json_t *p = json_pack("{s:[{s:s, s:s}]}", "identifiers", "type", "dns", "value", domain);
	char *payload = json_dumps(p, JSON_COMPACT);
	int rc = fetch_order(c, c->dir.new_order, payload, o, &r, e);

	if (rc == 0 && strncmp(r.location, "https://", 8) != 0)
		rc = err_set(e, ERR_INVALID, "newOrder: no order URL in the answer");
	if (rc == 0)
		*order_url = xstrdup(r.location);
	json_decref(p);
	free(payload);
	acme_resp_release(&r);
	return rc;
}

static int finalize(struct acme_client *c, const char *domain, const char *order_url,
		    struct acme_order *o, EVP_PKEY *key, struct err *e)
{
	struct acme_resp r = { 0 };
	char *csr = tls_csr_b64url(key, &domain, 1, e), *payload;
	int rc;

	if (csr == NULL)
		return ERR_INVALID;
	payload = xasprintf("{\"csr\":\"%s\"}", csr);
	rc = await_order(c, order_url, ACME_PENDING, o, &r, e);
	if (rc == 0 && o->status != ACME_READY)
		rc = err_set(e, ERR_INVALID, "order is %s, not ready%s%s",
			     acme_status_name(o->status), o->error ? ": " : "",
			     o->error ? o->error : "");
	if (rc == 0)
		rc = fetch_order(c, o->finalize, payload, o, &r, e);
	if (rc == 0)
		rc = await_order(c, order_url, ACME_READY, o, &r, e);
	if (rc == 0 && (o->status != ACME_VALID || o->certificate == NULL))
		rc = err_set(e, ERR_INVALID, "order is %s after finalize%s%s",
			     acme_status_name(o->status), o->error ? ": " : "",
			     o->error ? o->error : "");
	free(csr);
	free(payload);
	acme_resp_release(&r);
	return rc;
}

/* The downloaded chain must be for domain and for the key we made. */
static int check_chain(const char *pem, size_t len, const char *domain, EVP_PKEY *key,
		       struct err *e)
{
	STACK_OF(X509) *chain = tls_chain_from_pem(pem, len, e);
	struct tls_certinfo ci;
	int rc = 0;

	if (chain == NULL)
		return err_wrap(e, "certificate download");
	if (X509_check_private_key(sk_X509_value(chain, 0), key) != 1)
		rc = err_set(e, ERR_INVALID, "the issued certificate is not for our key");
	else if (tls_certinfo_from_x509(sk_X509_value(chain, 0), &ci, e) == 0) {
		if (!tls_certinfo_covers(&ci, domain))
			rc = err_set(e, ERR_INVALID, "the issued certificate does not name '%s'",
				     domain);
		tls_certinfo_release(&ci);
	} else {
		rc = ERR_INVALID;
	}
	ERR_clear_error();
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

int acme_issue(struct acme_client *c, struct tls_http01 *tokens, const char *domain,
	       char **chain_pem, EVP_PKEY **cert_key, struct err *e)
{
	struct acme_order o = { 0 };
	struct acme_resp r = { 0 };
	char *order_url = NULL;
	EVP_PKEY *key = NULL;
	int rc = acme_ensure_account(c, e);

	*chain_pem = NULL;
	*cert_key = NULL;
	if (rc == 0)
		rc = new_order(c, domain, &o, &order_url, e);
	for (size_t i = 0; rc == 0 && i < o.nauthorizations; i++)
		rc = authorize(c, tokens, o.authorizations[i], e);
	if (rc == 0 && (key = tls_key_new_ec(e)) == NULL)
		rc = ERR_FAIL;
	if (rc == 0)
		rc = finalize(c, domain, order_url, &o, key, e);
	if (rc == 0)
		rc = acme_post(c, o.certificate, NULL, &r, e);
	if (rc == 0)
		rc = check_chain(r.body.data, r.body.len, domain, key, e);
	if (rc == 0) {
		*chain_pem = buf_steal(&r.body);
		*cert_key = key;
		key = NULL;
	}
	EVP_PKEY_free(key);
	free(order_url);
	acme_order_release(&o);
	acme_resp_release(&r);
	return rc;
}
