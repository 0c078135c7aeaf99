/*
 * client.h - a connection to the Docker Engine API over its unix socket.
 *
 * Threads: a struct docker_client belongs to one thread. Give every thread
 * that talks to the engine (control loop, events reader, health probes, log
 * and exec helpers) its own client; a client is never used by two threads at
 * once. The one exception is docker_client_cancel(), which any thread may call
 * at any time.
 *
 * Every call is synchronous. Streams (pull progress, logs, exec output,
 * events) are delivered through callbacks on the calling thread while the
 * call runs; a callback returns nonzero to end its stream early, and the call
 * then returns 0.
 *
 * Cancel: docker_client_cancel() sets a sticky flag and shuts down the
 * client's live socket, so a blocked call (an idle events stream, a follow of
 * logs, a long pull) returns -ECANCELED at once; the flag is also polled by a
 * libcurl progress callback about once a second. While the flag is set, every
 * call on that client returns -ECANCELED without touching the engine, until
 * the owning thread calls docker_client_reset_cancel(). The client must
 * outlive every thread that may cancel it.
 *
 * Errors are sentences: "cannot reach the Docker Engine at
 * /var/run/docker.sock: connection refused (is dockerd running?)" with code
 * ERR_UNAVAILABLE; engine answers 404 -> ERR_NOTFOUND, 409 -> ERR_CONFLICT,
 * 400 -> ERR_INVALID, carrying the engine's own message.
 */
#ifndef ORCA_DOCKER_CLIENT_H
#define ORCA_DOCKER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/*
 * The API versions orca speaks: the engine's newest, capped at
 * DOCKER_API_MAX, never below DOCKER_API_MIN (Docker 19.03, which brought
 * HostConfig.DeviceRequests). Docker 29.0 to 29.2 accept 1.44 and newer
 * only; 29.3 and later accept 1.40 again and offer up to 1.55.
 *
 * DOCKER_API_MAX is the newest version whose changelog has been read
 * against every field orca sends or reads (moby api/docs/CHANGELOG.md,
 * v1.44 to v1.55, at docker-v29.7.2; v1.56 was still empty):
 *  - 1.44: POST /networks/create fails on a duplicate name by itself and
 *    CheckDuplicate is deprecated (gone from the 1.55 schema): sent only
 *    below 1.44 (network.c). Config.MacAddress deprecated: orca never
 *    sends it. Several EndpointsConfig allowed at create: orca sends one.
 *    Validation errors now come from create rather than start: both are
 *    already sentences. VirtualSize dropped from image inspect: orca reads
 *    Size. NetworkSettings.HairpinMode and friends deprecated: orca reads
 *    NetworkSettings.Networks only.
 *  - 1.45: inspect's Aliases no longer hold the short id: orca reads no
 *    aliases back. Image inspect loses Container/ContainerConfig: unread.
 *  - 1.46-1.47: additions only (annotations, tmpfs options, manifests).
 *  - 1.48: "error" and "progress" of pull streams deprecated in favour of
 *    errorDetail/progressDetail: image.c reads errorDetail.message first.
 *    GwPriority, image mounts, ImageManifestDescriptor: additions.
 *  - 1.49-1.51: image inspect may omit unset Config fields, Containers
 *    counts: orca reads Id, Size, RepoDigests and Config.Labels, all of
 *    which may be absent without harm.
 *  - 1.52: GET /events negotiates its content type and drops status, id
 *    and from: orca asks for application/x-ndjson, skips a json-seq record
 *    separator if one comes anyway, and reads Action, Actor and timeNano.
 *    NetworkSettings loses IPAddress, Gateway, MacAddress etc.: orca reads
 *    NetworkSettings.Networks.<name>.IPAddress, which stays. Container-wide
 *    Config.MacAddress refused: never sent. Empty PortBindings lists warn:
 *    orca sends a binding only with a host port. Image inspect omits empty
 *    Config.Labels: read as none.
 *  - 1.53-1.55: additions (jsonl events, image identity, attestations,
 *    blkio update) and a MacAddress fix on connect: nothing orca uses.
 * Nothing orca uses changed shape between 1.40 and 1.55 except as above;
 * the version-dependent parts are tested in test_docker_fake.c.
 */
