/*
 * log.c - text or JSON lines on fd 2, each written whole with one write(2),
 * so that lines from several threads never interleave and log_reopen can
 * swap the file under them with dup2 (atomic: no write is lost or torn).
 */
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "base/xalloc.h"

static enum log_format format = LOG_TEXT;
static char *path;   /* NULL: stderr as inherited */

static const char *const level_names[] = { "info", "warn", "error" };

int log_format_parse(const char *name, enum log_format *out, struct err *e)
{
	if (strcmp(name, "text") == 0)
		*out = LOG_TEXT;
	else if (strcmp(name, "json") == 0)
		*out = LOG_JSON;
	else
		return err_set(e, ERR_INVALID, "log format '%s': must be 'text' or 'json'", name);
	return 0;
}

void log_set_format(enum log_format f)
{
	format = f;
}

static int open_onto_stderr(const char *file, struct err *e)
{
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return err_errno(e, errno, "open log file '%s'", file);
	if (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) < 0) {
		int rc = err_errno(e, errno, "log file '%s': dup2", file);

		close(fd);
		return rc;
	}
	if (fd != STDERR_FILENO)
		close(fd);
	return 0;
}

int log_open(const char *file, struct err *e)
{
	int rc = open_onto_stderr(file, e);

	if (rc == 0) {
		free(path);
		path = xstrdup(file);
	}
	return rc;
}

int log_reopen(struct err *e)
{
	return path ? open_onto_stderr(path, e) : 0;
}

const char *log_path(void)
{
	return path;
}

static void stamp(char out[64])
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 64, "%s.%03dZ", sec, (int)(ts.tv_nsec / 1000000));
}

/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD. */
static json_t *text_value(const char *s)
{
	char *clean = utf8_sanitize(s, strlen(s), NULL);
	json_t *j = json_string(clean);

	free(clean);
	return j;
}

static void json_line(struct buf *b, const char *when, enum log_level level, const char *msg,
		      const struct log_field *fields, size_t n)
{
	json_t *o = json_object();
	char *text;

	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "level", json_string(level_names[level]));
	json_object_set_new(o, "msg", text_value(msg));
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, fields[i].key, fields[i].str ? text_value(fields[i].str)
								    : json_integer(fields[i].num));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	buf_puts(b, text ? text : "{\"level\":\"error\",\"msg\":\"(unloggable line)\"}");
	free(text);
	json_decref(o);
}

void log_vat(enum log_level level, const struct log_field *fields, size_t nfields,
	     const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT, line = BUF_INIT;
	char when[64];
	ssize_t w;

	stamp(when);
	buf_vprintf(&msg, fmt, ap);
	if (format == LOG_JSON)
		json_line(&line, when, level, buf_str(&msg), fields, nfields);
	else
		buf_printf(&line, "%s orca: %s", when, buf_str(&msg));
	buf_putc(&line, '\n');
	do
		w = write(STDERR_FILENO, line.data, line.len);   /* one write: whole lines */
	while (w < 0 && errno == EINTR);
	buf_release(&msg);
	buf_release(&line);
}

void log_at(enum log_level level, const struct log_field *fields, size_t nfields,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vat(level, fields, nfields, fmt, ap);
	va_end(ap);
}

void log_vline(const char *fmt, va_list ap)
{
	log_vat(LOG_INFO, NULL, 0, fmt, ap);
}

void log_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vat(LOG_INFO, NULL, 0, fmt, ap);
	va_end(ap);
}
