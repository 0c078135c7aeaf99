/*
 * test_tls_sni.c - the SNI table (exact and wildcard names, swaps while
 * readers run, contexts kept alive by their users), real TLS handshakes
 * that switch context in the servername callback the way the proxy does
 * (ALPN from the chosen context), and the HTTP-01 token table.
 */
#include "unit.h"
#include "tls_fixture.h"

#include <pthread.h>

static SSL_CTX *ctx_for(const char *name)
{
	char *pem = fx_bundle(name, "20250101000000Z", "20450101000000Z");
	struct err e = { 0 };
	EVP_PKEY *k = tls_key_from_pem(pem, strlen(pem), &e);
	SSL_CTX *ctx = tls_ctx_new(pem, strlen(pem), k, NULL, NULL, &e);

	EVP_PKEY_free(k);
	free(pem);
	return ctx;
}

/* The CN of the certificate a context serves. */
static void ctx_cn(SSL_CTX *ctx, char *out, size_t outsz)
{
	out[0] = '\0';
	X509_NAME_get_text_by_NID(X509_get_subject_name(SSL_CTX_get0_certificate(ctx)),
				  NID_commonName, out, (int)outsz);
}

static void expect_get(struct tls_sni *s, const char *name, const char *want_cn)
{
	SSL_CTX *ctx = tls_sni_get(s, name, strlen(name));
	char cn[256];

	if (want_cn == NULL) {
		if (ctx != NULL)
			UNIT_FAIL_AT("'%s': want no context", name);
		SSL_CTX_free(ctx);
		return;
	}
	if (ctx == NULL) {
		UNIT_FAIL_AT("'%s': want '%s', got none", name, want_cn);
		return;
	}
	ctx_cn(ctx, cn, sizeof(cn));
	EXPECT_STREQ(want_cn, cn);
	SSL_CTX_free(ctx);
}

TEST(exact_then_wildcard_case_and_dots)
{
	struct tls_sni *s = tls_sni_new();
	SSL_CTX *a = ctx_for("a.example.com"), *w = ctx_for("*.example.com");
	struct tls_sni_item items[] = { { "A.example.com", a }, { "*.example.com", w } };

	expect_get(s, "a.example.com", NULL);   /* empty at first */
	tls_sni_publish(s, items, 2);
	expect_get(s, "a.example.com", "a.example.com");
	expect_get(s, "A.EXAMPLE.COM.", "a.example.com");
	expect_get(s, "b.example.com", "*.example.com");
	expect_get(s, "x.b.example.com", NULL);   /* one label deep only */
	expect_get(s, "example.com", NULL);
	expect_get(s, "", NULL);
	expect_get(s, ".", NULL);
	EXPECT_TRUE(tls_sni_has(s, "a.example.com:8443", 18));
	EXPECT_TRUE(tls_sni_has(s, "zz.example.com", 14));
	EXPECT_FALSE(tls_sni_has(s, "other.org", 9));
	EXPECT_FALSE(tls_sni_has(s, "a.exam\0le.com", 13));
	tls_sni_free(s);
	SSL_CTX_free(a);
	SSL_CTX_free(w);
}

TEST(first_of_duplicate_names_wins)
{
	struct tls_sni *s = tls_sni_new();
	SSL_CTX *one = ctx_for("one.example.com"), *two = ctx_for("two.example.com");
	struct tls_sni_item items[] = { { "x.example.com", one }, { "x.example.com", two } };

	tls_sni_publish(s, items, 2);
	expect_get(s, "x.example.com", "one.example.com");
	tls_sni_free(s);
	SSL_CTX_free(one);
	SSL_CTX_free(two);
}

