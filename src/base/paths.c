/*
 * paths.c - the default data directory and the master key's place. Reads
 * the environment and the password database (thread-safely); creates
 * nothing.
 */
#include "base/paths.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/xalloc.h"

/* A malloc'd home directory, or NULL. */
static char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (home != NULL && home[0] == '/')
		return xstrdup(home);
	if (getpwuid_r(getuid(), &pw, tmp, sizeof(tmp), &res) != 0 || res == NULL ||
	    pw.pw_dir == NULL || pw.pw_dir[0] != '/')
		return NULL;
	return xstrdup(pw.pw_dir);
}

char *paths_data_dir(struct err *e)
{
	const char *v = getenv("ORCA_DATA");
	char *home, *dir;

	if (v != NULL && v[0] != '\0')
		return xstrdup(v);
	if (geteuid() == 0)
		return xstrdup("/var/lib/orca");
	v = getenv("XDG_STATE_HOME");
	if (v != NULL && v[0] == '/')
		return xasprintf("%s/orca", v);
	home = home_dir();
	if (home != NULL) {
		dir = xasprintf("%s/.local/state/orca", home);
		free(home);
		return dir;
	}
	err_set(e, ERR_NOTFOUND, "no home directory to keep orca's data in; set ORCA_DATA");
	return NULL;
}

char *paths_socket_in(const char *data_dir)
{
	size_t n = 0;

	while (data_dir[n] != '\0')
		n++;
	while (n > 1 && data_dir[n - 1] == '/')
		n--;
	return xasprintf("%.*s/%s", (int)n, data_dir, PATHS_SOCKET_NAME);
}

char *paths_key_file(const char *flag)
{
	const char *v = getenv("ORCA_KEY_FILE");
	char *cred;

	if (flag != NULL && flag[0] != '\0')
		return xstrdup(flag);
	if (v != NULL && v[0] != '\0')
		return xstrdup(v);
	v = getenv("CREDENTIALS_DIRECTORY");
	if (v == NULL || v[0] == '\0')
		return NULL;
	cred = xasprintf("%s/%s", v, PATHS_CREDENTIAL_KEY);
	if (access(cred, F_OK) == 0)
		return cred;
	free(cred);
	return NULL;
}
