/*
 * http_reply.c - whole responses: status line, headers, JSON and errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http_int.h"
#include "base/jsonx.h"
#include "base/xalloc.h"

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 417, "Expectation Failed" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

const char *http_status_reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

int http_status_for_err(int code)
{
	switch (code) {
	case ERR_INVALID: return 400;
	case ERR_NOTFOUND: return 404;
	case ERR_CONFLICT: return 409;
	case ERR_TOOBIG: return 413;
	case ERR_UNSUPPORTED: return 501;
	case ERR_UNAVAILABLE: return 503;
	case ERR_TIMEOUT: return 504;
	default: return 500;
	}
}

void http_resp_header(struct http_req *req, const char *name,
		      const char *value)
{
	/* A CR or LF would let a value split the response. */
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return;
	pthread_mutex_lock(&req->mu);
	buf_printf(&req->resp_headers, "%s: %s\r\n", name, value);
	pthread_mutex_unlock(&req->mu);
}

void http_resp_close(struct http_req *req)
{
	pthread_mutex_lock(&req->mu);
	req->close = 1;
	pthread_mutex_unlock(&req->mu);
}

int http_req_status(struct http_req *req)
{
	int status;

	pthread_mutex_lock(&req->mu);
	status = req->status;
	pthread_mutex_unlock(&req->mu);
	return status;
}

static int no_body(int status)
{
	return status == 204 || status == 304 || (status >= 100 && status < 200);
}

int http_reply(struct http_req *req, int status, const char *content_type,
	       const void *body, size_t len)
{
	int rc = 0;

	pthread_mutex_lock(&req->mu);
	if (req->state != REQ_NEW) {
		pthread_mutex_unlock(&req->mu);
		return ERR_FAIL;
	}
	req->state = REQ_REPLIED;
	req->status = status;
	free(req->ctype);
	req->ctype = content_type && !no_body(status) ? xstrdup(content_type) : NULL;
	buf_reset(&req->out);
	if (!no_body(status))
		buf_append(&req->out, body, len);
	if (req->gone)
		rc = -EPIPE;
	http_notify_locked(req);
	pthread_mutex_unlock(&req->mu);
	return rc;
}

int http_reply_json(struct http_req *req, int status, json_t *body)
{
	struct buf b = BUF_INIT;
	int rc;

	if (body == NULL || jsonx_dump(body, &b) < 0) {
		buf_release(&b);
		json_decref(body);
		return http_reply_error(req, 500, "internal", "cannot encode the reply");
	}
	buf_putc(&b, '\n');
	rc = http_reply(req, status, "application/json", b.data, b.len);
	buf_release(&b);
	json_decref(body);
	return rc;
}

/* Messages quote user input, which need not be UTF-8: '?' for non-ASCII
 * bytes when the whole is not valid UTF-8. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j != NULL)
		return j;
	copy = xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

int http_reply_error_details(struct http_req *req, int status,
			     const char *code, const char *message,
			     json_t *details)
{
	json_t *err = json_object();

	json_object_set_new(err, "code", text(code));
	json_object_set_new(err, "message", text(message));
	if (details != NULL)
		json_object_set_new(err, "details", details);
	return http_reply_json(req, status, json_pack("{s:o}", "error", err));
}

int http_reply_error(struct http_req *req, int status, const char *code,
		     const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return http_reply_error_details(req, status, code, msg, NULL);
}

int http_reply_err(struct http_req *req, const struct err *e)
{
	int code = e->code ? e->code : ERR_FAIL;
	const char *msg = e->msg[0] ? e->msg : "internal error";

	return http_reply_error(req, http_status_for_err(code),
				err_code_name(code), "%s", msg);
}

void http_reply_finish(struct http_req *req, int rc, const struct err *e)
{
	enum req_state state;
	int detached;

	pthread_mutex_lock(&req->mu);
	state = req->state;
	detached = req->detached;
	if (state == REQ_STREAMING && !detached) {
		/* Too late for a status: a failed handler cuts the stream so the
		 * client sees it incomplete rather than ended. */
		req->state = REQ_ENDED;
		req->abort = rc < 0;
		http_notify_locked(req);
	}
	pthread_mutex_unlock(&req->mu);
	if (state != REQ_NEW)
		return;
	if (rc < 0)
		http_reply_err(req, e);
	else
		http_reply_error(req, 500, "internal", "the handler sent no reply");
}
