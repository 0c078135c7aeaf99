/*
 * test_inventory.c - GPUs detected on a node, through a fake root: a fake
 * /dev/kfd and /sys/class/drm for AMD, a fake nvidia-smi for NVIDIA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/inventory.h"
#include "unit.h"

static char root[256];

static void put(const char *rel, const char *text, int mode)
{
	char path[512], dir[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static void fresh_root(void)
{
	char cmd[300];

	if (root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd) != 0)
			exit(1);
	}
	snprintf(root, sizeof(root), "/tmp/orca-inv-XXXXXX");
	if (mkdtemp(root) == NULL)
		exit(1);
}

static void amd_card(const char *card, const char *vendor, const char *product, const char *vram)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/class/drm/%s/device/vendor", card);
	put(rel, vendor, 0644);
	if (product) {
		snprintf(rel, sizeof(rel), "sys/class/drm/%s/device/product_name", card);
		put(rel, product, 0644);
	}
	if (vram) {
		snprintf(rel, sizeof(rel), "sys/class/drm/%s/device/mem_info_vram_total", card);
		put(rel, vram, 0644);
	}
}

TEST(amd_cards_with_kfd)
{
	struct inventory inv;
	struct inventory_opts o = { 0 };
	struct err e = { 0 };

	fresh_root();
	put("dev/kfd", "", 0644);
	amd_card("card0", "0x1002\n", "AMD Instinct MI210\n", "68702699520\n");
	amd_card("card10", "0x1002\n", NULL, NULL);
	amd_card("card1", "0x8086\n", "Intel UHD\n", NULL);        /* not AMD */
	put("sys/class/drm/card0-DP-1/status", "connected\n", 0644);  /* a connector */
	put("sys/class/drm/card0/device/device", "0x740f\n", 0644);
	put("sys/class/drm/card10/device/device", "0x73bf\n", 0644);
	o.root = root;
	EXPECT_EQ_INT(0, inventory_detect(&inv, &o, &e));
	EXPECT_EQ_INT(2, inv.ngpus);
	EXPECT_EQ_INT(2, inventory_gpu_count(&inv, GPU_AMD));
	EXPECT_STREQ("AMD Instinct MI210", inv.gpus[0].model);
	EXPECT_EQ_INT(65520, inv.gpus[0].vram_mib);
	EXPECT_STREQ("card0", inv.gpus[0].id);
	EXPECT_STREQ("AMD GPU 0x73bf", inv.gpus[1].model);   /* card10 after card0 */
	EXPECT_TRUE(inv.memory_bytes > 0);
	EXPECT_TRUE(inv.cpu_millis > 0);
}

TEST(amd_cards_without_kfd_are_not_gpus)
{
	struct inventory inv;
	struct inventory_opts o = { 0 };
	struct err e = { 0 };

	fresh_root();
	amd_card("card0", "0x1002\n", "AMD Radeon\n", NULL);
	o.root = root;
	EXPECT_EQ_INT(0, inventory_detect(&inv, &o, &e));
	EXPECT_EQ_INT(0, inv.ngpus);
}

TEST(nvidia_smi_query)
{
	struct inventory inv;
	struct inventory_opts o = { 0 };
	struct err e = { 0 };

	fresh_root();
	put("usr/bin/nvidia-smi", "#!/bin/sh\n"
	    "case \"$1\" in --query-gpu=*) ;; *) exit 9;; esac\n"
	    "echo 'NVIDIA A100-SXM4-40GB, 40960, GPU-5c6f0000-aaaa'\n"
	    "echo 'NVIDIA A100-SXM4-40GB, 40960, GPU-5c6f0000-bbbb'\n", 0755);
	o.root = root;
	EXPECT_EQ_INT(0, inventory_detect(&inv, &o, &e));
	EXPECT_EQ_INT(2, inventory_gpu_count(&inv, GPU_NVIDIA));
	EXPECT_STREQ("NVIDIA A100-SXM4-40GB", inv.gpus[0].model);
	EXPECT_EQ_INT(40960, inv.gpus[0].vram_mib);
	EXPECT_STREQ("GPU-5c6f0000-bbbb", inv.gpus[1].id);
}

TEST(nvidia_smi_list_when_query_fails)
{
	struct inventory inv;
	struct inventory_opts o = { 0 };
	struct err e = { 0 };

	fresh_root();
	put("usr/bin/nvidia-smi", "#!/bin/sh\n"
	    "[ \"$1\" = -L ] || exit 3\n"
	    "echo 'GPU 0: Tesla T4 (UUID: GPU-aaaa)'\n", 0755);
	o.root = root;
	EXPECT_EQ_INT(0, inventory_detect(&inv, &o, &e));
	EXPECT_EQ_INT(1, inv.ngpus);
	EXPECT_STREQ("Tesla T4", inv.gpus[0].model);
	EXPECT_STREQ("GPU-aaaa", inv.gpus[0].id);
	EXPECT_EQ_INT(0, inv.gpus[0].vram_mib);
}

TEST(nvidia_smi_that_hangs_is_cut)
{
	struct inventory inv;
	struct inventory_opts o = { 0 };
	struct err e = { 0 };

	fresh_root();
	put("usr/bin/nvidia-smi", "#!/bin/sh\nexec sleep 60\n", 0755);
	o.root = root;
	EXPECT_EQ_INT(0, inventory_detect(&inv, &o, &e));
	EXPECT_EQ_INT(0, inv.ngpus);
}

