/*
 * errors.c - turns engine answers and socket failures into sentences.
 *
 * Pure: no I/O. The HTTP status picks the code (404 -> ERR_NOTFOUND,
 * 409 -> ERR_CONFLICT, ...), the engine's {"message":...} gives the words.
 * Callers prepend what they were doing: "container 'x': create: ".
 */
#include "docker/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MESSAGE_MAX 320

static int status_code(long status)
{
	switch (status) {
	case 400: return ERR_INVALID;
	case 403: return ERR_CONFLICT;  /* e.g. already connected to a network */
	case 404: return ERR_NOTFOUND;
	case 409: return ERR_CONFLICT;
	case 503: return ERR_UNAVAILABLE;
	default: return ERR_FAIL;
	}
}

static const char *status_text(long status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 406: return "not acceptable";
	case 409: return "conflict";
	case 500: return "engine error";
	case 503: return "engine unavailable";
	default: return NULL;
	}
}

/* Copies text to out, control characters as spaces, whitespace trimmed. */
static void clean_copy(const char *text, size_t len, char *out, size_t n)
{
	size_t i, o = 0;

	while (len > 0 && isspace((unsigned char)*text))
		text++, len--;
	for (i = 0; i < len && o + 1 < n; i++) {
		unsigned char ch = (unsigned char)text[i];

		out[o++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	while (o > 0 && (isspace((unsigned char)out[o - 1]) || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
}

/* "No such container" -> "no such container", but "ID" stays. */
static void lower_first(char *s)
{
	if (isupper((unsigned char)s[0]) && !isupper((unsigned char)s[1]))
		s[0] = (char)tolower((unsigned char)s[0]);
}

void docker_engine_message(const char *body, size_t len, char *out, size_t n)
{
	json_t *j = NULL;
	const char *msg;

	out[0] = '\0';
	if (body == NULL || len == 0)
		return;
	j = json_loadb(body, len, 0, NULL);
	msg = docker_json_str(j, "message");
	if (json_is_object(j))
		clean_copy(msg, strlen(msg), out, n);
	else
		clean_copy(body, len < MESSAGE_MAX ? len : MESSAGE_MAX, out, n);
	json_decref(j);
	lower_first(out);
}

/* Drops a prefix that only repeats the status: "Conflict. The name..." */
static const char *skip_echo(const char *msg, const char *text)
{
	size_t n = text ? strlen(text) : 0;

	if (n && strncasecmp(msg, text, n) == 0 && msg[n] == '.' && msg[n + 1] == ' ') {
		msg += n + 2;
		while (*msg == ' ')
			msg++;
	}
	return msg;
}

int docker_status_error(struct err *e, long status, const char *body,
			size_t len)
{
	char raw[MESSAGE_MAX];
	char msg[MESSAGE_MAX];
	const char *text = status_text(status);
	int code = status_code(status);

	docker_engine_message(body, len, raw, sizeof(raw));
	snprintf(msg, sizeof(msg), "%s", skip_echo(raw, text));
	lower_first(msg);
	if (msg[0] == '\0') {
		if (text)
			return err_set(e, code, "%s (HTTP %ld)", text, status);
		return err_set(e, code, "unexpected HTTP status %ld", status);
	}
	if (status == 404 && strncmp(msg, "no such ", 8) == 0)
		return err_set(e, code, "%s", msg);
	if (text)
		return err_set(e, code, "%s: %s", text, msg);
	return err_set(e, code, "HTTP %ld: %s", status, msg);
}

int docker_connect_error(struct err *e, const char *socket_path, int errnum)
{
	char why[128], tmp[128];
	const char *hint = "is dockerd running?";

	if (errnum == EACCES || errnum == EPERM)
		hint = "is this user allowed to use the socket, e.g. in the 'docker' group?";
	if (errnum > 0)
		snprintf(why, sizeof(why), "%s",
			 strerror_r(errnum, tmp, sizeof(tmp)));
	else
		snprintf(why, sizeof(why), "connection failed");
	lower_first(why);
	return err_set(e, ERR_UNAVAILABLE,
		       "cannot reach the Docker Engine at %s: %s (%s)",
		       socket_path, why, hint);
}
