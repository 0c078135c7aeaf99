/*
 * test_health.c - what [service.healthcheck] healthy_threshold,
 * unhealthy_threshold and start_period do to a replica's verdict
 * (reconcile/health.c), probe result by probe result.
 */
#include "unit.h"

#include "config/load.h"
#include "reconcile/loop.h"
#include "store_fixture.h"

struct rig {
	char *dir, *data;
	struct config *cfg;
	struct control c;
	struct svc s, *svcs[1];
	struct replica r;
};

/* One running replica of a service with this [service.healthcheck] body. */
static void rig_start(struct rig *g, const char *healthcheck)
{
	char *svc = xasprintf("[[service]]\nname = \"web\"\nimage = \"web:1\"\nport = 80\n"
			      "[service.healthcheck]\npath = \"/healthz\"\n%s", healthcheck);
	struct diags d = { 0 };
	struct err e = { 0 };

	memset(g, 0, sizeof(*g));
	g->dir = fixture_dir();
	g->data = fixture_data(g->dir);
	if (store_open(g->data, &g->c.st, &e) < 0)
		UNIT_FAIL_AT("store_open: %s", e.msg);
	g->cfg = config_new();
	config_add_project_text(g->cfg, "p", NULL, "p.toml", svc, strlen(svc), &d);
	EXPECT_EQ_INT(0, d.len);
	diags_release(&d);
	free(svc);
	g->s.project = "p";
	g->s.name = "web";
	g->s.spec = &g->cfg->projects[0].services[0];
	g->r.phase = REPLICA_RUNNING;
	g->r.health = HEALTH_STARTING;
	g->r.probe_key = 1;
	g->r.created_ms = mailbox_now_ms() - 3600 * 1000;  /* started an hour ago */
	g->s.replicas = &g->r;
	g->s.nreplicas = 1;
	g->svcs[0] = &g->s;
	g->c.svcs = g->svcs;
	g->c.nsvcs = 1;
}

static void rig_stop(struct rig *g)
{
	store_close(g->c.st);
	config_free(g->cfg);
	fixture_rm(g->dir);
	free(g->data);
}

static void probe(struct rig *g, bool ok)
{
	struct probe_result res = { .key = 1, .ok = ok, .counted = true };

	snprintf(res.detail, sizeof(res.detail), ok ? "GET /healthz: 200" : "GET /healthz: 503");
	control_on_probe(&g->c, &res);
}

TEST(healthy_after_healthy_threshold_passes_in_a_row)
{
	struct rig g;

	rig_start(&g, "healthy_threshold = 3\n");
	probe(&g, true);
	probe(&g, true);
	EXPECT_EQ_INT(HEALTH_STARTING, g.r.health);
	probe(&g, false);                     /* a failure restarts the count */
	probe(&g, true);
	probe(&g, true);
	EXPECT_EQ_INT(HEALTH_STARTING, g.r.health);
	probe(&g, true);
	EXPECT_EQ_INT(HEALTH_HEALTHY, g.r.health);
	rig_stop(&g);

	rig_start(&g, "");                    /* default 1: the first pass */
	probe(&g, true);
	EXPECT_EQ_INT(HEALTH_HEALTHY, g.r.health);
	rig_stop(&g);
}

TEST(unhealthy_after_unhealthy_threshold_failures_in_a_row)
{
	struct rig g;

	rig_start(&g, "unhealthy_threshold = 2\n");
	probe(&g, true);
	EXPECT_EQ_INT(HEALTH_HEALTHY, g.r.health);
	probe(&g, false);
	EXPECT_EQ_INT(HEALTH_HEALTHY, g.r.health);
	probe(&g, false);
	EXPECT_EQ_INT(HEALTH_UNHEALTHY, g.r.health);
	rig_stop(&g);

	rig_start(&g, "");                    /* default 3 */
	probe(&g, true);
	probe(&g, false);
	probe(&g, false);
	EXPECT_EQ_INT(HEALTH_HEALTHY, g.r.health);
	probe(&g, false);
	EXPECT_EQ_INT(HEALTH_UNHEALTHY, g.r.health);
	rig_stop(&g);
}

TEST(failures_in_the_start_period_do_not_count)
{
	struct rig g;

	rig_start(&g, "unhealthy_threshold = 1\nstart_period = \"1h\"\n");
	g.r.created_ms = mailbox_now_ms();    /* just started: inside the hour */
	probe(&g, true);
	probe(&g, false);
	probe(&g, false);
	EXPECT_EQ_INT(HEALTH_HEALTHY, g.r.health);
	g.r.created_ms = mailbox_now_ms() - 2 * 3600 * 1000;  /* the hour is over */
	probe(&g, false);
	EXPECT_EQ_INT(HEALTH_UNHEALTHY, g.r.health);
	rig_stop(&g);
}

UNIT_MAIN
