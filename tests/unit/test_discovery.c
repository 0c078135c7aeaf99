/*
 * test_discovery.c - config_load_dir on real directories: which projects are
 * found, how paths are written in diagnostics, what is an error.
 */
#include "unit.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "config/load.h"
#include "config/toml.h"

#define SVC "[[service]]\nname = \"api\"\nimage = \"api:1\"\n"

static char root[PATH_MAX];

static void mkdirs(const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		UNIT_FAIL_AT("mkdir %s: %s", path, strerror(errno));
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((f = fopen(path, "w")) == NULL) {
		UNIT_FAIL_AT("fopen %s: %s", path, strerror(errno));
		return;
	}
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void fresh_root(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(root, sizeof(root), "/tmp/orca-discovery-XXXXXX");
	if (mkdtemp(root) == NULL)
		UNIT_FAIL_AT("mkdtemp: %s", strerror(errno));
}

/* Loads root (or rel under it) and returns the sorted formatted diags, with
 * root replaced by "ROOT" for stable expectations. */
static char *load_diags(const char *dir, struct config **out)
{
	struct diags d = { 0 };
	struct config *c = NULL;
	char *text = xstrdup("");

	config_load_dir(dir, &c, &d);
	diags_sort(&d);
	for (size_t i = 0; i < d.len; i++) {
		char *line = diag_format(&d.items[i]), *at, *next;

		while ((at = strstr(line, root)) != NULL) {
			*at = '\0';
			next = xasprintf("%sROOT%s", line, at + strlen(root));
			free(line);
			line = next;
		}
		next = xasprintf("%s%s\n", text, line);
		free(text);
		free(line);
		text = next;
	}
	diags_release(&d);
	if (out)
		*out = c;
	else
		config_free(c);
	return text;
}

TEST(projects_found_and_sorted)
{
	struct config *c;
	char *got;

	fresh_root();
	mkdirs("services/web");
	mkdirs("services/backend");
	mkdirs("services/docs");       /* no service.toml: skipped */
	mkdirs("services/.git");       /* hidden: skipped */
	put("services/web/service.toml", SVC);
	put("services/backend/service.toml", SVC);
	put("services/README", "not a project");
	got = load_diags(root, &c);
	EXPECT_STREQ("", got);
	EXPECT_EQ_INT(2, c->nprojects);
	EXPECT_STREQ("backend", c->projects[0].name);
	EXPECT_STREQ("web", c->projects[1].name);
	EXPECT_STREQ("api", c->projects[1].services[0].name);
	EXPECT_STREQ("orca", c->cluster.name);
	free(got);
	config_free(c);
}

TEST(paths_are_as_written)
{
	char *got, dir[PATH_MAX + 16];

	fresh_root();
	mkdirs("services/app");
	put("services/app/service.toml", "[[service]]\nname = \"api\"\nimage = \"api:1\"\nport = 0\n");
	put("cluster.toml", "[cluster]\nnmae = \"x\"\n");
	snprintf(dir, sizeof(dir), "%s/", root);  /* a trailing slash is not doubled */
	got = load_diags(dir, NULL);
	EXPECT_STREQ("ROOT/cluster.toml:2:1: cluster: unknown key 'nmae' in [cluster] (did you "
		     "mean 'name'?)\n"
		     "ROOT/services/app/service.toml:4:8: service 'api': 'port' must be between 1 "
		     "and 65535, not 0\n", got);
	free(got);
}

TEST(dot_dir_has_no_prefix)
{
	char cwd[PATH_MAX], *got;
	struct config *c;

	fresh_root();
	mkdirs("services/app");
	put("services/app/service.toml", "[[service]]\nname = \"edge\"\nruntime = \"wasm\"\n"
					 "module = \"edge.wasm\"\nport = 0\n");
	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(root) < 0) {
		UNIT_FAIL_AT("chdir: %s", strerror(errno));
		return;
	}
	got = load_diags(".", &c);
	EXPECT_STREQ("services/app/service.toml:5:8: service 'edge': 'port' must be between 1 "
		     "and 65535, not 0\n", got);
	EXPECT_STREQ("services/app/edge.wasm", c->projects[0].services[0].module_path);
	EXPECT_STREQ("services/app", c->projects[0].dir);
	if (chdir(cwd) < 0)
		UNIT_FAIL_AT("chdir back: %s", strerror(errno));
	free(got);
	config_free(c);
}

TEST(bad_project_dir_name)
{
	char *got;

	fresh_root();
	mkdirs("services/My_App");
	put("services/My_App/service.toml", SVC);
	got = load_diags(root, NULL);
	EXPECT_STREQ("ROOT/services/My_App: project name 'My_App' is invalid: only a-z, 0-9 and "
		     "'-' are allowed\n", got);
	free(got);
}

TEST(no_services_dir)
{
	char *got;

	fresh_root();
	put("cluster.toml", "");
	got = load_diags(root, NULL);
	EXPECT_STREQ("no projects found under ROOT/services (each project is a directory "
		     "holding a service.toml)\n", got);
	free(got);
}

TEST(services_dir_without_projects)
{
	char *got;

	fresh_root();
	mkdirs("services/empty");
	put("services/empty/notes.txt", "");
	got = load_diags(root, NULL);
	EXPECT_CONTAINS(got, "no projects found under ROOT/services");
	free(got);
}

TEST(missing_dir)
{
	char *got, dir[PATH_MAX + 16];

	fresh_root();
	snprintf(dir, sizeof(dir), "%s/nope", root);
	got = load_diags(dir, NULL);
	EXPECT_STREQ("ROOT/nope: no such directory\n", got);
	free(got);
	snprintf(dir, sizeof(dir), "%s/file", root);
	put("file", "");
	got = load_diags(dir, NULL);
	EXPECT_STREQ("ROOT/file: not a directory\n", got);
	free(got);
}

TEST(cluster_toml_errors_and_syntax_errors_are_collected)
{
	char *got;

	fresh_root();
	mkdirs("services/a");
	mkdirs("services/b");
	put("services/a/service.toml", "[[service]\n");
	put("services/b/service.toml", "[[service]]\nname = \"x\"\nimage = \"x\"\nbogus = 1\n");
	put("cluster.toml", "[[node]]\nname = \"n1\"\n[[node]]\nname = \"n1\"\n");
	got = load_diags(root, NULL);
	EXPECT_CONTAINS(got, "ROOT/cluster.toml:4:8: node name 'n1' is already used by the "
			"node at line 1\n");
	EXPECT_CONTAINS(got, "ROOT/services/a/service.toml:1:");
	EXPECT_CONTAINS(got, "ROOT/services/b/service.toml:4:1: service 'x': unknown key 'bogus'\n");
	free(got);
}

TEST(file_too_big)
{
	char path[PATH_MAX * 2], *got;
	FILE *f;

	fresh_root();
	mkdirs("services/big");
	snprintf(path, sizeof(path), "%s/services/big/service.toml", root);
	if ((f = fopen(path, "w")) == NULL) {
		UNIT_FAIL_AT("fopen %s: %s", path, strerror(errno));
		return;
	}
	for (unsigned i = 0; i <= TOML_MAX_BYTES / 64; i++)
		fprintf(f, "# %61u\n", i);
	fclose(f);
	got = load_diags(root, NULL);
	EXPECT_STREQ("ROOT/services/big/service.toml: file is larger than 4194304 bytes\n", got);
	free(got);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

UNIT_MAIN
