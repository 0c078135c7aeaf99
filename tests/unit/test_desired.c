/*
 * test_desired.c - a project's desired state read back from its revisions:
 * replica overrides and definitions taken from an older revision.
 */
#include "unit.h"

#include "reconcile/desired.h"
#include "store/revision.h"
#include "store_fixture.h"

static const char v1[] =
	"[[service]]\nname = \"web\"\nimage = \"web:1\"\nreplicas = 2\n\n"
	"[[service]]\nname = \"db\"\nimage = \"db:1\"\n";
static const char v2[] =
	"[[service]]\nname = \"web\"\nimage = \"web:2\"\nreplicas = 2\n\n"
	"[[service]]\nname = \"db\"\nimage = \"db:1\"\n\n"
	"[[service]]\nname = \"cache\"\nimage = \"cache:1\"\n";

static int64_t add(struct fx *f, const char *src, const char *meta)
{
	struct err e = { 0 };
	int64_t n = 0;

	EXPECT_EQ_INT(0, fx_add(f->st, "shop", src, meta, 0, &n, &e));
	return n;
}

TEST(no_revision_is_an_empty_project)
{
	struct fx f;
	struct desired d;
	struct err e = { 0 };

	fx_open(&f);
	EXPECT_EQ_INT(0, desired_load(f.st, "shop", &d, &e));
	EXPECT_EQ_INT(0, d.revision);
	EXPECT_EQ_INT(0, d.nservices);
	desired_release(&d);
	fx_close(&f);
}

TEST(services_sorted_and_replica_override_applied)
{
	struct fx f;
	struct desired d;
	struct err e = { 0 };

	fx_open(&f);
	add(&f, v1, "{\"services\":{\"web\":{\"hash\":\"0123456789abcdef\",\"replicas\":5}}}");
	EXPECT_EQ_INT(0, desired_load(f.st, "shop", &d, &e));
	EXPECT_EQ_INT(1, d.revision);
	EXPECT_EQ_INT(2, d.nservices);
	EXPECT_STREQ("db", d.services[0]->name);
	EXPECT_STREQ("web", d.services[1]->name);
	EXPECT_EQ_INT(5, desired_find(&d, "web")->replicas);
	EXPECT_EQ_INT(1, desired_find(&d, "db")->replicas);
	EXPECT_STREQ("0123456789abcdef", rev_meta_find(&d.meta, "web")->hash);
	desired_release(&d);
	fx_close(&f);
}

TEST(definition_from_an_older_revision)
{
	struct fx f;
	struct desired d;
	struct err e = { 0 };
	int64_t one;

	fx_open(&f);
	one = add(&f, v1, "");
	{
		char *meta = xasprintf("{\"services\":{\"web\":{\"hash\":\"0123456789abcdef\","
				       "\"from_revision\":%lld},\"cache\":{\"hash\":\"\","
				       "\"from_revision\":%lld}}}", (long long)one, (long long)one);

		add(&f, v2, meta);
		free(meta);
	}
	EXPECT_EQ_INT(0, desired_load(f.st, "shop", &d, &e));
	EXPECT_EQ_INT(2, d.revision);
	/* web comes back as revision 1 wrote it; cache did not exist then */
	EXPECT_STREQ("web:1", desired_find(&d, "web")->image);
	EXPECT_NULL(desired_find(&d, "cache"));
	EXPECT_STREQ("db:1", desired_find(&d, "db")->image);
	desired_release(&d);
	fx_close(&f);
}

TEST(damaged_revision_is_an_error_naming_it)
{
	struct fx f;
	struct desired d;
	struct err e = { 0 };

	fx_open(&f);
	add(&f, "[[service]]\nname = \"web\"\n", "");   /* no image: no longer valid */
	EXPECT_EQ_INT(ERR_INVALID, desired_load(f.st, "shop", &d, &e));
	EXPECT_CONTAINS(e.msg, "project 'shop' revision 1");
	fx_close(&f);
}

UNIT_MAIN
