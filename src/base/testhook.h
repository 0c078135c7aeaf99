/*
 * testhook.h - named pause points, so that tests can order a race.
 *
 * testhook_pause("name") does nothing unless $ORCA_TESTHOOK_DIR is set and
 * holds a file "name.pause": then it creates "name.paused" beside it and
 * waits (at most TESTHOOK_MAX_WAIT_S) until the test removes either file.
 * A test arms the point, waits for the thread to arrive, acts, and lets
 * the thread go: removing "name.paused" lets this pass go and keeps the
 * point armed for the next one, removing "name.pause" disarms it. Production
 * servers never set the variable; the cost then is one getenv per call.
 */
#ifndef ORCA_BASE_TESTHOOK_H
#define ORCA_BASE_TESTHOOK_H

#define TESTHOOK_MAX_WAIT_S 120

void testhook_pause(const char *name);

#endif
