/*
 * router.h - maps (method, path pattern) to handlers for the API server.
 *
 * Patterns are literal segments and {name} parameters:
 *     /api/v1/projects/{project}/services/{service}/scale
 * A parameter matches one non-empty segment; its percent-decoded value is
 * http_req_param(req, "project"). When several patterns match, the one with
 * a literal segment earliest wins (/deploys/latest before /deploys/{id}).
 * Unknown paths get 404 and known paths with another method 405 with an
 * Allow header, both as JSON errors (http.h).
 *
 * Register every route before the server starts; afterwards the router is
 * only read, by the loop and the workers at once, without locks.
 */
#ifndef ORCA_API_ROUTER_H
#define ORCA_API_ROUTER_H

#include "api/http.h"

#define ROUTER_MAX_SEGMENTS 32

struct router;

struct router *router_new(void);
void router_free(struct router *r);
/*
 * Adds a route; fn(req, arg, e) serves it. ERR_INVALID for a malformed
 * pattern or method, ERR_CONFLICT for a (method, pattern) already added.
 */
int router_add(struct router *r, const char *method, const char *pattern,
	       http_handler_fn fn, void *arg, struct err *e);
/* The server's handler: http_server_config.handler = router_handle and
 * .handler_arg = the router. Matches, then runs the route. */
int router_handle(struct http_req *req, void *arg, struct err *e);

/* One registered route, as router_match found it. */
struct router_route {
	const char *method;
	const char *pattern;      /* "/api/v1/projects/{project}" */
};

/*
 * The route for req, with its path parameters bound; or NULL after
 * replying 404, 405 (with Allow) or 400 (a badly encoded parameter).
 * Pure and quick: the loop thread calls it before a handler runs.
 */
const struct router_route *router_match(const struct router *r,
					struct http_req *req);
/* Runs a route router_match returned. */
int router_run(const struct router_route *rt, struct http_req *req,
	       struct err *e);
/* Every route, in the order added: n and the i-th. */
size_t router_count(const struct router *r);
const struct router_route *router_at(const struct router *r, size_t i);

#endif
