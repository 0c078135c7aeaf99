/*
 * cache.c - the observed-state cache in the store.
 *
 * Docker stays the source of truth for what exists; the cache is the
 * server's written record of what it last saw of each replica (phase,
 * health, address, revision). It is rewritten only when a replica's
 * observed facts change, and read once at start-up: a container the
 * previous server saw that Docker no longer has disappeared while no
 * server watched, and that is worth an event rather than silence.
 */
#include "reconcile/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/observed.h"

#define CACHE_PAGE 500

static void state_text(const struct replica *r, char *out, size_t n)
{
	snprintf(out, n, "{\"phase\":\"%s\",\"health\":\"%s\",\"ip\":\"%s\",\"spec\":\"%s\"}",
		 replica_phase_name(r->phase), replica_health_name(r->health), r->ip,
		 r->spec_hash);
}

/* Writes the replicas whose observed facts changed since the last write. */
void control_cache_sync(struct control *c)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc *s = c->svcs[i];

		for (size_t j = 0; j < s->nreplicas; j++) {
			struct replica *r = &s->replicas[j];
			struct store_container row = { 0 };
			struct err e = { 0 };
			char state[256];

			if (r->id[0] == '\0')
				continue;
			state_text(r, state, sizeof(state));
			if (strcmp(state, r->cached) == 0)
				continue;
			row.id = r->id;
			row.project = s->project;
			row.service = s->name;
			row.replica = r->index < 0 ? 0 : r->index;
			row.revision = r->revision;
			row.state = state;
			if (store_container_put(c->st, &row, &e) < 0) {
				control_warn("observed cache: %s", e.msg);
				return;
			}
			snprintf(r->cached, sizeof(r->cached), "%s", state);
		}
	}
}

void control_cache_forget(struct control *c, const char *id)
{
	struct err e = { 0 };

	if (store_container_delete(c->st, id, &e) < 0)
		control_warn("observed cache: %s", e.msg);
}

/* At start-up, after adoption: what the last server saw and Docker lost. */
void control_cache_reconcile(struct control *c)
{
	struct store_container *rows = NULL;
	size_t n = 0;
	struct err e = { 0 };
	char after[STORE_ID_MAX + 1] = "";

	do {
		if (store_container_list(c->st, NULL, after, CACHE_PAGE, &rows, &n, &e) < 0) {
			control_warn("observed cache: %s", e.msg);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			struct svc *s;

			if (control_find_by_container(c, rows[i].id, NULL))
				continue;
			s = control_find_svc(c, rows[i].project, rows[i].service);
			control_event(c, s, rows[i].replica, "replica.lost",
				      "container %.12s of %s/%s disappeared while no server watched it",
				      rows[i].id, rows[i].project, rows[i].service);
			control_cache_forget(c, rows[i].id);
		}
		if (n)
			snprintf(after, sizeof(after), "%s", rows[n - 1].id);
		store_container_list_free(rows, n);
	} while (n == CACHE_PAGE);
}
