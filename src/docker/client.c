/*
 * client.c - client lifetime, cancel, API version negotiation, ping.
 *
 * Owns the libcurl easy handle of one thread; the HTTP exchange itself is in
 * http.c. Never logs, never reads configuration other than DOCKER_HOST.
 */
#include "docker/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/xalloc.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	/* Thread-safe in this libcurl; pthread_once keeps older ones right. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int docker_socket_from_host(const char *docker_host, char *out, size_t n,
			    struct err *e)
{
	const char *path = DOCKER_SOCKET_DEFAULT;

	if (docker_host && docker_host[0]) {
		if (strncmp(docker_host, "unix://", 7) != 0)
			return err_set(e, ERR_UNSUPPORTED,
				       "DOCKER_HOST '%s' is not supported: orca talks to the Docker Engine over a unix socket (unix:///path)",
				       docker_host);
		path = docker_host + 7;
	}
	if (path[0] != '/')
		return err_set(e, ERR_INVALID,
			       "docker socket '%s' is not an absolute path", path);
	if (strlen(path) >= n)
		return err_set(e, ERR_INVALID,
			       "docker socket path '%s' is too long", path);
	memcpy(out, path, strlen(path) + 1);
	return 0;
}

int docker_client_new(struct docker_client **out, const char *socket_path,
		      struct err *e)
{
	struct docker_client *c;
	char path[sizeof(c->socket_path)];
	int rc;

	*out = NULL;
	if (socket_path) {
		char host[sizeof(path) + 8];

		snprintf(host, sizeof(host), "unix://%s", socket_path);
		rc = docker_socket_from_host(host, path, sizeof(path), e);
	} else {
		rc = docker_socket_from_host(getenv("DOCKER_HOST"), path,
					     sizeof(path), e);
	}
	if (rc < 0)
		return rc;
	pthread_once(&curl_once, curl_init_once);
	c = xcalloc(1, sizeof(*c));
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		free(c);
		return err_set(e, ERR_FAIL, "docker: libcurl could not start");
	}
	memcpy(c->socket_path, path, sizeof(path));
	c->timeout_ms = DOCKER_TIMEOUT_MS_DEFAULT;
	c->pull_stall_ms = DOCKER_PULL_STALL_MS_DEFAULT;
	c->fd = CURL_SOCKET_BAD;
	atomic_init(&c->canceled, 0);
	pthread_mutex_init(&c->fd_lock, NULL);
	*out = c;
	return 0;
}

void docker_client_free(struct docker_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	pthread_mutex_destroy(&c->fd_lock);
	free(c);
}

void docker_client_set_timeout(struct docker_client *c, long timeout_ms)
{
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : DOCKER_TIMEOUT_MS_DEFAULT;
}

void docker_client_set_pull_stall(struct docker_client *c, long stall_ms)
{
	c->pull_stall_ms = stall_ms > 0 ? stall_ms : DOCKER_PULL_STALL_MS_DEFAULT;
}

const char *docker_client_socket(const struct docker_client *c)
{
	return c->socket_path;
}

const char *docker_client_api_version(const struct docker_client *c)
{
	return c->api_version;
}

const char *docker_client_server_version(const struct docker_client *c)
{
	return c->server_version;
}

int docker_client_lost(const struct docker_client *c)
{
	return c->lost;
}

void docker_client_cancel(struct docker_client *c)
{
	atomic_store(&c->canceled, 1);
	/* Wakes a transfer blocked in poll(); the fd cannot be closed and
	 * reused meanwhile because closing also takes fd_lock (http.c). */
	pthread_mutex_lock(&c->fd_lock);
	if (c->fd != CURL_SOCKET_BAD)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->fd_lock);
}

void docker_client_reset_cancel(struct docker_client *c)
{
	atomic_store(&c->canceled, 0);
}

int docker_client_canceled(const struct docker_client *c)
{
	return atomic_load(&((struct docker_client *)c)->canceled);
}

/* "1.41" -> 1041; -1 when it is not "major.minor". */
static int api_number(const char *v)
{
	unsigned major, minor;
	int used = 0;

	if (v == NULL || sscanf(v, "%3u.%3u%n", &major, &minor, &used) != 2 ||
	    v[used] != '\0')
		return -1;
	return (int)(major * 1000 + minor);
}

int docker_api_choose(const char *server_api, const char *server_min,
		      char *out, size_t n, struct err *e)
{
	int api = api_number(server_api);
	int min = server_min && server_min[0] ? api_number(server_min) : 0;
	const char *pick;

	if (api < 0 || min < 0)
		return err_set(e, ERR_FAIL,
			       "the Docker Engine reported an unreadable API version '%s'",
			       api < 0 ? (server_api ? server_api : "")
				       : server_min);
	if (api < api_number(DOCKER_API_MIN))
		return err_set(e, ERR_UNSUPPORTED,
			       "the Docker Engine speaks API %s at most, older than API %s, the oldest orca supports: upgrade Docker to 19.03 or newer",
			       server_api, DOCKER_API_MIN);
	if (min > api_number(DOCKER_API_MAX))
		return err_set(e, ERR_UNSUPPORTED,
			       "the Docker Engine requires API %s or newer, but orca has been checked against API %s at most: upgrade orca, or let the engine accept API %s (DOCKER_MIN_API_VERSION=%s in dockerd's environment)",
			       server_min, DOCKER_API_MAX, DOCKER_API_MAX,
			       DOCKER_API_MAX);
	pick = api > api_number(DOCKER_API_MAX) ? DOCKER_API_MAX : server_api;
	snprintf(out, n, "%s", pick);
	return 0;
}

int docker_api_at_least(struct docker_client *c, const char *version,
			struct err *e)
{
	int rc = 0;

	if (c->api_version[0] == '\0')
		rc = docker_client_negotiate(c, e);
	if (rc < 0)
		return rc;
	return api_number(c->api_version) >= api_number(version);
}

int docker_client_negotiate(struct docker_client *c, struct err *e)
{
	struct docker_request rq = { .path = "/version", .unversioned = 1 };
	json_t *v = NULL;
	int rc;

	rc = docker_call(c, &rq, NULL, &v, e);
	if (rc < 0) {
		if (rc != ERR_UNAVAILABLE && rc != ERR_TIMEOUT && rc != -ECANCELED)
			err_wrap(e, "docker: version");
		goto out;
	}
	rc = docker_api_choose(docker_json_str(v, "ApiVersion"),
			       docker_json_str(v, "MinAPIVersion"),
			       c->api_version, sizeof(c->api_version), e);
	if (rc < 0) {
		err_wrap(e, "docker %s at %s", docker_json_str(v, "Version"),
			 c->socket_path);
		goto out;
	}
	docker_json_copy(c->server_version, sizeof(c->server_version), v,
			 "Version");
out:
	json_decref(v);
	return rc;
}

int docker_ping(struct docker_client *c, struct err *e)
{
	struct docker_request rq = { .path = "/_ping", .unversioned = 1 };

	return docker_call(c, &rq, NULL, NULL, e);
}
