/*
 * test_spec.c - spec hashes, secret names and the revision meta document.
 */
#include "unit.h"

#include "config/load.h"
#include "base/xalloc.h"
#include "reconcile/spec.h"

static struct config *parse(const char *text)
{
	struct config *c = config_new();
	struct diags d = { 0 };

	config_add_project_text(c, "shop", NULL, "services/shop/service.toml", text, strlen(text), &d);
	EXPECT_EQ_INT(0, d.len);
	diags_release(&d);
	return c;
}

static const char base[] =
	"[[service]]\nname = \"web\"\nimage = \"web:1\"\nport = 8080\nreplicas = 2\n"
	"env = { A = \"${secrets.DB}x${secrets.TOKEN}$${secrets.NOT}\", B = \"${secrets.DB}\" }\n";

static void hash_of(const char *text, const char *image_id, int restart, const char *stamps,
		    char out[SPEC_HASH_LEN + 1])
{
	struct config *c = parse(text);

	spec_hash(&c->projects[0].services[0], image_id, restart, stamps, out);
	config_free(c);
}

TEST(hash_ignores_what_does_not_change_a_container)
{
	char a[SPEC_HASH_LEN + 1], b[SPEC_HASH_LEN + 1];
	char *more = NULL;

	hash_of(base, "sha256:1", 0, "", a);
	EXPECT_EQ_INT(SPEC_HASH_LEN, strlen(a));
	more = xasprintf("%s%s", base, "health = \"/healthz\"\n[service.deploy]\nmax_surge = 2\n");
	hash_of(more, "sha256:1", 0, "", b);
	EXPECT_STREQ(a, b);
	free(more);
	more = xasprintf("%s", base);
	more[strstr(more, "replicas = 2") - more + 11] = '5';
	hash_of(more, "sha256:1", 0, "", b);
	EXPECT_STREQ(a, b);
	free(more);
}

TEST(hash_changes_with_image_env_restart_and_secrets)
{
	char a[SPEC_HASH_LEN + 1], b[SPEC_HASH_LEN + 1];

	hash_of(base, "sha256:1", 0, "DB@1;", a);
	hash_of(base, "sha256:2", 0, "DB@1;", b);
	EXPECT_TRUE(strcmp(a, b) != 0);
	hash_of(base, "sha256:1", 1, "DB@1;", b);
	EXPECT_TRUE(strcmp(a, b) != 0);
	hash_of(base, "sha256:1", 0, "DB@2;", b);
	EXPECT_TRUE(strcmp(a, b) != 0);
	hash_of(base, "sha256:1", 0, "DB@1;", b);
	EXPECT_STREQ(a, b);
}

TEST(secret_names_are_unique_and_skip_escaped_dollars)
{
	struct config *c = parse(base);
	char **names = spec_secret_names(&c->projects[0].services[0]);

	EXPECT_STREQ("DB", names[0]);
	EXPECT_STREQ("TOKEN", names[1]);
	EXPECT_NULL(names[2]);
	spec_names_free(names);
	config_free(c);
}

TEST(meta_round_trips)
{
	struct rev_meta m = { 0 }, back;
	struct svc_meta *sm = rev_meta_add(&m, "web");
	struct err e = { 0 };
	char *text;

	memcpy(sm->hash, "0123456789abcdef", 17);
	strcpy(sm->image_id, "sha256:ab");
	sm->replicas = 4;
	sm->restart = 2;
	sm->from_revision = 7;
	rev_meta_add(&m, "db");
	text = rev_meta_text(&m);
	EXPECT_EQ_INT(0, rev_meta_parse(text, &back, &e));
	EXPECT_EQ_INT(2, back.len);
	sm = rev_meta_find(&back, "web");
	EXPECT_NOT_NULL(sm);
	if (sm) {
		EXPECT_STREQ("0123456789abcdef", sm->hash);
		EXPECT_EQ_INT(4, sm->replicas);
		EXPECT_EQ_INT(2, sm->restart);
		EXPECT_EQ_INT(7, sm->from_revision);
	}
	EXPECT_NOT_NULL(rev_meta_find(&back, "db"));
	rev_meta_release(&back);
	rev_meta_release(&m);
	free(text);
}

TEST(meta_keeps_the_image_digest_and_omits_it_when_none)
{
	struct rev_meta m = { 0 }, back;
	struct svc_meta *sm;
	struct err e = { 0 };
	char *text;

	sm = rev_meta_add(&m, "web");
	snprintf(sm->hash, sizeof(sm->hash), "0123456789abcdef");
	snprintf(sm->image_id, sizeof(sm->image_id), "sha256:11");
	snprintf(sm->image_digest, sizeof(sm->image_digest), "reg:5000/web@sha256:22");
	sm = rev_meta_add(&m, "built");
	snprintf(sm->hash, sizeof(sm->hash), "0123456789abcdef");
	snprintf(sm->image_id, sizeof(sm->image_id), "sha256:33");
	text = rev_meta_text(&m);
	EXPECT_STREQ("{\"services\":{\"built\":{\"hash\":\"0123456789abcdef\",\"image_id\":"
		     "\"sha256:33\"},\"web\":{\"hash\":\"0123456789abcdef\",\"image_digest\":"
		     "\"reg:5000/web@sha256:22\",\"image_id\":\"sha256:11\"}}}", text);
	EXPECT_EQ_INT(0, rev_meta_parse(text, &back, &e));
	EXPECT_STREQ("reg:5000/web@sha256:22", rev_meta_find(&back, "web")->image_digest);
	EXPECT_STREQ("", rev_meta_find(&back, "built")->image_digest);
	rev_meta_release(&back);
	free(text);
	rev_meta_release(&m);
}

TEST(meta_rejects_damaged_documents)
{
	static const char *const bad[] = {
		"{", "[]", "{\"services\": 1}", "{\"services\": {\"a\": {}}}",
		"{\"services\": {\"a\": {\"hash\": \"short\"}}}",
		"{\"services\": {\"a\": {\"hash\": \"0123456789abcdef\", \"replicas\": -5}}}",
		"{\"services\": {\"a\": {\"hash\": \"0123456789abcdef\", \"from_revision\": \"x\"}}}",
	};
	struct rev_meta m;
	struct err e = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ_INT(ERR_INVALID, rev_meta_parse(bad[i], &m, &e));
		EXPECT_EQ_INT(0, m.len);
	}
	EXPECT_EQ_INT(0, rev_meta_parse("", &m, &e));
	EXPECT_EQ_INT(0, m.len);
}

TEST(meta_copy_and_remove)
{
	struct rev_meta m = { 0 }, c;

	rev_meta_add(&m, "a")->replicas = 1;
	rev_meta_add(&m, "b")->replicas = 2;
	rev_meta_copy(&c, &m);
	rev_meta_remove(&c, "a");
	EXPECT_NULL(rev_meta_find(&c, "a"));
	EXPECT_EQ_INT(2, rev_meta_find(&c, "b")->replicas);
	EXPECT_EQ_INT(1, rev_meta_find(&m, "a")->replicas);
	rev_meta_release(&c);
	rev_meta_release(&m);
}

UNIT_MAIN
