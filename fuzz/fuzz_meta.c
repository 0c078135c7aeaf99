/*
 * fuzz_meta.c - the revision meta document (reconcile/spec.h) read back
 * from the store, plus the small text readers the server trusts: RFC 3339
 * times from Docker and UTF-8 sanitising of command output.
 *
 * Invariants: a meta that parses prints back to a text that parses to the
 * same entries; sanitised text is valid UTF-8 without NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/utf8.h"
#include "reconcile/spec.h"

static void check_meta(const char *text)
{
	struct rev_meta m, again;
	struct err e = { 0 };
	char *printed;

	if (rev_meta_parse(text, &m, &e) < 0)
		return;
	printed = rev_meta_text(&m);
	if (rev_meta_parse(printed, &again, &e) < 0 || again.len != m.len)
		abort();
	for (size_t i = 0; i < m.len; i++) {
		struct svc_meta *a = &m.items[i], *b = rev_meta_find(&again, a->name);

		if (b == NULL || strcmp(a->hash, b->hash) || a->replicas != b->replicas ||
		    a->restart != b->restart || a->from_revision != b->from_revision)
			abort();
	}
	rev_meta_release(&again);
	rev_meta_release(&m);
	free(printed);
}

static void check_utf8(const char *data, size_t len)
{
	size_t n;
	char *s = utf8_sanitize(data, len, &n);

	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len((const unsigned char *)s + i, n - i);

		if (k == 0 || s[i] == '\0')
			abort();
		i += k;
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	check_meta(text);
	(void)rfc3339_to_ms(text);
	check_utf8((const char *)data, size);
	free(text);
	return 0;
}
