/*
 * syntax.c - well-formedness of names and patterns in config values.
 */
#include "config/syntax.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/model.h"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* True when every byte of s[0..n) is in set or is a lowercase letter/digit. */
static bool all_in(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && (s[i] == '\0' || !strchr(set, s[i])))
			return false;
	return true;
}

const char *syntax_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "it is empty";
	if (n > CONFIG_NAME_MAX)
		return "it is longer than 63 characters";
	if (!all_in(s, n, "-"))
		return "only a-z, 0-9 and '-' are allowed";
	if (s[0] == '-' || s[n - 1] == '-')
		return "it must not start or end with '-'";
	return NULL;
}

static const char *dns_label(const char *s, size_t n)
{
	if (n == 0)
		return "a label is empty";
	if (n > 63)
		return "a label is longer than 63 characters";
	if (!all_in(s, n, "-"))
		return "only lowercase a-z, 0-9, '-' and '.' are allowed";
	if (s[0] == '-' || s[n - 1] == '-')
		return "a label must not start or end with '-'";
	return NULL;
}

const char *syntax_hostname(const char *s)
{
	const char *why;

	if (s[0] == '\0')
		return "it is empty";
	if (strlen(s) > 253)
		return "it is longer than 253 characters";
	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);

		if (memchr(s, '*', n))
			return "'*' is only allowed as the whole first label ('*.example.com')";
		if ((why = dns_label(s, n)) != NULL)
			return why;
		if (dot == NULL)
			return NULL;
		s = dot + 1;
	}
}

static bool is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return s[i] == '\0';
}

const char *syntax_sha256(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0 || !is_hex64(s + 7))
		return "it must be sha256:<64 lowercase hex digits>";
	return NULL;
}

/* A registry host: [A-Za-z0-9.-]+ with an optional :port. */
static bool is_registry(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '-'))
		i++;
	if (i == 0)
		return false;
	if (i < n && s[i] == ':') {
		size_t digits = 0;

		for (i++; i < n && isdigit((unsigned char)s[i]); i++)
			digits++;
		if (digits == 0 || digits > 5)
			return false;
	}
	return i == n;
}

/* A repository path component: [a-z0-9] ([a-z0-9._-]* [a-z0-9])? */
static bool is_component(const char *s, size_t n)
{
	return n > 0 && is_lower_alnum(s[0]) && is_lower_alnum(s[n - 1]) && all_in(s, n, "._-");
}

static const char *image_tag(const char *tag, size_t n)
{
	if (n == 0 || n > 128)
		return "the tag must be 1-128 characters";
	if (!isalnum((unsigned char)tag[0]) && tag[0] != '_')
		return "the tag must start with a letter, digit or '_'";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)tag[i]) && !strchr("_.-", tag[i]))
			return "the tag may only hold A-Z, a-z, 0-9, '_', '.' and '-'";
	return NULL;
}

/* name[:tag] where name is [registry/]component(/component)*. */
static const char *image_name(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n), *last = s, *colon;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '/')
			last = s + i + 1;
	colon = memchr(last, ':', n - (size_t)(last - s));
	if (colon != NULL) {
		const char *why = image_tag(colon + 1, n - (size_t)(colon + 1 - s));

		if (why)
			return why;
		n = (size_t)(colon - s);
	}
	if (slash != NULL && slash < s + n) {
		size_t hn = (size_t)(slash - s);

		if ((memchr(s, '.', hn) || memchr(s, ':', hn) || (hn == 9 && !strncmp(s, "localhost", 9))) &&
		    is_registry(s, hn)) {
			n -= hn + 1;
			s = slash + 1;
		}
	}
	for (;;) {
		const char *end = memchr(s, '/', n);
		size_t cn = end ? (size_t)(end - s) : n;

		if (!is_component(s, cn))
			return "the repository must be lowercase a-z, 0-9 and '.', '_', '-' "
			       "between letters, in '/'-separated parts";
		if (end == NULL)
			return NULL;
		n -= cn + 1;
		s = end + 1;
	}
}

const char *syntax_image(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (n == 0)
		return "it is empty";
	if (n > 512)
		return "it is longer than 512 characters";
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]))
			return "it contains whitespace";
	if (at != NULL) {
		if (syntax_sha256(at + 1) != NULL)
			return "the digest must be @sha256:<64 lowercase hex digits>";
		n = (size_t)(at - s);
	}
	return image_name(s, n);
}

const char *syntax_route(const char *s)
{
	const char *star;

	if (s[0] != '/')
		return "it must start with '/'";
	for (const char *p = s; *p; p++) {
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return "it contains whitespace or control characters";
		if (*p == '?' || *p == '#')
			return "it must not contain '?' or '#'";
	}
	star = strchr(s, '*');
	if (star != NULL && (star[-1] != '/' || star[1] != '\0'))
		return "'*' is only allowed as the whole last segment ('/api/*')";
	return NULL;
}

const char *syntax_topic(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "it is empty";
	if (n > 255)
		return "it is longer than 255 characters";
	if (!all_in(s, n, "._-"))
		return "only a-z, 0-9, '.', '_' and '-' are allowed";
	return NULL;
}

const char *syntax_event_pattern(const char *s)
{
	if (strlen(s) > 255)
		return "it is longer than 255 characters";
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);

		if (n == 0)
			return "a segment is empty (segments are separated by one '.')";
		if (!(n == 1 && s[0] == '*') && !all_in(s, n, "_-"))
			return "segments are a-z, 0-9, '_' and '-', or a whole '*'";
		if (dot == NULL)
			return NULL;
		s = dot + 1;
	}
}

const char *syntax_env_key(const char *s)
{
	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return "it must start with a letter or '_'";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return "only A-Z, a-z, 0-9 and '_' are allowed";
	return NULL;
}

const char *syntax_volume_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "it is empty";
	if (n > CONFIG_NAME_MAX)
		return "it is longer than 63 characters";
	if (!all_in(s, n, "._-"))
		return "only a-z, 0-9, '.', '_' and '-' are allowed";
	if (!is_lower_alnum(s[0]))
		return "it must start with a letter or digit";
	return NULL;
}

const char *syntax_abs_path(const char *s)
{
	if (s[0] != '/')
		return "it must be an absolute path";
	if (strcmp(s, "/") == 0)
		return "it must not be '/'";
	if (strlen(s) > 4096)
		return "it is longer than 4096 characters";
	return NULL;
}

static bool is_port(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]) || strlen(s) > 5)
		return false;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= 1 && v <= 65535;
}

const char *syntax_listen_addr(const char *s)
{
	const char *colon;

	if (strcmp(s, "off") == 0)
		return NULL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close == s + 1 || close[1] != ':')
			return "it must be host:port or [ipv6]:port";
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return "it must be host:port or [ipv6]:port";
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return "it must be host:port (\"0.0.0.0:80\"), :port or \"off\"";
		for (const char *p = s; p < colon; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
				return "the host must be a name or an IPv4 address";
	}
	if (!is_port(colon + 1))
		return "the port must be 1-65535";
	return NULL;
}

const char *syntax_label_key(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return "it must be 1-63 characters";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._/-", s[i]))
			return "only A-Z, a-z, 0-9, '.', '_', '/' and '-' are allowed";
	return NULL;
}

const char *syntax_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return "it must be an address like ops@example.com";
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return "it must not contain whitespace";
	return NULL;
}
