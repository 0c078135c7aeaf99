/*
 * route.c - from a request's Host and path to a target. Pure functions.
 *
 * Hosts: the exact name first, then wildcards from the most specific
 * suffix to the least ("*.b.example.com" before "*.example.com"); a
 * wildcard matches one label or more. Paths: the longest route wins; a
 * pattern "/api/ *" (no space) matches "/api" and everything below "/api/", any other
 * pattern matches that path alone. The query string never takes part.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "proxy/internal.h"

#define HOST_MAX 253

static bool host_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* "[v6]" literal: hex digits, ':' and '.' between the brackets. */
static int ipv6_literal(const char *h, size_t len, char *out, size_t outsz)
{
	if (len < 3 || len + 1 > outsz || h[len - 1] != ']')
		return -1;
	for (size_t i = 1; i + 1 < len; i++)
		if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
			return -1;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[len] = '\0';
	return (int)len;
}

int host_normalize(const char *host, size_t len, char *out, size_t outsz)
{
	size_t n = len;
	const char *colon;

	if (len == 0)
		return -1;
	if (host[0] == '[') {
		const char *close = memchr(host, ']', len);

		if (close == NULL)
			return -1;
		n = (size_t)(close - host) + 1;
	} else if ((colon = memchr(host, ':', len)) != NULL) {
		n = (size_t)(colon - host);
	}
	if (n < len) {   /* ":port": digits only, 1-65535 */
		size_t pl = len - n - 1;
		long port = 0;

		if (host[n] != ':' || pl == 0 || pl > 5)
			return -1;
		for (size_t i = n + 1; i < len; i++) {
			if (!isdigit((unsigned char)host[i]))
				return -1;
			port = port * 10 + (host[i] - '0');
		}
		if (port < 1 || port > 65535)
			return -1;
	}
	if (host[0] == '[')
		return ipv6_literal(host, n, out, outsz);
	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n > HOST_MAX || n + 1 > outsz || host[0] == '.' || host[0] == '-' ||
	    host[n - 1] == '.')
		return -1;   /* "a.." as well: one trailing dot is the root, two are nothing */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)host[i];

		if (!host_char(c) || (c == '.' && i > 0 && host[i - 1] == '.'))
			return -1;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	return (int)n;
}

int route_parse(const char *pattern, struct route *out)
{
	size_t n = strlen(pattern);

	memset(out, 0, sizeof(*out));
	if (n == 0 || pattern[0] != '/')
		return -1;
	if (n >= 2 && strcmp(pattern + n - 2, "/*") == 0) {
		out->subtree = true;
		n--;                       /* keep the '/': "/api/" */
	} else if (strchr(pattern, '*') != NULL) {
		return -1;
	}
	out->prefix = xstrndup(pattern, n);
	out->len = n;
	return 0;
}

static bool route_matches(const struct route *r, const char *path, size_t len)
{
	if (r->subtree) {
		/* "/api/" matches "/api" too; "/" matches everything */
		if (len >= r->len)
			return memcmp(path, r->prefix, r->len) == 0;
		return len == r->len - 1 && memcmp(path, r->prefix, len) == 0;
	}
	return len == r->len && memcmp(path, r->prefix, len) == 0;
}

static int cmp_host(const void *key, const void *elem)
{
	return strcmp(key, ((const struct host *)elem)->name);
}

static const struct host *find_host(const struct table *t, const char *name)
{
	const struct host *h;

	if (t->nhosts == 0)
		return NULL;
	h = bsearch(name, t->hosts, t->nexact, sizeof(*t->hosts), cmp_host);
	if (h)
		return h;
	for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
		h = bsearch(dot, t->hosts + t->nexact, t->nhosts - t->nexact, sizeof(*t->hosts),
			    cmp_host);
		if (h)
			return h;
	}
	return NULL;
}

const struct target *table_route(const struct table *t, const char *host, size_t hostlen,
				 const char *path, size_t pathlen)
{
	char name[HOST_MAX + 8];
	const struct host *h;
	const char *q;

	if (t == NULL || host_normalize(host, hostlen, name, sizeof(name)) < 0)
		return NULL;
	if ((h = find_host(t, name)) == NULL)
		return NULL;
	if ((q = memchr(path, '?', pathlen)) != NULL)
		pathlen = (size_t)(q - path);
	for (size_t i = 0; i < h->nroutes; i++)
		if (route_matches(&h->routes[i], path, pathlen))
			return h->routes[i].target;
	return NULL;
}
