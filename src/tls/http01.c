/*
 * http01.c - the HTTP-01 answers pending right now (RFC 8555 §8.3): token
 * -> key authorization. Written by the ACME flow on the tls thread, read by
 * the proxy for /.well-known/acme-challenge/<token>. A short mutex guards
 * the few entries; challenge requests are rare and never on the hot path.
 */
#include "tls/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"

struct http01_entry {
	char token[ACME_TOKEN_MAX + 1];
	char keyauth[TLS_KEYAUTH_MAX];
};

struct tls_http01 {
	pthread_mutex_t mu;
	struct http01_entry items[TLS_HTTP01_MAX];
	size_t n;
};

struct tls_http01 *tls_http01_new(void)
{
	struct tls_http01 *h = xcalloc(1, sizeof(*h));

	pthread_mutex_init(&h->mu, NULL);
	return h;
}

void tls_http01_free(struct tls_http01 *h)
{
	if (h == NULL)
		return;
	pthread_mutex_destroy(&h->mu);
	free(h);
}

static struct http01_entry *find(struct tls_http01 *h, const char *token, size_t len)
{
	for (size_t i = 0; i < h->n; i++)
		if (strlen(h->items[i].token) == len && memcmp(h->items[i].token, token, len) == 0)
			return &h->items[i];
	return NULL;
}

int tls_http01_add(struct tls_http01 *h, const char *token, const char *keyauth,
		   struct err *e)
{
	struct http01_entry *x;
	int rc = 0;

	if (!acme_token_ok(token) || strlen(keyauth) >= TLS_KEYAUTH_MAX)
		return err_set(e, ERR_INVALID, "unusable http-01 token");
	pthread_mutex_lock(&h->mu);
	x = find(h, token, strlen(token));
	if (x == NULL && h->n < TLS_HTTP01_MAX)
		x = &h->items[h->n++];
	if (x != NULL) {
		snprintf(x->token, sizeof(x->token), "%s", token);
		snprintf(x->keyauth, sizeof(x->keyauth), "%s", keyauth);
	} else {
		rc = err_set(e, ERR_TOOBIG, "more than %d http-01 challenges at once",
			     TLS_HTTP01_MAX);
	}
	pthread_mutex_unlock(&h->mu);
	return rc;
}

void tls_http01_remove(struct tls_http01 *h, const char *token)
{
	struct http01_entry *x;

	pthread_mutex_lock(&h->mu);
	x = find(h, token, strlen(token));
	if (x != NULL)
		*x = h->items[--h->n];
	pthread_mutex_unlock(&h->mu);
}

int tls_http01_get(struct tls_http01 *h, const char *token, size_t token_len, char *out,
		   size_t outsz)
{
	struct http01_entry *x;
	int n = -1;

	if (token_len == 0 || token_len > ACME_TOKEN_MAX)
		return -1;
	pthread_mutex_lock(&h->mu);
	x = find(h, token, token_len);
	if (x != NULL && strlen(x->keyauth) < outsz) {
		n = (int)strlen(x->keyauth);
		memcpy(out, x->keyauth, (size_t)n + 1);
	}
	pthread_mutex_unlock(&h->mu);
	return n;
}
