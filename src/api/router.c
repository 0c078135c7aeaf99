/*
 * router.c - pattern routes over the request path's segments.
 *
 * A linear scan: the API has a few dozen routes and a request path at most
 * ROUTER_MAX_SEGMENTS segments, so matching costs less than parsing the
 * request did, and a table this small needs no tree.
 */
#include "api/router.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

struct seg {
	const char *s;
	size_t len;
};

struct route {
	struct router_route pub;  /* method and pattern, for the role table */
	char *method;
	char *pattern;
	char *segs[ROUTER_MAX_SEGMENTS];  /* "{name}" for a parameter */
	size_t nsegs;
	uint32_t rank;                    /* bit 31 - i set: segment i literal */
	http_handler_fn fn;
	void *arg;
};

struct router {
	struct route *routes;
	size_t n, cap;
};

struct router *router_new(void)
{
	return xcalloc(1, sizeof(struct router));
}

static void route_release(struct route *rt)
{
	free(rt->method);
	free(rt->pattern);
	for (size_t i = 0; i < rt->nsegs; i++)
		free(rt->segs[i]);
}

void router_free(struct router *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		route_release(&r->routes[i]);
	free(r->routes);
	free(r);
}

/* "/a/b" into {a, b}; "/" into nothing. -1 when not a path or too deep. */
static int split(const char *path, struct seg *out, size_t max)
{
	size_t n = 0;

	if (path[0] != '/')
		return -1;
	if (path[1] == '\0')
		return 0;
	for (const char *p = path + 1;; p++) {
		size_t len = strcspn(p, "/");

		if (n == max)
			return -1;
		out[n].s = p;
		out[n++].len = len;
		p += len;
		if (*p == '\0')
			return (int)n;
	}
}

static int is_param(const char *seg)
{
	return seg[0] == '{';
}

static int valid_segment(const struct seg *sg)
{
	size_t i;

	if (sg->len == 0)
		return 0;
	if (sg->s[0] != '{')
		return memchr(sg->s, '{', sg->len) == NULL &&
		       memchr(sg->s, '}', sg->len) == NULL;
	if (sg->len < 3 || sg->len > 40 || sg->s[sg->len - 1] != '}')
		return 0;
	for (i = 1; i + 1 < sg->len; i++)
		if (!isalnum((unsigned char)sg->s[i]) && sg->s[i] != '_')
			return 0;
	return 1;
}

static int parse_pattern(struct route *rt, const char *pattern, struct err *e)
{
	struct seg sg[ROUTER_MAX_SEGMENTS];
	int n = split(pattern, sg, ROUTER_MAX_SEGMENTS);

	if (n < 0)
		return err_set(e, ERR_INVALID, "route pattern '%s' must start with '/' "
			       "and have at most %d segments", pattern, ROUTER_MAX_SEGMENTS);
	for (int i = 0; i < n; i++) {
		if (!valid_segment(&sg[i]))
			return err_set(e, ERR_INVALID, "route pattern '%s': bad segment '%.*s'",
				       pattern, (int)sg[i].len, sg[i].s);
		rt->segs[rt->nsegs++] = xstrndup(sg[i].s, sg[i].len);
		if (!is_param(rt->segs[i]))
			rt->rank |= UINT32_C(1) << (31 - i);
		for (int j = 0; j < i; j++)
			if (is_param(rt->segs[i]) && strcmp(rt->segs[i], rt->segs[j]) == 0)
				return err_set(e, ERR_INVALID, "route pattern '%s': '%s' twice",
					       pattern, rt->segs[i]);
	}
	return 0;
}

static int method_ok(const char *m)
{
	if (*m == '\0')
		return 0;
	for (; *m; m++)
		if (!isupper((unsigned char)*m))
			return 0;
	return 1;
}