TEST(a_context_outlives_the_table_that_gave_it)
{
	struct tls_sni *s = tls_sni_new();
	SSL_CTX *a = ctx_for("a.example.com"), *got;
	struct tls_sni_item items[] = { { "a.example.com", a } };
	char cn[256];

	tls_sni_publish(s, items, 1);
	SSL_CTX_free(a);                  /* only the table holds it now */
	got = tls_sni_get(s, "a.example.com", 13);
	tls_sni_publish(s, NULL, 0);      /* the table goes */
	expect_get(s, "a.example.com", NULL);
	ctx_cn(got, cn, sizeof(cn));      /* still alive: the lookup's reference */
	EXPECT_STREQ("a.example.com", cn);
	SSL_CTX_free(got);
	tls_sni_free(s);
}

struct reader {
	struct tls_sni *s;
	_Atomic int hits, misses;
	_Atomic int *stop;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;
	char cn[256];

	while (!*r->stop) {
		SSL_CTX *ctx = tls_sni_get(r->s, "hot.example.com", 15);

		if (ctx == NULL) {
			r->misses++;
			continue;
		}
		ctx_cn(ctx, cn, sizeof(cn));
		if (strcmp(cn, "hot.example.com") != 0)
			r->misses = -1000000;   /* a wrong or freed context */
		SSL_CTX_free(ctx);
		r->hits++;
		tls_sni_has(r->s, "hot.example.com", 15);
	}
	return NULL;
}

TEST(swaps_while_readers_run)
{
	struct tls_sni *s = tls_sni_new();
	struct reader r[3];
	pthread_t th[3];
	_Atomic int stop = 0;
	SSL_CTX *ctxs[4];
	int hits = 0;

	for (int i = 0; i < 4; i++)
		ctxs[i] = ctx_for("hot.example.com");
	for (int i = 0; i < 3; i++) {
		r[i].s = s;
		r[i].hits = r[i].misses = 0;
		r[i].stop = &stop;
		pthread_create(&th[i], NULL, read_loop, &r[i]);
	}
	/* swap until every reader has read through many swaps */
	for (int round = 0; round < 2000 || r[0].hits < 200 || r[1].hits < 200 ||
			    r[2].hits < 200; round++) {
		struct tls_sni_item item = { "hot.example.com", ctxs[round % 4] };

		tls_sni_publish(s, &item, 1);
	}
	stop = 1;
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		EXPECT_TRUE(r[i].misses >= 0);
		hits += r[i].hits;
	}
	EXPECT_TRUE(hits > 0);
	tls_sni_free(s);
	for (int i = 0; i < 4; i++)
		SSL_CTX_free(ctxs[i]);
}

/* ---- handshakes as the proxy does them -------------------------------- */

static int on_servername(SSL *ssl, int *al, void *arg)
{
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	SSL_CTX *ctx = name ? tls_sni_get(arg, name, strlen(name)) : NULL;

	(void)al;
	if (ctx != NULL) {
		SSL_set_SSL_CTX(ssl, ctx);
		SSL_CTX_free(ctx);
	}
	return SSL_TLSEXT_ERR_OK;
}

static int select_h2(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		     const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char h2[] = "\x02h2";

	(void)ssl, (void)arg;
	return SSL_select_next_proto((unsigned char **)out, outlen, h2, 3, in, inlen) ==
			       OPENSSL_NPN_NEGOTIATED ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
}

/* The proxy's ctx_setup hook: ALPN on every context tls/ builds. */
static void setup_alpn(void *arg, SSL_CTX *ctx)
{
	(*(int *)arg)++;
	SSL_CTX_set_alpn_select_cb(ctx, select_h2, NULL);
}

struct conn {
	SSL *c, *s;
};

static void conn_open(struct conn *k, SSL_CTX *server, const char *sni)
{
	SSL_CTX *client = SSL_CTX_new(TLS_client_method());
	BIO *bs, *bc;

	k->s = SSL_new(server);
	k->c = SSL_new(client);
	SSL_CTX_free(client);
	BIO_new_bio_pair(&bs, 0, &bc, 0);
	SSL_set_bio(k->s, bs, bs);
	SSL_set_bio(k->c, bc, bc);
	SSL_set_accept_state(k->s);
	SSL_set_connect_state(k->c);
	if (sni)
		SSL_set_tlsext_host_name(k->c, sni);
	SSL_set_alpn_protos(k->c, (const unsigned char *)"\x02h2\x08http/1.1", 12);
}

