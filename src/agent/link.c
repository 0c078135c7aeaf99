/*
 * link.c - one HTTPS connection from an agent to its server (libcurl).
 */
#include "agent/link.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/jsonx.h"
#include "base/xalloc.h"

struct link {
	CURL *curl;
	char *server, *ca, *cert, *key, *node;
	atomic_int cancel;
	char local_ip[64];
};

struct sink {
	struct buf *b;
	bool too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->b->len + size * n > LINK_BODY_MAX) {
		s->too_big = true;
		return 0;
	}
	buf_append(s->b, p, size * n);
	return size * n;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct link *l = arg;

	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(&l->cancel) ? 1 : 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct link *link_new(const struct link_opts *o)
{
	struct link *l = xcalloc(1, sizeof(*l));

	l->curl = curl_easy_init();
	if (l->curl == NULL) {
		free(l);
		return NULL;
	}
	l->server = xstrdup(o->server);
	l->ca = dup_or_null(o->ca);
	l->cert = dup_or_null(o->cert);
	l->key = dup_or_null(o->key);
	l->node = dup_or_null(o->node);
	atomic_init(&l->cancel, 0);
	return l;
}

void link_free(struct link *l)
{
	if (l == NULL)
		return;
	curl_easy_cleanup(l->curl);
	free(l->server);
	free(l->ca);
	free(l->cert);
	free(l->key);
	free(l->node);
	free(l);
}

void link_cancel(struct link *l)
{
	atomic_store(&l->cancel, 1);
}

const char *link_local_ip(const struct link *l)
{
	return l->local_ip;
}

static void set_common(struct link *l, const char *url, long timeout_ms, struct sink *s)
{
	CURL *c = l->curl;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)LINK_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "orca-agent/" ORCA_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, l);
	/* a dead server must be noticed by the heartbeat, not by TCP */
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (l->ca) {
		curl_easy_setopt(c, CURLOPT_CAINFO, l->ca);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	} else {
		/* the join's first step: the CA is checked against the token's pin */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (l->cert && l->key) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, l->cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, l->key);
	}
}

static int perform(struct link *l, const char *method, const char *path, const char *body,
		   long timeout_ms, long *status, struct buf *out, struct err *e)
{
	struct curl_slist *hdrs = NULL;
	char *url = xasprintf("%s%s", l->server, path);
	char *ip = NULL;
	struct sink s = { out, false };
	CURLcode cc;
	int rc = 0;

	curl_easy_reset(l->curl);
	set_common(l, url, timeout_ms, &s);
	if (body) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(l->curl, CURLOPT_POSTFIELDS, body);
	}
	if (l->node) {
		char h[128];

		snprintf(h, sizeof(h), "X-Orca-Node: %s", l->node);
		hdrs = curl_slist_append(hdrs, h);
	}
	if (hdrs)
		curl_easy_setopt(l->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(l->curl, CURLOPT_CUSTOMREQUEST, method);
	cc = curl_easy_perform(l->curl);
	*status = 0;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(l->curl, CURLINFO_RESPONSE_CODE, status);
		if (curl_easy_getinfo(l->curl, CURLINFO_LOCAL_IP, &ip) == CURLE_OK && ip)
			snprintf(l->local_ip, sizeof(l->local_ip), "%s", ip);
	} else if (s.too_big) {
		rc = err_set(e, ERR_TOOBIG, "%s %s: the answer is over %d bytes", method, path,
			     LINK_BODY_MAX);
	} else {
		rc = err_set(e, ERR_UNAVAILABLE, "%s %s: %s", method, url, curl_easy_strerror(cc));
	}
	curl_slist_free_all(hdrs);
	free(url);
	return rc;
}

