/*
 * json.h - the normalised desired state as JSON (jansson).
 *
 * Units are normalised (memory_bytes, cpu_millis, *_ms, *_mib), defaults
 * are filled in, every key is always present (null when unset), projects,
 * services, nodes and tokens are objects keyed by name. Dump with
 * JSON_SORT_KEYS for a deterministic text. Token hashes are included (they
 * are hashes); env values are unresolved (${secrets.KEY} stays as written).
 */
#ifndef ORCA_CONFIG_JSON_H
#define ORCA_CONFIG_JSON_H

#include <jansson.h>

#include "config/model.h"

/* Returns a new reference the caller releases with json_decref. */
json_t *config_to_json(const struct config *c);
json_t *config_service_to_json(const struct service *s);
/* cluster.toml's [proxy], defaults filled in (also in the status snapshot). */
json_t *config_proxy_json(const struct cluster *cl);

/* Diagnostics (errors or warnings) as [{"file", "line", "col", "message"}]. */
struct diags;
json_t *config_diags_to_json(const struct diags *d);

/* Pretty (2-space indent), sorted keys, trailing newline. Malloc'd, caller frees. */
char *config_json_text(const struct config *c);

#endif
