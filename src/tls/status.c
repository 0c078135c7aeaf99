/*
 * status.c - what the tls thread shows: the SNI table it publishes for the
 * proxy, the status document (orca certs, GET /api/v1/certs), and events.
 */
#include "tls/state.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"

void tls_publish_sni(struct tls *t)
{
	struct tls_sni_item *items = NULL;
	size_t n = 0;

	/* brought certificates first: on a duplicate name, the first wins */
	for (size_t i = 0; i < t->nfiles; i++)
		for (size_t j = 0; t->files[i].ctx && j < t->files[i].want.ndomains; j++) {
			items = xrealloc(items, (n + 1) * sizeof(*items));
			items[n++] = (struct tls_sni_item){ t->files[i].want.domains[j],
							    t->files[i].ctx };
		}
	for (size_t i = 0; i < t->nacme; i++)
		if (t->acme[i].ctx) {
			items = xrealloc(items, (n + 1) * sizeof(*items));
			items[n++] = (struct tls_sni_item){ t->acme[i].domain, t->acme[i].ctx };
		}
	tls_sni_publish(t->sni, items, n);
	free(items);
}

static json_t *ms_or_null(int64_t ms)
{
	return ms > 0 ? json_integer(ms) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static void add_info(json_t *o, const struct tls_certinfo *ci, bool have)
{
	json_object_set_new(o, "issuer", str_or_null(have ? ci->issuer : NULL));
	json_object_set_new(o, "not_before", ms_or_null(have ? ci->not_before * 1000 : 0));
	json_object_set_new(o, "not_after", ms_or_null(have ? ci->not_after * 1000 : 0));
}

static const char *acme_state(const struct tls *t, const struct acme_cert *x, int64_t now)
{
	if (t->issuing && strcmp(t->issuing, x->domain) == 0)
		return x->ctx ? "renewing" : "issuing";
	if (x->failures > 0)
		return "failed";
	if (x->ctx == NULL)
		return "pending";
	return x->info.not_after * 1000 <= now ? "expired" : "valid";
}

static json_t *acme_json(const struct tls *t, const struct acme_cert *x, int64_t now)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "domain", x->domain, "source", "acme",
			      "state", acme_state(t, x, now));

	add_info(o, &x->info, x->ctx != NULL);
	json_object_set_new(o, "renew_at", ms_or_null(x->ctx ? tls_renew_at(x->info.not_before,
		x->info.not_after) * 1000 : 0));
	json_object_set_new(o, "next_attempt", ms_or_null(x->next_attempt_ms));
	json_object_set_new(o, "failures", json_integer(x->failures));
	json_object_set_new(o, "last_error", str_or_null(x->last_error));
	return o;
}

static void files_json(const struct tls *t, json_t *list, int64_t now)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		const struct file_cert *fc = &t->files[i];
		const char *state = fc->ctx == NULL ? "invalid"
				    : fc->info.not_after * 1000 <= now ? "expired" : "valid";

		for (size_t j = 0; j < fc->want.ndomains; j++) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "domain",
					      fc->want.domains[j], "source", "file", "state", state,
					      "cert", fc->want.cert ? fc->want.cert : "");

			add_info(o, &fc->info, fc->ctx != NULL);
			json_object_set_new(o, "last_error", str_or_null(fc->error));
			json_array_append_new(list, o);
		}
	}
}

static bool named_by_file(const struct tls *t, const char *domain)
{
	const char *dot = strchr(domain, '.');

	for (size_t i = 0; i < t->want.nfiles; i++)
		for (size_t j = 0; j < t->want.files[i].ndomains; j++) {
			const char *n = t->want.files[i].domains[j];

			if (strcmp(n, domain) == 0 ||
			    (dot && strncmp(n, "*.", 2) == 0 && strcmp(n + 1, dot) == 0))
				return true;
		}
	return false;
}

/* Service domains that get no certificate, and why. */
static void uncovered_json(const struct tls *t, json_t *list)
{
	for (size_t i = 0; i < t->want.ndomains; i++) {
		const char *d = t->want.domains[i];

		if (tls_wants_acme(&t->want, d) || named_by_file(t, d))
			continue;
		json_array_append_new(list, json_pack(
			"{s:s, s:s, s:s, s:s}", "domain", d, "source", "none", "state", "none",
			"last_error", !t->want.acme ? (t->want.acme_off_why ? t->want.acme_off_why
									    : "ACME is off")
						    : "a wildcard needs a brought certificate"));
	}
}

static int cmp_domain(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "domain"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "domain"));

	return strcmp(x ? x : "", y ? y : "");
}

static json_t *sorted(json_t *list)
{
	size_t n = json_array_size(list);
	json_t **v = xcalloc(n + 1, sizeof(*v)), *out = json_array();

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	qsort(v, n, sizeof(*v), cmp_domain);
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(list);
	return out;
}

void tls_publish_status(struct tls *t)
{
	int64_t now = tls_wall_ms();
	json_t *list = json_array(), *doc, *old;

	for (size_t i = 0; i < t->nacme; i++)
		json_array_append_new(list, acme_json(t, &t->acme[i], now));
	files_json(t, list, now);
	uncovered_json(t, list);
	doc = json_pack("{s:o, s:{s:b, s:o, s:o, s:o}}", "certificates", sorted(list), "acme",
			"enabled", t->want.acme, "directory", str_or_null(t->want.acme_directory),
			"email", str_or_null(t->want.acme_email), "account",
			str_or_null(t->have_client ? t->client.kid : NULL));
	json_object_set_new(doc, "config_error", str_or_null(t->load_error));
	pthread_mutex_lock(&t->status_mu);
	old = t->status;
	t->status = doc;
	pthread_mutex_unlock(&t->status_mu);
	json_decref(old);
}

void tls_event(struct tls *t, const char *domain, const char *kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (t->o.event == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->o.event(t->o.event_arg, domain, kind, msg);
}
