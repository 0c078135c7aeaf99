/*
 * network.h - bridge networks: one per project ("orca-<project>") and the
 * shared "orca-internal"; containers join them with DNS aliases.
 *
 * Names and label filters are what users and orca name things; the engine's
 * ids are returned for logging and equality only.
 */
#ifndef ORCA_DOCKER_NETWORK_H
#define ORCA_DOCKER_NETWORK_H

#include "docker/client.h"

struct docker_network_spec {
	const char *name;
	const char *const *labels;  /* "k=v", NULL-terminated, may be NULL */
	/*
	 * "k=v" that proves a network of this name is ours: when the name
	 * exists with this label (and the same `internal`), create succeeds
	 * and returns it; without it, ERR_CONFLICT. NULL: any existing
	 * network of that name is a conflict.
	 */
	const char *owner_label;
	int internal;               /* no route outside the host */
};

struct docker_network_info {
	char id[DOCKER_ID_SIZE];
	char *name;
	char driver[32];
	int internal;
	struct docker_labels labels;
};

/* POST /networks/create (driver bridge), idempotent as described above.
 * id and created may be NULL. */
int docker_network_create(struct docker_client *c,
			  const struct docker_network_spec *spec,
			  char id[DOCKER_ID_SIZE], int *created, struct err *e);
int docker_network_inspect(struct docker_client *c, const char *name,
			   struct docker_network_info *info, struct err *e);
void docker_network_info_release(struct docker_network_info *info);
/* ERR_NOTFOUND when it does not exist, ERR_CONFLICT while in use. */
int docker_network_remove(struct docker_client *c, const char *name,
			  struct err *e);
/* Joins container to network with DNS aliases (NULL-terminated, may be
 * NULL). Already joined: ERR_CONFLICT. */
int docker_network_connect(struct docker_client *c, const char *network,
			   const char *container, const char *const *aliases,
			   struct err *e);
int docker_network_disconnect(struct docker_client *c, const char *network,
			      const char *container, int force, struct err *e);
/* Networks carrying all labels ("k=v" or "k"); *out is an array of *n the
 * caller frees with docker_network_list_free(). */
int docker_network_list(struct docker_client *c, const char *const *labels,
			struct docker_network_info **out, size_t *n,
			struct err *e);
void docker_network_list_free(struct docker_network_info *list, size_t n);

#endif
