/*
 * acme_msg.c - the ACME server's JSON answers (RFC 8555 §7.1) mapped to
 * plain structs: directory, order, authorization with its http-01
 * challenge, problem documents, and the Retry-After header.
 *
 * Everything here is untrusted input: sizes are capped, URLs must be https,
 * tokens must be base64url (they end up in an HTTP path and a response
 * body). Pure; fuzzed by fuzz/fuzz_acme.c.
 */
#include "tls/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/jsonx.h"
#include "base/xalloc.h"

static const char *const status_names[] = {
	[ACME_UNKNOWN] = "unknown", [ACME_PENDING] = "pending", [ACME_READY] = "ready",
	[ACME_PROCESSING] = "processing", [ACME_VALID] = "valid", [ACME_INVALID] = "invalid",
	[ACME_EXPIRED] = "expired", [ACME_DEACTIVATED] = "deactivated",
	[ACME_REVOKED] = "revoked",
};

const char *acme_status_name(enum acme_status s)
{
	return (size_t)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s]
									   : "unknown";
}

static enum acme_status status_of(const char *s)
{
	for (size_t i = 1; s && i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum acme_status)i;
	return ACME_UNKNOWN;
}

static bool url_ok(const char *u)
{
	size_t n = strlen(u);

	if (n <= 8 || n >= ACME_URL_MAX || strncmp(u, "https://", 8) != 0)
		return false;
	for (; *u; u++)
		if ((unsigned char)*u <= 0x20 || (unsigned char)*u >= 0x7f)
			return false;
	return true;
}

bool acme_token_ok(const char *t)
{
	size_t n = 0;

	for (; t[n]; n++)
		if (!isalnum((unsigned char)t[n]) && t[n] != '-' && t[n] != '_')
			return false;
	return n >= 1 && n <= ACME_TOKEN_MAX;
}

/* A required (or optional) https URL field, copied into *out. */
static int get_url(const json_t *o, const char *field, int flags, char **out, struct err *e)
{
	const char *s;
	int rc = jsonx_get_string(o, field, flags, &s, e);

	if (rc != 0)
		return rc;
	if (!url_ok(s))
		return err_set(e, ERR_INVALID, "field '%s' is not an https URL", field);
	*out = xstrdup(s);
	return 0;
}

static json_t *parse_object(const char *body, size_t len, const char *what, struct err *e)
{
	json_t *j = jsonx_parse(body, len, ACME_BODY_MAX, e);

	if (j != NULL && jsonx_expect_object(j, what, e) < 0) {
		json_decref(j);
		return NULL;
	}
	if (j == NULL)
		err_wrap(e, "%s", what);
	return j;
}

int acme_parse_directory(const char *body, size_t len, struct acme_directory *out,
			 struct err *e)
{
	json_t *j = parse_object(body, len, "ACME directory", e), *meta = NULL;
	const char *terms;
	int rc;

	memset(out, 0, sizeof(*out));
	if (j == NULL)
		return ERR_INVALID;
	rc = get_url(j, "newNonce", JSONX_REQUIRED, &out->new_nonce, e);
	if (rc == 0)
		rc = get_url(j, "newAccount", JSONX_REQUIRED, &out->new_account, e);
	if (rc == 0)
		rc = get_url(j, "newOrder", JSONX_REQUIRED, &out->new_order, e);
	if (rc == 0) {
		/* optional and informative only: a malformed meta is ignored */
		struct err ignored = { 0 };

		if (jsonx_get_object(j, "meta", JSONX_OPTIONAL, &meta, &ignored) == 0 &&
		    jsonx_get_string(meta, "termsOfService", JSONX_OPTIONAL, &terms, &ignored) == 0)
			out->terms = xstrndup(terms, strnlen(terms, 1024));
	}
	if (rc < 0) {
		rc = err_wrap(e, "ACME directory");
		acme_directory_release(out);
	}
	json_decref(j);
	return rc < 0 ? ERR_INVALID : 0;
}

/* The detail of an embedded problem object ("error"), when there is one. */
static char *problem_detail(const json_t *o)
{
	const json_t *p = json_object_get(o, "error");
	const char *d = json_string_value(json_object_get(p, "detail"));
	const char *t = json_string_value(json_object_get(p, "type"));

	if (d == NULL && t == NULL)
		return NULL;
	return xstrndup(d ? d : t, strnlen(d ? d : t, 300));  /* xstrndup copies n */
}

static int status_field(const json_t *o, enum acme_status *out, struct err *e)
{
	const char *s;
	int rc = jsonx_get_string(o, "status", JSONX_REQUIRED, &s, e);

	if (rc < 0)
		return rc;
	if ((*out = status_of(s)) == ACME_UNKNOWN)
		return err_set(e, ERR_INVALID, "unknown status '%.40s'", s);
	return 0;
}

static int order_authzs(const json_t *j, struct acme_order *out, struct err *e)
{
	json_t *arr, *v;
	size_t i;
	int rc = jsonx_get_array(j, "authorizations", JSONX_REQUIRED, &arr, e);

	if (rc < 0)
		return rc;
	if (json_array_size(arr) > ACME_AUTHZ_MAX)
		return err_set(e, ERR_INVALID, "more than %d authorizations", ACME_AUTHZ_MAX);
	out->authorizations = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	json_array_foreach(arr, i, v) {
		const char *u = json_string_value(v);

		if (u == NULL || !url_ok(u))
			return err_set(e, ERR_INVALID, "authorizations[%zu] is not an https URL", i);
		out->authorizations[out->nauthorizations++] = xstrdup(u);
	}
	return 0;
}

