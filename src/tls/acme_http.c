/*
 * acme_http.c - talking to one ACME server over libcurl (RFC 8555 §6):
 * the directory, fresh nonces (one per request, taken from every answer's
 * Replay-Nonce, fetched from newNonce when none is left), signed POSTs and
 * POST-as-GET, badNonce answers retried with the nonce they carry, and the
 * headers that matter (Location, Retry-After, Content-Type).
 *
 * Runs on the tls thread only. Every transfer is bounded (10 s to connect,
 * 30 s in all, ACME_BODY_MAX bytes) and can be abandoned through the wait
 * callback, which curl's progress callback asks.
 */
#include "tls/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "base/xalloc.h"

#define CONNECT_TIMEOUT_MS 10000
#define TRANSFER_TIMEOUT_MS 30000
#define BAD_NONCE_RETRIES 5

struct sink {
	struct buf *b;
	bool too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->b->len + size * n > ACME_BODY_MAX) {
		s->too_big = true;
		return 0;
	}
	buf_append(s->b, p, size * n);
	return size * n;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct acme_client *cl = arg;

	(void)a, (void)b, (void)c, (void)d;
	return cl->wait && !cl->wait(cl->wait_arg, 0) ? 1 : 0;
}

int acme_client_init(struct acme_client *c, const char *directory, const char *ca_bundle,
		     const char *email, EVP_PKEY *account_key, struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->curl = curl_easy_init();
	if (c->curl == NULL)
		return err_set(e, ERR_FAIL, "cannot start libcurl");
	c->directory_url = xstrdup(directory);
	c->ca_bundle = ca_bundle ? xstrdup(ca_bundle) : NULL;
	c->email = email ? xstrdup(email) : NULL;
	c->key = account_key;
	c->polls_max_ms = 5 * 60 * 1000;
	c->retry_after_ms = -1;
	return tls_jwk_thumbprint(account_key, c->thumbprint, e);
}

void acme_client_release(struct acme_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->directory_url);
	free(c->ca_bundle);
	free(c->email);
	free(c->kid);
	acme_directory_release(&c->dir);
	memset(c, 0, sizeof(*c));
}

void acme_resp_release(struct acme_resp *r)
{
	buf_release(&r->body);
	memset(r, 0, sizeof(*r));
}

static bool nonce_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '_')
			return false;
	return n > 0 && n < 256;
}

/* The value of one response header into out ("" when absent). */
static void header(CURL *curl, const char *name, char *out, size_t outsz)
{
	struct curl_header *h = NULL;

	out[0] = '\0';
	if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h->value &&
	    strlen(h->value) < outsz)
		snprintf(out, outsz, "%s", h->value);
}

static void read_headers(struct acme_client *c, struct acme_resp *r)
{
	char v[ACME_URL_MAX];

	header(c->curl, "Replay-Nonce", v, sizeof(v));
	if (nonce_ok(v))
		memcpy(c->nonce, v, strlen(v) + 1);   /* nonce_ok: < 256 */
	header(c->curl, "Location", r->location, sizeof(r->location));
	header(c->curl, "Content-Type", r->content_type, sizeof(r->content_type));
	header(c->curl, "Retry-After", v, sizeof(v));
	r->retry_after_ms = acme_retry_after_ms(v, time(NULL));
}

static void set_common(struct acme_client *c, const char *url, struct sink *s)
{
	CURL *curl = c->curl;

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TRANSFER_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "orca/" ORCA_VERSION);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, c);
	if (c->ca_bundle)
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_bundle);
}

/* One exchange: method "GET", "HEAD" or "POST" (with a JWS body). */
static int perform(struct acme_client *c, const char *method, const char *url,
		   const char *jws, struct acme_resp *r, struct err *e)
{
	struct curl_slist *hdrs = NULL;
	struct sink s = { &r->body, false };
	CURLcode cc;

	acme_resp_release(r);
	curl_easy_reset(c->curl);
	set_common(c, url, &s);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/jose+json");
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, jws);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(jws));
	}
	cc = curl_easy_perform(c->curl);
	curl_slist_free_all(hdrs);
	if (cc == CURLE_ABORTED_BY_CALLBACK)
		return err_set(e, ERR_FAIL, "%s %s: abandoned", method, url);
	if (s.too_big)
		return err_set(e, ERR_TOOBIG, "%s %s: answer over %d bytes", method, url,
			       ACME_BODY_MAX);
	if (cc != CURLE_OK)
		return err_set(e, ERR_UNAVAILABLE, "%s %s: %s", method, url, curl_easy_strerror(cc));
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	read_headers(c, r);
	buf_append(&r->body, "", 0);
	return 0;
}

/* "403 unauthorized: detail" for a failed answer. */
static int answer_error(const char *what, const struct acme_resp *r, struct acme_problem *p,
			struct err *e)
{
	const char *type = strrchr(p->type, ':') ? strrchr(p->type, ':') + 1 : p->type;
	int code = r->status >= 500 || r->status == 429 ? ERR_UNAVAILABLE : ERR_INVALID;

	if (p->type[0] || p->detail[0])
		return err_set(e, code, "%s: %ld %s%s%s", what, r->status, type,
			       type[0] && p->detail[0] ? ": " : "", p->detail);
	return err_set(e, code, "%s: HTTP %ld", what, r->status);
}

int acme_get(struct acme_client *c, const char *url, struct acme_resp *r, struct err *e)
{
	struct acme_problem p;
	int rc = perform(c, "GET", url, NULL, r, e);

	if (rc == 0 && (r->status < 200 || r->status > 299)) {
		c->retry_after_ms = r->retry_after_ms;
		acme_parse_problem(r->body.data, r->body.len, &p);
		return answer_error(url, r, &p, e);
	}
	return rc;
}

static int fresh_nonce(struct acme_client *c, struct err *e)
{
	struct acme_resp r = { 0 };
	int rc;

	if (c->nonce[0])
		return 0;
	rc = perform(c, "HEAD", c->dir.new_nonce, NULL, &r, e);
	if (rc == 0 && c->nonce[0] == '\0')
		rc = err_set(e, ERR_INVALID, "newNonce: HTTP %ld without a Replay-Nonce", r.status);
	acme_resp_release(&r);
	return rc;
}

int acme_post(struct acme_client *c, const char *url, const char *payload,
	      struct acme_resp *r, struct err *e)
{
	struct acme_problem p;

	for (int attempt = 0;; attempt++) {
		char *jws;
		int rc = fresh_nonce(c, e);

		if (rc < 0)
			return rc;
		jws = tls_jws_sign(c->key, c->kid, c->nonce, url, payload, e);
		c->nonce[0] = '\0';   /* each nonce is good for one request */
		if (jws == NULL)
			return ERR_INVALID;
		rc = perform(c, "POST", url, jws, r, e);
		free(jws);
		if (rc < 0 || (r->status >= 200 && r->status <= 299))
			return rc;
		acme_parse_problem(r->body.data, r->body.len, &p);
		if (strcmp(p.type, "urn:ietf:params:acme:error:badNonce") == 0 &&
		    attempt < BAD_NONCE_RETRIES)
			continue;
		c->retry_after_ms = r->retry_after_ms;
		return answer_error(url, r, &p, e);
	}
}
