/*
 * test_tls_acme.c - ACME answers mapped to structs (directory, order,
 * authorization, problem, Retry-After) and the renewal schedule.
 */
#include "unit.h"

#include "tls/internal.h"

#define S(x) x, strlen(x)

TEST(directory_needs_https_urls)
{
	struct acme_directory d;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, acme_parse_directory(S(
		"{\"newNonce\":\"https://ca/nonce\",\"newAccount\":\"https://ca/acct\","
		"\"newOrder\":\"https://ca/order\",\"revokeCert\":\"https://ca/revoke\","
		"\"meta\":{\"termsOfService\":\"https://ca/tos\"}}"), &d, &e));
	EXPECT_STREQ("https://ca/nonce", d.new_nonce);
	EXPECT_STREQ("https://ca/order", d.new_order);
	EXPECT_STREQ("https://ca/tos", d.terms);
	acme_directory_release(&d);

	EXPECT_EQ_INT(ERR_INVALID, acme_parse_directory(S(
		"{\"newNonce\":\"http://ca/nonce\",\"newAccount\":\"https://ca/a\","
		"\"newOrder\":\"https://ca/o\"}"), &d, &e));
	EXPECT_STREQ("ACME directory: field 'newNonce' is not an https URL", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_directory(S("{\"newNonce\":\"https://ca/n\"}"),
						      &d, &e));
	EXPECT_STREQ("ACME directory: missing field 'newAccount'", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_directory(S("[1]"), &d, &e));
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_directory(S("<html>"), &d, &e));
	/* a malformed meta is only informative */
	EXPECT_EQ_INT(0, acme_parse_directory(S(
		"{\"newNonce\":\"https://ca/n\",\"newAccount\":\"https://ca/a\","
		"\"newOrder\":\"https://ca/o\",\"meta\":7}"), &d, &e));
	EXPECT_NULL(d.terms);
	acme_directory_release(&d);
}

TEST(order_with_authorizations_and_certificate)
{
	struct acme_order o;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, acme_parse_order(S(
		"{\"status\":\"valid\",\"expires\":\"2030-01-01T00:00:00Z\","
		"\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example.com\"}],"
		"\"authorizations\":[\"https://ca/authz/1\",\"https://ca/authz/2\"],"
		"\"finalize\":\"https://ca/finalize/1\",\"certificate\":\"https://ca/cert/1\"}"),
		&o, &e));
	EXPECT_EQ_INT(ACME_VALID, o.status);
	EXPECT_EQ_INT(2, o.nauthorizations);
	EXPECT_STREQ("https://ca/authz/2", o.authorizations[1]);
	EXPECT_STREQ("https://ca/cert/1", o.certificate);
	EXPECT_NULL(o.error);
	acme_order_release(&o);

	EXPECT_EQ_INT(0, acme_parse_order(S(
		"{\"status\":\"invalid\",\"authorizations\":[],\"finalize\":\"https://ca/f\","
		"\"error\":{\"type\":\"urn:ietf:params:acme:error:unauthorized\","
		"\"detail\":\"no way\"}}"), &o, &e));
	EXPECT_EQ_INT(ACME_INVALID, o.status);
	EXPECT_STREQ("no way", o.error);
	EXPECT_NULL(o.certificate);
	acme_order_release(&o);

	EXPECT_EQ_INT(ERR_INVALID, acme_parse_order(S(
		"{\"status\":\"bogus\",\"authorizations\":[],\"finalize\":\"https://ca/f\"}"),
		&o, &e));
	EXPECT_STREQ("ACME order: unknown status 'bogus'", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_order(S(
		"{\"status\":\"pending\",\"authorizations\":[5],\"finalize\":\"https://ca/f\"}"),
		&o, &e));
	EXPECT_STREQ("ACME order: authorizations[0] is not an https URL", e.msg);
}

TEST(authorization_finds_the_http01_challenge)
{
	struct acme_authz a;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, acme_parse_authz(S(
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\",\"value\":\"a.example.com\"},"
		"\"challenges\":[{\"type\":\"dns-01\",\"url\":\"https://ca/ch/1\",\"token\":\"x\","
		"\"status\":\"pending\"},{\"type\":\"http-01\",\"url\":\"https://ca/ch/2\","
		"\"token\":\"tok_EN-123\",\"status\":\"pending\"}]}"), &a, &e));
	EXPECT_EQ_INT(ACME_PENDING, a.status);
	EXPECT_STREQ("a.example.com", a.identifier);
	EXPECT_FALSE(a.wildcard);
	EXPECT_STREQ("https://ca/ch/2", a.http01_url);
	EXPECT_STREQ("tok_EN-123", a.http01_token);
	EXPECT_EQ_INT(ACME_PENDING, a.http01_status);
	acme_authz_release(&a);

	EXPECT_EQ_INT(0, acme_parse_authz(S(
		"{\"status\":\"invalid\",\"identifier\":{\"type\":\"dns\",\"value\":\"b.example\"},"
		"\"challenges\":[{\"type\":\"http-01\",\"url\":\"https://ca/ch/3\",\"token\":\"t\","
		"\"status\":\"invalid\",\"error\":{\"type\":\"urn:ietf:params:acme:error:connection\","
		"\"detail\":\"connection refused\"}}]}"), &a, &e));
	EXPECT_STREQ("connection refused", a.error);
	acme_authz_release(&a);

	/* no http-01 at all: parsed, and the flow says so */
	EXPECT_EQ_INT(0, acme_parse_authz(S(
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\",\"value\":\"c.example\"},"
		"\"challenges\":[]}"), &a, &e));
	EXPECT_NULL(a.http01_url);
	acme_authz_release(&a);

	/* a token that could escape a URL path or a body */
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_authz(S(
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\",\"value\":\"c.example\"},"
		"\"challenges\":[{\"type\":\"http-01\",\"url\":\"https://ca/c\",\"token\":\"../x\","
		"\"status\":\"pending\"}]}"), &a, &e));
	EXPECT_CONTAINS(e.msg, "token is not base64url");
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_authz(S(
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"ip\",\"value\":\"1.2.3.4\"},"
		"\"challenges\":[]}"), &a, &e));
	EXPECT_CONTAINS(e.msg, "identifier type 'ip' is not 'dns'");
}

