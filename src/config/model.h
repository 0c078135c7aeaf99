/*
 * model.h - orca's desired state as plain C structs.
 *
 * A struct config is what cluster.toml and services/<project>/service.toml
 * mean once parsed and validated: defaults filled in, units normalised
 * (bytes, millicpus, milliseconds, MiB for VRAM). The scheduler, the
 * reconciler and the runtimes read it; nothing here does I/O except the
 * loaders in config/load.c. Every string is owned by the struct that holds
 * it and freed by config_free().
 */
#ifndef ORCA_CONFIG_MODEL_H
#define ORCA_CONFIG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_NAME_MAX 63
#define CONFIG_ACME_DIRECTORY_DEFAULT "https://acme-v02.api.letsencrypt.org/directory"

/* Where something was written; file is borrowed from struct config.files. */
struct config_loc {
	const char *file;
	int line, col;
};

enum runtime {
	RUNTIME_CONTAINER = 0,
	RUNTIME_WASM,
};

enum gpu_vendor {
	GPU_NONE = 0,
	GPU_NVIDIA,
	GPU_AMD,
};

enum trigger_kind {
	TRIGGER_HTTP,
	TRIGGER_CRON,
	TRIGGER_QUEUE,
	TRIGGER_EVENT,
};

enum deploy_strategy {
	DEPLOY_ROLLING = 0,
	DEPLOY_CANARY,
};

enum token_role {
	ROLE_ADMIN,
	ROLE_DEPLOYER,
	ROLE_VIEWER,
};

/* A cron schedule as bit sets; bit i set means value i matches. */
struct cron_spec {
	uint64_t minutes;   /* 0-59 */
	uint32_t hours;     /* 0-23 */
	uint32_t mdays;     /* 1-31 */
	uint16_t months;    /* 1-12 */
	uint8_t wdays;      /* 0-6, Sunday = 0 (7 is accepted as Sunday) */
	bool mday_star;     /* day-of-month was '*': match on weekday only */
	bool wday_star;     /* day-of-week was '*': match on day-of-month only */
};

struct trigger {
	enum trigger_kind kind;
	char *arg;          /* route pattern, schedule text, topic or event pattern */
	struct cron_spec cron;  /* TRIGGER_CRON only */
	struct config_loc loc;
};

struct kv {
	char *key;
	char *value;
};

struct volume {
	char *name;         /* named volume; the replica index is appended at run time */
	char *path;         /* absolute path in the container */
};

struct healthcheck {
	char *path;              /* HTTP path; NULL means a TCP check on port */
	bool enabled;            /* false when there is neither path nor port */
	int64_t interval_ms;
	int64_t timeout_ms;
	int64_t start_period_ms;
	int healthy_threshold;
	int unhealthy_threshold;
};

struct gpu_request {
	enum gpu_vendor vendor;  /* GPU_NONE: no GPU asked for */
	int count;
	int64_t vram_min_mib;    /* 0: any */
};

struct deploy_policy {
	enum deploy_strategy strategy;
	int max_unavailable;
	int max_surge;
	int canary_weight;       /* percent, canary only */
	int64_t drain_ms;        /* a leaving replica finishes proxied requests this long at most */
	int canary_error_margin; /* percentage points of 5xx above stable that abort a canary */
	int canary_min_requests; /* canary requests before that comparison counts */
};

#define CONFIG_MAX_HEADER_BYTES (32 * 1024)
#define CONFIG_MAX_BODY_BYTES (100LL * 1024 * 1024)

