/*
 * h_secrets.c - set, delete and list secrets. No call returns a value.
 */
#include "api/ctx.h"

#include <string.h>

#include "base/jsonx.h"
#include "store/secrets.h"

#define SECRET_VALUE_MAX (64 * 1024)

/* "_cluster" in a path is the cluster-wide scope (""). */
static const char *scope_of(struct http_req *req)
{
	const char *p = http_req_param(req, "project");

	return strcmp(p, API_CLUSTER_SCOPE) == 0 ? "" : p;
}

static int put_secret(struct http_req *req, void *arg, struct err *e)
{
	static const char *const fields[] = { "value", NULL };
	struct store *st = api_store(arg, e);
	const char *name = http_req_param(req, "key");
	json_t *body = NULL, *v;
	int rc;

	if (st == NULL)
		return ERR_FAIL;
	if (!secrets_name_ok(name))
		return err_set(e, ERR_INVALID, "secret names are [A-Za-z_][A-Za-z0-9_]*, not '%s'",
			       name);
	if (http_req_json(req, &body, e) < 0)
		return ERR_INVALID;
	rc = jsonx_expect_object(body, "request body", e);
	if (rc == 0)
		rc = jsonx_check_fields(body, fields, e);
	v = json_object_get(body, "value");
	if (rc == 0 && !json_is_string(v))
		rc = err_set(e, ERR_INVALID, "field 'value' must be a string");
	if (rc == 0 && json_string_length(v) > SECRET_VALUE_MAX)
		rc = err_set(e, ERR_TOOBIG, "a secret value holds at most %d bytes", SECRET_VALUE_MAX);
	if (rc == 0)
		rc = secrets_set(st, scope_of(req), name, json_string_value(v),
				 json_string_length(v), e);
	json_decref(body);
	if (rc < 0)
		return rc;
	return http_reply_json(req, 200, json_pack("{s:{s:s, s:s}}", "secret", "name", name,
						   "scope", http_req_param(req, "project")));
}

static int delete_secret(struct http_req *req, void *arg, struct err *e)
{
	struct store *st = api_store(arg, e);
	const char *name = http_req_param(req, "key");

	if (st == NULL || secrets_delete(st, scope_of(req), name, e) < 0)
		return e->code ? e->code : ERR_FAIL;
	return http_reply_json(req, 200, json_pack("{s:{s:s, s:b}}", "secret", "name", name,
						   "deleted", 1));
}

static int list_secrets(struct http_req *req, void *arg, struct err *e)
{
	struct store *st = api_store(arg, e);
	struct secrets_entry *v = NULL;
	size_t n = 0;
	json_t *a;

	if (st == NULL || secrets_list(st, scope_of(req), NULL, STORE_LIST_MAX, &v, &n, e) < 0)
		return ERR_FAIL;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "name", v[i].name, "updated_at",
						   (json_int_t)v[i].updated_at_ms));
	secrets_list_free(v, n);
	return http_reply_json(req, 200, json_pack("{s:o}", "secrets", a));
}

static int get_secret(struct http_req *req, void *arg, struct err *e)
{
	(void)req;
	(void)arg;
	return err_set(e, ERR_UNSUPPORTED, "secret values are never returned by the API; "
		       "run 'orca secrets get' on the server's host");
}

int api_routes_secrets(struct router *r, struct api *a, struct err *e)
{
	static const char one[] = "/api/v1/projects/{project}/secrets/{key}";

	if (router_add(r, "PUT", one, put_secret, a, e) < 0 ||
	    router_add(r, "DELETE", one, delete_secret, a, e) < 0 ||
	    router_add(r, "GET", one, get_secret, a, e) < 0 ||
	    router_add(r, "GET", "/api/v1/projects/{project}/secrets", list_secrets, a, e) < 0)
		return ERR_FAIL;
	return 0;
}
