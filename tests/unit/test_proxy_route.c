/*
 * test_proxy_route.c - the proxy's routing table: hosts, wildcards, longest
 * routes, healthy replicas only, canary sets, and the choice of a replica.
 */
#include "unit.h"

#include "proxy/internal.h"

static json_t *svc(const char *project, const char *name, const char *domains,
		   const char *routes, const char *replicas)
{
	char text[4096];
	json_error_t je;

	snprintf(text, sizeof(text),
		 "{\"project\": \"%s\", \"name\": \"%s\", \"runtime\": \"container\", \"port\": 8080,"
		 " \"domains\": %s, \"routes\": %s, \"replicas\": %s}",
		 project, name, domains, routes, replicas);
	return json_loads(text, 0, &je);
}

static json_t *snapshot(json_t *s1, json_t *s2, json_t *s3)
{
	json_t *svcs = json_array();

	json_array_append_new(svcs, s1);
	if (s2)
		json_array_append_new(svcs, s2);
	if (s3)
		json_array_append_new(svcs, s3);
	return json_pack("{s:[{s:s, s:o}]}", "projects", "name", "p", "services", svcs);
}

#define R1 "[{\"container\": \"c1\", \"ip\": \"10.0.0.1\", \"state\": \"running\", \"health\": \"healthy\", \"revision\": 1}]"
#define R2 "[{\"container\": \"c2\", \"ip\": \"10.0.0.2\", \"state\": \"running\", \"health\": \"healthy\", \"revision\": 1}]"
#define R3 "[{\"container\": \"c3\", \"ip\": \"10.0.0.3\", \"state\": \"running\", \"health\": \"healthy\", \"revision\": 1}," \
	   "{\"container\": \"c4\", \"ip\": \"10.0.0.4\", \"state\": \"running\", \"health\": \"starting\", \"revision\": 1}," \
	   "{\"container\": \"c5\", \"ip\": \"10.0.0.5\", \"state\": \"draining\", \"health\": \"healthy\", \"revision\": 1}]"

static const char *routed(struct table *t, const char *host, const char *path)
{
	const struct target *tg = table_route(t, host, strlen(host), path, strlen(path));

	return tg ? tg->service : "(none)";
}

TEST(host_normalize_accepts_names_ports_and_literals)
{
	char out[300];

	EXPECT_EQ_INT(11, host_normalize("Example.COM", 11, out, sizeof(out)));
	EXPECT_STREQ("example.com", out);
	EXPECT_EQ_INT(11, host_normalize("example.com.:8080", 17, out, sizeof(out)));
	EXPECT_STREQ("example.com", out);
	EXPECT_EQ_INT(5, host_normalize("[::1]:443", 9, out, sizeof(out)));
	EXPECT_STREQ("[::1]", out);
	EXPECT_EQ_INT(9, host_normalize("127.0.0.1", 9, out, sizeof(out)));
}

TEST(host_normalize_refuses_what_is_not_a_host)
{
	char out[300];
	const char *bad[] = { "", "a b", "a..b", ".a", "-a", "a/b", "a:", "a:0", "a:65536",
			      "a:8x", "[::1", "[zz]", "a@b", "a:1:2", "\x01", "a.b..", "a.." };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (host_normalize(bad[i], strlen(bad[i]), out, sizeof(out)) >= 0)
			UNIT_FAIL_AT("accepted %s", bad[i]);
}

TEST(route_patterns)
{
	struct route r;

	EXPECT_EQ_INT(0, route_parse("/api/*", &r));
	EXPECT_STREQ("/api/", r.prefix);
	EXPECT_TRUE(r.subtree);
	free(r.prefix);
	EXPECT_EQ_INT(0, route_parse("/login", &r));
	EXPECT_FALSE(r.subtree);
	free(r.prefix);
	EXPECT_EQ_INT(-1, route_parse("api", &r));
	EXPECT_EQ_INT(-1, route_parse("/a*b", &r));
}

