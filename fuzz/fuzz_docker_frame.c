/*
 * fuzz_docker_frame.c - libFuzzer target for the engine's multiplexed
 * output framing (docker/frame.h).
 *
 * Decodes the input whole, then again split at points taken from its first
 * bytes, and once a byte at a time: all three must deliver the same frames
 * and end the same way, no frame may exceed the bound, and no more payload
 * may come out than went in. Seed corpus: fuzz/corpus/docker_frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "docker/frame.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

#define MAX_FRAME 4096

struct out {
	struct buf bytes;   /* stream digit, payload, per frame */
	size_t payload;
};

static int on_frame(void *arg, enum docker_stream stream, const char *data,
		    size_t len)
{
	struct out *o = arg;

	CHECK(stream <= DOCKER_STREAM_STDERR);
	CHECK(len > 0 && len <= MAX_FRAME);
	buf_putc(&o->bytes, (char)('0' + stream));
	buf_append(&o->bytes, data, len);
	o->payload += len;
	return 0;
}

/* Feeds data in pieces of the sizes in steps (cycled); returns the code. */
static int decode(const uint8_t *data, size_t size, const uint8_t *steps,
		  size_t nsteps, struct out *o)
{
	struct docker_frame_decoder d;
	struct err e = { 0 };
	size_t off = 0, i = 0;
	int rc = 0;

	docker_frame_decoder_init(&d, MAX_FRAME);
	while (off < size && rc == 0) {
		size_t n = nsteps ? (size_t)steps[i++ % nsteps] + 1 : size;

		if (n > size - off)
			n = size - off;
		rc = docker_frame_feed(&d, (const char *)data + off, n, on_frame, o, &e);
		off += n;
	}
	if (rc == 0)
		rc = docker_frame_decoder_finish(&d, &e);
	CHECK(rc == 0 || e.msg[0] != '\0');
	docker_frame_decoder_release(&d);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t one[] = { 0 };
	struct out whole = { BUF_INIT, 0 }, split = { BUF_INIT, 0 }, bytes = { BUF_INIT, 0 };
	size_t nsteps = size < 4 ? size : 4;
	int rc1, rc2, rc3;

	if (size > 65536)
		return 0;
	rc1 = decode(data, size, NULL, 0, &whole);
	rc2 = decode(data, size, data, nsteps, &split);
	rc3 = decode(data, size, one, 1, &bytes);
	CHECK(rc1 == rc2 && rc2 == rc3);
	CHECK(whole.bytes.len == split.bytes.len && whole.bytes.len == bytes.bytes.len);
	CHECK(memcmp(buf_str(&whole.bytes), buf_str(&split.bytes), whole.bytes.len) == 0);
	CHECK(memcmp(buf_str(&whole.bytes), buf_str(&bytes.bytes), whole.bytes.len) == 0);
	CHECK(whole.payload <= size);
	buf_release(&whole.bytes);
	buf_release(&split.bytes);
	buf_release(&bytes.bytes);
	return 0;
}
