/*
 * target.c - SERVICE and PROJECT/SERVICE arguments to a project and service.
 */
#include "cli/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/lines.h"

int target_parse(const char *arg, char **project, char **service,
		 struct err *e)
{
	const char *slash = strchr(arg, '/');

	*project = *service = NULL;
	if (arg[0] == '\0' || (slash != NULL && (slash == arg || slash[1] == '\0' ||
						  strchr(slash + 1, '/') != NULL)))
		return err_set(e, ERR_INVALID, "'%s' is not a service: name it SERVICE "
			       "or PROJECT/SERVICE", arg);
	if (slash == NULL) {
		*service = xstrdup(arg);
		return 0;
	}
	*project = xstrndup(arg, (size_t)(slash - arg));
	*service = xstrdup(slash + 1);
	return 0;
}

static int has_service(const json_t *project, const char *service)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(project, "services"), i, s)
		if (strcmp(lines_str(s, "name"), service) == 0)
			return 1;
	return 0;
}

int target_pick(const json_t *status, const char *service, char **project,
		struct err *e)
{
	struct buf names = BUF_INIT;
	const char *first = NULL;
	const json_t *p;
	size_t i, n = 0;

	*project = NULL;
	json_array_foreach(json_object_get(status, "projects"), i, p) {
		if (!has_service(p, service))
			continue;
		if (n++ == 0)
			first = lines_str(p, "name");
		buf_printf(&names, "%s%s", n > 1 ? ", " : "", lines_str(p, "name"));
	}
	if (n == 1)
		*project = xstrdup(first);
	else if (n == 0)
		err_set(e, ERR_NOTFOUND, "no service '%s' in any project (see 'orca status')",
			service);
	else
		err_set(e, ERR_INVALID, "'%s' is in projects %s: say which, e.g. %s/%s",
			service, buf_str(&names), first, service);
	buf_release(&names);
	return n == 1 ? 0 : e->code;
}

int target_resolve(struct remote *r, const char *arg, char **project,
		   char **service)
{
	struct err e = { 0 };
	json_t *status = NULL;
	int rc;

	if (target_parse(arg, project, service, &e) < 0)
		return args_error(EXIT_USAGE, r->cmd, "%s", e.msg);
	if (*project != NULL)
		return EXIT_OK;
	rc = remote_call(r, "GET", "/api/v1/status", NULL, &status);
	if (rc == EXIT_OK && target_pick(status, *service, project, &e) < 0) {
		rc = args_error(e.code == ERR_INVALID ? EXIT_USAGE : EXIT_FAILED,
				r->cmd, "%s", e.msg);
	}
	json_decref(status);
	if (rc != EXIT_OK) {
		free(*service);
		*service = NULL;
	}
	return rc;
}