TEST(exact_hosts_then_wildcards_then_longest_route)
{
	struct proxy_opts o = { 0 };
	struct proxy *p = proxy_new(&o);
	json_t *snap = snapshot(svc("p", "site", "[\"shop.test\"]", "[]", R1),
				svc("p", "api", "[\"shop.test\"]", "[\"/api/*\", \"/api/v1/admin\"]", R2),
				svc("p", "wild", "[\"*.shop.test\", \"*.deep.shop.test\"]", "[]", R3));
	struct err e = { 0 };
	struct table *t = table_build(p, snap, &e);

	EXPECT_STREQ("site", routed(t, "shop.test", "/"));
	EXPECT_STREQ("api", routed(t, "SHOP.test:80", "/api"));
	EXPECT_STREQ("api", routed(t, "shop.test", "/api/v1/admin"));
	EXPECT_STREQ("api", routed(t, "shop.test", "/api/x?y=1"));
	EXPECT_STREQ("site", routed(t, "shop.test", "/apix"));
	EXPECT_STREQ("wild", routed(t, "a.shop.test", "/"));
	EXPECT_STREQ("wild", routed(t, "a.b.deep.shop.test", "/"));
	EXPECT_STREQ("(none)", routed(t, "other.test", "/"));
	EXPECT_STREQ("(none)", routed(t, "bad host", "/"));
	/* only running, healthy replicas with an address are upstreams */
	const struct target *w = table_route(t, "x.shop.test", 11, "/", 1);
	EXPECT_EQ_INT(1, w ? (long long)w->nups : -1);
	EXPECT_EQ_INT(1, proxy_inflight(p, "c3"));   /* listed by the current table */
	EXPECT_EQ_INT(0, proxy_inflight(p, "c5"));   /* draining: never an upstream */
	table_swap(p, t);
	json_decref(snap);
	snap = snapshot(svc("p", "site", "[\"shop.test\"]", "[]", R1), NULL, NULL);
	table_swap(p, table_build(p, snap, &e));
	EXPECT_EQ_INT(0, proxy_inflight(p, "c3"));   /* gone from every table */
	json_decref(snap);
	proxy_free(p);
}

TEST(first_claim_of_a_host_and_route_wins)
{
	struct proxy_opts o = { 0 };
	struct proxy *p = proxy_new(&o);
	json_t *snap = snapshot(svc("p", "b", "[\"x.test\"]", "[]", R1),
				svc("p", "a", "[\"x.test\"]", "[]", R2), NULL);
	struct err e = { 0 };
	struct table *t = table_build(p, snap, &e);

	EXPECT_STREQ("a", routed(t, "x.test", "/"));   /* project/service order */
	table_release(t);
	json_decref(snap);
	proxy_free(p);
}

TEST(power_of_two_choices_prefers_fewer_in_flight)
{
	struct upstream a = { 0 }, b = { 0 }, *ups[2] = { &a, &b };
	uint64_t rng = 42;
	int picked_b = 0;

	atomic_store(&a.inflight, 10);
	for (int i = 0; i < 100; i++)
		picked_b += upstream_pick(ups, 2, &rng, NULL, 0) == &b;
	EXPECT_EQ_INT(100, picked_b);
	/* tried replicas are skipped; with none left there is no choice */
	EXPECT_TRUE(upstream_pick(ups, 2, &rng, (struct upstream *[]){ &b }, 1) == &a);
	EXPECT_NULL(upstream_pick(ups, 2, &rng, (struct upstream *[]){ &a, &b }, 2));
}

TEST(ejected_replicas_wait_for_a_passing_health_check)
{
	struct upstream a = { 0 }, b = { 0 }, *ups[2] = { &a, &b };
	uint64_t rng = 7;
	int picked_a = 0;

	for (int i = 0; i < PROXY_EJECT_FAILS; i++)
		upstream_failed(&a);
	EXPECT_TRUE(atomic_load(&a.ejected_at_ms) != 0);
	for (int i = 0; i < 50; i++)
		picked_a += upstream_pick(ups, 2, &rng, NULL, 0) == &a;
	EXPECT_EQ_INT(0, picked_a);
	/* every replica ejected: all of them are used rather than none */
	for (int i = 0; i < PROXY_EJECT_FAILS; i++)
		upstream_failed(&b);
	EXPECT_NOT_NULL(upstream_pick(ups, 2, &rng, NULL, 0));
	/* a health check that passed after the ejection brings it back */
	atomic_store(&a.probe_ok_at_ms, atomic_load(&a.ejected_at_ms) + 1);
	picked_a = 0;
	atomic_store(&b.inflight, 5);
	for (int i = 0; i < 50; i++)
		picked_a += upstream_pick(ups, 2, &rng, NULL, 0) == &a;
	EXPECT_EQ_INT(50, picked_a);
	EXPECT_EQ_INT(0, atomic_load(&a.ejected_at_ms));
}

UNIT_MAIN
