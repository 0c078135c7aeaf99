/*
 * load.c - finding and reading a config directory:
 * DIR/cluster.toml (optional) and DIR/services/<project>/service.toml.
 *
 * Paths in diagnostics are as the user wrote DIR ("examples/services/..."),
 * without a "./" prefix when DIR is ".".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "config/load.h"
#include "config/toml.h"

#define PROJECTS_MAX 1000

/* DIR/name, or name alone when DIR is "." */
static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (strcmp(dir, ".") == 0 || n == 0)
		return xstrdup(name);
	if (dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

/*
 * Reads a whole file of at most TOML_MAX_BYTES. Returns 0, -ENOENT when it
 * does not exist, or another negative code after a diagnostic.
 */
static int read_file(const char *path, struct buf *out, struct diags *d)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0) {
		if (errno != ENOENT)
			diags_add(d, path, 0, 0, "cannot open: %s", strerror(errno));
		return -errno;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diags_add(d, path, 0, 0, "cannot read: %s", strerror(errno));
			rc = -EIO;
			goto out;
		}
		if (out->len + (size_t)n > TOML_MAX_BYTES) {
			diags_add(d, path, 0, 0, "file is larger than %u bytes", TOML_MAX_BYTES);
			rc = -EFBIG;
			goto out;
		}
		buf_append(out, chunk, (size_t)n);
	}
out:
	close(fd);
	return rc;
}

/* Returns read_file's code: -ENOENT when there is no cluster.toml. */
static int load_cluster(struct config *c, const char *dir, struct diags *d)
{
	char *path = join(dir, "cluster.toml");
	struct buf b = BUF_INIT;
	int rc = read_file(path, &b, d);

	if (rc == 0)
		config_add_cluster_text(c, path, buf_str(&b), b.len, d);
	buf_release(&b);
	free(path);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The subdirectory names of dir, sorted, hidden ones left out. */
static size_t list_subdirs(const char *dir, char ***out, struct diags *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (dp == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			diags_add(d, dir, 0, 0, "cannot open directory: %s", strerror(errno));
		return 0;
	}
	while ((de = readdir(dp)) != NULL && n < PROJECTS_MAX) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = join(dir, de->d_name);
		if (is_dir(path)) {
			XGROW(names, cap, n + 1);
			names[n++] = xstrdup(de->d_name);
		}
		free(path);
	}
	closedir(dp);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	return n;
}

/* Adds DIR/services/name as a project when it holds a service.toml. */
static bool load_project(struct config *c, const char *services, const char *name,
			 struct diags *d)
{
	char *pdir = join(services, name), *file = join(pdir, "service.toml");
	struct buf b = BUF_INIT;
	int rc = read_file(file, &b, d);

	if (rc == 0)
		config_add_project_text(c, name, pdir, file, buf_str(&b), b.len, d);
	buf_release(&b);
	free(file);
	free(pdir);
	return rc != -ENOENT;
}

void config_load_dir(const char *dir, struct config **out, struct diags *d)
{
	struct config *c = config_new();
	struct stat st;
	char *services;
	char **names;
	size_t n, found = 0;

	*out = c;
	if (stat(dir, &st) < 0) {
		diags_add(d, dir, 0, 0, "%s", errno == ENOENT ? "no such directory"
			  : strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		diags_add(d, dir, 0, 0, "not a directory");
		return;
	}
	services = join(dir, "services");
	n = list_subdirs(services, &names, d);
	load_cluster(c, dir, d);
	for (size_t i = 0; i < n; i++) {
		found += load_project(c, services, names[i], d);
		free(names[i]);
	}
	free(names);
	if (found == 0)
		diags_add(d, NULL, 0, 0, "no projects found under %s (each project is a "
			  "directory holding a service.toml)", services);
	free(services);
	config_check(c, d);
}

void config_load_cluster(const char *dir, struct config **out, struct diags *d)
{
	*out = config_new();
	if (load_cluster(*out, dir, d) == -ENOENT)
		diags_add(d, dir, 0, 0, "no cluster.toml in this directory");
}
