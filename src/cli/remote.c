/*
 * remote.c - connect to the server, build API paths, report failed calls.
 */
#include "cli/remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/lines.h"
#include "config/load.h"

int remote_open(struct remote *r, const char *cmd, const char *socket_flag)
{
	struct err e = { 0 };
	char *addr;

	r->cmd = cmd;
	r->cl = NULL;
	addr = client_resolve_address(socket_flag, &e);
	if (addr != NULL)
		r->cl = client_new(addr, &e);
	free(addr);
	if (r->cl == NULL) {
		fprintf(stderr, "orca %s: %s\n", cmd, e.msg);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

void remote_close(struct remote *r)
{
	client_free(r->cl);
	r->cl = NULL;
}

int remote_call(struct remote *r, const char *method, const char *path,
		const json_t *body, json_t **reply)
{
	struct err e = { 0 };
	json_t *got = NULL;
	int status, rc;

	if (client_request(r->cl, method, path, body, &status, &got, &e) == 0) {
		if (reply != NULL)
			*reply = got;
		else
			json_decref(got);
		return EXIT_OK;
	}
	rc = remote_report(r, status, got, &e);
	json_decref(got);
	if (reply != NULL)
		*reply = NULL;
	return rc;
}

/* Config diagnostics from the server, printed like local ones (load_config.c). */
static int report_invalid_config(const json_t *details)
{
	struct diags d = { 0 };
	const json_t *item;
	size_t i;

	json_array_foreach(details, i, item) {
		const char *file = json_string_value(json_object_get(item, "file"));

		if (json_is_string(item))
			diags_add(&d, NULL, 0, 0, "%s", json_string_value(item));
		else
			diags_add(&d, file, (int)lines_int(item, "line"),
				  (int)lines_int(item, "col"), "%s",
				  lines_str(item, "message"));
	}
	diags_sort(&d);
	for (i = 0; i < d.len; i++) {
		char *line = diag_format(&d.items[i]);

		fprintf(stderr, "%s\n", line);
		free(line);
	}
	fprintf(stderr, "%zu error%s\n", d.len, d.len == 1 ? "" : "s");
	diags_release(&d);
	return EXIT_INVALID;
}

/* One "service: message" line per detail ("*" is the whole deploy). */
static size_t report_problems(const json_t *details, const char *indent)
{
	const json_t *item;
	size_t i;

	json_array_foreach(details, i, item) {
		const char *svc = lines_str(item, "service");

		if (json_is_string(item))
			fprintf(stderr, "%s%s\n", indent, json_string_value(item));
		else if (svc[0] != '\0' && strcmp(svc, "*") != 0)
			fprintf(stderr, "%s%s: %s\n", indent, svc, lines_str(item, "message"));
		else
			fprintf(stderr, "%s%s\n", indent, lines_str(item, "message"));
	}
	return json_array_size(details);
}

int remote_report(const struct remote *r, int status, const json_t *reply,
		  const struct err *e)
{
	const json_t *error = json_object_get(reply, "error");
	const json_t *details = json_object_get(error, "details");
	const char *code = lines_str(error, "code");
	size_t n;

	if (status == 0 && e->code == ERR_UNAVAILABLE) {
		fprintf(stderr, "orca %s: %s\n", r->cmd, e->msg);
		return EXIT_NO_SERVER;
	}
	if (strcmp(code, "invalid_config") == 0 && json_array_size(details) > 0)
		return report_invalid_config(details);
	if (strcmp(code, "unsatisfiable") == 0 && json_array_size(details) > 0) {
		n = report_problems(details, "");
		fprintf(stderr, "%zu problem%s; nothing was changed\n", n, n == 1 ? "" : "s");
		return EXIT_FAILED;
	}
	fprintf(stderr, "orca %s: %s\n", r->cmd, e->msg);
	report_problems(details, "  ");
	return EXIT_FAILED;
}

void remote_print_json(const json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2));

	printf("%s\n", text != NULL ? text : "null");
	free(text);
}

void remote_path_add(struct buf *b, const char *seg)
{
	static const char hex[] = "0123456789ABCDEF";

	buf_putc(b, '/');
	for (const unsigned char *p = (const unsigned char *)seg; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			buf_putc(b, (char)*p);
			continue;
		}
		buf_putc(b, '%');
		buf_putc(b, hex[*p >> 4]);
		buf_putc(b, hex[*p & 15]);
	}
}

char *remote_project_path(const char *project, const char *rest)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "/api/v1/projects");
	remote_path_add(&b, project);
	if (rest != NULL)
		buf_printf(&b, "/%s", rest);
	return buf_steal(&b);
}

char *remote_service_path(const char *project, const char *service,
			  const char *action)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "/api/v1/projects");
	remote_path_add(&b, project);
	buf_puts(&b, "/services");
	remote_path_add(&b, service);
	if (action != NULL)
		buf_printf(&b, "/%s", action);
	return buf_steal(&b);
}
