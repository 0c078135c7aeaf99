/*
 * follow.c - poll a deploy or a service until it is done, printing what
 * changes. Polling (not the ?watch=1 stream) keeps the CLI simple and
 * survives a server restart in the middle of a rollout.
 */
#include "cli/follow.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/format.h"
#include "cli/lines.h"

#define CONTINUE (-1)  /* a step's verdict: not done yet */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct watch {
	struct remote *r;
	json_t *last;          /* service name -> the line printed last */
	json_t *skip;          /* service names not to print */
	int width;             /* of the name column */
	int64_t start_ms;      /* monotonic */
	struct sigaction old;
};

static void watch_begin(struct watch *w, struct remote *r, int width)
{
	struct sigaction sa;

	w->r = r;
	w->last = json_object();
	w->skip = json_object();
	w->width = width;
	w->start_ms = fmt_mono_ms();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;  /* no SA_RESTART: the sleep ends at once */
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &w->old);
}

static void watch_end(struct watch *w)
{
	sigaction(SIGINT, &w->old, NULL);
	json_decref(w->last);
	json_decref(w->skip);
}

/* Prints line unless it is what was printed last for name. */
static void watch_print(struct watch *w, const char *name, const char *line)
{
	const char *prev = json_string_value(json_object_get(w->last, name));

	if (json_object_get(w->skip, name) != NULL ||
	    (prev != NULL && strcmp(prev, line) == 0))
		return;
	json_object_set_new(w->last, name, json_string(line));
	printf("%s\n", line);
	fflush(stdout);
}

/* Sleeps one poll interval; 1 when Ctrl-C came. */
static int watch_sleep(void)
{
	struct timespec ts = { 0, FOLLOW_POLL_MS * 1000000L };

	if (!interrupted)
		nanosleep(&ts, NULL);
	return interrupted;
}

/* --- deploys */

static int deploy_width(const json_t *changes, json_t *skip)
{
	const json_t *c;
	size_t i;
	int width = 0;

	json_array_foreach(changes, i, c) {
		const char *name = lines_str(c, "service");

		if (strcmp(lines_str(c, "change"), "unchanged") == 0)
			json_object_set_new(skip, name, json_true());
		else if ((int)strlen(name) > width)
			width = (int)strlen(name);
	}
	return width;
}

static int deploy_done(struct watch *w, int64_t id, const json_t *d)
{
	const char *state = lines_str(d, "state");
	int64_t created = lines_int(d, "created_at"), finished = lines_int(d, "finished_at");
	int64_t took = created > 0 && finished >= created ? finished - created
							   : fmt_mono_ms() - w->start_ms;
	char dur[FMT_MAX];

	if (strcmp(state, "succeeded") == 0) {
		printf("deploy %" PRId64 " succeeded in %s\n", id, fmt_duration(dur, took));
		return EXIT_OK;
	}
	if (strcmp(state, "failed") == 0) {
		fflush(stdout);
		fprintf(stderr, "deploy %" PRId64 " failed: %s\n", id,
			lines_str(d, "message")[0] ? lines_str(d, "message") : "no reason given");
		return EXIT_FAILED;
	}
	return CONTINUE;
}

static int deploy_step(struct watch *w, int64_t id, const json_t *reply)
{
	const json_t *d = json_object_get(reply, "deploy"), *s;
	struct buf line = BUF_INIT;
	size_t i;

	if (!json_is_object(d))
		return args_error(EXIT_FAILED, w->r->cmd, "unexpected reply from the server "
				  "for deploy %" PRId64, id);
	json_array_foreach(json_object_get(d, "services"), i, s) {
		buf_reset(&line);
		lines_deploy_service(&line, s, w->width);
		watch_print(w, lines_str(s, "service"), buf_str(&line));
	}
	buf_release(&line);
	return deploy_done(w, id, d);
}

int follow_deploy(struct remote *r, int64_t id, const json_t *changes)
{
	char *path = xasprintf("/api/v1/deploys/%" PRId64, id);
	struct watch w;
	int rc;

	watch_begin(&w, r, 0);
	w.width = deploy_width(changes, w.skip);
	for (;;) {
		json_t *reply = NULL;

		rc = remote_call(r, "GET", path, NULL, &reply);
		if (rc == EXIT_OK)
			rc = deploy_step(&w, id, reply);
		json_decref(reply);
		if (rc != CONTINUE)
			break;
		if (watch_sleep()) {
			fprintf(stderr, "\norca %s: stopped watching; deploy %" PRId64 " goes on "
				"on the server (watch it with 'orca status')\n", r->cmd, id);
			rc = EXIT_INTERRUPTED;
			break;
		}
	}
	watch_end(&w);
	free(path);
	return rc;
}

/* --- services after a lifecycle call */

int follow_converged(const json_t *svc, int64_t want_desired)
{
	const char *state = lines_str(svc, "state");
	int64_t desired = lines_int(svc, "desired"), running = lines_int(svc, "running");

	if (strcmp(state, "failed") == 0)
		return -1;
	if (want_desired >= 0 && desired != want_desired)
		return 0;
	if (strcmp(state, "stopped") == 0)
		return running == 0 && lines_int(svc, "draining") == 0;
	if (strcmp(state, "running") == 0)
		return running == desired && lines_int(svc, "healthy") >= desired &&
		       lines_int(svc, "outdated") == 0 && lines_int(svc, "draining") == 0;
	return 0;
}

