/*
 * utf8.c - UTF-8 validation per RFC 3629.
 */
#include "base/utf8.h"

#include "base/buf.h"

size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *utf8_sanitize(const char *s, size_t len, size_t *out_len)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq_len(u + i, len - i);

		if (n == 0 || u[i] == 0) {
			buf_append(&b, fffd, 3);
			i++;
			continue;
		}
		buf_append(&b, s + i, n);
		i += n;
	}
	if (out_len)
		*out_len = b.len;
	return buf_steal(&b);
}
