/*
 * loader.h - what the config loaders share; private to config/.
 *
 *   project.c        service.toml: the [[service]] list, then check.c
 *   service.c        one [[service]]: scalar keys and runtime rules
 *   service_lists.c  env, volumes, triggers
 *   service_tables.c resources, placement, deploy, healthcheck
 *   check.c          rules across services and across files
 *   cluster.c        cluster.toml
 *   inert.c          warnings for keys that have no effect yet
 *   walk.c           typed reads from a TOML tree that report diagnostics
 *
 * A "ctx" is what a message is about, printed first ("service 'api'"); NULL
 * for none. Keys are named as the user would write them ("resources.memory").
 */
#ifndef ORCA_CONFIG_LOADER_H
#define ORCA_CONFIG_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "config/load.h"
#include "config/model.h"
#include "config/toml.h"

#define CTX_MAX 96

/* One file being read. */
struct cfile {
	struct config *c;
	struct diags *d;
	const char *file;         /* interned in c->files */
	const char *project_dir;  /* service.toml only; may be NULL */
};

/* Returns c's copy of file, adding it to c->files the first time. */
const char *config_intern_file(struct config *c, const char *file);

struct config_loc cfile_loc(const struct cfile *f, struct toml_pos pos);

void cfile_diag(const struct cfile *f, struct toml_pos pos, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "a string", "an integer", ... */
const char *cfile_type_a(enum toml_type t);

/* A quoted key may hold "\u0000"; such a key matches nothing. */
bool cfile_key_has_nul(const struct toml_keyval *kv);

/*
 * Reports every key of tab that is not in known (NULL-terminated), with a
 * did-you-mean when one is close. where names the table for the message
 * ("[service.resources]"), or NULL.
 */
void cfile_check_keys(const struct cfile *f, const char *ctx, const struct toml_value *tab,
		const char *const *known, const char *where);

/* "ctx: 'key' must be <want>, not <a type>", at v. */
void cfile_bad_type(const struct cfile *f, const char *ctx, const char *key,
	      const struct toml_value *v, const char *want);

/*
 * Typed reads. Each returns true with the value in *out when v has the type
 * asked for, else reports it and returns false. Strings holding a NUL are
 * refused. cfile_int also checks lo <= value <= hi.
 */
bool cfile_string(const struct cfile *f, const char *ctx, const char *key,
		const struct toml_value *v, const char **out);
bool cfile_int(const struct cfile *f, const char *ctx, const char *key,
	     const struct toml_value *v, int64_t lo, int64_t hi, int64_t *out);
bool cfile_bool(const struct cfile *f, const char *ctx, const char *key,
	      const struct toml_value *v, bool *out);
bool cfile_table(const struct cfile *f, const char *ctx, const char *key,
	       const struct toml_value *v);
/* An array whose items are all tables ([[x]] or [{...}]). */
bool cfile_table_array(const struct cfile *f, const char *ctx, const char *key,
		     const struct toml_value *v);
/* An array of strings; malloc'd copies in *out (NULL, 0 when empty or wrong). */
bool cfile_strings(const struct cfile *f, const char *ctx, const char *key,
		 const struct toml_value *v, char ***out, size_t *n);
/* A table of string values, as key/value pairs (label maps). */
bool cfile_string_table(const struct cfile *f, const char *ctx, const char *key,
		      const struct toml_value *v, struct kv **out, size_t *n);
/* A memory size: an integer of bytes or a string with a unit; > 0. */
bool cfile_memory(const struct cfile *f, const char *ctx, const char *key,
		const struct toml_value *v, int64_t *bytes);
/* A CPU amount: an integer or float of cores, to millicpus. */
bool cfile_cpu(const struct cfile *f, const char *ctx, const char *key,
	     const struct toml_value *v, int64_t *millis);
/* A size in MiB: an integer of MiB or a memory string ("24Gi"); >= 0. */
bool cfile_mib(const struct cfile *f, const char *ctx, const char *key,
	     const struct toml_value *v, int64_t *mib);
/* A GPU vendor: "nvidia" or "amd". */
bool cfile_gpu_vendor(const struct cfile *f, const char *ctx, const char *key,
		    const struct toml_value *v, enum gpu_vendor *out);

void config_strings_free(char **v, size_t n);
/* proxy_keys.c */
void cfile_duration_range(const struct cfile *f, const char *ctx, const char *key,
			  const struct toml_value *v, int64_t min_ms, int64_t max_ms, int64_t *ms);
void config_cluster_proxy_extra(const struct cfile *f, const struct toml_value *t);
void config_service_proxy(const struct cfile *f, const char *ctx, const struct toml_value *tab,
			  struct service *s);
void config_kvs_free(struct kv *v, size_t n);

/* One [[service]] table into *s (zeroed by the caller); index is 1-based. */
void config_service_parse(const struct cfile *f, const struct toml_value *tab, size_t index,
		   struct service *s);
void config_service_lists(const struct cfile *f, const char *ctx,
			 const struct toml_value *tab, struct service *s);
void config_service_tables(const struct cfile *f, const char *ctx,
			  const struct toml_value *tab, struct service *s);
void config_service_release(struct service *s);

/* Warnings for keys that have no effect yet (inert.c), into f->c->warnings. */
void config_inert_cluster(const struct cfile *f, const struct toml_value *root);
void config_inert_service(const struct cfile *f, const char *ctx, const struct toml_value *tab);

/* cluster_tls.c: [cluster] acme_directory and acme_ca_bundle; the
 * [[proxy.certificate]] array; and, across files, wildcard domains. */
void config_cluster_acme(const struct cfile *f, const struct toml_value *cluster);
void config_proxy_certificates(const struct cfile *f, const struct toml_value *v);
void config_check_tls(const struct config *c, struct diags *d);

/* Names, aliases and depends_on across one project; tabs[i] is services[i]'s table. */
void config_check_project(const struct cfile *f, const struct project *p,
		   const struct toml_value *const *tabs);

#endif
