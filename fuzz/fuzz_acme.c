/*
 * fuzz_acme.c - libFuzzer target for what an ACME server (or a certificate
 * file) can hand tls/: the first byte picks the parser, the rest is its
 * input.
 *
 *   'd' directory, 'o' order, 'a' authorization, 'p' problem document,
 *   'r' Retry-After header value, 'c' a PEM certificate chain (certinfo).
 *
 * On success the results keep their promises: https URLs, base64url
 * tokens, bounded counts, lowercase names with no NUL, ordered validity.
 * Seed corpus: fuzz/corpus/acme (file names start with the selector).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/internal.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static void check_url(const char *u)
{
	if (u == NULL)
		return;
	CHECK(strncmp(u, "https://", 8) == 0 && strlen(u) < ACME_URL_MAX);
	for (; *u; u++)
		CHECK((unsigned char)*u > 0x20 && (unsigned char)*u < 0x7f);
}

static void directory(const char *s, size_t n)
{
	struct acme_directory d;
	struct err e = { 0 };

	if (acme_parse_directory(s, n, &d, &e) == 0) {
		CHECK(d.new_nonce && d.new_account && d.new_order);
		check_url(d.new_nonce);
		check_url(d.new_account);
		check_url(d.new_order);
		acme_directory_release(&d);
	} else {
		CHECK(e.msg[0] != '\0');
	}
}

static void order(const char *s, size_t n)
{
	struct acme_order o;
	struct err e = { 0 };

	if (acme_parse_order(s, n, &o, &e) != 0)
		return;
	CHECK(o.status != ACME_UNKNOWN && o.finalize != NULL);
	CHECK(o.nauthorizations <= ACME_AUTHZ_MAX);
	for (size_t i = 0; i < o.nauthorizations; i++)
		check_url(o.authorizations[i]);
	check_url(o.finalize);
	check_url(o.certificate);
	acme_order_release(&o);
}

static void authz(const char *s, size_t n)
{
	struct acme_authz a;
	struct err e = { 0 };

	if (acme_parse_authz(s, n, &a, &e) != 0)
		return;
	CHECK(a.identifier && strlen(a.identifier) <= 253);
	check_url(a.http01_url);
	CHECK((a.http01_url == NULL) == (a.http01_token == NULL));
	CHECK(a.http01_token == NULL || acme_token_ok(a.http01_token));
	acme_authz_release(&a);
}

static void certinfo(const char *s, size_t n)
{
	struct tls_certinfo ci;
	struct err e = { 0 };

	if (tls_certinfo_from_pem(s, n, &ci, &e) != 0)
		return;
	CHECK(ci.not_after > ci.not_before && ci.nnames <= TLS_NAMES_MAX);
	for (size_t i = 0; i < ci.nnames; i++) {
		for (const char *p = ci.names[i]; *p; p++)
			CHECK(!isupper((unsigned char)*p));
		tls_certinfo_covers(&ci, ci.names[i]);
	}
	tls_certinfo_release(&ci);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme_problem p;
	char *s;

	if (size < 1 || size > 65536)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0]) {
	case 'd': directory(s, size - 1); break;
	case 'o': order(s, size - 1); break;
	case 'a': authz(s, size - 1); break;
	case 'p':
		if (acme_parse_problem(s, size - 1, &p) == 0)
			CHECK(strlen(p.type) < sizeof(p.type) && strlen(p.detail) < sizeof(p.detail));
		break;
	case 'r': {
		int64_t ms = acme_retry_after_ms(s, 1700000000);

		CHECK(ms >= -1 && ms <= 86400000);
		break;
	}
	case 'c': certinfo(s, size - 1); break;
	default: break;
	}
	free(s);
	return 0;
}
