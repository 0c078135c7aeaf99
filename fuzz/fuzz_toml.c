/*
 * fuzz_toml.c - libFuzzer target for the TOML parser (config/toml.h).
 *
 * Parses the input, walks the whole tree checking what callers rely on
 * (positions are sane, strings are NUL-terminated, every key is found again
 * through the hash index by toml_get_kv), and frees it. ASan and UBSan do
 * the rest. Seed corpus: fuzz/corpus/toml (toml-test, MIT).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"
#include "config/toml.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static int lines;  /* of the current input, an upper bound for positions */

static void check_pos(struct toml_pos pos)
{
	CHECK(pos.line >= 1 && pos.line <= lines);
	CHECK(pos.col >= 1);
}

static void walk(const struct toml_value *v, int depth)
{
	size_t i;

	CHECK(depth <= TOML_MAX_DEPTH + 1);
	check_pos(v->pos);
	CHECK(strcmp(toml_type_name(v->type), "unknown type") != 0);
	if (v->type == TOML_STRING) {
		CHECK(v->u.str.ptr[v->u.str.len] == '\0');
	} else if (v->type == TOML_ARRAY) {
		for (i = 0; i < v->u.arr.len; i++)
			walk(v->u.arr.items[i], depth + 1);
	} else if (v->type == TOML_TABLE) {
		for (i = 0; i < v->u.tab.len; i++) {
			const struct toml_keyval *kv = &v->u.tab.items[i];

			check_pos(kv->pos);
			CHECK(kv->key[kv->key_len] == '\0');
			if (strlen(kv->key) == kv->key_len)
				CHECK(toml_get_kv(v, kv->key) == kv);
			walk(kv->value, depth + 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *root = NULL;
	struct toml_pos pos = { -1, -1 };
	struct err e = { 0 };
	const char *src = (const char *)data;
	int rc;

	lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	rc = toml_parse(src, size, &root, &pos, &e);
	if (rc == 0) {
		CHECK(root != NULL && root->type == TOML_TABLE);
		walk(root, 0);
		CHECK(toml_get(root, "") == NULL || toml_get_kv(root, "") != NULL);
	} else {
		CHECK(root == NULL);
		CHECK(rc == ERR_INVALID || rc == ERR_TOOBIG);
		CHECK(e.code == rc && e.msg[0] != '\0');
		check_pos(pos);
	}
	toml_free(root);
	return 0;
}
