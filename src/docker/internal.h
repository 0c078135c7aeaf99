/*
 * internal.h - what the files of src/docker/ share; not for other modules.
 *
 * The HTTP layer (http.c), error sentences (errors.c), URL and query
 * building (url.c), jansson helpers (json.c), a bounded line splitter
 * (lines.c) and lists by label (list.c). Unit tests include it to test the
 * pure parts.
 */
#ifndef ORCA_DOCKER_INTERNAL_H
#define ORCA_DOCKER_INTERNAL_H

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "base/buf.h"
#include "docker/client.h"

struct docker_client {
	CURL *curl;
	char socket_path[108];      /* sizeof(sun_path) */
	char api_version[16];       /* "" until negotiated */
	char server_version[64];
	long timeout_ms;
	long pull_stall_ms;         /* see docker_client_set_pull_stall */
	char curl_err[CURL_ERROR_SIZE];
	atomic_int canceled;
	int lost;                   /* the last request got no answer at all */
	pthread_mutex_t fd_lock;    /* guards fd against docker_client_cancel */
	curl_socket_t fd;           /* the socket libcurl opened last, or -1 */
};

/*
 * Streamed response bytes. Returns 0 to go on, DOCKER_STOP to end the
 * stream (the request then succeeds), or a negative code with e set.
 */
typedef int (*docker_data_fn)(void *arg, const char *data, size_t len,
			      struct err *e);

struct docker_request {
	const char *method;     /* "GET" (NULL), "POST", "DELETE", "PUT" */
	const char *path;       /* escaped path and query: "/containers/x/json" */
	int unversioned;        /* no "/v1.xx" prefix, no negotiation first */
	const json_t *body;     /* sent as JSON when not NULL; borrowed */
	const char *accept;     /* Accept header; NULL: libcurl's default */
	long timeout_ms;        /* 0: the client's; -1: none (streams) */
	long stall_ms;          /* > 0: fail with ERR_TIMEOUT when no response
				 * byte came for this long (streams) */
	docker_data_fn on_data; /* 2xx bodies go here instead of memory */
	void *arg;
};

struct docker_response {
	long status;
	struct buf body;        /* non-streamed or error body, capped */
};

/*
 * One request. Fills rs (the caller releases rs->body) for any HTTP status;
 * fails only when no answer came (connect, timeout, cancel, body too big).
 */
int docker_http(struct docker_client *c, const struct docker_request *rq,
		struct docker_response *rs, struct err *e);

/*
 * One request whose status outside 2xx and 304 becomes an error sentence.
 * status and out may be NULL; *out gets the parsed JSON body of a
 * non-streamed 2xx answer (a new reference) or NULL when it was empty.
 */
int docker_call(struct docker_client *c, const struct docker_request *rq,
		long *status, json_t **out, struct err *e);

/* client.c: 1 when the negotiated API version (negotiating first if need
 * be) is at least version ("1.44"), 0 when older, or a negative code. */
int docker_api_at_least(struct docker_client *c, const char *version,
			struct err *e);

/* errors.c: sentences (pure). */
int docker_status_error(struct err *e, long status, const char *body,
			size_t len);
int docker_connect_error(struct err *e, const char *socket_path, int errnum);
/* The engine's message in body ({"message":...} or text), cleaned, in out. */
void docker_engine_message(const char *body, size_t len, char *out, size_t n);

/* url.c: escaping and query building. */
char *docker_url_escape(const char *s);          /* malloc'd */
/* Appends "?k=v" or "&k=v" with v escaped. */
void docker_query_add(struct buf *b, const char *key, const char *value);
/* Appends a unix time in ns as the engine's "seconds.nanoseconds"; none
 * when ns <= 0. */
void docker_query_time(struct buf *b, const char *key, int64_t ns);
/* {"type":[...],"label":[...],"event":[...]} or NULL when all are empty;
 * malloc'd. Each list is NULL-terminated and may be NULL. */
char *docker_filters_json(const char *const *types, const char *const *labels,
			  const char *const *actions);

/* json.c: reading engine JSON without trusting its shape. */
const char *docker_json_str(const json_t *obj, const char *key); /* or "" */
int64_t docker_json_int(const json_t *obj, const char *key, int64_t dflt);
int docker_json_bool(const json_t *obj, const char *key);
void docker_json_copy(char *dst, size_t n, const json_t *obj, const char *key);
char *docker_json_dup(const json_t *obj, const char *key);  /* malloc'd */
/* String-valued members of obj (others skipped); l must be zeroed. */
void docker_labels_from_json(struct docker_labels *l, const json_t *obj);
/* "k=v" list (NULL-terminated, may be NULL) -> {"k":"v"}; new reference. */
json_t *docker_kv_object(const char *const *kv);
/* String list (NULL-terminated, may be NULL) -> array; new reference. */
json_t *docker_str_array(const char *const *list);
/* Does obj (labels object) hold "k=v" (or key k when there is no '=')? */
int docker_labels_has(const json_t *labels, const char *kv);

/* list.c: one kind of engine object, listed by label into records. */
struct docker_list_type {
	const char *path;       /* "/containers/json?all=1" */
	const char *member;     /* the array's key in the answer; NULL: the
				 * answer is the array */
	const char *what;       /* "containers": errors read "containers: list" */
	size_t size;            /* bytes of one record */
	void (*parse)(void *record, const json_t *j);  /* fills a zeroed record */
	void (*release)(void *record);
};
/*
 * The objects carrying all labels ("k=v" or "k", NULL-terminated, may be
 * NULL): *out (the caller's T **) gets a calloc'd array of *n records and
 * one zeroed spare, freed with docker_list_free; NULL and 0 on failure.
 */
int docker_list_by_label(struct docker_client *c,
			 const struct docker_list_type *t,
			 const char *const *labels, void *out, size_t *n,
			 struct err *e);
void docker_list_free(const struct docker_list_type *t, void *list, size_t n);

/* lines.c: newline-delimited records, each bounded by max_line bytes. */
typedef int (*docker_line_fn)(void *arg, const char *line, size_t len,
			      struct err *e);
struct docker_lines {
	struct buf pending;
	size_t max_line;
	docker_line_fn fn;
	void *arg;
};
void docker_lines_init(struct docker_lines *l, size_t max_line,
		       docker_line_fn fn, void *arg);
void docker_lines_release(struct docker_lines *l);
/* A docker_data_fn: feeds bytes, calls fn per complete non-empty line. */
int docker_lines_feed(void *lines, const char *data, size_t len,
		      struct err *e);
/* Delivers a last line that had no newline. */
int docker_lines_finish(struct docker_lines *l, struct err *e);

#endif
