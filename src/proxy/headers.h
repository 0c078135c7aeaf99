/*
 * headers.h - the request head sent to a replica and the response headers
 * passed back (headers.c). Loop threads; memory from the request's pool.
 */
#ifndef ORCA_PROXY_HEADERS_H
#define ORCA_PROXY_HEADERS_H

#include <stdbool.h>

#include <h2o.h>

/* True for a hop-by-hop header: fixed ones and those Connection names. */
bool headers_hop_by_hop(const h2o_headers_t *hs, const h2o_iovec_t *name);
/* The HTTP/1.1 request head for the replica, ending in an empty line. */
h2o_iovec_t headers_request_head(h2o_req_t *req, bool websocket);
/* Whether a response header (lowercase name) goes to the client. */
bool headers_response_keep(const h2o_headers_t *all, const h2o_iovec_t *name);

#endif
