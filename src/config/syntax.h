/*
 * syntax.h - the shapes of the words in orca's config: names, hostnames,
 * image references, route and event patterns, queue topics, env keys,
 * volume names, listen addresses, token hashes.
 *
 * Each function returns NULL when s is well-formed, else a static reason
 * to put after "... is invalid: " ("only a-z, 0-9 and '-' are allowed").
 * Pure: no allocation.
 */
#ifndef ORCA_CONFIG_SYNTAX_H
#define ORCA_CONFIG_SYNTAX_H

/* Service, project, node, alias and token names: [a-z0-9-], 1-63, no '-' at either end. */
const char *syntax_name(const char *s);
/* A DNS name, lowercase, <= 253; "*.example.com" allowed. */
const char *syntax_hostname(const char *s);
/* repo[:tag][@sha256:<64 hex>], repo optionally behind a registry host[:port]. */
const char *syntax_image(const char *s);
/* A route: starts with '/', a '*' only as the whole last segment. */
const char *syntax_route(const char *s);
/* A queue topic: [a-z0-9._-]+, at most 255. */
const char *syntax_topic(const char *s);
/* "service.*.crashed": dot-separated [a-z0-9_-]+ segments or '*'. */
const char *syntax_event_pattern(const char *s);
/* An environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
const char *syntax_env_key(const char *s);
/* A named volume: [a-z0-9._-], 1-63, starting with a letter or digit. */
const char *syntax_volume_name(const char *s);
/* An absolute path without NUL; "/" alone is refused. */
const char *syntax_abs_path(const char *s);
/* "host:port" or "[v6addr]:port", port 1-65535. */
const char *syntax_listen_addr(const char *s);
/* "sha256:<64 lowercase hex>" */
const char *syntax_sha256(const char *s);
/* A label key: [A-Za-z0-9._/-], 1-63. */
const char *syntax_label_key(const char *s);
/* An email address, loosely: local@domain, no blanks. */
const char *syntax_email(const char *s);

#endif
