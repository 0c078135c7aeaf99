/*
 * state.h - struct tls and what the tls thread keeps; private to tls/.
 *
 * Fields above "tls thread only" are set before the thread starts or are
 * guarded as noted; the rest belongs to the tls thread alone.
 */
#ifndef ORCA_TLS_STATE_H
#define ORCA_TLS_STATE_H

#include <pthread.h>
#include <sys/stat.h>

#include "tls/internal.h"

/* A certificate obtained with ACME for one service domain. */
struct acme_cert {
	char *domain;
	SSL_CTX *ctx;              /* NULL: none yet (or expired) */
	struct tls_certinfo info;  /* valid when ctx */
	bool renewed_once;         /* issued by this process before */
	int failures;              /* in a row */
	int64_t next_attempt_ms;   /* wall clock; 0: as soon as possible */
	char last_error[512];
	int64_t last_error_ms;
};

/* A certificate brought in cluster.toml. */
struct file_cert {
	struct tls_file_cert want;
	SSL_CTX *ctx;              /* NULL: the files are not usable */
	struct tls_certinfo info;
	char error[512];
	struct stat cert_st, key_st;  /* to notice the files change */
};

struct tls {
	struct tls_opts o;         /* strings below are owned copies */
	char *data_dir;
	struct tls_sni *sni;
	struct tls_http01 *http01;
	pthread_t thread;
	bool started;

	pthread_mutex_t mu;        /* guards poked, stopping */
	pthread_cond_t cond;       /* on CLOCK_MONOTONIC */
	bool poked, stopping;

	pthread_mutex_t status_mu; /* guards status */
	json_t *status;

	/* tls thread only */
	struct tls_desired want;
	bool have_want;
	char load_error[512];
	struct acme_cert *acme;
	size_t nacme;
	struct file_cert *files;
	size_t nfiles;
	char *acme_dir;            /* DATA/tls/acme/<server id>, for want's directory */
	EVP_PKEY *account_key;
	struct acme_client client;
	bool have_client;
	const char *issuing;       /* the domain being issued right now */
	struct tls_desired *next_want;  /* loaded while issuing; applied after */
	int64_t next_file_check_ms;
};

int64_t tls_wall_ms(void);
bool tls_wants_acme(const struct tls_desired *d, const char *domain);

/* manager.c */
void *tls_thread_main(void *arg);
/* Sleeps up to ms (0: only looks) unless stopped or poked; false when the
 * current issuance must be abandoned. The acme client's wait callback. */
bool tls_wait(void *arg, int64_t ms);

/* brought.c */
void tls_files_apply(struct tls *t);
/* Reloads brought files whose inode, size or mtime changed; true if any. */
bool tls_files_check(struct tls *t);
void tls_file_cert_release(struct file_cert *fc);

/* issue.c */
/* "<host>-<8 hex>": the directory of one ACME server's files. */
char *tls_acme_server_id(const char *url);
/* Loads a stored certificate for x, if a usable one is on disk. */
void tls_acme_load_stored(struct tls *t, struct acme_cert *x);
/* Runs one issuance for domain (copied: the table may change meanwhile). */
void tls_acme_issue(struct tls *t, const char *domain);
void tls_acme_cert_release(struct acme_cert *x);
void tls_acme_reset_client(struct tls *t);

/* status.c */
void tls_publish_sni(struct tls *t);
void tls_publish_status(struct tls *t);
void tls_event(struct tls *t, const char *domain, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
