/*
 * expand.c - ${secrets.KEY} in container env values.
 *
 * The output holds secret plaintext, so it is built in a buffer that wipes
 * its old copy whenever it grows, and wiped on every error path.
 */
#include "store/secrets.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define PREFIX "${secrets."
#define PREFIX_LEN (sizeof(PREFIX) - 1)

/* A growable string that never leaves a copy behind in freed memory. */
struct wipebuf {
	char *data;
	size_t len, cap;
};

static int put(struct wipebuf *b, const char *s, size_t n, struct err *e)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	if (n > SECRETS_EXPAND_MAX - b->len)
		return err_set(e, ERR_TOOBIG, "expanded value larger than %d bytes",
			       SECRETS_EXPAND_MAX);
	if (b->len + n + 1 > b->cap) {
		while (cap < b->len + n + 1)
			cap *= 2;
		p = xmalloc(cap);
		if (b->data) {
			memcpy(p, b->data, b->len);
			sodium_memzero(b->data, b->cap);
			free(b->data);
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static void wipe(struct wipebuf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->cap);
	free(b->data);
}

/* Length of the KEY in "KEY}" at s, or 0 if s does not start that way. */
static size_t ref_len(const char *s)
{
	char name[SECRETS_NAME_MAX + 1];
	size_t n = 0;

	while (n <= SECRETS_NAME_MAX && s[n] && s[n] != '}')
		n++;
	if (s[n] != '}' || n == 0 || n > SECRETS_NAME_MAX)
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	return secrets_name_ok(name) ? n : 0;
}

static int put_secret(struct store *st, const char *project, const char *ref,
		      size_t n, struct wipebuf *b, struct err *e)
{
	char name[SECRETS_NAME_MAX + 1];
	unsigned char *value;
	size_t len;
	int rc;

	memcpy(name, ref, n);
	name[n] = '\0';
	rc = secrets_resolve(st, project, name, &value, &len, e);
	if (rc < 0)
		return rc;
	if (memchr(value, '\0', len))
		rc = err_set(e, ERR_INVALID, "secret '%s' holds a NUL byte and cannot "
			     "be used in an environment value", name);
	else
		rc = put(b, (const char *)value, len, e);
	secrets_value_free(value, len);
	return rc;
}

static int expand(struct store *st, const char *project, const char *value,
		  struct wipebuf *b, struct err *e)
{
	const char *p = value;
	size_t n;
	int rc = 0;

	while (*p && rc == 0) {
		if (p[0] != '$') {
			n = strcspn(p, "$");
			rc = put(b, p, n, e);
			p += n;
		} else if (p[1] == '$') {
			rc = put(b, "$", 1, e);
			p += 2;
		} else if (strncmp(p, PREFIX, PREFIX_LEN) == 0) {
			n = ref_len(p + PREFIX_LEN);
			if (n == 0)
				return err_set(e, ERR_INVALID,
					       "malformed secret reference at byte %zu: "
					       "want ${secrets.NAME}, NAME of [A-Za-z0-9_]",
					       (size_t)(p - value));
			rc = put_secret(st, project, p + PREFIX_LEN, n, b, e);
			p += PREFIX_LEN + n + 1;
		} else {
			rc = put(b, p, 1, e);
			p++;
		}
	}
	return rc;
}

int secrets_expand(struct store *st, const char *project, const char *value,
		   char **out, struct err *e)
{
	struct wipebuf b = { NULL, 0, 0 };
	int rc;

	*out = NULL;
	if (value == NULL)
		return err_set(e, ERR_INVALID, "no value to expand");
	if (strnlen(value, SECRETS_EXPAND_MAX + 1) > SECRETS_EXPAND_MAX)
		return err_set(e, ERR_TOOBIG, "value larger than %d bytes",
			       SECRETS_EXPAND_MAX);
	rc = put(&b, "", 0, e);
	if (rc == 0)
		rc = expand(st, project ? project : "", value, &b, e);
	if (rc < 0) {
		wipe(&b);
		return rc;
	}
	*out = b.data;
	return 0;
}
