/*
 * frame.c - the multiplexed-stream decoder (see frame.h).
 *
 * A frame whose payload arrives whole in one feed is delivered straight from
 * the caller's bytes; only split frames are copied, up to max_frame bytes.
 */
#include "docker/frame.h"

#include <stdint.h>
#include <string.h>

#include "docker/client.h"

#define STREAM_SYSTEMERR 3    /* the engine's own error, in-band */

void docker_frame_decoder_init(struct docker_frame_decoder *d, size_t max_frame)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->payload);
	d->max_frame = max_frame ? max_frame : DOCKER_FRAME_MAX_DEFAULT;
}

void docker_frame_decoder_release(struct docker_frame_decoder *d)
{
	buf_release(&d->payload);
}

static int broken(struct docker_frame_decoder *d, int code, struct err *e)
{
	d->broken = 1;
	if (code == ERR_INVALID)
		return err_set(e, code,
			       "malformed output stream: bad frame header %02x %02x %02x %02x",
			       d->hdr[0], d->hdr[1], d->hdr[2], d->hdr[3]);
	return err_set(e, code,
		       "malformed output stream: frame of %zu bytes exceeds the %zu-byte bound",
		       d->size, d->max_frame);
}

static int parse_header(struct docker_frame_decoder *d, struct err *e)
{
	const unsigned char *h = d->hdr;

	if (h[0] > STREAM_SYSTEMERR || h[1] || h[2] || h[3])
		return broken(d, ERR_INVALID, e);
	d->size = (size_t)((uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
			   (uint32_t)h[6] << 8 | (uint32_t)h[7]);
	if (d->size > d->max_frame)
		return broken(d, ERR_TOOBIG, e);
	return 0;
}

static int deliver(struct docker_frame_decoder *d, const char *data,
		   docker_output_fn fn, void *arg, struct err *e)
{
	int stream = d->hdr[0];

	d->hdr_len = 0;
	if (stream == STREAM_SYSTEMERR) {
		d->broken = 1;
		return err_set(e, ERR_FAIL, "engine: %.*s",
			       (int)(d->size > 300 ? 300 : d->size), data);
	}
	return fn(arg, (enum docker_stream)stream, data, d->size) ? DOCKER_STOP : 0;
}

/* Consumes payload bytes of the current frame; delivers it when whole. */
static int take_payload(struct docker_frame_decoder *d, const char **data,
			size_t *len, docker_output_fn fn, void *arg,
			struct err *e)
{
	size_t want = d->size - d->payload.len;
	int rc;

	if (d->payload.len == 0 && *len >= d->size) {
		rc = deliver(d, *data, fn, arg, e);
		*data += d->size;
		*len -= d->size;
		return rc;
	}
	if (want > *len)
		want = *len;
	buf_append(&d->payload, *data, want);
	*data += want;
	*len -= want;
	if (d->payload.len < d->size)
		return 0;
	rc = deliver(d, d->payload.data, fn, arg, e);
	buf_reset(&d->payload);
	return rc;
}

int docker_frame_feed(struct docker_frame_decoder *d, const char *data,
		      size_t len, docker_output_fn fn, void *arg, struct err *e)
{
	size_t n;
	int rc;

	if (d->broken)
		return err_set(e, ERR_INVALID, "malformed output stream");
	while (len > 0) {
		if (d->hdr_len < sizeof(d->hdr)) {
			n = sizeof(d->hdr) - d->hdr_len;
			n = n < len ? n : len;
			memcpy(d->hdr + d->hdr_len, data, n);
			d->hdr_len += n;
			data += n;
			len -= n;
			if (d->hdr_len < sizeof(d->hdr))
				break;
			rc = parse_header(d, e);
			if (rc < 0)
				return rc;
			if (d->size == 0) {
				d->hdr_len = 0;
				continue;
			}
		}
		rc = take_payload(d, &data, &len, fn, arg, e);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int docker_frame_decoder_finish(const struct docker_frame_decoder *d,
				struct err *e)
{
	if (d->hdr_len == 0)
		return 0;
	return err_set(e, ERR_INVALID,
		       "output stream ended inside a frame (%zu of %zu payload bytes)",
		       d->payload.len, d->size);
}
