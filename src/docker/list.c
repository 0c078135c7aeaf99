/*
 * list.c - the engine's lists filtered by label (containers, networks,
 * volumes): the request, and each element of the answer parsed into a
 * record of the caller's type. Errors are wrapped "<what>: list".
 */
#include "docker/internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* GET path?filters={"label":[...]}: the answer, a new reference. */
static int get_filtered(struct docker_client *c, const char *path,
			const char *const *labels, json_t **j, struct err *e)
{
	char *filters = docker_filters_json(NULL, labels, NULL);
	struct buf url = BUF_INIT;
	struct docker_request rq = { 0 };
	int rc;

	buf_puts(&url, path);
	if (filters)
		docker_query_add(&url, "filters", filters);
	rq.path = url.data;
	rc = docker_call(c, &rq, NULL, j, e);
	free(filters);
	buf_release(&url);
	return rc;
}

int docker_list_by_label(struct docker_client *c,
			 const struct docker_list_type *t,
			 const char *const *labels, void *out, size_t *n,
			 struct err *e)
{
	json_t *j = NULL, *arr, *v;
	char *records = NULL;
	size_t i;
	int rc;

	*n = 0;
	rc = get_filtered(c, t->path, labels, &j, e);
	if (rc < 0) {
		err_wrap(e, "%s: list", t->what);
		goto out;
	}
	/* Any other shape reads as an empty list: never trust the answer. */
	arr = t->member ? json_object_get(j, t->member) : j;
	records = xcalloc(json_array_size(arr) + 1, t->size);
	json_array_foreach(arr, i, v)
		t->parse(records + i * t->size, v);
	*n = json_array_size(arr);
out:
	/* out is a T **: copied as bytes so that callers need no cast. */
	memcpy(out, &records, sizeof(records));
	json_decref(j);
	return rc;
}

void docker_list_free(const struct docker_list_type *t, void *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t->release((char *)list + i * t->size);
	free(list);
}
