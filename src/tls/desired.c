/*
 * desired.c - struct tls_desired: what the configuration asks of tls/,
 * built by the caller's load callback from the cluster and its services.
 */
#include "tls/state.h"

#include <string.h>

#include "base/xalloc.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void tls_desired_from_cluster(struct tls_desired *d, const struct cluster *cl)
{
	const char *dir = cl->acme_directory ? cl->acme_directory : CONFIG_ACME_DIRECTORY_DEFAULT;

	bool https_off = cl->proxy_https && strcmp(cl->proxy_https, "off") == 0;

	/* certificates nobody serves are not worth an order */
	d->acme = strcmp(dir, "off") != 0 && !https_off;
	d->acme_off_why = https_off ? "[proxy] https is \"off\""
		: !d->acme ? "acme_directory is \"off\"" : NULL;
	d->acme_directory = d->acme ? xstrdup(dir) : NULL;
	d->acme_email = dup_or_null(cl->acme_email);
	d->acme_ca_bundle = dup_or_null(cl->acme_ca_bundle);
	d->files = xcalloc(cl->ncertificates + 1, sizeof(*d->files));
	for (size_t i = 0; i < cl->ncertificates; i++) {
		const struct proxy_certificate *pc = &cl->certificates[i];
		struct tls_file_cert *f = &d->files[d->nfiles++];

		f->domains = xcalloc(pc->ndomains + 1, sizeof(char *));
		for (size_t j = 0; j < pc->ndomains; j++)
			f->domains[f->ndomains++] = xstrdup(pc->domains[j]);
		f->cert = dup_or_null(pc->cert);
		f->key = dup_or_null(pc->key);
	}
}

void tls_desired_add_domain(struct tls_desired *d, const char *domain)
{
	size_t i = 0;

	while (i < d->ndomains && strcmp(d->domains[i], domain) < 0)
		i++;
	if (i < d->ndomains && strcmp(d->domains[i], domain) == 0)
		return;
	d->domains = xrealloc(d->domains, (d->ndomains + 1) * sizeof(*d->domains));
	memmove(d->domains + i + 1, d->domains + i, (d->ndomains - i) * sizeof(*d->domains));
	d->domains[i] = xstrdup(domain);
	d->ndomains++;
}

void tls_desired_release(struct tls_desired *d)
{
	for (size_t i = 0; i < d->nfiles; i++) {
		for (size_t j = 0; j < d->files[i].ndomains; j++)
			free(d->files[i].domains[j]);
		free(d->files[i].domains);
		free(d->files[i].cert);
		free(d->files[i].key);
	}
	free(d->files);
	for (size_t i = 0; i < d->ndomains; i++)
		free(d->domains[i]);
	free(d->domains);
	free(d->acme_directory);
	free(d->acme_email);
	free(d->acme_ca_bundle);
	memset(d, 0, sizeof(*d));
}

static bool names_cover(char *const *names, size_t n, const char *domain)
{
	const char *dot = strchr(domain, '.');

	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], domain) == 0)
			return true;
		if (dot && strncmp(names[i], "*.", 2) == 0 && strcmp(names[i] + 1, dot) == 0)
			return true;
	}
	return false;
}

/* ACME serves a domain that is a service's, not a wildcard, and not named
 * by a brought certificate. */
bool tls_wants_acme(const struct tls_desired *d, const char *domain)
{
	bool listed = false;

	if (!d->acme || strncmp(domain, "*.", 2) == 0)
		return false;
	for (size_t i = 0; i < d->ndomains && !listed; i++)
		listed = strcmp(d->domains[i], domain) == 0;
	for (size_t i = 0; listed && i < d->nfiles; i++)
		if (names_cover(d->files[i].domains, d->files[i].ndomains, domain))
			return false;
	return listed;
}
