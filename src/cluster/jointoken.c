/*
 * jointoken.c - making, parsing and checking join tokens.
 */
#include "cluster/jointoken.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static void hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void jointoken_sha256_hex(const void *der, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, der, len);
	hex(h, sizeof(h), out);
}

void jointoken_new(struct jointoken *t, const char *ca_hex)
{
	unsigned char id[6], secret[32];

	if (sodium_init() < 0)
		abort();   /* no random source: nothing safe to do */
	randombytes_buf(id, sizeof(id));
	randombytes_buf(secret, sizeof(secret));
	snprintf(t->ca, sizeof(t->ca), "%s", ca_hex);
	hex(id, sizeof(id), t->id);
	hex(secret, sizeof(secret), t->secret);
	sodium_memzero(secret, sizeof(secret));
}

void jointoken_format(const struct jointoken *t, char *out, size_t n)
{
	snprintf(out, n, JOINTOKEN_PREFIX "%s-%s-%s", t->ca, t->id, t->secret);
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int jointoken_parse(const char *text, struct jointoken *t, struct err *e)
{
	const char *p = text;

	memset(t, 0, sizeof(*t));
	if (text == NULL || strlen(text) != JOINTOKEN_LEN ||
	    strncmp(p, JOINTOKEN_PREFIX, 6) != 0 || p[70] != '-' || p[83] != '-' ||
	    !all_hex(p + 6, 64) || !all_hex(p + 71, 12) || !all_hex(p + 84, 64))
		return err_set(e, ERR_INVALID, "not a join token (they look like orca1-<64 hex>-"
			       "<12 hex>-<64 hex>; `orca node token` on the server makes one)");
	memcpy(t->ca, p + 6, 64);
	memcpy(t->id, p + 71, 12);
	memcpy(t->secret, p + 84, 64);
	return 0;
}

void jointoken_hash(const struct jointoken *t, char out[65])
{
	jointoken_sha256_hex(t->secret, 64, out);
}

bool jointoken_matches(const struct jointoken *t, const char *stored_hex)
{
	char h[65];

	if (stored_hex == NULL || strlen(stored_hex) != 64)
		return false;
	jointoken_hash(t, h);
	return sodium_memcmp(h, stored_hex, 64) == 0;
}
