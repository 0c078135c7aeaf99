/*
 * http_request.c - a request's life (new, references, cancel hook) and
 * what a handler reads from it: path, headers, query and path parameters,
 * body, peer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/http_int.h"
#include "base/jsonx.h"
#include "base/xalloc.h"

struct http_req *http_req_new(struct http_server *srv)
{
	struct http_req *req = xcalloc(1, sizeof(*req));

	atomic_init(&req->refs, 1);
	req->srv = srv;
	pool_init(&req->pool);
	buf_init(&req->body);
	buf_init(&req->resp_headers);
	buf_init(&req->out);
	buf_init(&req->sending);
	pthread_mutex_init(&req->mu, NULL);
	pthread_cond_init(&req->room, NULL);
	req->method = "";
	req->path = "";
	req->query_raw = "";
	return req;
}

void http_req_ref(struct http_req *req)
{
	atomic_fetch_add(&req->refs, 1);
}

void http_req_unref(struct http_req *req)
{
	if (req == NULL || atomic_fetch_sub(&req->refs, 1) != 1)
		return;
	free(req->params);
	free(req->ctype);
	free(req->heartbeat);
	buf_release(&req->body);
	buf_release(&req->resp_headers);
	buf_release(&req->out);
	buf_release(&req->sending);
	pthread_cond_destroy(&req->room);
	pthread_mutex_destroy(&req->mu);
	pool_release(&req->pool);
	free(req);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *http_pct_decode(struct pool *p, const char *s, size_t n, int plus)
{
	char *out = pool_alloc(p, n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '+' && plus) {
			*o++ = ' ';
		} else if (s[i] != '%') {
			*o++ = s[i];
		} else {
			if (i + 2 >= n)
				return NULL;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	if (memchr(out, '\0', (size_t)(o - out)) != NULL)
		return NULL;
	*o = '\0';
	return out;
}

static const char *kv_find(const struct http_kv *kv, size_t n,
			   const char *name, int icase)
{
	for (size_t i = 0; i < n; i++) {
		int eq = icase ? strcasecmp(kv[i].name, name) == 0
			       : strcmp(kv[i].name, name) == 0;

		if (eq)
			return kv[i].value;
	}
	return NULL;
}

const char *http_req_method(const struct http_req *req)
{
	return req->method;
}

const char *http_req_path(const struct http_req *req)
{
	return req->path;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
	return kv_find(req->headers, req->nheaders, name, 1);
}

const char *http_req_param(const struct http_req *req, const char *name)
{
	return kv_find(req->params, req->nparams, name, 0);
}

const char *http_req_query(const struct http_req *req, const char *name)
{
	return kv_find(req->query, req->nquery, name, 0);
}

int http_req_query_int(const struct http_req *req, const char *name,
		       int64_t *out, struct err *e)
{
	const char *v = http_req_query(req, name);
	char *end;
	long long n;

	if (v == NULL)
		return 1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || *v == ' ')
		return err_set(e, ERR_INVALID, "query parameter '%s' must be an integer",
			       name);
	*out = n;
	return 0;
}

int http_req_query_bool(const struct http_req *req, const char *name,
			int *out, struct err *e)
{
	static const char *const yes[] = { "", "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	const char *v = http_req_query(req, name);

	if (v == NULL)
		return 1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	return err_set(e, ERR_INVALID, "query parameter '%s' must be a boolean (1 or 0)",
		       name);
}

const char *http_req_body(const struct http_req *req, size_t *len)
{
	if (len != NULL)
		*len = req->body.len;
	return buf_str(&req->body);
}

int http_req_json(const struct http_req *req, json_t **out, struct err *e)
{
	size_t max = req->srv->lim.max_body_bytes;

	*out = jsonx_parse(buf_str(&req->body), req->body.len, max, e);
	if (*out == NULL)
		return err_wrap(e, "request body");
	return 0;
}

const struct http_peer *http_req_peer(const struct http_req *req)
{
	return &req->peer;
}

int http_req_stopping(const struct http_req *req)
{
	return http_server_stopping(req->srv);
}

void *http_req_alloc(struct http_req *req, size_t n)
{
	return pool_alloc(&req->pool, n);
}

char *http_req_decode(struct http_req *req, const char *s, size_t n, int plus)
{
	return http_pct_decode(&req->pool, s, n, plus);
}

void http_req_set_param(struct http_req *req, const char *name,
			const char *value)
{
	struct http_kv *kv;

	XGROW(req->params, req->params_cap, req->nparams + 1);
	kv = &req->params[req->nparams++];
	kv->name = pool_strdup(&req->pool, name);
	kv->value = pool_strdup(&req->pool, value);
}

void http_req_set_user(struct http_req *req, void *p)
{
	req->user = p;
}

void *http_req_user(const struct http_req *req)
{
	return req->user;
}

void http_req_on_cancel(struct http_req *req, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&req->mu);
	if (fn != NULL && req->canceled) {
		fn(arg);
	} else {
		req->cancel_fn = fn;
		req->cancel_arg = arg;
	}
	pthread_mutex_unlock(&req->mu);
}

int http_req_canceled(struct http_req *req)
{
	int c;

	pthread_mutex_lock(&req->mu);
	c = req->canceled || req->gone;
	pthread_mutex_unlock(&req->mu);
	return c;
}