struct service {
	char *project;
	char *name;
	enum runtime runtime;
	char *image;             /* container */
	char *module;            /* wasm: path as written, relative to the service.toml */
	char *module_path;       /* wasm: resolved against the project directory */
	int replicas;            /* when !replicas_auto */
	bool replicas_auto;      /* wasm only: instances on demand */
	int port;                /* 0: none */
	char **domains;          /* `domain` as one string or a list */
	size_t ndomains;
	char *default_domain;    /* <name>.<project>.<[cluster] domain> for a service
	                          * that serves HTTP (a port with an HTTP health check,
	                          * or a wasm http: trigger) and has no `domain`; else NULL */
	struct config_loc domain_loc;  /* where `domain` was written */
	char **routes;
	size_t nroutes;
	char **aliases;
	size_t naliases;
	bool internal;
	struct kv *env;          /* values unresolved: may hold ${secrets.KEY} */
	size_t nenv;
	char **command;          /* NULL: the image's own command */
	size_t ncommand;
	struct volume *volumes;
	size_t nvolumes;
	char **depends_on;       /* service names in the same project */
	size_t ndepends_on;
	struct trigger *triggers;
	size_t ntriggers;
	int64_t memory_bytes;    /* 0: no limit */
	int64_t cpu_millis;      /* 0: no limit */
	struct gpu_request gpu;
	char *placement_node;    /* NULL: any */
	struct config_loc placement_node_loc;  /* where placement.node was written */
	struct kv *placement_labels;
	size_t nplacement_labels;
	struct deploy_policy deploy;
	struct healthcheck health;
	int64_t max_header_bytes; /* [service.proxy]: request head larger: 431 */
	int64_t max_body_bytes;   /* request body larger: 413 */
	struct config_loc loc;   /* the [[service]] header */
};

struct project {
	char *name;              /* the directory name under services/ */
	char *dir;               /* the directory, as found */
	char *file;              /* its service.toml */
	struct service *services;
	size_t nservices;
};

struct node_gpu {
	enum gpu_vendor vendor;
	int count;
	char *model;             /* NULL when not given */
	int64_t vram_mib;        /* per GPU; 0 when not given */
};

struct node {
	char *name;
	char *address;           /* NULL when not given */
	struct kv *labels;
	size_t nlabels;
	struct node_gpu *gpus;
	size_t ngpus;
	int64_t memory_bytes;    /* capacity; 0: not declared (detected for the local node) */
	int64_t cpu_millis;      /* capacity; 0: not declared */
	struct config_loc loc;
};

struct token {
	char *name;
	enum token_role role;
	char *hash;              /* "sha256:<hex>" or NULL */
};

#define CLUSTER_KEEP_REVISIONS 50
#define CLUSTER_KEEP_REVISIONS_MAX 100000

/* A certificate brought for some domains ([[proxy.certificate]]). */
struct proxy_certificate {
	char **domains;          /* hostnames, "*.example.com" allowed */
	size_t ndomains;
	char *cert;              /* absolute path, on the server's host, of a PEM chain */
	char *key;               /* absolute path of its PEM private key */
	struct config_loc loc, domains_loc, cert_loc, key_loc;
};

struct cluster {
	char *name;              /* default "orca" */
	char *domain;
	char *acme_email;
	char *acme_directory;    /* an https URL, default Let's Encrypt; "off": no ACME */
	char *acme_ca_bundle;    /* PEM CAs trusted for the ACME server; NULL: the system's */
	struct config_loc acme_ca_bundle_loc;
	struct proxy_certificate *certificates;
	size_t ncertificates;
	char *data_dir;          /* absolute; see `orca server --config` */
	struct config_loc data_dir_loc;
	int keep_revisions;      /* revisions kept per project, and deploys kept */
	char *proxy_http;        /* listen address, e.g. "0.0.0.0:80"; "off": none */
	char *proxy_https;
	bool proxy_declared;     /* a [proxy] table was written: listen even with no domain */
	int proxy_workers;       /* event loops; 0: one per CPU */
	int64_t proxy_connect_timeout_ms, proxy_head_timeout_ms;
	int64_t proxy_first_byte_timeout_ms, proxy_idle_timeout_ms;
	bool proxy_access_log;
	struct node *nodes;      /* empty: one implicit local node */
	size_t nnodes;
	struct token *tokens;
	size_t ntokens;
};

struct diags;

struct config {
	struct cluster cluster;
	struct project *projects;  /* sorted by name */
	size_t nprojects;
	char **files;              /* every file name a config_loc points to */
	size_t nfiles;
	struct diags *warnings;    /* keys accepted that have no effect yet (inert.c);
	                            * never a reason to refuse the config */
};

void config_free(struct config *c);

const struct project *config_find_project(const struct config *c, const char *name);
const struct service *project_find_service(const struct project *p, const char *name);
const struct node *config_find_node(const struct config *c, const char *name);

const char *runtime_name(enum runtime r);
const char *gpu_vendor_name(enum gpu_vendor v);
const char *trigger_kind_name(enum trigger_kind k);
const char *deploy_strategy_name(enum deploy_strategy s);
const char *token_role_name(enum token_role r);

#endif