TEST(missing_root_is_an_error)
{
	struct inventory inv;
	struct inventory_opts o = { .root = "/nonexistent/orca-root" };
	struct err e = { 0 };

	EXPECT_TRUE(inventory_detect(&inv, &o, &e) < 0);
	EXPECT_TRUE(strstr(e.msg, "/nonexistent/orca-root") != NULL);
}

TEST(parsers_ignore_junk)
{
	static const char csv[] = "garbage\n, 12, x\nA, notanumber, y\nB, -5, z\nGood, 1024\n";
	static const char list[] = "No devices were found\nGPU 1: X (UUID: \nGPU 2: Y\n";
	struct inventory inv;

	memset(&inv, 0, sizeof(inv));
	EXPECT_EQ_INT(1, inventory_parse_smi_csv(&inv, csv, sizeof(csv) - 1));
	EXPECT_STREQ("Good", inv.gpus[0].model);
	EXPECT_STREQ("", inv.gpus[0].id);
	memset(&inv, 0, sizeof(inv));
	EXPECT_EQ_INT(2, inventory_parse_smi_list(&inv, list, sizeof(list) - 1));
	EXPECT_STREQ("X", inv.gpus[0].model);
	EXPECT_STREQ("Y", inv.gpus[1].model);
}

TEST(at_most_gpus_max)
{
	struct inventory inv;
	char text[100 * 32] = "";

	memset(&inv, 0, sizeof(inv));
	for (int i = 0; i < 100; i++)
		strcat(text, "GPU 0: Z (UUID: u)\n");
	EXPECT_EQ_INT(INVENTORY_GPUS_MAX, inventory_parse_smi_list(&inv, text, strlen(text)));
	EXPECT_EQ_INT(INVENTORY_GPUS_MAX, inv.ngpus);
}

TEST(json_round_trip)
{
	struct inventory a, b;
	struct err e = { 0 };
	json_t *j, *info;

	memset(&a, 0, sizeof(a));
	a.memory_bytes = 1 << 30;
	a.cpu_millis = 4000;
	a.ngpus = 1;
	a.gpus[0].vendor = GPU_AMD;
	snprintf(a.gpus[0].model, sizeof(a.gpus[0].model), "MI210");
	a.gpus[0].vram_mib = 65520;
	a.mtu = 1400;
	a.esp_gcm = 0;
	info = json_pack("{s:{s:{}, s:{}}, s:s}", "Runtimes", "runc", "nvidia", "ServerVersion",
			 "20.10.24");
	inventory_add_engine(&a, info);
	json_decref(info);
	j = inventory_to_json(&a);
	EXPECT_EQ_INT(0, inventory_from_json(j, &b, &e));
	EXPECT_EQ_INT(a.memory_bytes, b.memory_bytes);
	EXPECT_EQ_INT(1, b.ngpus);
	EXPECT_EQ_INT(GPU_AMD, b.gpus[0].vendor);
	EXPECT_STREQ("MI210", b.gpus[0].model);
	EXPECT_EQ_INT(2, b.nruntimes);
	EXPECT_STREQ("20.10.24", b.docker_version);
	EXPECT_EQ_INT(1400, b.mtu);
	EXPECT_EQ_INT(0, b.esp_gcm);
	json_decref(j);
	a.esp_gcm = -1;   /* unknown: null, and back */
	j = inventory_to_json(&a);
	EXPECT_TRUE(json_is_null(json_object_get(j, "esp_gcm")));
	EXPECT_EQ_INT(0, inventory_from_json(j, &b, &e));
	EXPECT_EQ_INT(-1, b.esp_gcm);
	json_decref(j);
}

TEST(json_bad_input)
{
	struct inventory inv;
	struct err e = { 0 };
	json_t *j = json_pack("{s:[{s:s}]}", "gpus", "vendor", "intel");

	EXPECT_TRUE(inventory_from_json(j, &inv, &e) < 0);
	EXPECT_TRUE(strstr(e.msg, "unknown GPU vendor 'intel'") != NULL);
	json_decref(j);
	j = json_pack("{s:I}", "memory_bytes", (json_int_t)-1);
	err_clear(&e);
	EXPECT_TRUE(inventory_from_json(j, &inv, &e) < 0);
	json_decref(j);
	j = json_array();
	EXPECT_TRUE(inventory_from_json(j, &inv, &e) < 0);
	json_decref(j);
}

TEST(esp_check_answers)
{
	int r = inventory_esp_gcm();

	/* root on a kernel with or without ESP/GCM: 1 or 0; -1 only when the
	 * check could not run (no root) */
	EXPECT_TRUE(r == 1 || r == 0 || (r == -1 && geteuid() != 0));
	EXPECT_EQ_INT(0, inventory_underlay_mtu("192.0.2.77"));   /* no such address here */
	EXPECT_EQ_INT(0, inventory_underlay_mtu("not an address"));
}

TEST(cleanup)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	EXPECT_EQ_INT(0, system(cmd));
}

UNIT_MAIN