TEST(tokens)
{
	char long_token[ACME_TOKEN_MAX + 2];

	EXPECT_TRUE(acme_token_ok("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"));
	EXPECT_FALSE(acme_token_ok(""));
	EXPECT_FALSE(acme_token_ok("a/b"));
	EXPECT_FALSE(acme_token_ok("a b"));
	EXPECT_FALSE(acme_token_ok("a.b"));
	memset(long_token, 'a', sizeof(long_token) - 1);
	long_token[sizeof(long_token) - 1] = '\0';
	EXPECT_FALSE(acme_token_ok(long_token));
	long_token[ACME_TOKEN_MAX] = '\0';
	EXPECT_TRUE(acme_token_ok(long_token));
}

TEST(problems)
{
	struct acme_problem p;

	EXPECT_EQ_INT(0, acme_parse_problem(S(
		"{\"type\":\"urn:ietf:params:acme:error:badNonce\",\"detail\":\"JWS has an invalid "
		"anti-replay nonce\",\"status\":400}"), &p));
	EXPECT_STREQ("urn:ietf:params:acme:error:badNonce", p.type);
	EXPECT_STREQ("JWS has an invalid anti-replay nonce", p.detail);
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_problem(S("{\"status\":400}"), &p));
	EXPECT_EQ_INT(ERR_INVALID, acme_parse_problem(S("Bad Gateway"), &p));
}

TEST(retry_after_seconds_and_dates)
{
	time_t now = 1700000000;   /* Tue, 14 Nov 2023 22:13:20 GMT */

	EXPECT_EQ_INT(-1, acme_retry_after_ms(NULL, now));
	EXPECT_EQ_INT(-1, acme_retry_after_ms("", now));
	EXPECT_EQ_INT(3000, acme_retry_after_ms("3", now));
	EXPECT_EQ_INT(0, acme_retry_after_ms("0", now));
	EXPECT_EQ_INT(-1, acme_retry_after_ms("3x", now));
	EXPECT_EQ_INT(-1, acme_retry_after_ms("-3", now));
	EXPECT_EQ_INT(86400000, acme_retry_after_ms("99999999999999999999", now));
	EXPECT_EQ_INT(40000, acme_retry_after_ms("Tue, 14 Nov 2023 22:14:00 GMT", now));
	EXPECT_EQ_INT(0, acme_retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now));
	EXPECT_EQ_INT(86400000, acme_retry_after_ms("Tue, 14 Nov 2034 22:00:00 GMT", now));
	EXPECT_EQ_INT(-1, acme_retry_after_ms("tomorrow-ish", now));
}

TEST(renewal_starts_at_two_thirds_of_the_lifetime)
{
	const int64_t day = 86400;
	int64_t nb = 1735689600;   /* 2025-01-01 */

	EXPECT_EQ_INT(nb + 60 * day, tls_renew_at(nb, nb + 90 * day));   /* Let's Encrypt */
	EXPECT_EQ_INT(nb + 4 * day, tls_renew_at(nb, nb + 6 * day));     /* short-lived */
	EXPECT_EQ_INT(nb + 20, tls_renew_at(nb, nb + 30));               /* pebble in tests */
	EXPECT_EQ_INT(nb + 2, tls_renew_at(nb, nb + 4));                 /* 8/3 rounds down */
	EXPECT_EQ_INT(nb, tls_renew_at(nb, nb));                         /* nonsense: now */
	EXPECT_EQ_INT(nb, tls_renew_at(nb, nb - 5));
	/* the schedule follows the certificate, whatever its length */
	EXPECT_EQ_INT(nb + 243 * day + 8 * 3600, tls_renew_at(nb, nb + 365 * day));
}

TEST(failures_back_off_doubling_then_capped)
{
	EXPECT_EQ_INT(30000, tls_backoff_ms(1, -1));
	EXPECT_EQ_INT(60000, tls_backoff_ms(2, -1));
	EXPECT_EQ_INT(120000, tls_backoff_ms(3, -1));
	EXPECT_EQ_INT(30000 << 8, tls_backoff_ms(9, -1));
	EXPECT_EQ_INT(TLS_BACKOFF_MAX_MS, tls_backoff_ms(10, -1));
	EXPECT_EQ_INT(TLS_BACKOFF_MAX_MS, tls_backoff_ms(1000, -1));
	/* the server's Retry-After wins when longer, within a day */
	EXPECT_EQ_INT(600000, tls_backoff_ms(1, 600000));
	EXPECT_EQ_INT(60000, tls_backoff_ms(2, 1000));
	EXPECT_EQ_INT(86400000, tls_backoff_ms(1, 86400000LL * 30));
}

UNIT_MAIN
