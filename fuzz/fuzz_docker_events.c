/*
 * fuzz_docker_events.c - libFuzzer target for the engine's event stream:
 * the bounded line splitter (docker/internal.h) feeding the event parser
 * (docker/events.h).
 *
 * Every record must parse or fail with a sentence; parsed fields stay
 * NUL-terminated within their arrays; splitting the input differently must
 * not change what comes out. Seed corpus: fuzz/corpus/docker_events.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "docker/events.h"
#include "docker/internal.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static int on_record(void *arg, const char *line, size_t len, struct err *e)
{
	struct buf *out = arg;
	struct docker_event ev;
	struct err pe = { 0 };

	(void)e;
	CHECK(len > 0 && len <= 4096);
	if (docker_event_parse(line, len, &ev, &pe) == 0) {
		CHECK(strlen(ev.type) < sizeof(ev.type));
		CHECK(strlen(ev.action) < sizeof(ev.action));
		CHECK(strlen(ev.detail) < sizeof(ev.detail));
		CHECK(strlen(ev.id) < sizeof(ev.id));
		CHECK(strlen(ev.name) < sizeof(ev.name));
		for (size_t i = 0; i < ev.attributes.n; i++)
			CHECK(ev.attributes.keys[i] && ev.attributes.values[i]);
		buf_printf(out, "%s/%s/%s/%s/%d/%lld|", ev.type, ev.action,
			   ev.detail, ev.id, ev.exit_code, (long long)ev.time_ns);
	} else {
		CHECK(pe.code == ERR_INVALID && pe.msg[0] != '\0');
		buf_puts(out, "!|");
	}
	docker_event_release(&ev);
	return 0;
}

static int run(const uint8_t *data, size_t size, size_t step, struct buf *out)
{
	struct docker_lines l;
	struct err e = { 0 };
	int rc = 0;

	docker_lines_init(&l, 4096, on_record, out);
	for (size_t off = 0; off < size && rc == 0; off += step) {
		size_t n = step < size - off ? step : size - off;

		rc = docker_lines_feed(&l, (const char *)data + off, n, &e);
	}
	if (rc == 0)
		rc = docker_lines_finish(&l, &e);
	CHECK(rc == 0 || rc == ERR_TOOBIG);
	docker_lines_release(&l);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int rc1, rc2;

	if (size > 65536)
		return 0;
	rc1 = run(data, size, size ? size : 1, &a);
	rc2 = run(data, size, 7, &b);
	CHECK(rc1 == rc2);
	CHECK(strcmp(buf_str(&a), buf_str(&b)) == 0);
	buf_release(&a);
	buf_release(&b);
	return 0;
}