#define DOCKER_API_MIN "1.40"
#define DOCKER_API_MAX "1.55"

#define DOCKER_SOCKET_DEFAULT "/var/run/docker.sock"
/* "sha256:" + 64 hex + NUL: fits container, network and image ids. */
#define DOCKER_ID_SIZE 72
/* Bound of any response read into memory (inspect, list, error bodies). */
#define DOCKER_BODY_MAX (16u << 20)
/* Default limit of one non-streaming request. */
#define DOCKER_TIMEOUT_MS_DEFAULT 60000L
/* Default limit of a pull without progress (see set_pull_stall). */
#define DOCKER_PULL_STALL_MS_DEFAULT 60000L

/* Returned by internal stream consumers to end a stream without an error. */
#define DOCKER_STOP 1

struct docker_client;

/*
 * Makes a client. socket_path NULL: from DOCKER_HOST (only unix:///path is
 * supported) or DOCKER_SOCKET_DEFAULT. Does not connect: the first call
 * connects and negotiates the API version. The caller frees with
 * docker_client_free().
 */
int docker_client_new(struct docker_client **out, const char *socket_path,
		      struct err *e);
void docker_client_free(struct docker_client *c);

/* Limit of each non-streaming request; 0 restores the default. */
void docker_client_set_timeout(struct docker_client *c, long timeout_ms);
/*
 * A pull has no overall deadline (a big image on a slow link may take an
 * hour), but it fails with ERR_TIMEOUT once the engine has sent no
 * progress record for stall_ms: the engine reports every chunk it
 * downloads or extracts, so silence means the registry stalls. 0 restores
 * the default.
 */
void docker_client_set_pull_stall(struct docker_client *c, long stall_ms);
/* The socket path in use. Borrowed. */
const char *docker_client_socket(const struct docker_client *c);

/*
 * GET /version: picks the API version (the server's, capped at
 * DOCKER_API_MAX) and refuses servers older than DOCKER_API_MIN or that
 * need more than DOCKER_API_MAX, with a sentence naming both versions.
 * Called lazily by the first request; call it early to fail fast.
 */
int docker_client_negotiate(struct docker_client *c, struct err *e);
/* "1.41" once negotiated, "" before. Borrowed. */
const char *docker_client_api_version(const struct docker_client *c);
/* The engine's version ("20.10.24"), "" before negotiation. Borrowed. */
const char *docker_client_server_version(const struct docker_client *c);

/*
 * Whether the last request on c got no answer at all from the engine
 * (connect refused, socket gone, connection dropped or no reply in time),
 * as opposed to an answer that was an error. Such a failure also forgets
 * the negotiated version: the engine may come back upgraded, so the next
 * request negotiates again.
 */
int docker_client_lost(const struct docker_client *c);

/* GET /_ping. */
int docker_ping(struct docker_client *c, struct err *e);

/* Any thread: makes the current and every later call return -ECANCELED. */
void docker_client_cancel(struct docker_client *c);
/* Owner thread: clears the cancel flag. */
void docker_client_reset_cancel(struct docker_client *c);
int docker_client_canceled(const struct docker_client *c);

/*
 * Pure helpers, exposed for tests.
 * docker_socket_from_host: DOCKER_HOST value (NULL or "" for the default)
 * to a socket path in out[n]; ERR_UNSUPPORTED for tcp:// and others.
 * docker_api_choose: the version to use given the server's ApiVersion and
 * MinAPIVersion (may be NULL), written to out[n].
 */
int docker_socket_from_host(const char *docker_host, char *out, size_t n,
			    struct err *e);
int docker_api_choose(const char *server_api, const char *server_min,
		      char *out, size_t n, struct err *e);

/*
 * Labels (or event attributes) read from the engine: n key/value pairs.
 * Owned by the struct that embeds them.
 */
struct docker_labels {
	char **keys;
	char **values;
	size_t n;
};

/* The value of key, or NULL. Borrowed from l. */
const char *docker_labels_get(const struct docker_labels *l, const char *key);
void docker_labels_release(struct docker_labels *l);

#endif
