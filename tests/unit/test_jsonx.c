/*
 * test_jsonx.c - bounded JSON parsing and typed, located field errors.
 */
#include "unit.h"

#include "base/jsonx.h"

static json_t *parse(const char *s, struct err *e)
{
	return jsonx_parse(s, strlen(s), 1024, e);
}

TEST(parse_errors_say_where)
{
	struct err e = { 0 };

	EXPECT_NULL(parse("{\"a\": 1,\n \"b\": }", &e));
	EXPECT_EQ_INT(ERR_INVALID, e.code);
	EXPECT_CONTAINS(e.msg, "invalid JSON at line 2, column 7: ");
	EXPECT_NULL(parse("  \n", &e));
	EXPECT_STREQ("empty JSON document", e.msg);
	EXPECT_NULL(parse("{\"a\": 1, \"a\": 2}", &e));
	EXPECT_CONTAINS(e.msg, "duplicate object key");
	EXPECT_NULL(parse("{} trailing", &e));
	EXPECT_EQ_INT(ERR_INVALID, e.code);
	EXPECT_NULL(jsonx_parse("{\"a\":\0}", 7, 1024, &e));
	EXPECT_EQ_INT(ERR_INVALID, e.code);
}

TEST(parse_is_bounded)
{
	struct err e = { 0 };
	char big[2048];

	memset(big, ' ', sizeof(big));
	big[0] = '1';
	EXPECT_NULL(jsonx_parse(big, sizeof(big), 1024, &e));
	EXPECT_EQ_INT(ERR_TOOBIG, e.code);
	EXPECT_STREQ("JSON document of 2048 bytes is over the limit of 1024", e.msg);
}

TEST(getters_type_and_presence)
{
	struct err e = { 0 };
	json_t *j = parse("{\"replicas\": \"3\", \"n\": 5, \"r\": 1.5, \"b\": true,"
			  " \"s\": \"x\", \"o\": {}, \"a\": [], \"z\": null}", &e);
	int64_t n = 0;
	double d = 0;
	int b = 0;
	const char *s = NULL;
	json_t *o = NULL;

	EXPECT_EQ_INT(ERR_INVALID, jsonx_get_int(j, "replicas", JSONX_REQUIRED, &n, &e));
	EXPECT_STREQ("field 'replicas' must be an integer, not a string", e.msg);
	EXPECT_EQ_INT(0, jsonx_get_int(j, "n", JSONX_REQUIRED, &n, &e));
	EXPECT_EQ_INT(5, n);
	EXPECT_EQ_INT(ERR_INVALID, jsonx_get_int(j, "r", 0, &n, &e));
	EXPECT_EQ_INT(0, jsonx_get_number(j, "r", 0, &d, &e));
	EXPECT_EQ_DBL(1.5, d);
	EXPECT_EQ_INT(0, jsonx_get_number(j, "n", 0, &d, &e));
	EXPECT_EQ_INT(0, jsonx_get_bool(j, "b", 0, &b, &e));
	EXPECT_EQ_INT(1, b);
	EXPECT_EQ_INT(0, jsonx_get_string(j, "s", 0, &s, &e));
	EXPECT_STREQ("x", s);
	EXPECT_EQ_INT(0, jsonx_get_object(j, "o", 0, &o, &e));
	EXPECT_EQ_INT(ERR_INVALID, jsonx_get_object(j, "a", 0, &o, &e));
	EXPECT_STREQ("field 'a' must be an object, not an array", e.msg);
	EXPECT_EQ_INT(0, jsonx_get_array(j, "a", 0, &o, &e));
	EXPECT_EQ_INT(1, jsonx_get_string(j, "missing", JSONX_OPTIONAL, &s, &e));
	EXPECT_EQ_INT(1, jsonx_get_string(j, "z", JSONX_OPTIONAL, &s, &e));
	EXPECT_EQ_INT(ERR_INVALID, jsonx_get_string(j, "missing", JSONX_REQUIRED, &s, &e));
	EXPECT_STREQ("missing field 'missing'", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, jsonx_get_string(j, "z", JSONX_REQUIRED, &s, &e));
	EXPECT_STREQ("field 'z' must be a string, not null", e.msg);
	EXPECT_EQ_INT(ERR_INVALID, jsonx_get_int_range(j, "n", 0, 0, 3, &n, &e));
	EXPECT_STREQ("field 'n' must be between 0 and 3", e.msg);
	json_decref(j);
}

TEST(unknown_fields_suggest_the_nearest)
{
	static const char *const allowed[] = { "replicas", "image", NULL };
	struct err e = { 0 };
	json_t *j = parse("{\"image\": \"x\", \"replica\": 2}", &e);

	EXPECT_EQ_INT(ERR_INVALID, jsonx_check_fields(j, allowed, &e));
	EXPECT_STREQ("unknown field 'replica' (did you mean 'replicas'?)", e.msg);
	json_decref(j);
	j = parse("{\"zzzzzz\": 1}", &e);
	EXPECT_EQ_INT(ERR_INVALID, jsonx_check_fields(j, allowed, &e));
	EXPECT_STREQ("unknown field 'zzzzzz'", e.msg);
	json_decref(j);
	EXPECT_EQ_INT(ERR_INVALID, jsonx_expect_object(json_null(), "request body", &e));
	EXPECT_STREQ("request body must be a JSON object, not null", e.msg);
}

TEST(dump_is_compact)
{
	struct buf b = BUF_INIT;
	json_t *j = json_pack("{s:i, s:[s]}", "a", 1, "b", "x");

	EXPECT_EQ_INT(0, jsonx_dump(j, &b));
	EXPECT_STREQ("{\"a\":1,\"b\":[\"x\"]}", b.data);
	json_decref(j);
	buf_release(&b);
}

UNIT_MAIN
