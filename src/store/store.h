/*
 * store.h - orca's durable state: one SQLite database, <data>/orca.db (WAL).
 *
 * Everything that must survive a restart, including kill -9 in the middle of
 * a deploy, lives here: desired-state revisions (revision.h), deploy history
 * (deploy.h), the observed-state cache and per-service runtime records
 * (observed.h), the event log (event.h) and encrypted secrets (secrets.h).
 * The store knows nothing of TOML, Docker or wasm; it stores their text.
 *
 * Threads: a struct store is one SQLite connection and is used by one thread
 * at a time. Each thread that needs the store (control loop, each API
 * thread, the CLI) opens its own; SQLite's WAL lets readers run beside the
 * one writer, and writers wait up to STORE_BUSY_TIMEOUT_MS for each other.
 *
 * Every function returns 0 or a negative code and fills the struct err on
 * failure. Codes: ERR_INVALID (bad argument), ERR_TOOBIG (over a bound below),
 * ERR_NOTFOUND, ERR_CONFLICT (constraint, wrong state), ERR_TIMEOUT (the
 * database stayed locked), ERR_UNSUPPORTED (database newer than this code),
 * a negative errno for file system failures, ERR_FAIL otherwise.
 */
#ifndef ORCA_STORE_STORE_H
#define ORCA_STORE_STORE_H

#include <stdint.h>

#include "base/err.h"

struct store;

/* Bounds. Anything larger is refused with ERR_TOOBIG before it is stored. */
#define STORE_NAME_MAX 63                 /* project, service names */
#define STORE_ID_MAX 128                  /* container ids */
#define STORE_KIND_MAX 64                 /* event kinds */
#define STORE_MESSAGE_MAX 4096            /* deploy and event messages, errors */
#define STORE_SOURCE_MAX (1 << 20)        /* service.toml / cluster.toml text */
#define STORE_SPEC_MAX (4 << 20)          /* normalised spec JSON */
#define STORE_PROGRESS_MAX (1 << 20)      /* deploy progress JSON */
#define STORE_STATE_MAX (64 << 10)        /* per-container state JSON */
#define STORE_PROJECTS_MAX 256            /* projects in one deploy */
#define STORE_LIST_MAX 1000               /* rows returned by one list call */
#define STORE_EVENTS_KEEP 100000          /* the event log is pruned to this */
#define STORE_BUSY_TIMEOUT_MS 5000

/*
 * Opens (creating if needed) the store under data_dir: creates the directory
 * with mode 0700, opens or creates orca.db (mode 0600) and master.key (see
 * secrets.h), and migrates the schema to the version this code knows. A
 * database written by a newer orca is refused with ERR_UNSUPPORTED.
 * data_dir is borrowed for the call; *out is freed with store_close().
 */
int store_open(const char *data_dir, struct store **out, struct err *e);
/* The same with the master key in the file key_path (NULL: <data_dir>/
 * master.key), which may live outside the data directory: on another disk,
 * or in systemd's $CREDENTIALS_DIRECTORY (see base/paths.h). */
int store_open_key(const char *data_dir, const char *key_path, struct store **out,
		   struct err *e);
/*
 * Makes this process the one server of data_dir (created if needed): an
 * exclusive flock on <data_dir>/orca.lock, which then holds this pid. Take
 * it before anything else reads or changes the directory or the engine.
 * ERR_CONFLICT, with the holder's pid, when another process holds it. The
 * lock lasts until store_unlock_dir or the process ends.
 */
struct store_lock;
int store_lock_dir(const char *data_dir, struct store_lock **out, struct err *e);
void store_unlock_dir(struct store_lock *l);

/* Closes the connection; rolls back a transaction left open. NULL is fine. */
void store_close(struct store *st);

/* The schema version of the open database, and the newest this code knows. */
int store_schema_version(struct store *st, int *version, struct err *e);
int store_schema_latest(void);

/*
 * An explicit transaction around several calls, e.g. a deploy that records a
 * new revision for each of several projects: either all of them are kept
 * (store_commit) or none (store_rollback). Calls made inside it join it;
 * a call that fails inside it undoes only its own changes, and the caller
 * then decides to roll back. Not nestable: a second store_begin is
 * ERR_CONFLICT. The write lock is taken at store_begin (BEGIN IMMEDIATE), so
 * keep these short: other writers wait for them.
 */
int store_begin(struct store *st, struct err *e);
/* On failure the transaction is rolled back; nothing was recorded. */
int store_commit(struct store *st, struct err *e);
/* Undoes everything since store_begin; a no-op when none is open. */
void store_rollback(struct store *st);

/* Wall-clock milliseconds since the Unix epoch; the unit of every *_ms field. */
int64_t store_now_ms(void);

/* The data directory, as given to store_open. Borrowed. */
const char *store_dir(const struct store *st);

#endif
