/*
 * client.c - one JSON request to the orca server, and error wording.
 */
#include "cli/client_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jsonx.h"
#include "base/paths.h"
#include "base/xalloc.h"

#ifndef ORCA_VERSION
#define ORCA_VERSION "dev"
#endif

char *client_resolve_address(const char *flag, struct err *e)
{
	const char *env = getenv("ORCA_SOCKET");
	char *dir, *path;

	if (flag != NULL && flag[0] != '\0')
		return xstrdup(flag);
	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	dir = paths_data_dir(e);
	if (dir == NULL)
		return NULL;
	path = paths_socket_in(dir);
	free(dir);
	return path;
}

char *client_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;

	buf_puts(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			buf_putc(&b, (char)*p);
			continue;
		}
		buf_putc(&b, '%');
		buf_putc(&b, hex[*p >> 4]);
		buf_putc(&b, hex[*p & 15]);
	}
	return buf_steal(&b);
}

struct client *client_new(const char *address, struct err *e)
{
	struct client *cl;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(e, ERR_FAIL, "cannot initialise libcurl");
		return NULL;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->address = xstrdup(address);
	if (strncmp(address, "http://", 7) == 0) {
		cl->base_url = xstrdup(address);
		if (cl->base_url[strlen(address) - 1] == '/')
			cl->base_url[strlen(address) - 1] = '\0';
	} else {
		cl->socket_path = xstrdup(address);
		cl->base_url = xstrdup("http://localhost");
	}
	cl->curl = curl_easy_init();
	cl->headers = curl_slist_append(NULL, "Accept: application/json");
	cl->headers = curl_slist_append(cl->headers, "Content-Type: application/json");
	cl->headers = curl_slist_append(cl->headers, "Expect:");
	if (cl->curl == NULL || cl->headers == NULL) {
		client_free(cl);
		err_set(e, ERR_FAIL, "cannot initialise libcurl");
		return NULL;
	}
	return cl;
}

void client_free(struct client *cl)
{
	if (cl == NULL)
		return;
	curl_slist_free_all(cl->headers);
	if (cl->curl != NULL)
		curl_easy_cleanup(cl->curl);
	free(cl->address);
	free(cl->socket_path);
	free(cl->base_url);
	free(cl);
	curl_global_cleanup();
}

int client_encode(const json_t *body, struct buf *out, struct err *e)
{
	if (body != NULL && jsonx_dump(body, out) < 0)
		return err_set(e, ERR_INVALID, "cannot encode the request as JSON");
	return 0;
}

int client_prepare(struct client *cl, const char *method, const char *path,
		   const struct buf *body_json, struct err *e)
{
	char *url = xasprintf("%s%s", cl->base_url, path);
	CURL *c = cl->curl;
	CURLcode rc;

	curl_easy_reset(c);
	rc = curl_easy_setopt(c, CURLOPT_URL, url);
	free(url);
	if (rc != CURLE_OK)
		return err_set(e, ERR_INVALID, "bad API path '%s'", path);
	if (cl->socket_path != NULL)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, cl->socket_path);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, cl->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "orca/" ORCA_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	if (body_json != NULL && body_json->len > 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_json->data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_json->len);
	}
	return 0;
}

static int unreachable(struct client *cl, struct err *e)
{
	const char *s = cl->socket_path;
	struct stat st;

	if (s != NULL && stat(s, &st) == 0 && access(s, R_OK | W_OK) != 0)
		return err_set(e, ERR_UNAVAILABLE,
			       "cannot connect to the orca server at %s: permission denied "
			       "(run as the server's user, or use --socket)", s);
	return err_set(e, ERR_UNAVAILABLE,
		       "cannot reach the orca server at %s (is it running? start it "
		       "with 'orca server --data DIR')", cl->address);
}

int client_transport_error(struct client *cl, CURLcode rc, struct err *e)
{
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_OPERATION_TIMEDOUT)
		return unreachable(cl, e);
	return err_set(e, ERR_UNAVAILABLE, "orca server at %s: %s", cl->address,
		       curl_easy_strerror(rc));
}

static int err_for_status(long status)
{
	switch (status) {
	case 400: case 422: return ERR_INVALID;
	case 404: return ERR_NOTFOUND;
	case 409: return ERR_CONFLICT;
	case 413: return ERR_TOOBIG;
	case 501: return ERR_UNSUPPORTED;
	case 503: return ERR_UNAVAILABLE;
	case 504: return ERR_TIMEOUT;
	default: return ERR_FAIL;
	}
}

int client_reply_error(long status, const struct buf *body, json_t **reply,
		       struct err *e)
{
	json_t *j = json_loadb(buf_str(body), body->len, 0, NULL);
	const char *msg = json_string_value(json_object_get(
		json_object_get(j, "error"), "message"));
	int code = err_for_status(status);

	if (msg != NULL)
		err_set(e, code, "%s", msg);
	else
		err_set(e, code, "the orca server replied with status %ld", status);
	if (reply != NULL)
		*reply = j;
	else
		json_decref(j);
	return code;
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len + size * n > CLIENT_MAX_REPLY_BYTES)
		return 0;
	buf_append(b, data, size * n);
	return size * n;
}

static int parse_reply(const struct buf *body, json_t **reply, struct err *e)
{
	if (reply == NULL || body->len == 0)
		return 0;
	*reply = jsonx_parse(body->data, body->len, CLIENT_MAX_REPLY_BYTES, e);
	if (*reply == NULL)
		return err_wrap(e, "reply from the orca server");
	return 0;
}

int client_request(struct client *cl, const char *method, const char *path,
		   const json_t *body, int *status, json_t **reply,
		   struct err *e)
{
	struct buf req = BUF_INIT, resp = BUF_INIT;
	long code = 0;
	CURLcode rc;
	int ret;

	if (status != NULL)
		*status = 0;
	if (reply != NULL)
		*reply = NULL;
	ret = client_encode(body, &req, e);
	if (ret == 0)
		ret = client_prepare(cl, method, path, &req, e);
	if (ret < 0)
		goto out;
	curl_easy_setopt(cl->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(cl->curl, CURLOPT_WRITEDATA, &resp);
	rc = curl_easy_perform(cl->curl);
	if (rc == CURLE_WRITE_ERROR) {
		ret = err_set(e, ERR_TOOBIG, "the reply of the orca server is over %d bytes",
			      CLIENT_MAX_REPLY_BYTES);
		goto out;
	}
	if (rc != CURLE_OK) {
		ret = client_transport_error(cl, rc, e);
		goto out;
	}
	curl_easy_getinfo(cl->curl, CURLINFO_RESPONSE_CODE, &code);
	if (status != NULL)
		*status = (int)code;
	if (code >= 300)
		ret = client_reply_error(code, &resp, reply, e);
	else
		ret = parse_reply(&resp, reply, e);
out:
	buf_release(&req);
	buf_release(&resp);
	return ret;
}
