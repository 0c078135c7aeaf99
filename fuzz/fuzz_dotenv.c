/*
 * fuzz_dotenv.c - libFuzzer target for the .env parser (store/dotenv.h).
 *
 * Parses the input and checks what callers rely on: keys are valid names,
 * values are NUL-terminated with len == strlen, lines ascend within the
 * input, errors name a line. Then writes every entry back out as
 * KEY="escaped value" and parses that again: the same keys and values must
 * come back. ASan and UBSan do the rest. Seed corpus: fuzz/corpus/dotenv.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/dotenv.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static int key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > DOTENV_KEY_MAX || (k[0] >= '0' && k[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return 1;
}

static void check_list(const struct dotenv *d, size_t lines)
{
	CHECK(d->n <= DOTENV_ENTRIES_MAX);
	for (size_t i = 0; i < d->n; i++) {
		const struct dotenv_entry *en = &d->entries[i];
		CHECK(key_ok(en->key));
		CHECK(strlen(en->value) == en->len);
		CHECK(en->line >= 1 && (size_t)en->line <= lines);
		CHECK(i == 0 || en->line > d->entries[i - 1].line);
	}
}

/* Appends KEY="value" and a newline; returns the bytes it added. */
static size_t quote(struct buf *b, const struct dotenv_entry *en)
{
	size_t start = b->len;

	buf_printf(b, "%s=\"", en->key);
	for (size_t i = 0; i < en->len; i++) {
		switch (en->value[i]) {
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '$': buf_puts(b, "\\$"); break;
		default: buf_putc(b, en->value[i]);
		}
	}
	buf_puts(b, "\"\n");
	return b->len - start;
}

static void roundtrip(const struct dotenv *d)
{
	struct dotenv again = { NULL, 0 };
	struct err e = { 0 };
	struct buf b = BUF_INIT;
	size_t longest = 0, n;

	for (size_t i = 0; i < d->n; i++) {
		n = quote(&b, &d->entries[i]);
		longest = n > longest ? n : longest;
	}
	/* Escaping can double a value: past the bounds, a refusal is right. */
	if (b.len > DOTENV_TEXT_MAX || longest > DOTENV_LINE_MAX)
		goto out;
	CHECK(dotenv_parse(buf_str(&b), b.len, &again, &e) == 0);
	CHECK(again.n == d->n);
	for (size_t i = 0; i < d->n; i++) {
		CHECK(strcmp(again.entries[i].key, d->entries[i].key) == 0);
		CHECK(again.entries[i].len == d->entries[i].len);
		CHECK(memcmp(again.entries[i].value, d->entries[i].value,
			     d->entries[i].len) == 0);
		CHECK(again.entries[i].line == (int)i + 1);
	}
out:
	dotenv_free(&again);
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dotenv d = { NULL, 0 };
	struct err e = { 0 };
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (dotenv_parse((const char *)data, size, &d, &e) == 0) {
		check_list(&d, lines);
		roundtrip(&d);
	} else {
		CHECK(d.n == 0 && d.entries == NULL);
		CHECK(e.code == ERR_INVALID || e.code == ERR_TOOBIG);
		CHECK(strncmp(e.msg, "line ", 5) == 0 || e.code == ERR_TOOBIG);
	}
	dotenv_free(&d);
	return 0;
}
