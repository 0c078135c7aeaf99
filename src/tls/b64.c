/*
 * b64.c - base64url without padding, the encoding of every JWS part.
 */
#include "tls/internal.h"

#include "base/xalloc.h"

char *tls_b64url(const void *data, size_t len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789-_";
	const unsigned char *p = data;
	char *out = xmalloc(len / 3 * 4 + 5);
	size_t o = 0, i = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
		out[o++] = abc[v & 63];
	}
	if (len - i == 1) {
		out[o++] = abc[p[i] >> 2];
		out[o++] = abc[(p[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];

		out[o++] = abc[v >> 10 & 63];
		out[o++] = abc[v >> 4 & 63];
		out[o++] = abc[(v & 15) << 2];
	}
	out[o] = '\0';
	return out;
}
