/*
 * manager.c - the tls thread: reads what the configuration asks (through
 * the load callback, when poked), keeps one entry per ACME domain and per
 * brought certificate, and issues or renews the ACME certificates that are
 * due, one at a time, each failure backing off on its own.
 *
 * While an issuance runs, pokes are still read (tls_wait, the ACME
 * client's wait callback): the new configuration is loaded at once and
 * applied after the issuance, which is abandoned when its domain left.
 */
#include "tls/state.h"

#include <errno.h>
#include <string.h>

#include "base/xalloc.h"

#define FILE_CHECK_MS (60 * 1000)

static void timespec_after(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Waits up to ms for a poke or stop; returns (and clears) the poke. */
static bool take_poke(struct tls *t, int64_t ms, bool *stop)
{
	struct timespec ts;
	bool poked;

	pthread_mutex_lock(&t->mu);
	if (ms > 0) {
		timespec_after(&ts, ms);
		while (!t->stopping && !t->poked &&
		       pthread_cond_timedwait(&t->cond, &t->mu, &ts) != ETIMEDOUT)
			;
	}
	poked = t->poked;
	t->poked = false;
	*stop = t->stopping;
	pthread_mutex_unlock(&t->mu);
	return poked;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_acme(const struct tls_desired *a, const struct tls_desired *b)
{
	return a->acme == b->acme && same_str(a->acme_directory, b->acme_directory) &&
	       same_str(a->acme_ca_bundle, b->acme_ca_bundle) &&
	       same_str(a->acme_email, b->acme_email);
}

static struct acme_cert *find_acme(struct tls *t, const char *domain)
{
	for (size_t i = 0; i < t->nacme; i++)
		if (strcmp(t->acme[i].domain, domain) == 0)
			return &t->acme[i];
	return NULL;
}

/* Drops the ACME entries the configuration no longer asks for (all of them
 * when the ACME server changed: their certificates live under the old
 * server's directory) and adds the new ones, loading what is on disk. */
static void sync_acme(struct tls *t, bool server_changed)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->nacme; i++) {
		if (!server_changed && tls_wants_acme(&t->want, t->acme[i].domain))
			t->acme[kept++] = t->acme[i];
		else
			tls_acme_cert_release(&t->acme[i]);
	}
	t->nacme = kept;
	for (size_t i = 0; i < t->want.ndomains; i++) {
		const char *d = t->want.domains[i];
		struct acme_cert *x;

		if (!tls_wants_acme(&t->want, d) || find_acme(t, d) != NULL)
			continue;
		t->acme = xrealloc(t->acme, (t->nacme + 1) * sizeof(*t->acme));
		x = &t->acme[t->nacme++];
		memset(x, 0, sizeof(*x));
		x->domain = xstrdup(d);
		tls_acme_load_stored(t, x);
	}
}

/* Takes d's contents. */
static void apply(struct tls *t, struct tls_desired *d)
{
	bool server_changed = t->have_want && !same_acme(&t->want, d);

	tls_desired_release(&t->want);
	t->want = *d;
	memset(d, 0, sizeof(*d));
	t->have_want = true;
	if (server_changed)
		tls_acme_reset_client(t);
	tls_files_apply(t);
	sync_acme(t, server_changed);
	tls_publish_sni(t);
	tls_publish_status(t);
}

/* Asks the configuration; NULL (with load_error set) when that fails. */
static struct tls_desired *load(struct tls *t)
{
	struct tls_desired *d = xcalloc(1, sizeof(*d));
	struct err e = { 0 };

	if (t->o.load == NULL || t->o.load(t->o.load_arg, d, &e) < 0) {
		snprintf(t->load_error, sizeof(t->load_error), "%s",
			 t->o.load ? e.msg : "no configuration");
		tls_desired_release(d);
		free(d);
		return NULL;
	}
	t->load_error[0] = '\0';
	return d;
}

static void reload(struct tls *t)
{
	struct tls_desired *d = load(t);

	if (d == NULL) {
		tls_publish_status(t);
		return;
	}
	apply(t, d);
	free(d);
}

bool tls_wait(void *arg, int64_t ms)
{
	struct tls *t = arg;
	bool stop, poked = take_poke(t, ms, &stop);
	struct tls_desired *d;

	if (stop)
		return false;
	if (poked && (d = load(t)) != NULL) {
		if (t->next_want) {
			tls_desired_release(t->next_want);
			free(t->next_want);
		}
		t->next_want = d;
	}
	if (t->next_want && t->issuing &&
	    (!same_acme(&t->want, t->next_want) || !tls_wants_acme(t->next_want, t->issuing)))
		return false;
	return true;
}

/* The earliest wall-clock time something is due. */
static int64_t next_due(const struct tls *t)
{
	int64_t due = t->next_file_check_ms;

	for (size_t i = 0; i < t->nacme; i++)
		if (t->acme[i].next_attempt_ms < due)
			due = t->acme[i].next_attempt_ms;
	return due;
}

static struct acme_cert *first_due(struct tls *t, int64_t now)
{
	struct acme_cert *best = NULL;

	for (size_t i = 0; i < t->nacme; i++)
		if (t->acme[i].next_attempt_ms <= now &&
		    (best == NULL || t->acme[i].next_attempt_ms < best->next_attempt_ms))
			best = &t->acme[i];
	return best;
}

static void check_files(struct tls *t, int64_t now)
{
	if (now < t->next_file_check_ms)
		return;
	t->next_file_check_ms = now + FILE_CHECK_MS;
	if (tls_files_check(t)) {
		tls_publish_sni(t);
		tls_publish_status(t);
	}
}

void *tls_thread_main(void *arg)
{
	struct tls *t = arg;
	bool stop = false;

	t->next_file_check_ms = tls_wall_ms() + FILE_CHECK_MS;
	reload(t);
	while (!stop) {
		int64_t now = tls_wall_ms(), due = next_due(t);
		struct acme_cert *x;

		if (take_poke(t, due > now ? due - now : 0, &stop))
			reload(t);
		if (stop)
			break;
		now = tls_wall_ms();
		check_files(t, now);
		if ((x = first_due(t, now)) != NULL)
			tls_acme_issue(t, x->domain);
		if (t->next_want != NULL) {
			apply(t, t->next_want);
			free(t->next_want);
			t->next_want = NULL;
		}
	}
	return NULL;
}
