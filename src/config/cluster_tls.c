/*
 * cluster_tls.c - the TLS keys of cluster.toml: [cluster] acme_directory and
 * acme_ca_bundle, the [[proxy.certificate]] array (certificates brought per
 * domain), and the rule across files that a wildcard domain needs a brought
 * certificate while ACME is on (HTTP-01 cannot prove a wildcard).
 *
 * Only shapes are checked here; that the files exist, parse, pair and cover
 * their domains is tls_check_config's job (tls/check.c), on the host that
 * reads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "config/loader.h"
#include "config/syntax.h"

#define CERTIFICATES_MAX 1000
#define URL_MAX 2048

static const char *const certificate_keys[] = { "domains", "cert", "key", NULL };

static const char *acme_url(const char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "off") == 0)
		return NULL;
	if (strncmp(s, "https://", 8) != 0 || n <= 8)
		return "it must be an https:// URL (ACME requires TLS), or \"off\"";
	if (n > URL_MAX)
		return "it is longer than 2048 characters";
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return "it contains a blank or a non-ASCII character";
	return NULL;
}

/* A string value checked by check, copied into *out; its place into *loc. */
static void path_or_url(const struct cfile *f, const char *ctx, const struct toml_value *t,
			const char *key, const char *(*check)(const char *), char **out,
			struct config_loc *loc)
{
	const struct toml_value *v = toml_get(t, key);
	const char *s, *why;

	if (v == NULL || !cfile_string(f, ctx, key, v, &s))
		return;
	if ((why = check(s)) != NULL) {
		cfile_diag(f, v->pos, ctx, "%s '%s' is invalid: %s", key, s, why);
		return;
	}
	free(*out);
	*out = xstrdup(s);
	if (loc != NULL)
		*loc = cfile_loc(f, v->pos);
}

void config_cluster_acme(const struct cfile *f, const struct toml_value *t)
{
	struct cluster *cl = &f->c->cluster;

	path_or_url(f, "cluster", t, "acme_directory", acme_url, &cl->acme_directory, NULL);
	path_or_url(f, "cluster", t, "acme_ca_bundle", syntax_abs_path, &cl->acme_ca_bundle,
		    &cl->acme_ca_bundle_loc);
}

static void certificate_domains(const struct cfile *f, const char *ctx,
				const struct toml_value *t, struct proxy_certificate *pc)
{
	const struct toml_value *v = toml_get(t, "domains");
	const char *why;

	if (v == NULL) {
		cfile_diag(f, t->pos, ctx, "missing required key 'domains' (the names this "
			   "certificate serves)");
		return;
	}
	pc->domains_loc = cfile_loc(f, v->pos);
	if (!cfile_strings(f, ctx, "domains", v, &pc->domains, &pc->ndomains))
		return;
	if (pc->ndomains == 0)
		cfile_diag(f, v->pos, ctx, "'domains' must not be empty");
	for (size_t i = 0; i < pc->ndomains; i++)
		if ((why = syntax_hostname(pc->domains[i])) != NULL)
			cfile_diag(f, v->u.arr.items[i]->pos, ctx, "domain '%s' is invalid: %s",
				   pc->domains[i], why);
}

static void parse_certificate(const struct cfile *f, const struct toml_value *t, size_t index,
			      struct proxy_certificate *pc)
{
	char ctx[CTX_MAX];

	snprintf(ctx, sizeof(ctx), "proxy.certificate #%zu", index);
	pc->loc = cfile_loc(f, t->pos);
	cfile_check_keys(f, ctx, t, certificate_keys, "[[proxy.certificate]]");
	certificate_domains(f, ctx, t, pc);
	if (toml_get(t, "cert") == NULL)
		cfile_diag(f, t->pos, ctx, "missing required key 'cert' (a PEM certificate chain)");
	if (toml_get(t, "key") == NULL)
		cfile_diag(f, t->pos, ctx, "missing required key 'key' (its PEM private key)");
	path_or_url(f, ctx, t, "cert", syntax_abs_path, &pc->cert, &pc->cert_loc);
	path_or_url(f, ctx, t, "key", syntax_abs_path, &pc->key, &pc->key_loc);
}

/* A domain may be named by one certificate only. */
static void check_unique(const struct cfile *f, const struct toml_value *v,
			 const struct cluster *cl, size_t k)
{
	const struct proxy_certificate *pc = &cl->certificates[k];

	for (size_t i = 0; i < pc->ndomains; i++)
		for (size_t j = 0; j < k; j++)
			for (size_t m = 0; m < cl->certificates[j].ndomains; m++)
				if (strcmp(pc->domains[i], cl->certificates[j].domains[m]) == 0)
					cfile_diag(f, v->u.arr.items[k]->pos, NULL,
						   "proxy.certificate #%zu: domain '%s' already has "
						   "the certificate at line %d", k + 1, pc->domains[i],
						   cl->certificates[j].loc.line);
}

void config_proxy_certificates(const struct cfile *f, const struct toml_value *v)
{
	struct cluster *cl = &f->c->cluster;

	if (!cfile_table_array(f, "proxy", "certificate", v))
		return;
	if (v->u.arr.len > CERTIFICATES_MAX) {
		cfile_diag(f, v->pos, "proxy", "more than %d [[proxy.certificate]] entries",
			   CERTIFICATES_MAX);
		return;
	}
	cl->certificates = xcalloc(v->u.arr.len + 1, sizeof(*cl->certificates));
	for (size_t i = 0; i < v->u.arr.len; i++) {
		parse_certificate(f, v->u.arr.items[i], i + 1, &cl->certificates[i]);
		cl->ncertificates++;
		check_unique(f, v, cl, i);
	}
}

static bool wildcard_covered(const struct cluster *cl, const char *domain)
{
	for (size_t i = 0; i < cl->ncertificates; i++)
		for (size_t j = 0; j < cl->certificates[i].ndomains; j++)
			if (strcmp(cl->certificates[i].domains[j], domain) == 0)
				return true;
	return false;
}

void config_check_tls(const struct config *c, struct diags *d)
{
	const struct cluster *cl = &c->cluster;

	if ((cl->acme_directory && strcmp(cl->acme_directory, "off") == 0) ||
	    (cl->proxy_https && strcmp(cl->proxy_https, "off") == 0))
		return;   /* no ACME: a wildcard is served over HTTP only, or brought */
	for (size_t i = 0; i < c->nprojects; i++)
		for (size_t j = 0; j < c->projects[i].nservices; j++) {
			const struct service *s = &c->projects[i].services[j];

			for (size_t k = 0; k < s->ndomains; k++) {
				if (strncmp(s->domains[k], "*.", 2) != 0 ||
				    wildcard_covered(cl, s->domains[k]))
					continue;
				diags_add(d, s->domain_loc.file, s->domain_loc.line,
					  s->domain_loc.col,
					  "service '%s': domain '%s' needs a certificate brought in "
					  "cluster.toml ([[proxy.certificate]] with domains = [\"%s\"]): "
					  "ACME's HTTP-01 challenge cannot prove a wildcard name, which "
					  "would need DNS-01", s->name ? s->name : "?", s->domains[k],
					  s->domains[k]);
			}
		}
}
