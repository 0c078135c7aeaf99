/*
 * docker.h - orca's client of the Docker Engine API: everything orca asks
 * of the engine, over libcurl on the engine's unix socket, JSON by jansson.
 *
 * May be called by reconcile/, api/, cli/ (and tests); calls only base/.
 * One struct docker_client per thread, every call synchronous, streams
 * through callbacks, any call cancellable from another thread: client.h.
 *
 *	client.h     connection, version negotiation, cancel, labels
 *	image.h      inspect, pull, ensure
 *	network.h    create (idempotent), connect with aliases, list by label
 *	volume.h     create (idempotent), remove, list by label
 *	container.h  create from a spec, start/stop/kill/remove, inspect, list
 *	logs.h       logs and exec output (frame.h decodes the 8-byte framing)
 *	events.h     the event stream (die, oom, start, health_status)
 */
#ifndef ORCA_DOCKER_DOCKER_H
#define ORCA_DOCKER_DOCKER_H

#include "docker/client.h"
#include "docker/container.h"
#include "docker/events.h"
#include "docker/frame.h"
#include "docker/image.h"
#include "docker/logs.h"
#include "docker/network.h"
#include "docker/volume.h"

#endif