int link_call(struct link *l, const char *method, const char *path, const json_t *body,
	      long timeout_ms, long *status, json_t **reply, struct err *e)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct buf out = BUF_INIT;
	struct err ignore = { 0 };
	int rc;

	*reply = NULL;
	rc = perform(l, method, path, text ? text : (body ? "{}" : NULL), timeout_ms, status,
		     &out, e);
	if (text)
		free(text);
	if (rc == 0 && out.len > 0)
		*reply = jsonx_parse(out.data, out.len, LINK_BODY_MAX, &ignore);
	buf_release(&out);
	return rc;
}

int link_get_raw(struct link *l, const char *path, long timeout_ms, long *status,
		 struct buf *out, struct err *e)
{
	return perform(l, "GET", path, NULL, timeout_ms, status, out, e);
}

const char *link_error_message(const json_t *reply, long status)
{
	const json_t *m = json_object_get(json_object_get(reply, "error"), "message");

	if (json_is_string(m))
		return json_string_value(m);
	if (status == 401 || status == 403)
		return "the server refused this node's credentials";
	return "the server answered with an error";
}

struct lines {
	CURL *curl;
	struct buf pending;
	int (*fn)(void *arg, const char *line, size_t len);
	void *arg;
	bool stopped, too_big;
};

static size_t on_stream(char *p, size_t size, size_t n, void *arg)
{
	struct lines *ls = arg;
	size_t len = size * n;
	char *nl;

	long code = 0;

	if (ls->pending.len + len > LINK_BODY_MAX) {
		ls->too_big = true;
		return 0;
	}
	buf_append(&ls->pending, p, len);
	curl_easy_getinfo(ls->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return len;   /* an error document, read whole below */
	while ((nl = memchr(ls->pending.data, '\n', ls->pending.len)) != NULL) {
		size_t line = (size_t)(nl - ls->pending.data);

		*nl = '\0';
		if (ls->fn(ls->arg, ls->pending.data, line) != 0) {
			ls->stopped = true;
			return 0;
		}
		buf_consume(&ls->pending, line + 1);
	}
	return len;
}

int link_stream(struct link *l, const char *path, long stall_ms, long *status,
		int (*on_line)(void *arg, const char *line, size_t len), void *arg,
		struct err *e)
{
	char *url = xasprintf("%s%s", l->server, path);
	struct lines ls = { l->curl, BUF_INIT, on_line, arg, false, false };
	struct sink unused = { &ls.pending, false };
	struct curl_slist *hdrs = NULL;
	char h[128];
	CURLcode cc;
	int rc = 0;

	curl_easy_reset(l->curl);
	set_common(l, url, 0, &unused);
	curl_easy_setopt(l->curl, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(l->curl, CURLOPT_WRITEDATA, &ls);
	curl_easy_setopt(l->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(l->curl, CURLOPT_LOW_SPEED_TIME, (stall_ms + 999) / 1000);
	if (l->node) {
		snprintf(h, sizeof(h), "X-Orca-Node: %s", l->node);
		hdrs = curl_slist_append(hdrs, h);
		curl_easy_setopt(l->curl, CURLOPT_HTTPHEADER, hdrs);
	}
	cc = curl_easy_perform(l->curl);
	*status = 0;
	curl_easy_getinfo(l->curl, CURLINFO_RESPONSE_CODE, status);
	if (cc != CURLE_OK && !ls.stopped) {
		rc = err_set(e, ls.too_big ? ERR_TOOBIG : ERR_UNAVAILABLE, "GET %s: %s", url,
			     ls.too_big ? "a line over the limit" : curl_easy_strerror(cc));
	} else if (*status != 200) {
		struct err ignore = { 0 };
		json_t *j = jsonx_parse(ls.pending.data ? ls.pending.data : "", ls.pending.len,
					LINK_BODY_MAX, &ignore);

		rc = err_set(e, ERR_UNAVAILABLE, "%s", link_error_message(j, *status));
		json_decref(j);
	}
	curl_slist_free_all(hdrs);
	buf_release(&ls.pending);
	free(url);
	return rc;
}
