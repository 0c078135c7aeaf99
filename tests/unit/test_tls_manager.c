/*
 * test_tls_manager.c - the tls thread without a network: brought
 * certificates, certificates found in the data directory (served, and
 * renewed at two thirds of their life), a failing ACME server shown in the
 * status with its back-off, and domains leaving the configuration.
 */
#include "unit.h"
#include "tls_fixture.h"

#include <jansson.h>
#include <sys/stat.h>
#include <time.h>

#include "tls/state.h"

/* An ACME server that refuses connections at once. */
#define DEAD_ACME "https://127.0.0.1:9/directory"

struct conf {
	pthread_mutex_t mu;
	struct cluster cl;                 /* acme_* and certificates */
	const char *domains[8];
	int loads;
	char events[2048];
};

static int load(void *arg, struct tls_desired *out, struct err *e)
{
	struct conf *c = arg;

	(void)e;
	pthread_mutex_lock(&c->mu);
	tls_desired_from_cluster(out, &c->cl);
	for (int i = 0; i < 8 && c->domains[i]; i++)
		tls_desired_add_domain(out, c->domains[i]);
	c->loads++;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

static void on_event(void *arg, const char *domain, const char *kind, const char *msg)
{
	struct conf *c = arg;
	size_t n;

	(void)msg;
	pthread_mutex_lock(&c->mu);
	n = strlen(c->events);
	snprintf(c->events + n, sizeof(c->events) - n, "%s %s;", kind, domain);
	pthread_mutex_unlock(&c->mu);
}

static struct tls *start(const char *data, struct conf *c)
{
	struct tls_opts o = { .data_dir = data, .load = load, .load_arg = c,
			      .event = on_event, .event_arg = c };
	struct tls *t = NULL;
	struct err e = { 0 };

	EXPECT_EQ_INT(0, tls_start(&o, &t, &e));
	return t;
}

/* The status entry of domain once pred(entry) holds; NULL after 10 s. */
static json_t *wait_entry(struct tls *t, const char *domain, const char *state)
{
	for (int i = 0; i < 1000; i++) {
		json_t *st = tls_status(t), *c, *found = NULL;
		size_t k;

		json_array_foreach(json_object_get(st, "certificates"), k, c)
			if (strcmp(json_string_value(json_object_get(c, "domain")), domain) == 0 &&
			    (state == NULL ||
			     strcmp(json_string_value(json_object_get(c, "state")), state) == 0))
				found = json_incref(c);
		json_decref(st);
		if (found)
			return found;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	UNIT_FAIL_AT("no status entry for '%s' in state '%s'", domain, state ? state : "*");
	return NULL;
}

static bool serves(struct tls *t, const char *name)
{
	SSL_CTX *ctx = tls_sni_lookup(t, name);

	SSL_CTX_free(ctx);
	return ctx != NULL;
}

static void conf_init(struct conf *c, const char *directory)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->cl.acme_directory = (char *)directory;
}

/* "YYYYMMDDHHMMSSZ" for now + secs. */
static void asn1_at(int64_t secs, char out[16])
{
	time_t when = time(NULL) + secs;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(out, 16, "%Y%m%d%H%M%SZ", &tm);
}

TEST(brought_certificate_is_served_and_shown)
{
	char *dir = fx_tmpdir(), *certp = xasprintf("%s/c.pem", dir), *keyp;
	char *bundle = fx_bundle("*.shop.example", "20250101000000Z", "20450101000000Z");
	char *domains[] = { "*.shop.example" };
	struct proxy_certificate pc = { domains, 1, certp, NULL };
	struct conf c;
	struct tls *t;
	json_t *entry;

	keyp = xasprintf("%s/k.pem", dir);
	pc.key = keyp;
	fx_write(certp, strstr(bundle, "-----BEGIN CERTIFICATE"));
	*strstr(bundle, "-----BEGIN CERTIFICATE") = '\0';
	fx_write(keyp, bundle);
	conf_init(&c, "off");
	c.cl.certificates = &pc;
	c.cl.ncertificates = 1;
	c.domains[0] = "*.shop.example";
	t = start(dir, &c);
	entry = wait_entry(t, "*.shop.example", "valid");
	EXPECT_STREQ("file", json_string_value(json_object_get(entry, "source")));
	EXPECT_STREQ("*.shop.example", json_string_value(json_object_get(entry, "issuer")));
	EXPECT_EQ_INT(2366841600000LL, json_integer_value(json_object_get(entry, "not_after")));
	EXPECT_TRUE(serves(t, "eu.shop.example"));
	EXPECT_TRUE(tls_has_cert(t, "eu.shop.example:443", 19));
	EXPECT_FALSE(serves(t, "shop.example"));
	json_decref(entry);
	tls_free(t);
	fx_rm(dir);
	free(certp);
	free(keyp);
	free(bundle);
}

static char *store_path(const char *data, const char *domain)
{
	char *id = tls_acme_server_id(DEAD_ACME);
	char *p = xasprintf("%s/tls/acme/%s/%s.pem", data, id, domain);
	char *d = xasprintf("%s/tls/acme/%s", data, id);
	struct err e = { 0 };

	tls_mkdirs(d, &e);
	free(id);
	free(d);
	return p;
}

TEST(stored_certificate_is_served_until_two_thirds_of_its_life)
{
	char *dir = fx_tmpdir(), *path = store_path(dir, "app.example.com");
	char nb[16], na[16];
	char *bundle;
	struct conf c;
	struct tls *t;
	json_t *entry;
	int64_t not_before, not_after;

	asn1_at(-3600, nb);       /* a 3-hour certificate, 1 hour old */
	asn1_at(2 * 3600, na);
	bundle = fx_bundle("app.example.com", nb, na);
	fx_write(path, bundle);
	conf_init(&c, DEAD_ACME);
	c.domains[0] = "app.example.com";
	t = start(dir, &c);
	entry = wait_entry(t, "app.example.com", "valid");
	not_before = json_integer_value(json_object_get(entry, "not_before"));
	not_after = json_integer_value(json_object_get(entry, "not_after"));
	EXPECT_EQ_INT(not_before + (not_after - not_before) * 2 / 3,
		      json_integer_value(json_object_get(entry, "renew_at")));
	EXPECT_EQ_INT(json_integer_value(json_object_get(entry, "renew_at")),
		      json_integer_value(json_object_get(entry, "next_attempt")));
	EXPECT_EQ_INT(0, json_integer_value(json_object_get(entry, "failures")));
	EXPECT_TRUE(serves(t, "app.example.com"));
	json_decref(entry);
	tls_free(t);
	fx_rm(dir);
	free(path);
	free(bundle);
}

TEST(past_two_thirds_renews_keeps_serving_and_shows_the_failure)
{
	char *dir = fx_tmpdir(), *path = store_path(dir, "old.example.com");
	char nb[16], na[16];
	char *bundle;
	struct conf c;
	struct tls *t;
	json_t *entry, *st;
	int64_t next, now = (int64_t)time(NULL) * 1000;

	asn1_at(-3 * 3600, nb);   /* 3 of 4 hours gone: past 2/3 */
	asn1_at(3600, na);
	bundle = fx_bundle("old.example.com", nb, na);
	fx_write(path, bundle);
	conf_init(&c, DEAD_ACME);
	c.domains[0] = "old.example.com";
	t = start(dir, &c);
	entry = wait_entry(t, "old.example.com", "failed");
	EXPECT_EQ_INT(1, json_integer_value(json_object_get(entry, "failures")));
	EXPECT_CONTAINS(json_string_value(json_object_get(entry, "last_error")), "127.0.0.1:9");
	next = json_integer_value(json_object_get(entry, "next_attempt"));
	EXPECT_TRUE(next >= now + TLS_BACKOFF_FIRST_MS && next <= now + TLS_BACKOFF_FIRST_MS + 60000);
	EXPECT_TRUE(json_integer_value(json_object_get(entry, "not_after")) > now);
	EXPECT_TRUE(serves(t, "old.example.com"));   /* the old one, while it lasts */
	EXPECT_CONTAINS(c.events, "certificate.failed old.example.com;");
	st = tls_status(t);
	EXPECT_STREQ(DEAD_ACME, json_string_value(json_object_get(json_object_get(st, "acme"),
								  "directory")));
	json_decref(st);
	json_decref(entry);
	tls_free(t);
	fx_rm(dir);
	free(path);
	free(bundle);
}

TEST(expired_or_foreign_stored_files_are_not_served)
{
	char *dir = fx_tmpdir(), *p1 = store_path(dir, "gone.example.com");
	char *p2 = store_path(dir, "mixed.example.com");
	char *old = fx_bundle("gone.example.com", "20200101000000Z", "20200401000000Z");
	char *other = fx_bundle("someone.else.example", "20250101000000Z", "20450101000000Z");
	struct conf c;
	struct tls *t;
	json_t *a, *b;

	fx_write(p1, old);
	fx_write(p2, other);
	conf_init(&c, DEAD_ACME);
	c.domains[0] = "gone.example.com";
	c.domains[1] = "mixed.example.com";
	t = start(dir, &c);
	a = wait_entry(t, "gone.example.com", "failed");
	b = wait_entry(t, "mixed.example.com", "failed");
	EXPECT_FALSE(serves(t, "gone.example.com"));
	EXPECT_FALSE(serves(t, "mixed.example.com"));
	EXPECT_TRUE(json_is_null(json_object_get(a, "not_after")));
	json_decref(a);
	json_decref(b);
	tls_free(t);
	fx_rm(dir);
	free(p1);
	free(p2);
	free(old);
	free(other);
}

static bool listed(struct tls *t, const char *domain)
{
	json_t *st = tls_status(t), *c;
	size_t i;
	bool found = false;

	json_array_foreach(json_object_get(st, "certificates"), i, c)
		found |= strcmp(json_string_value(json_object_get(c, "domain")), domain) == 0;
	json_decref(st);
	return found;
}

TEST(a_domain_that_leaves_the_config_leaves_tls)
{
	char *dir = fx_tmpdir(), *path = store_path(dir, "leaving.example.com");
	char *bundle = fx_bundle("leaving.example.com", "20250101000000Z", "20450101000000Z");
	struct conf c;
	struct tls *t;
	json_t *entry;
	int loads;

	fx_write(path, bundle);
	conf_init(&c, DEAD_ACME);
	c.domains[0] = "leaving.example.com";
	t = start(dir, &c);
	entry = wait_entry(t, "leaving.example.com", "valid");
	json_decref(entry);
	pthread_mutex_lock(&c.mu);
	c.domains[0] = NULL;
	loads = c.loads;
	pthread_mutex_unlock(&c.mu);
	tls_poke(t);
	for (int i = 0; i < 1000 && listed(t, "leaving.example.com"); i++)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	EXPECT_FALSE(listed(t, "leaving.example.com"));
	EXPECT_TRUE(c.loads > loads);
	EXPECT_FALSE(serves(t, "leaving.example.com"));
	tls_free(t);
	fx_rm(dir);
	free(path);
	free(bundle);
}

TEST(acme_off_lists_the_domain_without_a_certificate)
{
	char *dir = fx_tmpdir();
	struct conf c;
	struct tls *t;
	json_t *entry, *st;

	conf_init(&c, "off");
	c.domains[0] = "plain.example.com";
	t = start(dir, &c);
	entry = wait_entry(t, "plain.example.com", "none");
	EXPECT_STREQ("none", json_string_value(json_object_get(entry, "source")));
	EXPECT_STREQ("acme_directory is \"off\"",
		     json_string_value(json_object_get(entry, "last_error")));
	st = tls_status(t);
	EXPECT_FALSE(json_is_true(json_object_get(json_object_get(st, "acme"), "enabled")));
	json_decref(st);
	json_decref(entry);
	tls_free(t);
	fx_rm(dir);
}

TEST(https_off_means_no_acme)
{
	char *dir = fx_tmpdir();
	struct conf c;
	struct tls *t;
	json_t *entry;

	conf_init(&c, DEAD_ACME);
	c.cl.proxy_https = "off";
	c.domains[0] = "plain.example.com";
	t = start(dir, &c);
	entry = wait_entry(t, "plain.example.com", "none");
	EXPECT_STREQ("[proxy] https is \"off\"",
		     json_string_value(json_object_get(entry, "last_error")));
	EXPECT_EQ_INT(0, strlen(c.events));   /* no attempt, so no failure */
	json_decref(entry);
	tls_free(t);
	fx_rm(dir);
}

TEST(files_are_private)
{
	char *dir = fx_tmpdir(), *sub = xasprintf("%s/a/b", dir), *f = xasprintf("%s/x", sub);
	struct err e = { 0 };
	struct stat st;
	struct buf b = BUF_INIT;

	EXPECT_EQ_INT(0, tls_mkdirs(sub, &e));
	EXPECT_EQ_INT(0, stat(sub, &st));
	EXPECT_EQ_INT(0700, st.st_mode & 0777);
	EXPECT_EQ_INT(0, tls_write_file(f, "secret", 6, &e));
	EXPECT_EQ_INT(0, stat(f, &st));
	EXPECT_EQ_INT(0600, st.st_mode & 0777);
	EXPECT_EQ_INT(0, tls_write_file(f, "secret2", 7, &e));   /* replaced */
	EXPECT_EQ_INT(0, tls_read_file(f, 100, &b, &e));
	EXPECT_STREQ("secret2", b.data);
	buf_reset(&b);
	EXPECT_EQ_INT(ERR_TOOBIG, tls_read_file(f, 3, &b, &e));
	buf_release(&b);
	fx_rm(dir);
	free(sub);
	free(f);
}

UNIT_MAIN
