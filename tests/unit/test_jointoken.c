/*
 * test_jointoken.c - join tokens: text form, parsing, checking the secret.
 */
#include <string.h>

#include "cluster/jointoken.h"
#include "unit.h"

static const char CA[] = "b17c61c34ea48dcd80210c9dfd95a58fb5d0db3e223a29904a1a06a662fd7f6d";

TEST(round_trip)
{
	struct jointoken t, u;
	char text[JOINTOKEN_LEN + 1], h[65];
	struct err e = { 0 };

	jointoken_new(&t, CA);
	jointoken_format(&t, text, sizeof(text));
	EXPECT_EQ_INT(JOINTOKEN_LEN, strlen(text));
	EXPECT_TRUE(strncmp(text, "orca1-", 6) == 0);
	EXPECT_EQ_INT(0, jointoken_parse(text, &u, &e));
	EXPECT_STREQ(CA, u.ca);
	EXPECT_STREQ(t.id, u.id);
	EXPECT_STREQ(t.secret, u.secret);
	jointoken_hash(&t, h);
	EXPECT_TRUE(jointoken_matches(&u, h));
}

TEST(two_tokens_differ)
{
	struct jointoken a, b;

	jointoken_new(&a, CA);
	jointoken_new(&b, CA);
	EXPECT_TRUE(strcmp(a.id, b.id) != 0);
	EXPECT_TRUE(strcmp(a.secret, b.secret) != 0);
}

TEST(wrong_secret_does_not_match)
{
	struct jointoken t;
	char h[65];

	jointoken_new(&t, CA);
	jointoken_hash(&t, h);
	t.secret[0] = t.secret[0] == 'a' ? 'b' : 'a';
	EXPECT_FALSE(jointoken_matches(&t, h));
	EXPECT_FALSE(jointoken_matches(&t, "short"));
	EXPECT_FALSE(jointoken_matches(&t, NULL));
}

TEST(malformed_tokens)
{
	struct jointoken t;
	struct err e = { 0 };
	char text[JOINTOKEN_LEN + 2];
	static const char *const bad[] = {
		"", "orca1-", "SWMTKN-1-abc", NULL,
	};

	for (int i = 0; bad[i]; i++)
		EXPECT_EQ_INT(ERR_INVALID, jointoken_parse(bad[i], &t, &e));
	EXPECT_EQ_INT(ERR_INVALID, jointoken_parse(NULL, &t, &e));
	jointoken_new(&t, CA);
	jointoken_format(&t, text, sizeof(text));
	text[10] = 'G';   /* not hex */
	EXPECT_EQ_INT(ERR_INVALID, jointoken_parse(text, &t, &e));
	jointoken_new(&t, CA);
	jointoken_format(&t, text, sizeof(text));
	text[70] = '_';   /* separator */
	EXPECT_EQ_INT(ERR_INVALID, jointoken_parse(text, &t, &e));
	jointoken_format(&t, text, sizeof(text));
	strcat(text, "0");   /* too long */
	EXPECT_EQ_INT(ERR_INVALID, jointoken_parse(text, &t, &e));
	EXPECT_TRUE(strstr(e.msg, "orca node token") != NULL);
}

TEST(sha256_hex)
{
	char out[65];

	jointoken_sha256_hex("abc", 3, out);
	EXPECT_STREQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", out);
}

UNIT_MAIN
