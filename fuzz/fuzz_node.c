/*
 * fuzz_node.c - libFuzzer target for what a node says about itself and
 * what an agent is handed: nvidia-smi's two output forms (agent/inventory.h),
 * an inventory as JSON (from a heartbeat), and join tokens.
 *
 * The first byte picks the parser, the rest is its input. Checks what
 * callers rely on: at most INVENTORY_GPUS_MAX GPUs, NUL-terminated fields,
 * a parsed inventory that goes back to JSON and parses to the same, a token
 * that parses formats to the same text. Seed corpus: fuzz/corpus/node.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agent/inventory.h"
#include "base/jsonx.h"
#include "cluster/jointoken.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static void check_gpus(const struct inventory *inv)
{
	CHECK(inv->ngpus <= INVENTORY_GPUS_MAX);
	for (size_t i = 0; i < inv->ngpus; i++) {
		CHECK(memchr(inv->gpus[i].model, 0, sizeof(inv->gpus[i].model)) != NULL);
		CHECK(memchr(inv->gpus[i].id, 0, sizeof(inv->gpus[i].id)) != NULL);
		CHECK(inv->gpus[i].vram_mib >= 0);
	}
}

static void inventory_json(const char *data, size_t len)
{
	struct inventory a, b;
	struct err e = { 0 };
	json_t *j = jsonx_parse(data, len, 1 << 20, &e), *back;

	if (j == NULL || inventory_from_json(j, &a, &e) < 0) {
		json_decref(j);
		return;
	}
	check_gpus(&a);
	back = inventory_to_json(&a);
	CHECK(inventory_from_json(back, &b, &e) == 0);
	CHECK(b.ngpus == a.ngpus && b.memory_bytes == a.memory_bytes && b.nruntimes == a.nruntimes);
	json_decref(back);
	json_decref(j);
}

static void token(const char *data, size_t len)
{
	char text[JOINTOKEN_LEN + 1], copy[JOINTOKEN_LEN + 2];
	struct jointoken t;
	struct err e = { 0 };

	if (len > JOINTOKEN_LEN + 1)
		return;
	memcpy(copy, data, len);
	copy[len] = '\0';
	if (jointoken_parse(copy, &t, &e) < 0) {
		CHECK(e.code == ERR_INVALID);
		return;
	}
	jointoken_format(&t, text, sizeof(text));
	CHECK(strcmp(text, copy) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory inv;

	if (size == 0)
		return 0;
	memset(&inv, 0, sizeof(inv));
	switch (data[0] % 4) {
	case 0:
		inventory_parse_smi_csv(&inv, (const char *)data + 1, size - 1);
		check_gpus(&inv);
		break;
	case 1:
		inventory_parse_smi_list(&inv, (const char *)data + 1, size - 1);
		check_gpus(&inv);
		break;
	case 2:
		inventory_json((const char *)data + 1, size - 1);
		break;
	default:
		token((const char *)data + 1, size - 1);
		break;
	}
	return 0;
}
