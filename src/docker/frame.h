/*
 * frame.h - decoder of the engine's multiplexed stdout/stderr stream.
 *
 * Logs and exec output of a container without a TTY come as frames: an
 * 8-byte header [stream, 0, 0, 0, size as big-endian uint32] and size bytes
 * of payload. The decoder is fed bytes as they arrive, split anywhere, and
 * hands each whole frame to a callback. A frame larger than max_frame bytes,
 * or a header that is not a frame header, is an error: the decoder never
 * buffers more than max_frame bytes. Pure, no I/O; one per stream.
 */
#ifndef ORCA_DOCKER_FRAME_H
#define ORCA_DOCKER_FRAME_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

enum docker_stream {
	DOCKER_STREAM_STDIN = 0,
	DOCKER_STREAM_STDOUT = 1,
	DOCKER_STREAM_STDERR = 2,
};

/* Bound of one frame unless the caller says otherwise. The engine writes
 * frames of at most 32 KiB of output (16 KiB per log line). */
#define DOCKER_FRAME_MAX_DEFAULT (1u << 20)

/*
 * Output of a container: len bytes of one frame of stream, borrowed for the
 * call. Returns 0 to go on, nonzero to stop the stream.
 */
typedef int (*docker_output_fn)(void *arg, enum docker_stream stream,
				const char *data, size_t len);

struct docker_frame_decoder {
	unsigned char hdr[8];
	size_t hdr_len;       /* header bytes gathered so far */
	size_t size;          /* payload size of the current frame */
	struct buf payload;   /* payload gathered when split across feeds */
	size_t max_frame;
	int broken;           /* an error was returned: every feed fails */
};

/* max_frame 0: DOCKER_FRAME_MAX_DEFAULT. */
void docker_frame_decoder_init(struct docker_frame_decoder *d, size_t max_frame);
void docker_frame_decoder_release(struct docker_frame_decoder *d);

/*
 * Feeds len bytes. Returns 0, DOCKER_STOP (1) when fn asked to stop, or
 * ERR_INVALID (not a frame header), ERR_TOOBIG (frame over the bound),
 * ERR_FAIL (the engine reported an error in the stream, stream 3).
 */
int docker_frame_feed(struct docker_frame_decoder *d, const char *data,
		      size_t len, docker_output_fn fn, void *arg, struct err *e);

/* At the end of the stream: ERR_INVALID when it stopped inside a frame. */
int docker_frame_decoder_finish(const struct docker_frame_decoder *d,
				struct err *e);

#endif
