/*
 * client_stream.c - streamed replies (logs -f, events -f, deploy watch),
 * cut into lines or server-sent events, until the end or SIGINT.
 *
 * The transfer runs on a curl multi handle polled every 200 ms so that a
 * SIGINT (which only sets a flag) ends it promptly and cleanly: the
 * connection is closed, the previous SIGINT handler restored, and the
 * caller gets -EINTR to print what it wants and exit.
 */
#include "cli/client_int.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#define POLL_MS 200

struct stream {
	CURL *curl;
	client_event_fn cb;
	void *arg;
	int checked;         /* status and content type known */
	long status;
	int sse;             /* text/event-stream, else lines */
	int stopped;         /* cb asked to stop */
	int too_long;
	struct buf line, event, data, errbody;
	int has_data;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int deliver(struct stream *st, const char *event, const struct buf *b)
{
	struct client_event ev = { event, buf_str(b), b->len };

	if (st->cb(&ev, st->arg) != 0)
		st->stopped = 1;
	return st->stopped;
}

/* One server-sent-event field line, or the blank line that ends an event. */
static int sse_line(struct stream *st, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	size_t nlen = colon ? (size_t)(colon - line) : len;
	const char *v = colon ? colon + 1 : line + len;
	size_t vlen = len - (size_t)(v - line);
	int rc = 0;

	if (len == 0) {
		if (st->has_data)
			rc = deliver(st, st->event.len ? st->event.data : NULL, &st->data);
		buf_reset(&st->event);
		buf_reset(&st->data);
		st->has_data = 0;
		return rc;
	}
	if (vlen > 0 && v[0] == ' ') {
		v++;
		vlen--;
	}
	if (nlen == 4 && memcmp(line, "data", 4) == 0) {
		if (st->has_data)
			buf_putc(&st->data, '\n');
		buf_append(&st->data, v, vlen);
		st->has_data = 1;
	} else if (nlen == 5 && memcmp(line, "event", 5) == 0) {
		buf_reset(&st->event);
		buf_append(&st->event, v, vlen);
	}
	return 0;  /* comments (":...") and id/retry are of no use here */
}

static int line_done(struct stream *st)
{
	struct buf *l = &st->line;
	int rc = 0;

	if (l->len > 0 && l->data[l->len - 1] == '\r')
		l->data[--l->len] = '\0';
	if (st->sse)
		rc = sse_line(st, buf_str(l), l->len);
	else if (l->len > 0)
		rc = deliver(st, NULL, l);
	buf_reset(l);
	return rc;
}

static void check(struct stream *st)
{
	const char *ctype = NULL;

	curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &st->status);
	curl_easy_getinfo(st->curl, CURLINFO_CONTENT_TYPE, &ctype);
	st->sse = ctype != NULL && strncmp(ctype, "text/event-stream", 17) == 0;
	st->checked = 1;
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct stream *st = arg;
	size_t len = size * n;

	if (!st->checked)
		check(st);
	if (st->status >= 300) {
		if (st->errbody.len + len > CLIENT_MAX_REPLY_BYTES)
			return 0;
		buf_append(&st->errbody, p, len);
		return len;
	}
	for (size_t left = len; left > 0;) {
		char *nl = memchr(p, '\n', left);
		size_t take = nl ? (size_t)(nl - p) : left;

		if (st->line.len + take > CLIENT_MAX_LINE_BYTES) {
			st->too_long = 1;
			return 0;
		}
		buf_append(&st->line, p, take);
		if (nl == NULL)
			break;
		if (line_done(st))
			return 0;
		p = nl + 1;
		left -= take + 1;
	}
	return len;
}

/* Runs the transfer until it ends or SIGINT; returns curl's result. */
static CURLcode run(CURL *curl)
{
	struct sigaction sa, old;
	CURLM *multi = curl_multi_init();
	CURLcode rc = CURLE_OK;
	CURLMsg *msg;
	int running = 1, left;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	curl_multi_add_handle(multi, curl);
	while (running && !interrupted) {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		if (running && curl_multi_poll(multi, NULL, 0, POLL_MS, NULL) != CURLM_OK)
			break;
	}
	sigaction(SIGINT, &old, NULL);
	while ((msg = curl_multi_info_read(multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	curl_multi_remove_handle(multi, curl);
	curl_multi_cleanup(multi);
	return rc;
}

static int finish(struct client *cl, struct stream *st, CURLcode rc,
		  struct err *e)
{
	if (interrupted)
		return err_set(e, -EINTR, "interrupted");
	if (st->stopped)
		return 0;
	if (st->too_long)
		return err_set(e, ERR_TOOBIG, "a line of the stream is over %d bytes",
			       CLIENT_MAX_LINE_BYTES);
	if (rc != CURLE_OK)
		return client_transport_error(cl, rc, e);
	if (!st->checked)
		check(st);
	if (st->status >= 300)
		return client_reply_error(st->status, &st->errbody, NULL, e);
	if (!st->sse && st->line.len > 0)
		line_done(st);  /* a last line without its newline */
	return 0;
}

int client_stream(struct client *cl, const char *method, const char *path,
		  const json_t *body, client_event_fn cb, void *arg,
		  int *status, struct err *e)
{
	struct stream st;
	struct buf req = BUF_INIT;
	CURLcode rc;
	int ret;

	memset(&st, 0, sizeof(st));
	st.curl = cl->curl;
	st.cb = cb;
	st.arg = arg;
	if (status != NULL)
		*status = 0;
	ret = client_encode(body, &req, e);
	if (ret == 0)
		ret = client_prepare(cl, method, path, &req, e);
	if (ret < 0)
		goto out;
	curl_easy_setopt(cl->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(cl->curl, CURLOPT_WRITEDATA, &st);
	rc = run(cl->curl);
	ret = finish(cl, &st, rc, e);
	if (status != NULL && st.checked)
		*status = (int)st.status;
out:
	buf_release(&req);
	buf_release(&st.line);
	buf_release(&st.event);
	buf_release(&st.data);
	buf_release(&st.errbody);
	return ret;
}
