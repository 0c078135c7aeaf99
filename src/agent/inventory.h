/*
 * inventory.h - what a node has, seen on the node itself: memory, CPUs,
 * GPUs, the engine's runtimes, the agent's version.
 *
 * GPUs are detected, never taken from cluster.toml:
 *  - NVIDIA: `nvidia-smi --query-gpu=name,memory.total,uuid --format=csv,
 *    noheader,nounits`, else `nvidia-smi -L`; the engine's "nvidia" runtime
 *    is reported beside them (a node may have GPUs that no container can
 *    use, or the reverse);
 *  - AMD: /dev/kfd plus every /sys/class/drm/cardN whose device/vendor is
 *    0x1002 (model from device/product_name, VRAM from
 *    device/mem_info_vram_total).
 * Tests give a root directory that stands for "/" (fake /dev/kfd, fake
 * /sys/class/drm, a fake nvidia-smi in ROOT/usr/bin): the only way these
 * paths are reached on machines without GPUs.
 *
 * Runs nvidia-smi with posix_spawn (no shell), bounded in time and output.
 * Library code: never logs.
 */
#ifndef ORCA_AGENT_INVENTORY_H
#define ORCA_AGENT_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "config/model.h"

#define INVENTORY_GPUS_MAX 64
#define INVENTORY_RUNTIMES_MAX 16
#define INVENTORY_SMI_TIMEOUT_MS 5000
#define INVENTORY_SMI_OUTPUT_MAX (64 * 1024)

struct inventory_gpu {
	enum gpu_vendor vendor;
	char model[128];
	int64_t vram_mib;          /* 0: unknown */
	char id[80];               /* NVIDIA UUID, or the DRM card ("card0") */
};

struct inventory {
	int64_t memory_bytes;
	int64_t cpu_millis;
	struct inventory_gpu gpus[INVENTORY_GPUS_MAX];
	size_t ngpus;
	char runtimes[INVENTORY_RUNTIMES_MAX][32];   /* the engine's, "runc", "nvidia" */
	size_t nruntimes;
	char agent_version[32];
	char docker_version[32];   /* "" when the engine did not say */
	char kernel[64];
	int mtu;                   /* of the interface with the node's address; 0 unknown */
	int esp_gcm;               /* encrypted overlays work: 1 yes, 0 no, -1 unknown */
};

struct inventory_opts {
	const char *root;          /* stands for "/"; NULL: the real one */
	const char *nvidia_smi;    /* NULL: ROOT/usr/bin/nvidia-smi, then
				    * ROOT/bin/nvidia-smi (and $PATH with no root) */
};

/* Fills inv (memory, CPUs, GPUs, kernel, agent version). Never fails on a
 * missing GPU tool; e only for a root that cannot be read. */
int inventory_detect(struct inventory *inv, const struct inventory_opts *o, struct err *e);

/* Adds the runtimes of the engine's GET /info ("Runtimes" object) and its
 * version. info is borrowed. */
void inventory_add_engine(struct inventory *inv, const json_t *info);

/*
 * Parsers of nvidia-smi's output, exposed for tests and the fuzzer: each
 * appends what it recognises to inv (up to INVENTORY_GPUS_MAX) and ignores
 * other lines. Returns the number of GPUs added.
 */
size_t inventory_parse_smi_csv(struct inventory *inv, const char *text, size_t len);
size_t inventory_parse_smi_list(struct inventory *inv, const char *text, size_t len);

/* The MTU of the interface that holds the IPv4 address ip; 0 unknown. */
int inventory_underlay_mtu(const char *ip);
/* Can this kernel do IPsec ESP with rfc4106(gcm(aes))? 1, 0, or -1 when it
 * could not be checked (not root). */
int inventory_esp_gcm(void);

/* The count of GPUs of a vendor. */
int inventory_gpu_count(const struct inventory *inv, enum gpu_vendor v);

/* JSON both ways (the agent sends it with each heartbeat). from_json
 * ignores unknown fields and caps every list. */
json_t *inventory_to_json(const struct inventory *inv);
int inventory_from_json(const json_t *j, struct inventory *inv, struct err *e);

#endif
