/*
 * client_int.h - what client.c and client_stream.c share.
 */
#ifndef ORCA_CLI_CLIENT_INT_H
#define ORCA_CLI_CLIENT_INT_H

#include <curl/curl.h>

#include "base/buf.h"
#include "cli/client.h"

struct client {
	char *address;       /* as the user gave it, for messages */
	char *socket_path;   /* NULL for http:// */
	char *base_url;      /* "http://localhost" for the socket */
	CURL *curl;
	struct curl_slist *headers;
};

/* Sets up cl->curl for one request; body_json (may be NULL) is borrowed
 * until the transfer ends. */
int client_prepare(struct client *cl, const char *method, const char *path,
		   const struct buf *body_json, struct err *e);
/* JSON-encodes body (may be NULL) into out. */
int client_encode(const json_t *body, struct buf *out, struct err *e);
/* The error for a transfer that failed: unreachable, or broken. */
int client_transport_error(struct client *cl, CURLcode rc, struct err *e);
/* The error for a status >= 300 with its body; *reply may get the JSON. */
int client_reply_error(long status, const struct buf *body, json_t **reply,
		       struct err *e);

#endif
