/*
 * fuzz_proxy_route.c - libFuzzer target for the proxy's request routing
 * (proxy/route.c): Host values and paths from the wire, route patterns.
 *
 * The input's first line is a Host header value, the rest a path. A host
 * that host_normalize accepts comes back lowercase, without a port, and
 * normalizing it again changes nothing; routing never reads out of bounds
 * and finds a target only for a host the table names. A route pattern
 * that parses has a prefix starting with '/'. Seed corpus:
 * fuzz/corpus/proxy_route.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/internal.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static struct table *table(void)
{
	static struct table *t;
	static struct proxy *p;
	const char *text =
		"{\"projects\": [{\"name\": \"p\", \"services\": ["
		"{\"project\": \"p\", \"name\": \"a\", \"port\": 80, \"domains\": [\"a.test\", "
		"\"*.w.test\"], \"routes\": [\"/api/*\", \"/x\"], \"replicas\": []},"
		"{\"project\": \"p\", \"name\": \"b\", \"port\": 80, \"domains\": [\"a.test\"], "
		"\"routes\": [], \"replicas\": []}]}]}";
	json_error_t je;
	struct err e = { 0 };

	if (t == NULL) {
		struct proxy_opts o = { 0 };
		json_t *snap = json_loads(text, 0, &je);

		p = proxy_new(&o);
		t = table_build(p, snap, &e);
		json_decref(snap);
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *nl = memchr(in, '\n', size);
	size_t hl = nl ? (size_t)(nl - in) : size;
	char out[300], again[300], *pat;
	const struct target *tg;
	struct route r;
	int n;

	if (size > 4096)
		return 0;
	n = host_normalize(in, hl, out, sizeof(out));
	if (n >= 0) {
		CHECK((size_t)n == strlen(out));
		for (int i = 0; i < n; i++)
			CHECK(out[i] < 'A' || out[i] > 'Z');
		CHECK(host_normalize(out, (size_t)n, again, sizeof(again)) == n);
		CHECK(strcmp(out, again) == 0);
	}
	tg = table_route(table(), in, hl, nl ? nl + 1 : "", nl ? size - hl - 1 : 0);
	if (tg)
		CHECK(n >= 0 && (strcmp(out, "a.test") == 0 ||
				 (n > 7 && strcmp(out + n - 7, ".w.test") == 0)));
	pat = malloc(size + 1);
	memcpy(pat, data, size);
	pat[size] = '\0';
	if (route_parse(pat, &r) == 0) {
		CHECK(r.prefix[0] == '/' && r.len == strlen(r.prefix));
		free(r.prefix);
	}
	free(pat);
	return 0;
}
