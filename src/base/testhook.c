/*
 * testhook.c - the pause points of testhook.h: files and a 10 ms poll.
 */
#include "base/testhook.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

void testhook_pause(const char *name)
{
	const char *dir = getenv("ORCA_TESTHOOK_DIR");
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char armed[4096], paused[4096];
	int fd;

	if (dir == NULL || *dir == '\0')
		return;
	snprintf(armed, sizeof(armed), "%s/%s.pause", dir, name);
	snprintf(paused, sizeof(paused), "%s/%s.paused", dir, name);
	if (access(armed, F_OK) != 0)
		return;
	fd = open(paused, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < TESTHOOK_MAX_WAIT_S * 100 && access(armed, F_OK) == 0 &&
			access(paused, F_OK) == 0; i++)
		nanosleep(&tick, NULL);
	unlink(paused);
}
