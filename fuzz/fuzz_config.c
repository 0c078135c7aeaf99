/*
 * fuzz_config.c - libFuzzer target for the config model (config/load.h).
 *
 * The input is a service.toml. It goes through config_add_project_text
 * beside a fixed cluster.toml (so placement rules run), then config_check
 * and config_to_json; the input is also loaded as a cluster.toml. Checked:
 * diagnostics are well-formed (one line, a position inside the input), the
 * JSON always serialises, and a config without diagnostics keeps the
 * model's promises (bounded replicas, valid ports, names present, default
 * names under the cluster's domain). Warnings (keys with no effect yet) are
 * checked like diagnostics.
 * Seed corpus: fuzz/corpus/config.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/json.h"
#include "config/load.h"

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static const char cluster[] =
	"[cluster]\ndomain = \"example.com\"\n"
	"[[node]]\nname = \"gpu-1\"\n[[node.gpus]]\nvendor = \"nvidia\"\n"
	"[[node]]\nname = \"cpu-1\"\n";

static void check_diags(const struct diags *d, int lines)
{
	CHECK(d->len <= CONFIG_MAX_DIAGS + 1);
	for (size_t i = 0; i < d->len; i++) {
		const struct diag *dg = &d->items[i];

		CHECK(dg->msg != NULL && dg->msg[0] != '\0');
		CHECK(strchr(dg->msg, '\n') == NULL);
		CHECK(strlen(dg->msg) <= 1024);
		CHECK(dg->line >= 0 && dg->col >= 0);
		if (dg->file != NULL && strcmp(dg->file, "svc.toml") == 0)
			CHECK(dg->line <= lines);
	}
}

static void check_service(const struct service *s)
{
	CHECK(s->name != NULL && s->project != NULL);
	CHECK(s->replicas >= 0 && s->replicas <= 1000);
	CHECK(s->port >= 0 && s->port <= 65535);
	CHECK(s->runtime != RUNTIME_CONTAINER || s->image != NULL);
	CHECK(s->runtime != RUNTIME_WASM || s->module != NULL);
	CHECK(!s->replicas_auto || s->runtime == RUNTIME_WASM);
	CHECK(s->memory_bytes >= 0 && s->cpu_millis >= 0);
	CHECK(s->deploy.max_surge + s->deploy.max_unavailable > 0);
	CHECK(!s->health.enabled || s->health.interval_ms > 0);
	for (size_t i = 0; i < s->ntriggers; i++)
		CHECK(s->triggers[i].arg != NULL);
	if (s->default_domain != NULL) {
		size_t n = strlen(s->default_domain);

		CHECK(s->ndomains == 0 && n <= 253 && n > strlen(".app.example.com"));
		CHECK(strcmp(s->default_domain + n - strlen(".app.example.com"),
			     ".app.example.com") == 0);
	}
}

static void check_json(const struct config *c)
{
	char *text = config_json_text(c);

	CHECK(text != NULL && text[0] == '{');
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = config_new();
	struct diags d = { 0 };
	int lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	config_add_cluster_text(c, "cluster.toml", cluster, sizeof(cluster) - 1, &d);
	CHECK(d.len == 0);
	config_add_project_text(c, "app", "/srv/app", "svc.toml", (const char *)data, size, &d);
	config_check(c, &d);
	diags_sort(&d);
	check_diags(&d, lines);
	check_diags(c->warnings, lines);
	if (d.len == 0)
		for (size_t i = 0; i < c->projects[0].nservices; i++)
			check_service(&c->projects[0].services[i]);
	check_json(c);
	diags_release(&d);
	config_free(c);

	c = config_new();
	config_add_cluster_text(c, "cluster.toml", (const char *)data, size, &d);
	check_diags(&d, lines);
	check_diags(c->warnings, lines);
	check_json(c);
	diags_release(&d);
	config_free(c);
	return 0;
}
