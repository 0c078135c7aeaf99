/*
 * picohttp.h - the few picohttpparser declarations orca's HTTP server uses.
 *
 * picohttpparser (https://github.com/h2o/picohttpparser) is compiled into
 * libh2o-evloop, which exports its symbols, but Debian does not install its
 * header. These declarations copy lib/picohttpparser.h of h2o 2.2.5 (the
 * libh2o-evloop0.13 we link). http_head.c parses again, with orca's rules,
 * the head h2o itself parsed with the same function.
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

#endif
