/*
 * tls.c - struct tls: starting and stopping the tls thread, the lookups
 * the proxy calls from any thread, and the status snapshot.
 */
#include "tls/state.h"

#include <string.h>

#include "base/xalloc.h"

int64_t tls_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tls_new(const struct tls_opts *o, struct tls **out, struct err *e)
{
	struct tls *t = xcalloc(1, sizeof(*t));
	pthread_condattr_t ca;

	(void)e;

	t->o = *o;
	t->data_dir = xstrdup(o->data_dir ? o->data_dir : ".");
	t->o.data_dir = t->data_dir;
	t->sni = tls_sni_new();
	t->http01 = tls_http01_new();
	pthread_mutex_init(&t->mu, NULL);
	pthread_mutex_init(&t->status_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	t->status = json_pack("{s:[], s:{s:b}}", "certificates", "acme", "enabled", 0);
	*out = t;
	return 0;
}

int tls_run(struct tls *t, struct err *e)
{
	int rc = pthread_create(&t->thread, NULL, tls_thread_main, t);

	if (rc != 0)
		return err_errno(e, rc, "start the tls thread");
	t->started = true;
	return 0;
}

int tls_start(const struct tls_opts *o, struct tls **out, struct err *e)
{
	int rc = tls_new(o, out, e);

	if (rc == 0 && (rc = tls_run(*out, e)) < 0) {
		tls_free(*out);
		*out = NULL;
	}
	return rc;
}

void tls_stop(struct tls *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->stopping = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->mu);
	if (t->started)
		pthread_join(t->thread, NULL);
	t->started = false;
}

void tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	tls_stop(t);
	for (size_t i = 0; i < t->nacme; i++)
		tls_acme_cert_release(&t->acme[i]);
	free(t->acme);
	for (size_t i = 0; i < t->nfiles; i++)
		tls_file_cert_release(&t->files[i]);
	free(t->files);
	if (t->next_want) {
		tls_desired_release(t->next_want);
		free(t->next_want);
	}
	tls_acme_reset_client(t);
	tls_desired_release(&t->want);
	tls_sni_free(t->sni);
	tls_http01_free(t->http01);
	json_decref(t->status);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->mu);
	pthread_mutex_destroy(&t->status_mu);
	free(t->data_dir);
	free(t);
}

void tls_poke(struct tls *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->poked = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->mu);
}

SSL_CTX *tls_sni_lookup(struct tls *t, const char *servername)
{
	if (t == NULL || servername == NULL)
		return NULL;
	return tls_sni_get(t->sni, servername, strlen(servername));
}

bool tls_has_cert(struct tls *t, const char *host, size_t len)
{
	return t != NULL && host != NULL && tls_sni_has(t->sni, host, len);
}

int tls_http01_lookup(struct tls *t, const char *token, size_t token_len, char *out,
		      size_t outsz)
{
	if (t == NULL || token == NULL)
		return -1;
	return tls_http01_get(t->http01, token, token_len, out, outsz);
}

json_t *tls_status(struct tls *t)
{
	json_t *s;

	if (t == NULL)
		return json_pack("{s:[], s:{s:b}}", "certificates", "acme", "enabled", 0);
	pthread_mutex_lock(&t->status_mu);
	s = json_incref(t->status);
	pthread_mutex_unlock(&t->status_mu);
	return s;
}
