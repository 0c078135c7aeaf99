/*
 * envref.c - scanning env values for ${secrets.KEY}.
 */
#include "base/envref.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static bool is_key(const char *s, size_t n)
{
	if (n == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

int envref_scan(const char *value, envref_fn fn, void *arg, struct err *e)
{
	for (const char *p = value; (p = strchr(p, '$')) != NULL;) {
		const char *close;
		size_t n;
		int rc;

		if (p[1] == '$') {
			p += 2;
			continue;
		}
		if (p[1] != '{') {
			p++;
			continue;
		}
		if ((close = strchr(p + 2, '}')) == NULL)
			return err_set(e, ERR_INVALID, "'${' without a closing '}'");
		n = (size_t)(close - p - 2);
		if (n <= 8 || strncmp(p + 2, "secrets.", 8) != 0 || !is_key(p + 10, n - 8))
			return err_set(e, ERR_INVALID, "'${%.*s}' is not a reference orca knows "
				       "(use ${secrets.KEY}, or $$ for a literal '$')",
				       n > 64 ? 64 : (int)n, p + 2);
		if (fn && (rc = fn(arg, p + 10, n - 8)) != 0)
			return rc;
		p = close + 1;
	}
	return 0;
}
