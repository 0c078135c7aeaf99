/*
 * test_suggest.c - did-you-mean by edit distance.
 */
#include "unit.h"

#include "config/suggest.h"

static const char *const keys[] = {
	"name", "runtime", "image", "module", "replicas", "port", "domain",
	"routes", "health", "aliases", "internal", "env", "command", "volumes",
	"depends_on", "triggers", "resources", "placement", "deploy", "healthcheck",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

TEST(distance_basics)
{
	EXPECT_EQ_INT(0, suggest_distance("port", "port"));
	EXPECT_EQ_INT(1, suggest_distance("replica", "replicas"));
	EXPECT_EQ_INT(1, suggest_distance("imgae", "image"));  /* transposition */
	EXPECT_EQ_INT(1, suggest_distance("prot", "port"));
	EXPECT_EQ_INT(3, suggest_distance("kitten", "sitting"));
	EXPECT_EQ_INT(4, suggest_distance("", "port"));
	EXPECT_EQ_INT(0, suggest_distance("PORT", "port"));
}

TEST(distance_is_bounded)
{
	char big[SUGGEST_MAX_LEN + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_EQ_INT(SUGGEST_MAX_LEN + 1, suggest_distance(big, "a"));
	EXPECT_NULL(suggest_closest(big, keys, NKEYS));
}

TEST(suggests_typos)
{
	EXPECT_STREQ("replicas", suggest_closest("replica", keys, NKEYS));
	EXPECT_STREQ("domain", suggest_closest("domian", keys, NKEYS));
	EXPECT_STREQ("depends_on", suggest_closest("depends-on", keys, NKEYS));
	EXPECT_STREQ("depends_on", suggest_closest("dependson", keys, NKEYS));
	EXPECT_STREQ("healthcheck", suggest_closest("health_check", keys, NKEYS));
	EXPECT_STREQ("image", suggest_closest("Image", keys, NKEYS));
	EXPECT_STREQ("env", suggest_closest("envs", keys, NKEYS));
	EXPECT_STREQ("volumes", suggest_closest("volume", keys, NKEYS));
}

TEST(nothing_close_gives_null)
{
	EXPECT_NULL(suggest_closest("zzzzzz", keys, NKEYS));
	EXPECT_NULL(suggest_closest("x", keys, NKEYS));
	EXPECT_NULL(suggest_closest("memory", keys, NKEYS));
	EXPECT_NULL(suggest_closest("", keys, NKEYS));
	EXPECT_NULL(suggest_closest("port", NULL, 0));
}

TEST(ties_go_to_the_first_and_nulls_are_skipped)
{
	static const char *const c[] = { NULL, "abcd", "abce" };

	EXPECT_STREQ("abcd", suggest_closest("abcf", c, 3));
}

UNIT_MAIN