int router_add(struct router *r, const char *method, const char *pattern,
	       http_handler_fn fn, void *arg, struct err *e)
{
	struct route rt = { 0 };

	if (!method_ok(method))
		return err_set(e, ERR_INVALID, "route method '%s' is not an HTTP method",
			       method);
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->routes[i].method, method) == 0 &&
		    strcmp(r->routes[i].pattern, pattern) == 0)
			return err_set(e, ERR_CONFLICT, "route %s %s added twice", method,
				       pattern);
	if (parse_pattern(&rt, pattern, e) < 0) {
		route_release(&rt);
		return e->code;
	}
	rt.method = xstrdup(method);
	rt.pattern = xstrdup(pattern);
	rt.pub.method = rt.method;
	rt.pub.pattern = rt.pattern;
	rt.fn = fn;
	rt.arg = arg;
	XGROW(r->routes, r->cap, r->n + 1);
	r->routes[r->n++] = rt;
	return 0;
}

static int matches(const struct route *rt, const struct seg *sg, size_t n)
{
	if (rt->nsegs != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (sg[i].len == 0)
			return 0;
		if (is_param(rt->segs[i]))
			continue;
		if (strlen(rt->segs[i]) != sg[i].len ||
		    memcmp(rt->segs[i], sg[i].s, sg[i].len) != 0)
			return 0;
	}
	return 1;
}

static void allow_add(struct buf *allow, const char *method)
{
	const char *p = buf_str(allow);
	size_t n = strlen(method);

	while ((p = strstr(p, method)) != NULL) {
		if ((p == allow->data || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return;
		p += n;
	}
	if (allow->len > 0)
		buf_puts(allow, ", ");
	buf_puts(allow, method);
}

/* Records the route's parameters; -1 when one is badly encoded. */
static int bind_params(struct http_req *req, const struct route *rt,
		       const struct seg *sg)
{
	char name[64];

	for (size_t i = 0; i < rt->nsegs; i++) {
		const char *p = rt->segs[i];
		size_t len = strlen(p) - 2;
		char *value;

		if (!is_param(p))
			continue;
		value = http_req_decode(req, sg[i].s, sg[i].len, 0);
		if (value == NULL || len >= sizeof(name))
			return -1;
		memcpy(name, p + 1, len);
		name[len] = '\0';
		http_req_set_param(req, name, value);
	}
	return 0;
}

static const struct route *find(const struct router *r, const char *method,
				const struct seg *sg, size_t n, struct buf *allow)
{
	const struct route *best = NULL;

	for (size_t i = 0; i < r->n; i++) {
		const struct route *rt = &r->routes[i];

		if (!matches(rt, sg, n))
			continue;
		if (strcmp(rt->method, method) != 0)
			allow_add(allow, rt->method);
		else if (best == NULL || rt->rank > best->rank)
			best = rt;
	}
	return best;
}

const struct router_route *router_match(const struct router *r,
					struct http_req *req)
{
	const char *method = http_req_method(req), *path = http_req_path(req);
	struct seg sg[ROUTER_MAX_SEGMENTS];
	struct buf allow = BUF_INIT;
	const struct route *rt = NULL;
	int n = split(path, sg, ROUTER_MAX_SEGMENTS);

	if (n >= 0)
		rt = find(r, method, sg, (size_t)n, &allow);
	if (rt == NULL && allow.len == 0) {
		http_reply_error(req, 404, "not_found", "no API route for %s %s",
				 method, path);
	} else if (rt == NULL) {
		http_resp_header(req, "Allow", allow.data);
		http_reply_error(req, 405, "method_not_allowed",
				 "method %s is not allowed on %s (allowed: %s)",
				 method, path, allow.data);
	} else if (bind_params(req, rt, sg) < 0) {
		http_reply_error(req, 400, "bad_request",
				 "invalid percent-encoding in the path");
		rt = NULL;
	}
	buf_release(&allow);
	return rt ? &rt->pub : NULL;
}

int router_run(const struct router_route *rt, struct http_req *req,
	       struct err *e)
{
	const struct route *r = (const struct route *)rt;   /* pub comes first */

	return r->fn(req, r->arg, e);
}

int router_handle(struct http_req *req, void *arg, struct err *e)
{
	const struct router_route *rt = router_match(arg, req);

	return rt ? router_run(rt, req, e) : 0;
}

size_t router_count(const struct router *r)
{
	return r->n;
}

const struct router_route *router_at(const struct router *r, size_t i)
{
	return i < r->n ? &r->routes[i].pub : NULL;
}
