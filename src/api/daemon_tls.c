/*
 * daemon_tls.c - where tls/ gets its configuration in `orca server` and
 * where its events go. Both callbacks run on the tls thread: reading the
 * store there never delays the control loop or the API.
 */
#include "api/daemon_tls.h"

#include <string.h>

#include "base/log.h"
#include "reconcile/desired.h"
#include "store/event.h"

/* The domains a project's services ask for in its current revision: their
 * `domain`, else the default name under [cluster] domain. */
static void config_domains(struct store *st, const char *project, struct tls_desired *out)
{
	struct desired d;
	struct err e = { 0 };

	if (desired_load(st, project, &d, &e) < 0)
		return;
	for (size_t i = 0; i < d.nservices; i++) {
		for (size_t j = 0; j < d.services[i]->ndomains; j++)
			tls_desired_add_domain(out, d.services[i]->domains[j]);
		if (d.services[i]->default_domain != NULL)
			tls_desired_add_domain(out, d.services[i]->default_domain);
	}
	desired_release(&d);
}

/* Also every domain the snapshot says the proxy serves (defaults too). */
static void snapshot_domains(struct api *a, struct store *st, struct tls_desired *out)
{
	json_t *snap = control_status(a->control), *p, *s, *dom;
	size_t i, j, k;

	json_array_foreach(json_object_get(snap, "projects"), i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (name != NULL)
			config_domains(st, name, out);
		json_array_foreach(json_object_get(p, "services"), j, s)
			json_array_foreach(json_object_get(s, "domains"), k, dom)
				if (json_is_string(dom))
					tls_desired_add_domain(out, json_string_value(dom));
	}
	json_decref(snap);
}

static int load(void *arg, struct tls_desired *out, struct err *e)
{
	struct api *a = arg;
	struct store *st = api_store(a, e);
	struct config *cl = NULL;

	if (st == NULL || desired_cluster(st, &cl, e) < 0)
		return ERR_FAIL;
	tls_desired_from_cluster(out, &cl->cluster);
	config_free(cl);
	snapshot_domains(a, st, out);
	return 0;
}

static void event(void *arg, const char *domain, const char *kind, const char *msg)
{
	struct api *a = arg;
	struct err e = { 0 };
	struct store *st = api_store(a, &e);
	char text[600];
	struct store_event ev = { .replica = -1, .kind = (char *)kind, .message = text };

	snprintf(text, sizeof(text), "%s: %s", domain, msg);
	log_line("%s %s", kind, text);
	if (st != NULL && store_event_append(st, &ev, NULL, &e) < 0)
		log_line("cannot record event %s: %s", kind, e.msg);
}

int daemon_tls_start(struct api *a, tls_ctx_setup_fn setup, void *setup_arg,
		     struct tls **out, struct err *e)
{
	struct tls_opts o = {
		.data_dir = a->data_dir,
		.ctx_setup = setup,
		.ctx_setup_arg = setup_arg,
		.load = load,
		.load_arg = a,
		.event = event,
		.event_arg = a,
	};

	struct tls *t = NULL;
	int rc = tls_start(&o, &t, e);

	__atomic_store_n(out, t, __ATOMIC_RELEASE);
	return rc;
}

void daemon_tls_poke(void *arg, json_t *snapshot)
{
	struct api *a = arg;

	(void)snapshot;
	tls_poke(__atomic_load_n(&a->tls, __ATOMIC_ACQUIRE));
}

static int certs(struct http_req *req, void *arg, struct err *e)
{
	struct api *a = arg;

	(void)e;
	return http_reply_json(req, 200, tls_status(a->tls));
}

int api_routes_certs(struct router *r, struct api *a, struct err *e)
{
	return router_add(r, "GET", "/api/v1/certs", certs, a, e);
}
