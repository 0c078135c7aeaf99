/*
 * image.c - image inspect, pull (reading the progress stream) and ensure.
 *
 * The engine reports a failed pull either as an HTTP error or, once the
 * stream started, as an {"error":...} record; both end up as one sentence
 * that says whether the registry was unreachable or lacks the image.
 */
#include "docker/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "docker/internal.h"

#define PULL_RECORD_MAX (64u << 10)

void docker_image_ref_split(const char *ref, char **repo, char **tag)
{
	const char *at = strchr(ref, '@');
	const char *end = at ? at : ref + strlen(ref);
	const char *colon = NULL;

	/* A ':' before the last '/' belongs to a registry host:port. */
	for (const char *p = ref; p < end; p++) {
		if (*p == '/')
			colon = NULL;
		else if (*p == ':')
			colon = p;
	}
	*repo = xstrndup(ref, (size_t)((colon ? colon : end) - ref));
	if (at)
		*tag = xstrdup(at + 1);
	else if (colon)
		*tag = xstrdup(colon + 1);
	else
		*tag = xstrdup("latest");
}

void docker_image_info_release(struct docker_image_info *info)
{
	docker_labels_release(&info->labels);
	for (size_t i = 0; info->repo_digests && info->repo_digests[i]; i++)
		free(info->repo_digests[i]);
	free(info->repo_digests);
	info->repo_digests = NULL;
}

static char **string_list(const json_t *arr)
{
	char **out = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			out[n++] = xstrdup(json_string_value(v));
	return out;
}

/* "docker.io/library/redis" and "redis" name one repository. */
static const char *short_repo(const char *repo)
{
	if (strncmp(repo, "docker.io/", 10) == 0)
		repo += 10;
	if (strncmp(repo, "library/", 8) == 0 && strchr(repo + 8, '/') == NULL)
		repo += 8;
	return repo;
}

static int is_digest(const char *tag)
{
	return strncmp(tag, "sha256:", 7) == 0 && strlen(tag) == 71;
}

int docker_image_digest_ref(const struct docker_image_info *info,
			    const char *ref, char out[DOCKER_DIGEST_REF_SIZE])
{
	char *repo, *tag;
	int rc = ERR_NOTFOUND;

	docker_image_ref_split(ref, &repo, &tag);
	if (is_digest(tag) && strlen(ref) < DOCKER_DIGEST_REF_SIZE) {
		snprintf(out, DOCKER_DIGEST_REF_SIZE, "%s", ref);
		rc = 0;
	}
	for (size_t i = 0; rc < 0 && info->repo_digests && info->repo_digests[i]; i++) {
		const char *d = info->repo_digests[i], *at = strrchr(d, '@');
		char *theirs;

		if (at == NULL || !is_digest(at + 1) || strlen(d) >= DOCKER_DIGEST_REF_SIZE)
			continue;
		theirs = xstrndup(d, (size_t)(at - d));
		if (strcmp(short_repo(theirs), short_repo(repo)) == 0) {
			snprintf(out, DOCKER_DIGEST_REF_SIZE, "%s", d);
			rc = 0;
		}
		free(theirs);
	}
	free(repo);
	free(tag);
	return rc;
}

int docker_image_inspect(struct docker_client *c, const char *ref,
			 struct docker_image_info *info, struct err *e)
{
	char *name = docker_url_escape(ref);
	char *path = xasprintf("/images/%s/json", name);
	struct docker_request rq = { .path = path };
	json_t *j = NULL;
	int rc;

	if (info)
		memset(info, 0, sizeof(*info));
	rc = docker_call(c, &rq, NULL, &j, e);
	if (rc == ERR_NOTFOUND)
		err_set(e, rc, "image '%s' not found locally", ref);
	else if (rc < 0)
		err_wrap(e, "image '%s': inspect", ref);
	else if (info) {
		docker_json_copy(info->id, sizeof(info->id), j, "Id");
		info->size_bytes = docker_json_int(j, "Size", 0);
		docker_labels_from_json(&info->labels,
					json_object_get(json_object_get(j, "Config"), "Labels"));
		info->repo_digests = string_list(json_object_get(j, "RepoDigests"));
	}
	json_decref(j);
	free(path);
	free(name);
	return rc;
}

struct pull {
	docker_pull_fn progress;
	void *arg;
	char error[sizeof(((struct err *)0)->msg)]; /* first stream error */
};

static int on_record(void *arg, const char *line, size_t len, struct err *e)
{
	struct pull *p = arg;
	json_t *j = json_loadb(line, len, 0, NULL);
	const char *msg;

	(void)e;
	if (j == NULL)
		return 0;   /* progress is advisory: skip what we cannot read */
	/* "error" is deprecated since API 1.48 and may come empty */
	msg = docker_json_str(json_object_get(j, "errorDetail"), "message");
	if (msg[0] == '\0')
		msg = docker_json_str(j, "error");
	if (msg[0] && p->error[0] == '\0')
		docker_engine_message(msg, strlen(msg), p->error, sizeof(p->error));
	else if (p->progress && !msg[0])
		p->progress(p->arg, docker_json_str(j, "id"),
			    docker_json_str(j, "status"));
	json_decref(j);
	return 0;
}

