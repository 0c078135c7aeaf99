/*
 * ctx.c - per-thread store and Docker connections for handlers.
 */
#include "api/ctx.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static void close_store(void *p)
{
	store_close(p);
}

static void close_docker(void *p)
{
	docker_client_free(p);
}

int api_ctx_init(struct api *a, const char *data_dir, const char *docker_socket,
		 struct err *e)
{
	memset(a, 0, sizeof(*a));
	a->data_dir = xstrdup(data_dir);
	a->docker_socket = docker_socket ? xstrdup(docker_socket) : NULL;
	pthread_mutex_init(&a->deploy_mu, NULL);
	if (pthread_key_create(&a->store_key, close_store) != 0 ||
	    pthread_key_create(&a->docker_key, close_docker) != 0)
		return err_set(e, ERR_FAIL, "pthread_key_create failed");
	return 0;
}

void api_ctx_release(struct api *a)
{
	/* connection threads have ended: their destructors closed their own */
	pthread_key_delete(a->store_key);
	pthread_key_delete(a->docker_key);
	pthread_mutex_destroy(&a->deploy_mu);
	free(a->data_dir);
	free(a->key_file);
	free(a->docker_socket);
}

struct store *api_store(struct api *a, struct err *e)
{
	struct store *st = pthread_getspecific(a->store_key);

	if (st == NULL) {
		if (store_open_key(a->data_dir, a->key_file, &st, e) < 0)
			return NULL;
		pthread_setspecific(a->store_key, st);
	}
	return st;
}

struct docker_client *api_docker(struct api *a, struct err *e)
{
	struct docker_client *dc = pthread_getspecific(a->docker_key);

	if (dc == NULL) {
		if (docker_client_new(&dc, a->docker_socket, e) < 0)
			return NULL;
		docker_client_set_pull_stall(dc, a->pull_stall_ms);
		pthread_setspecific(a->docker_key, dc);
	}
	return dc;
}

json_t *api_find_project(struct api *a, const char *project, struct err *e)
{
	json_t *snap = control_status(a->control);
	json_t *p, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(snap, "projects"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "name")), project) == 0) {
			found = json_incref(p);
			break;
		}
	}
	json_decref(snap);
	if (found == NULL)
		err_set(e, ERR_NOTFOUND, "project '%s' is not deployed", project);
	return found;
}

json_t *api_find_service(struct api *a, const char *project, const char *service,
			 struct err *e)
{
	json_t *p = api_find_project(a, project, e);
	json_t *s, *found = NULL;
	size_t i;

	if (p == NULL)
		return NULL;
	json_array_foreach(json_object_get(p, "services"), i, s) {
		if (strcmp(json_string_value(json_object_get(s, "name")), service) == 0) {
			found = json_incref(s);
			break;
		}
	}
	json_decref(p);
	if (found == NULL)
		err_set(e, ERR_NOTFOUND, "project '%s' has no service '%s'", project, service);
	return found;
}