/* One step each way; true once both sides are done. */
static bool conn_step(struct conn *k)
{
	int c = SSL_do_handshake(k->c), s = SSL_do_handshake(k->s);

	return c == 1 && s == 1;
}

static bool conn_finish(struct conn *k)
{
	for (int i = 0; i < 20; i++)
		if (conn_step(k))
			return true;
	return false;
}

static void conn_peer(struct conn *k, char *cn, size_t cnsz, char *alpn, size_t alpnsz)
{
	X509 *peer = SSL_get1_peer_certificate(k->c);
	const unsigned char *p = NULL;
	unsigned int n = 0;

	cn[0] = '\0';
	if (peer)
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn,
					  (int)cnsz);
	X509_free(peer);
	SSL_get0_alpn_selected(k->c, &p, &n);
	snprintf(alpn, alpnsz, "%.*s", (int)n, p ? (const char *)p : "");
}

static void conn_close(struct conn *k)
{
	SSL_free(k->c);
	SSL_free(k->s);
}

/* A listener context with a default certificate and no ALPN of its own. */
static SSL_CTX *listener(struct tls_sni *s)
{
	SSL_CTX *l = ctx_for("default.invalid");

	SSL_CTX_set_tlsext_servername_callback(l, on_servername);
	SSL_CTX_set_tlsext_servername_arg(l, s);
	return l;
}

static SSL_CTX *ctx_with_setup(const char *name, int *calls)
{
	char *pem = fx_bundle(name, "20250101000000Z", "20450101000000Z");
	struct err e = { 0 };
	EVP_PKEY *k = tls_key_from_pem(pem, strlen(pem), &e);
	SSL_CTX *ctx = tls_ctx_new(pem, strlen(pem), k, setup_alpn, calls, &e);

	EVP_PKEY_free(k);
	free(pem);
	return ctx;
}

TEST(handshake_picks_the_certificate_and_alpn_by_name)
{
	struct tls_sni *s = tls_sni_new();
	int calls = 0;
	SSL_CTX *app = ctx_with_setup("app.example.com", &calls), *l = listener(s);
	struct tls_sni_item item = { "app.example.com", app };
	struct conn k;
	char cn[256], alpn[32];

	EXPECT_EQ_INT(1, calls);
	tls_sni_publish(s, &item, 1);
	conn_open(&k, l, "app.example.com");
	EXPECT_TRUE(conn_finish(&k));
	conn_peer(&k, cn, sizeof(cn), alpn, sizeof(alpn));
	EXPECT_STREQ("app.example.com", cn);
	EXPECT_STREQ("h2", alpn);   /* the chosen context's ALPN callback */
	conn_close(&k);

	conn_open(&k, l, "unknown.example.com");   /* the listener's default */
	EXPECT_TRUE(conn_finish(&k));
	conn_peer(&k, cn, sizeof(cn), alpn, sizeof(alpn));
	EXPECT_STREQ("default.invalid", cn);
	EXPECT_STREQ("", alpn);
	conn_close(&k);
	tls_sni_free(s);
	SSL_CTX_free(app);
	SSL_CTX_free(l);
}

