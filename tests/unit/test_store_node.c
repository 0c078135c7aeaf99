/*
 * test_store_node.c - joined nodes and join tokens in the store.
 */
#include "store/node.h"
#include "store_fixture.h"

static struct store_node node(const char *name, const char *serial)
{
	struct store_node n = { 0 };

	n.name = (char *)name;
	n.serial = (char *)serial;
	n.address = "10.99.0.12";
	n.labels = "{\"zone\":\"b\"}";
	return n;
}

TEST(node_put_get_list_delete)
{
	struct fx f;
	struct err e = { 0 };
	struct store_node n = node("worker-b", "0a1b"), got;
	struct store_node *list = NULL;
	size_t count = 0;

	fx_open(&f);
	EXPECT_EQ_INT(0, store_node_put(f.st, &n, &e));
	EXPECT_EQ_INT(0, store_node_get(f.st, "worker-b", &got, &e));
	EXPECT_STREQ("0a1b", got.serial);
	EXPECT_STREQ("active", got.state);
	EXPECT_STREQ("10.99.0.12", got.address);
	EXPECT_STREQ("{\"zone\":\"b\"}", got.labels);
	EXPECT_TRUE(got.joined_at_ms > 0);
	store_node_release(&got);
	/* joining again replaces the serial: the old certificate is out */
	n.serial = "ffee";
	EXPECT_EQ_INT(0, store_node_put(f.st, &n, &e));
	EXPECT_EQ_INT(0, store_node_get(f.st, "worker-b", &got, &e));
	EXPECT_STREQ("ffee", got.serial);
	store_node_release(&got);
	n = node("worker-a", "01");
	EXPECT_EQ_INT(0, store_node_put(f.st, &n, &e));
	EXPECT_EQ_INT(0, store_node_list(f.st, &list, &count, &e));
	EXPECT_EQ_INT(2, count);
	EXPECT_STREQ("worker-a", list[0].name);
	store_node_list_free(list, count);
	EXPECT_EQ_INT(0, store_node_delete(f.st, "worker-b", &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_node_get(f.st, "worker-b", &got, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_node_delete(f.st, "worker-b", &e));
	fx_close(&f);
}

TEST(node_state_and_seen)
{
	struct fx f;
	struct err e = { 0 };
	struct store_node n = node("c", "0c"), got;

	fx_open(&f);
	EXPECT_EQ_INT(0, store_node_put(f.st, &n, &e));
	EXPECT_EQ_INT(0, store_node_set_state(f.st, "c", "draining", &e));
	EXPECT_EQ_INT(ERR_INVALID, store_node_set_state(f.st, "c", "asleep", &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_node_set_state(f.st, "x", "active", &e));
	EXPECT_EQ_INT(0, store_node_seen(f.st, "c", "{\"cpu_millis\":2000}", 1234, &e));
	EXPECT_EQ_INT(0, store_node_seen(f.st, "c", NULL, 5678, &e));
	EXPECT_EQ_INT(0, store_node_get(f.st, "c", &got, &e));
	EXPECT_STREQ("draining", got.state);
	EXPECT_EQ_INT(5678, got.seen_at_ms);
	EXPECT_STREQ("{\"cpu_millis\":2000}", got.inventory);
	store_node_release(&got);
	/* a node that joins again is active again */
	EXPECT_EQ_INT(0, store_node_put(f.st, &n, &e));
	EXPECT_EQ_INT(0, store_node_get(f.st, "c", &got, &e));
	EXPECT_STREQ("active", got.state);
	store_node_release(&got);
	fx_close(&f);
}

TEST(node_bad_input)
{
	struct fx f;
	struct err e = { 0 };
	struct store_node n = node("bad name!", "01");

	fx_open(&f);
	EXPECT_EQ_INT(ERR_INVALID, store_node_put(f.st, &n, &e));
	n = node("ok", "XYZ");
	EXPECT_EQ_INT(ERR_INVALID, store_node_put(f.st, &n, &e));
	n = node("ok", "");
	EXPECT_EQ_INT(ERR_INVALID, store_node_put(f.st, &n, &e));
	fx_close(&f);
}

TEST(join_tokens_expire)
{
	struct fx f;
	struct err e = { 0 };
	struct store_join_token t, *list = NULL;
	size_t n = 0;
	int64_t now = store_now_ms();
	static const char hash[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

	fx_open(&f);
	EXPECT_EQ_INT(0, store_join_token_add(f.st, "0123456789ab", hash, now + 60000, &e));
	EXPECT_EQ_INT(0, store_join_token_add(f.st, "aaaaaaaaaaaa", hash, now + 1, &e));
	EXPECT_EQ_INT(0, store_join_token_get(f.st, "0123456789ab", now, &t, &e));
	EXPECT_STREQ(hash, t.hash);
	store_join_token_release(&t);
	EXPECT_EQ_INT(ERR_NOTFOUND, store_join_token_get(f.st, "aaaaaaaaaaaa", now + 10, &t, &e));
	EXPECT_EQ_INT(0, store_join_token_list(f.st, now + 10, &list, &n, &e));
	EXPECT_EQ_INT(1, n);
	store_join_token_list_free(list, n);
	EXPECT_EQ_INT(ERR_INVALID, store_join_token_add(f.st, "short", hash, now + 1, &e));
	EXPECT_EQ_INT(ERR_INVALID, store_join_token_add(f.st, "0123456789ab", "nothex", now, &e));
	EXPECT_EQ_INT(0, store_join_token_clear(f.st, &e));
	EXPECT_EQ_INT(ERR_NOTFOUND, store_join_token_get(f.st, "0123456789ab", now, &t, &e));
	fx_close(&f);
}

UNIT_MAIN