int acme_parse_order(const char *body, size_t len, struct acme_order *out, struct err *e)
{
	json_t *j = parse_object(body, len, "ACME order", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (j == NULL)
		return ERR_INVALID;
	rc = status_field(j, &out->status, e);
	if (rc == 0)
		rc = order_authzs(j, out, e);
	if (rc == 0)
		rc = get_url(j, "finalize", JSONX_REQUIRED, &out->finalize, e);
	if (rc == 0)
		rc = get_url(j, "certificate", JSONX_OPTIONAL, &out->certificate, e);
	if (rc > 0)
		rc = 0;
	out->error = problem_detail(j);
	json_decref(j);
	if (rc < 0) {
		acme_order_release(out);
		return err_wrap(e, "ACME order");
	}
	return 0;
}

static int identifier(const json_t *j, struct acme_authz *out, struct err *e)
{
	json_t *id;
	const char *type, *value;
	int wc = 0;
	int rc = jsonx_get_object(j, "identifier", JSONX_REQUIRED, &id, e);

	if (rc == 0)
		rc = jsonx_get_string(id, "type", JSONX_REQUIRED, &type, e);
	if (rc == 0)
		rc = jsonx_get_string(id, "value", JSONX_REQUIRED, &value, e);
	if (rc == 0 && strcmp(type, "dns") != 0)
		return err_set(e, ERR_INVALID, "identifier type '%.20s' is not 'dns'", type);
	if (rc == 0 && (strlen(value) == 0 || strlen(value) > 253))
		return err_set(e, ERR_INVALID, "identifier value of %zu bytes", strlen(value));
	if (rc == 0 && jsonx_get_bool(j, "wildcard", JSONX_OPTIONAL, &wc, e) < 0)
		return ERR_INVALID;
	if (rc < 0)
		return rc;
	out->identifier = xstrdup(value);
	out->wildcard = wc;
	return 0;
}

static int http01(const json_t *ch, struct acme_authz *out, struct err *e)
{
	const char *token;
	int rc = status_field(ch, &out->http01_status, e);

	if (rc == 0)
		rc = get_url(ch, "url", JSONX_REQUIRED, &out->http01_url, e);
	if (rc == 0)
		rc = jsonx_get_string(ch, "token", JSONX_REQUIRED, &token, e);
	if (rc == 0 && !acme_token_ok(token))
		rc = err_set(e, ERR_INVALID, "the http-01 token is not base64url");
	if (rc < 0)
		return err_wrap(e, "http-01 challenge");
	out->http01_token = xstrdup(token);
	out->error = problem_detail(ch);
	return 0;
}

static int challenges(const json_t *j, struct acme_authz *out, struct err *e)
{
	json_t *arr, *ch;
	size_t i;
	int rc = jsonx_get_array(j, "challenges", JSONX_REQUIRED, &arr, e);

	if (rc < 0)
		return rc;
	if (json_array_size(arr) > ACME_AUTHZ_MAX)
		return err_set(e, ERR_INVALID, "more than %d challenges", ACME_AUTHZ_MAX);
	json_array_foreach(arr, i, ch) {
		const char *type = json_string_value(json_object_get(ch, "type"));

		if (!json_is_object(ch))
			return err_set(e, ERR_INVALID, "challenges[%zu] is not an object", i);
		if (type && strcmp(type, "http-01") == 0 && out->http01_url == NULL &&
		    http01(ch, out, e) < 0)
			return ERR_INVALID;
	}
	return 0;
}

int acme_parse_authz(const char *body, size_t len, struct acme_authz *out, struct err *e)
{
	json_t *j = parse_object(body, len, "ACME authorization", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (j == NULL)
		return ERR_INVALID;
	rc = status_field(j, &out->status, e);
	if (rc == 0)
		rc = identifier(j, out, e);
	if (rc == 0)
		rc = challenges(j, out, e);
	json_decref(j);
	if (rc < 0) {
		acme_authz_release(out);
		return err_wrap(e, "ACME authorization");
	}
	return 0;
}

int acme_parse_problem(const char *body, size_t len, struct acme_problem *out)
{
	struct err e = { 0 };
	json_t *j = jsonx_parse(body, len, ACME_BODY_MAX, &e);
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *detail = json_string_value(json_object_get(j, "detail"));

	memset(out, 0, sizeof(*out));
	if (type == NULL && detail == NULL) {
		json_decref(j);
		return ERR_INVALID;
	}
	snprintf(out->type, sizeof(out->type), "%s", type ? type : "");
	snprintf(out->detail, sizeof(out->detail), "%s", detail ? detail : "");
	json_decref(j);
	return 0;
}

int64_t acme_retry_after_ms(const char *value, time_t now)
{
	const int64_t day_ms = 24 * 3600 * 1000LL;
	char *end;
	long long secs;
	time_t when;

	if (value == NULL || *value == '\0' || strlen(value) > 64)
		return -1;
	if (isdigit((unsigned char)value[0])) {
		secs = strtoll(value, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0')
			return -1;
		return secs > 24 * 3600 ? day_ms : secs * 1000;
	}
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return -1;
	if (when <= now)
		return 0;
	return when - now > 24 * 3600 ? day_ms : (int64_t)(when - now) * 1000;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void acme_directory_release(struct acme_directory *d)
{
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->terms);
	memset(d, 0, sizeof(*d));
}

void acme_order_release(struct acme_order *o)
{
	free_strv(o->authorizations, o->nauthorizations);
	free(o->finalize);
	free(o->certificate);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

void acme_authz_release(struct acme_authz *a)
{
	free(a->identifier);
	free(a->http01_url);
	free(a->http01_token);
	free(a->error);
	memset(a, 0, sizeof(*a));
}
