/*
 * http.c - one HTTP exchange with the engine through libcurl.
 *
 * Bodies held in memory are capped at DOCKER_BODY_MAX; 2xx bodies of
 * streaming requests go to the caller's callback as they arrive. Cancel is
 * checked before the request, in the progress callback, and through the
 * socket that docker_client_cancel() may shut down (see client.h).
 */
#include "docker/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

#define CONNECT_TIMEOUT_MS 10000L

struct xfer {
	struct docker_client *c;
	const struct docker_request *rq;
	struct docker_response *rs;
	struct err *e;
	int decided;      /* the first byte came: streaming is known */
	int streaming;    /* 2xx and rq->on_data: bytes go to the callback */
	int stopped;      /* the callback ended the stream */
	int cb_code;      /* the callback failed with this code (e is set) */
	int too_big;
	int stalled;      /* no byte for rq->stall_ms */
	curl_off_t seen;  /* bytes received when last checked */
	int64_t moved_ms; /* when they last grew (monotonic) */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int is_2xx(long status)
{
	return status >= 200 && status < 300;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb;
	int rc;

	if (!x->decided) {
		curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE,
				  &x->rs->status);
		x->streaming = x->rq->on_data && is_2xx(x->rs->status);
		x->decided = 1;
	}
	if (x->streaming) {
		rc = x->rq->on_data(x->rq->arg, data, len, x->e);
		if (rc == 0)
			return len;
		if (rc > 0)
			x->stopped = 1;
		else
			x->cb_code = rc;
		return len ? 0 : 1;   /* any other count aborts the transfer */
	}
	if (x->rs->body.len + len > DOCKER_BODY_MAX) {
		x->too_big = 1;
		return len ? 0 : 1;
	}
	buf_append(&x->rs->body, data, len);
	return len;
}

/* libcurl calls it at least once a second, idle or not. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;
	int64_t now;

	(void)dltotal, (void)ultotal, (void)ulnow;
	if (atomic_load(&x->c->canceled))
		return 1;
	if (x->rq->stall_ms <= 0)
		return 0;
	now = now_ms();
	if (dlnow != x->seen || x->moved_ms == 0) {
		x->seen = dlnow;
		x->moved_ms = now;
		return 0;
	}
	if (now - x->moved_ms < x->rq->stall_ms)
		return 0;
	x->stalled = 1;
	return 1;
}

static curl_socket_t open_socket(void *arg, curlsocktype purpose,
				 struct curl_sockaddr *addr)
{
	struct docker_client *c = arg;
	curl_socket_t fd;

	(void)purpose;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	pthread_mutex_lock(&c->fd_lock);
	/* A cancel that came after the flag was checked but before this
	 * socket existed had nothing to shut down: honour it here. */
	if (atomic_load(&c->canceled)) {
		close(fd);
		fd = CURL_SOCKET_BAD;
	}
	c->fd = fd;
	pthread_mutex_unlock(&c->fd_lock);
	return fd;
}

static int close_socket(void *arg, curl_socket_t fd)
{
	struct docker_client *c = arg;

	pthread_mutex_lock(&c->fd_lock);
	if (c->fd == fd)
		c->fd = CURL_SOCKET_BAD;
	close(fd);
	pthread_mutex_unlock(&c->fd_lock);
	return 0;
}

static long pick_timeout(const struct docker_client *c, long timeout_ms)
{
	if (timeout_ms < 0)
		return 0;               /* libcurl: no limit */
	return timeout_ms ? timeout_ms : c->timeout_ms;
}

static void set_method(CURL *h, const struct docker_request *rq,
		       const char *body)
{
	const char *m = rq->method ? rq->method : "GET";

	if (strcmp(m, "POST") == 0 || body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
				 (long)(body ? strlen(body) : 0));
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	if (strcmp(m, "GET") != 0 && strcmp(m, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
}

static void set_options(struct xfer *x, const char *url,
			struct curl_slist *headers, const char *body)
{
	struct docker_client *c = x->c;
	CURL *h = c->curl;

	curl_easy_reset(h);         /* keeps the live connection */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, pick_timeout(c, x->rq->timeout_ms));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, c);
	set_method(h, x->rq, body);
}