TEST(a_swap_in_the_middle_of_a_handshake_changes_nothing_for_it)
{
	struct tls_sni *s = tls_sni_new();
	SSL_CTX *old = ctx_for("old.example.com"), *fresh = ctx_for("new.example.com");
	SSL_CTX *l = listener(s);
	struct tls_sni_item item = { "svc.example.com", old };
	struct conn k, k2;
	char cn[256], alpn[32];

	tls_sni_publish(s, &item, 1);
	SSL_CTX_free(old);            /* the table's reference is the only one */
	conn_open(&k, l, "svc.example.com");
	conn_step(&k);                /* ClientHello in, the callback chose 'old' */
	item.ctx = fresh;
	tls_sni_publish(s, &item, 1);  /* the old table and its reference go */
	EXPECT_TRUE(conn_finish(&k));
	conn_peer(&k, cn, sizeof(cn), alpn, sizeof(alpn));
	EXPECT_STREQ("old.example.com", cn);
	conn_open(&k2, l, "svc.example.com");   /* new connections: the new one */
	EXPECT_TRUE(conn_finish(&k2));
	conn_peer(&k2, cn, sizeof(cn), alpn, sizeof(alpn));
	EXPECT_STREQ("new.example.com", cn);
	conn_close(&k);
	conn_close(&k2);
	tls_sni_free(s);
	SSL_CTX_free(fresh);
	SSL_CTX_free(l);
}

TEST(ctx_refuses_a_key_of_another_certificate)
{
	char *pem = fx_bundle("a.example.com", "20250101000000Z", "20450101000000Z");
	struct err e = { 0 };
	EVP_PKEY *other = tls_key_new_ec(&e);

	EXPECT_NULL(tls_ctx_new(pem, strlen(pem), other, NULL, NULL, &e));
	EXPECT_CONTAINS(e.msg, "the key does not match the certificate");
	EVP_PKEY_free(other);
	free(pem);
}

/* ---- HTTP-01 ------------------------------------------------------------ */

TEST(http01_tokens)
{
	struct tls_http01 *h = tls_http01_new();
	struct err e = { 0 };
	char out[TLS_KEYAUTH_MAX], tok[32];

	EXPECT_EQ_INT(-1, tls_http01_get(h, "abc", 3, out, sizeof(out)));
	EXPECT_EQ_INT(0, tls_http01_add(h, "abc", "abc.thumb", &e));
	EXPECT_EQ_INT(9, tls_http01_get(h, "abc", 3, out, sizeof(out)));
	EXPECT_STREQ("abc.thumb", out);
	EXPECT_EQ_INT(-1, tls_http01_get(h, "abcd", 4, out, sizeof(out)));
	EXPECT_EQ_INT(-1, tls_http01_get(h, "ab", 2, out, sizeof(out)));
	EXPECT_EQ_INT(-1, tls_http01_get(h, "abc", 3, out, 5));   /* does not fit */
	EXPECT_EQ_INT(ERR_INVALID, tls_http01_add(h, "a/b", "x", &e));
	tls_http01_remove(h, "abc");
	EXPECT_EQ_INT(-1, tls_http01_get(h, "abc", 3, out, sizeof(out)));
	for (int i = 0; i < TLS_HTTP01_MAX; i++) {
		snprintf(tok, sizeof(tok), "t%d", i);
		EXPECT_EQ_INT(0, tls_http01_add(h, tok, "k", &e));
	}
	EXPECT_EQ_INT(ERR_TOOBIG, tls_http01_add(h, "one-more", "k", &e));
	EXPECT_EQ_INT(0, tls_http01_add(h, "t3", "again", &e));   /* replacing is fine */
	EXPECT_EQ_INT(5, tls_http01_get(h, "t3", 2, out, sizeof(out)));
	tls_http01_free(h);
}

TEST(null_tls_finds_nothing)
{
	char out[16];

	EXPECT_NULL(tls_sni_lookup(NULL, "a.example.com"));
	EXPECT_FALSE(tls_has_cert(NULL, "a.example.com", 13));
	EXPECT_EQ_INT(-1, tls_http01_lookup(NULL, "abc", 3, out, sizeof(out)));
	tls_poke(NULL);
	tls_stop(NULL);
	tls_free(NULL);
}

UNIT_MAIN