int follow_project_revision(struct remote *r, const char *project, int64_t *revision)
{
	char *path = remote_project_path(project, NULL);
	json_t *reply = NULL;
	int rc = remote_call(r, "GET", path, NULL, &reply);

	*revision = lines_int(json_object_get(reply, "project"), "revision");
	json_decref(reply);
	free(path);
	return rc;
}

/* What is being watched: "backend/api" or "project backend". */
struct subject {
	const char *service;   /* NULL: every service of the project */
	char *label, *arg, *path;
};

static void subject_init(struct subject *sj, const char *project, const char *service)
{
	sj->service = service;
	sj->arg = service ? xasprintf("%s/%s", project, service) : xstrdup(project);
	sj->label = service ? xstrdup(sj->arg) : xasprintf("project %s", project);
	sj->path = remote_project_path(project, NULL);
}

static void subject_release(struct subject *sj)
{
	free(sj->label);
	free(sj->arg);
	free(sj->path);
}

/* The watched SERVICE objects of a PROJECT: a new array. */
static json_t *watched(const json_t *project, const struct subject *sj)
{
	json_t *arr = json_array(), *s;
	size_t i;

	json_array_foreach(json_object_get(project, "services"), i, s)
		if (sj->service == NULL || strcmp(lines_str(s, "name"), sj->service) == 0)
			json_array_append(arr, s);
	return arr;
}

static int name_width(const json_t *svcs)
{
	struct buf name = BUF_INIT;
	const json_t *s;
	size_t i;
	int width = 0;

	json_array_foreach(svcs, i, s) {
		buf_reset(&name);
		lines_service_name(&name, s);
		if ((int)name.len > width)
			width = (int)name.len;
	}
	buf_release(&name);
	return width;
}

static void print_services(struct watch *w, const json_t *svcs)
{
	struct buf line = BUF_INIT, name = BUF_INIT;
	const json_t *s;
	size_t i;

	if (w->width == 0)
		w->width = name_width(svcs);
	json_array_foreach(svcs, i, s) {
		buf_reset(&line);
		buf_reset(&name);
		lines_service(&line, s, w->width);
		lines_service_name(&name, s);
		watch_print(w, buf_str(&name), buf_str(&line));
	}
	buf_release(&line);
	buf_release(&name);
}

/* "running", or "converged" when the services ended in different states. */
static const char *common_state(const json_t *svcs)
{
	const json_t *s;
	const char *state = "converged";
	size_t i;

	json_array_foreach(svcs, i, s) {
		if (i == 0)
			state = lines_str(s, "state");
		else if (strcmp(lines_str(s, "state"), state) != 0)
			return "converged";
	}
	return state;
}

static int report_failed(struct watch *w, const json_t *svc)
{
	const char *why = lines_str(svc, "last_error");
	struct buf name = BUF_INIT;

	lines_service_name(&name, svc);
	fflush(stdout);
	args_error(EXIT_FAILED, w->r->cmd, "%s failed: %s", buf_str(&name),
		   why[0] ? why : "no reason given");
	buf_release(&name);
	return EXIT_FAILED;
}

static int change_verdict(struct watch *w, const json_t *svcs, const struct subject *sj,
			  int64_t want_desired)
{
	const json_t *s;
	char dur[FMT_MAX];
	int all = json_array_size(svcs) > 0 || sj->service == NULL;
	size_t i;

	json_array_foreach(svcs, i, s) {
		int v = follow_converged(s, want_desired);

		if (v < 0)
			return report_failed(w, s);
		all = all && v > 0;
	}
	if (!all)
		return CONTINUE;
	printf("%s %s in %s\n", sj->label, common_state(svcs),
	       fmt_duration(dur, fmt_mono_ms() - w->start_ms));
	return EXIT_OK;
}

/* One poll of the project; its verdict once the change has been taken in. */
static int change_poll(struct watch *w, const struct subject *sj, int64_t before,
		       const struct follow_opts *o)
{
	json_t *reply = NULL, *project, *svcs;
	int rc = remote_call(w->r, "GET", sj->path, NULL, &reply);

	project = json_object_get(reply, "project");
	if (rc == EXIT_OK && lines_int(project, "revision") > before) {
		svcs = watched(project, sj);
		print_services(w, svcs);
		rc = change_verdict(w, svcs, sj, o->want_desired);
		json_decref(svcs);
	} else if (rc == EXIT_OK) {
		rc = CONTINUE;  /* the server has not applied the change yet */
	}
	json_decref(reply);
	return rc;
}

int follow_change(struct remote *r, const char *project, const char *service,
		  int64_t before_revision, const struct follow_opts *o)
{
	struct subject sj;
	struct watch w;
	char dur[FMT_MAX];
	int rc;

	subject_init(&sj, project, service);
	watch_begin(&w, r, 0);
	while ((rc = change_poll(&w, &sj, before_revision, o)) == CONTINUE) {
		if (watch_sleep()) {
			fprintf(stderr, "\norca %s: stopped watching; the change goes on on the "
				"server (watch it with 'orca status %s')\n", r->cmd, sj.arg);
			rc = EXIT_INTERRUPTED;
			break;
		}
		if (fmt_mono_ms() - w.start_ms >= o->timeout_ms) {
			rc = args_error(EXIT_FAILED, r->cmd, "%s did not converge in %s; it goes "
					"on on the server (see 'orca status %s')", sj.label,
					fmt_duration(dur, o->timeout_ms), sj.arg);
			break;
		}
	}
	watch_end(&w);
	subject_release(&sj);
	return rc;
}