/* The sentence for a transfer that got no usable answer. */
static int transfer_error(struct xfer *x, CURLcode res, struct err *e)
{
	struct docker_client *c = x->c;
	long os_errno = 0;

	if (x->cb_code)
		return x->cb_code;
	if (atomic_load(&c->canceled))
		return err_set(e, -ECANCELED, "canceled");
	if (x->stalled)
		return err_set(e, ERR_TIMEOUT, "no progress for %ld s",
			       (x->rq->stall_ms + 999) / 1000);
	if (x->too_big)
		return err_set(e, ERR_TOOBIG,
			       "the Docker Engine sent a response larger than %u bytes",
			       DOCKER_BODY_MAX);
	switch (res) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
		return docker_connect_error(e, c->socket_path, (int)os_errno);
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(e, ERR_TIMEOUT,
			       "the Docker Engine at %s did not answer in time: %s",
			       c->socket_path, c->curl_err);
	default:
		return err_set(e, ERR_UNAVAILABLE,
			       "the connection to the Docker Engine at %s failed: %s",
			       c->socket_path,
			       c->curl_err[0] ? c->curl_err : curl_easy_strerror(res));
	}
}

static int perform(struct docker_client *c, const struct docker_request *rq,
		   struct docker_response *rs, struct err *e)
{
	struct xfer x = { .c = c, .rq = rq, .rs = rs, .e = e };
	struct curl_slist *headers = NULL;
	char *body = NULL, *url;
	CURLcode res;
	int rc = 0;

	if (rq->body) {
		body = json_dumps(rq->body, JSON_COMPACT);
		if (body == NULL)
			return err_set(e, ERR_INVALID, "docker: request body is not JSON");
		headers = curl_slist_append(headers, "Content-Type: application/json");
	} else {
		/* no form-encoded default on an empty POST */
		headers = curl_slist_append(headers, "Content-Type:");
	}
	headers = curl_slist_append(headers, "Expect:");
	if (rq->accept) {
		char *accept = xasprintf("Accept: %s", rq->accept);

		headers = curl_slist_append(headers, accept);
		free(accept);
	}
	if (rq->unversioned)
		url = xasprintf("http://docker%s", rq->path);
	else
		url = xasprintf("http://docker/v%s%s", c->api_version, rq->path);
	c->curl_err[0] = '\0';
	set_options(&x, url, headers, body);
	res = curl_easy_perform(c->curl);
	if (x.stopped)
		rc = 0;
	else if (res != CURLE_OK)
		rc = transfer_error(&x, res, e);
	else if (x.streaming && atomic_load(&c->canceled))
		rc = err_set(e, -ECANCELED, "canceled");
	if (rs->status == 0)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &rs->status);
	c->lost = rc < 0 && rs->status == 0 && !x.stalled && !x.cb_code &&
		  !atomic_load(&c->canceled);
	if (c->lost)
		c->api_version[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(url);
	free(body);
	return rc;
}

int docker_http(struct docker_client *c, const struct docker_request *rq,
		struct docker_response *rs, struct err *e)
{
	int rc;

	rs->status = 0;
	buf_init(&rs->body);
	if (atomic_load(&c->canceled))
		return err_set(e, -ECANCELED, "canceled");
	if (!rq->unversioned && c->api_version[0] == '\0') {
		rc = docker_client_negotiate(c, e);
		if (rc < 0)
			return rc;
	}
	return perform(c, rq, rs, e);
}

static int parse_body(const struct buf *b, json_t **out, struct err *e)
{
	json_error_t jerr;

	*out = NULL;
	if (b->len == 0)
		return 0;
	*out = json_loadb(b->data, b->len, JSON_DECODE_ANY, &jerr);
	if (*out == NULL)
		return err_set(e, ERR_FAIL,
			       "the Docker Engine sent invalid JSON: %s", jerr.text);
	return 0;
}

int docker_call(struct docker_client *c, const struct docker_request *rq,
		long *status, json_t **out, struct err *e)
{
	struct docker_response rs;
	int rc;

	if (out)
		*out = NULL;
	rc = docker_http(c, rq, &rs, e);
	if (status)
		*status = rs.status;
	if (rc < 0)
		goto out;
	if (!is_2xx(rs.status) && rs.status != 304) {
		rc = docker_status_error(e, rs.status, rs.body.data, rs.body.len);
		goto out;
	}
	if (out && !rq->on_data)
		rc = parse_body(&rs.body, out, e);
out:
	buf_release(&rs.body);
	return rc;
}