static int contains_any(const char *s, const char *const *needles)
{
	for (; *needles; needles++)
		if (strcasestr(s, *needles))
			return 1;
	return 0;
}

/* Classifies an engine message about a failed pull. */
static int pull_code(const char *msg, int code)
{
	static const char *const unreachable[] = {
		"no such host", "dial tcp", "connection refused", "i/o timeout",
		"network is unreachable", "no route to host", "handshake timeout",
		"Client.Timeout", "deadline exceeded", "server misbehaving",
		"connection reset", NULL,
	};
	static const char *const missing[] = {
		"not found", "does not exist", "manifest unknown",
		"pull access denied", NULL,
	};

	if (contains_any(msg, unreachable))
		return ERR_UNAVAILABLE;
	if (contains_any(msg, missing))
		return ERR_NOTFOUND;
	return code < 0 ? code : ERR_FAIL;
}

/*
 * Pulls. When the engine refused or the stream reported an error, returns
 * its class (ERR_UNAVAILABLE, ERR_NOTFOUND, ...) with the engine's message
 * in p->error; when the engine could not be asked, returns the code with e
 * set and p->error empty.
 */
static int pull(struct docker_client *c, const char *ref, struct pull *p,
		struct err *e)
{
	struct docker_lines lines;
	struct buf path = BUF_INIT;
	struct docker_request rq = { .method = "POST", .timeout_ms = -1,
				     .stall_ms = c->pull_stall_ms,
				     .on_data = docker_lines_feed, .arg = &lines };
	struct docker_response rs;
	struct err se;
	char *repo, *tag;
	int rc;

	docker_image_ref_split(ref, &repo, &tag);
	buf_puts(&path, "/images/create");
	docker_query_add(&path, "fromImage", repo);
	docker_query_add(&path, "tag", tag);
	rq.path = path.data;
	docker_lines_init(&lines, PULL_RECORD_MAX, on_record, p);
	rc = docker_http(c, &rq, &rs, e);
	if (rc == 0 && (rs.status < 200 || rs.status >= 300)) {
		docker_engine_message(rs.body.data, rs.body.len, p->error,
				      sizeof(p->error));
		rc = docker_status_error(&se, rs.status, rs.body.data, rs.body.len);
		if (p->error[0] == '\0')
			snprintf(p->error, sizeof(p->error), "%s", se.msg);
	} else if (rc == 0) {
		rc = docker_lines_finish(&lines, e);
	}
	if (p->error[0])
		rc = pull_code(p->error, rc);
	docker_lines_release(&lines);
	buf_release(&rs.body);
	buf_release(&path);
	free(repo);
	free(tag);
	return rc;
}

/* e holds "no progress for N s" from http.c. */
static int stalled(struct err *e, const char *ref, int missing)
{
	char why[sizeof(e->msg)];

	memcpy(why, e->msg, sizeof(why));
	return err_set(e, ERR_TIMEOUT, "image '%s'%s made %s (the registry stalls or is "
		       "too slow); gave up", ref,
		       missing ? " not found locally and its pull" : ": pull", why);
}

int docker_image_pull(struct docker_client *c, const char *ref,
		      docker_pull_fn progress, void *arg, struct err *e)
{
	struct pull p = { .progress = progress, .arg = arg };
	int rc = pull(c, ref, &p, e);

	if (rc == 0)
		return 0;
	if (rc == ERR_TIMEOUT && p.error[0] == '\0')
		return stalled(e, ref, 0);
	if (p.error[0] == '\0')
		return err_wrap(e, "image '%s': pull", ref);
	if (rc == ERR_UNAVAILABLE)
		return err_set(e, rc,
			       "image '%s': pull: the registry could not be reached: %s",
			       ref, p.error);
	if (rc == ERR_NOTFOUND)
		return err_set(e, rc,
			       "image '%s': pull: the registry has no such image: %s",
			       ref, p.error);
	return err_set(e, rc, "image '%s': pull: %s", ref, p.error);
}

int docker_image_ensure(struct docker_client *c, const char *ref,
			docker_pull_fn progress, void *arg,
			char id[DOCKER_ID_SIZE], struct err *e)
{
	struct docker_image_info info;
	struct pull p = { .progress = progress, .arg = arg };
	int rc;

	rc = docker_image_inspect(c, ref, &info, e);
	if (rc == ERR_NOTFOUND) {
		rc = pull(c, ref, &p, e);
		if (rc == ERR_UNAVAILABLE)
			return err_set(e, rc,
				       "image '%s' not found locally and the registry could not be reached: %s",
				       ref, p.error);
		if (rc == ERR_NOTFOUND)
			return err_set(e, rc,
				       "image '%s' not found locally nor in the registry: %s",
				       ref, p.error);
		if (rc < 0 && p.error[0])
			return err_set(e, rc,
				       "image '%s' not found locally and the pull failed: %s",
				       ref, p.error);
		if (rc == ERR_TIMEOUT)
			return stalled(e, ref, 1);
		if (rc < 0)
			return err_wrap(e, "image '%s': pull", ref);
		rc = docker_image_inspect(c, ref, &info, e);
	}
	if (rc < 0)
		return rc;
	if (id)
		memcpy(id, info.id, DOCKER_ID_SIZE);
	docker_image_info_release(&info);
	return 0;
}
