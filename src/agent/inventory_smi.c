/*
 * inventory_smi.c - NVIDIA GPUs through nvidia-smi, started without a
 * shell, given INVENTORY_SMI_TIMEOUT_MS and INVENTORY_SMI_OUTPUT_MAX bytes.
 */
#include "agent/inventory.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"

extern char **environ;

int inventory_smi_detect(struct inventory *inv, const struct inventory_opts *o);

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct inventory_gpu *next_gpu(struct inventory *inv)
{
	struct inventory_gpu *g;

	if (inv->ngpus >= INVENTORY_GPUS_MAX)
		return NULL;
	g = &inv->gpus[inv->ngpus++];
	memset(g, 0, sizeof(*g));
	g->vendor = GPU_NVIDIA;
	return g;
}

/* Copies s[0..n) without surrounding blanks. */
static void copy_trim(char *out, size_t outsz, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Splits text into lines and hands each (without '\n') to fn. */
static size_t each_line(struct inventory *inv, const char *text, size_t len,
			bool (*fn)(struct inventory *, const char *, size_t))
{
	size_t added = 0;

	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;

		if (n > 0 && memchr(text, '\0', n) == NULL && fn(inv, text, n))
			added++;
		text += n + (nl != NULL);
		len -= n + (nl != NULL);
	}
	return added;
}

/* "NVIDIA A100-SXM4-40GB, 40960, GPU-5c6f..." */
static bool csv_line(struct inventory *inv, const char *s, size_t n)
{
	const char *c1 = memchr(s, ',', n), *c2;
	char num[32];
	struct inventory_gpu *g;
	char *end;
	long long mib;

	if (c1 == NULL || c1 == s)
		return false;
	c2 = memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - s));
	copy_trim(num, sizeof(num), c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : n - (size_t)(c1 + 1 - s));
	mib = strtoll(num, &end, 10);
	if (end == num || *end != '\0' || mib < 0 || mib > (1LL << 40))
		return false;
	if ((g = next_gpu(inv)) == NULL)
		return false;
	copy_trim(g->model, sizeof(g->model), s, (size_t)(c1 - s));
	g->vram_mib = mib;
	if (c2)
		copy_trim(g->id, sizeof(g->id), c2 + 1, n - (size_t)(c2 + 1 - s));
	return true;
}

/* "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-5c6f...)" */
static bool list_line(struct inventory *inv, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *paren = NULL, *uuid;
	struct inventory_gpu *g;

	if (n < 6 || strncmp(s, "GPU ", 4) != 0 || colon == NULL)
		return false;
	for (const char *p = s + n; p > colon; p--)
		if (*(p - 1) == '(') {
			paren = p - 1;
			break;
		}
	if ((g = next_gpu(inv)) == NULL)
		return false;
	copy_trim(g->model, sizeof(g->model), colon + 1,
		  (size_t)((paren ? paren : s + n) - colon - 1));
	if (paren && (uuid = memmem(paren, (size_t)(s + n - paren), "UUID:", 5)) != NULL) {
		const char *close = memchr(uuid, ')', (size_t)(s + n - uuid));

		copy_trim(g->id, sizeof(g->id), uuid + 5,
			  (size_t)((close ? close : s + n) - uuid - 5));
	}
	return true;
}

size_t inventory_parse_smi_csv(struct inventory *inv, const char *text, size_t len)
{
	return each_line(inv, text, len, csv_line);
}

size_t inventory_parse_smi_list(struct inventory *inv, const char *text, size_t len)
{
	return each_line(inv, text, len, list_line);
}

/* Runs argv with stdout captured into out; 0 when it exited 0 in time. */
static int run(char *const argv[], struct buf *out)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = -1, rc = -1;
	int64_t deadline = now_ms() + INVENTORY_SMI_TIMEOUT_MS;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		return -1;
	}
	for (;;) {
		struct pollfd p = { pipefd[0], POLLIN, 0 };
		int64_t left = deadline - now_ms();
		char chunk[4096];
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(pipefd[0], chunk, sizeof(chunk));
		if (n <= 0)
			break;
		if (out->len + (size_t)n <= INVENTORY_SMI_OUTPUT_MAX)
			buf_append(out, chunk, (size_t)n);
	}
	close(pipefd[0]);
	while ((rc = (int)waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
		usleep(10 * 1000);
	if (rc == 0) {
		kill(pid, SIGKILL);   /* too slow: a hung driver must not hang the agent */
		waitpid(pid, &status, 0);
		return -1;
	}
	return rc > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static bool executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* Where nvidia-smi is: given, under the root, or on $PATH without a root. */
static bool find_smi(const struct inventory_opts *o, char *out, size_t n)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/local/bin" };
	const char *path = getenv("PATH");

	if (o->nvidia_smi) {
		snprintf(out, n, "%s", o->nvidia_smi);
		return executable(out);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(out, n, "%s%s/nvidia-smi", o->root ? o->root : "", dirs[i]);
		if (executable(out))
			return true;
	}
	while (o->root == NULL && path && *path) {
		const char *colon = strchr(path, ':');
		int len = colon ? (int)(colon - path) : (int)strlen(path);

		snprintf(out, n, "%.*s/nvidia-smi", len, path);
		if (len > 0 && executable(out))
			return true;
		path = colon ? colon + 1 : NULL;
	}
	return false;
}

int inventory_smi_detect(struct inventory *inv, const struct inventory_opts *o)
{
	char smi[512];
	char *query[] = { smi, "--query-gpu=name,memory.total,uuid",
			  "--format=csv,noheader,nounits", NULL };
	char *list[] = { smi, "-L", NULL };
	struct buf out = BUF_INIT;
	size_t added = 0;

	if (!find_smi(o, smi, sizeof(smi)))
		return 0;
	if (run(query, &out) == 0)
		added = inventory_parse_smi_csv(inv, out.data ? out.data : "", out.len);
	if (added == 0) {
		buf_release(&out);
		out = (struct buf)BUF_INIT;
		if (run(list, &out) == 0)
			added = inventory_parse_smi_list(inv, out.data ? out.data : "", out.len);
	}
	buf_release(&out);
	return (int)added;
}
