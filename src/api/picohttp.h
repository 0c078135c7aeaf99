/*
 * picohttp.h - the few picohttpparser declarations orca's HTTP server uses.
 *
 * picohttpparser (https://github.com/h2o/picohttpparser) is compiled into
 * libh2o-evloop, which exports its symbols, but Debian does not install its
 * header. These declarations copy lib/picohttpparser.h of h2o 2.2.5 (the
 * libh2o-evloop0.13 we link) and must keep its ABI: struct phr_chunked_decoder
 * there is { size_t; char; char; char } (offsets 0, 8, 9, 10), checked against
 * the library's object code. Newer picohttpparser releases append fields to
 * the decoder; http_body.c zero-initialises a padded union so that a newer
 * library cannot write past our storage.
 */
#ifndef ORCA_API_PICOHTTP_H
#define ORCA_API_PICOHTTP_H

#include <stddef.h>
#include <sys/types.h>

struct phr_header {
	const char *name;   /* NULL for an obsolete line-folded continuation */
	size_t name_len;
	const char *value;
	size_t value_len;
};

/*
 * Returns the head's length in bytes, -1 on a parse error, -2 when the
 * head is incomplete. *num_headers is the capacity in, the count out.
 * last_len is the length already known incomplete (0 on the first call).
 */
int phr_parse_request(const char *buf, size_t len, const char **method,
		      size_t *method_len, const char **path, size_t *path_len,
		      int *minor_version, struct phr_header *headers,
		      size_t *num_headers, size_t last_len);

struct phr_chunked_decoder {
	size_t bytes_left_in_chunk;
	char consume_trailer;   /* 1: also consume the trailer section */
	char _hex_count;
	char _state;
};

/*
 * Decodes chunked data in place: on return buf[0..*bufsz) holds the decoded
 * bytes. Returns -2 when more input is needed, -1 on error, or (>= 0) the
 * number of undecoded bytes after the end of the chunked body, which are
 * moved to buf[*bufsz..].
 */
ssize_t phr_decode_chunked(struct phr_chunked_decoder *decoder, char *buf,
			   size_t *bufsz);

#endif
