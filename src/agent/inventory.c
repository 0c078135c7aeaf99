/*
 * inventory.c - memory, CPUs, kernel and AMD GPUs, read from the node.
 */
#include "agent/inventory.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sched/scheduler.h"

int inventory_smi_detect(struct inventory *inv, const struct inventory_opts *o);

static void path_in(char *out, size_t n, const char *root, const char *path)
{
	snprintf(out, n, "%s%s", root ? root : "", path);
}

/* drm/card/rest, or "" when it does not fit (then nothing is read). */
static void card_path(char *out, size_t n, const char *drm, const char *card, const char *rest)
{
	int len = snprintf(out, n, "%s/%s/%s", drm, card, rest);

	if (len < 0 || (size_t)len >= n)
		out[0] = '\0';
}

/* The first line of a small file, trimmed; "" when unreadable. */
static void read_line(const char *path, char *out, size_t n)
{
	FILE *f = path[0] ? fopen(path, "re") : NULL;
	size_t len;

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(out, (int)n, f) == NULL)
		out[0] = '\0';
	fclose(f);
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' ' || out[len - 1] == '\r'))
		out[--len] = '\0';
}

/* "card0", "card12": a GPU; "card0-DP-1": one of its connectors. */
static bool is_card(const char *name)
{
	if (strncmp(name, "card", 4) != 0 || name[4] == '\0')
		return false;
	for (const char *p = name + 4; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static void add_amd(struct inventory *inv, const char *drm, const char *card)
{
	char path[1024], value[64];
	struct inventory_gpu *g;

	card_path(path, sizeof(path), drm, card, "device/vendor");
	read_line(path, value, sizeof(value));
	if (strcmp(value, "0x1002") != 0 || inv->ngpus >= INVENTORY_GPUS_MAX)
		return;
	g = &inv->gpus[inv->ngpus++];
	memset(g, 0, sizeof(*g));
	g->vendor = GPU_AMD;
	snprintf(g->id, sizeof(g->id), "%s", card);
	card_path(path, sizeof(path), drm, card, "device/product_name");
	read_line(path, g->model, sizeof(g->model));
	if (g->model[0] == '\0') {
		card_path(path, sizeof(path), drm, card, "device/device");
		read_line(path, value, sizeof(value));
		snprintf(g->model, sizeof(g->model), "AMD GPU %s", value[0] ? value : "?");
	}
	card_path(path, sizeof(path), drm, card, "device/mem_info_vram_total");
	read_line(path, value, sizeof(value));
	g->vram_mib = strtoll(value, NULL, 10) / (1024 * 1024);
}

static int cmp_names(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);   /* card2 before card10 */
}

/* AMD's compute stack needs /dev/kfd; the cards are the DRM devices. */
static void detect_amd(struct inventory *inv, const char *root)
{
	char kfd[512], drm[512];
	char *names[INVENTORY_GPUS_MAX];
	size_t n = 0;
	struct stat st;
	struct dirent *d;
	DIR *dir;

	path_in(kfd, sizeof(kfd), root, "/dev/kfd");
	path_in(drm, sizeof(drm), root, "/sys/class/drm");
	if (stat(kfd, &st) < 0 || (dir = opendir(drm)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL && n < INVENTORY_GPUS_MAX)
		if (is_card(d->d_name))
			names[n++] = strdup(d->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (names[i])
			add_amd(inv, drm, names[i]);
		free(names[i]);
	}
}

int inventory_detect(struct inventory *inv, const struct inventory_opts *o, struct err *e)
{
	struct scheduler_host host = { 0 };
	struct utsname u;
	struct stat st;

	memset(inv, 0, sizeof(*inv));
	if (o->root && (stat(o->root, &st) < 0 || !S_ISDIR(st.st_mode)))
		return err_errno(e, errno ? errno : ENOTDIR, "inventory root '%s'", o->root);
	scheduler_host_detect(&host);
	inv->memory_bytes = host.memory_bytes;
	inv->cpu_millis = host.cpu_millis;
	snprintf(inv->agent_version, sizeof(inv->agent_version), "%s", ORCA_VERSION);
	if (uname(&u) == 0)
		snprintf(inv->kernel, sizeof(inv->kernel), "%.63s", u.release);
	inv->esp_gcm = inventory_esp_gcm();
	inventory_smi_detect(inv, o);
	detect_amd(inv, o->root);
	return 0;
}

int inventory_gpu_count(const struct inventory *inv, enum gpu_vendor v)
{
	int n = 0;

	for (size_t i = 0; i < inv->ngpus; i++)
		n += inv->gpus[i].vendor == v;
	return n;
}
