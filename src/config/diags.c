/*
 * diags.c - the list of config problems: append (bounded), sort, format.
 */
#include "config/load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void diags_release(struct diags *d)
{
	for (size_t i = 0; i < d->len; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	*d = (struct diags){ 0 };
}

void diags_truncate(struct diags *d, size_t n)
{
	while (d->len > n) {
		d->len--;
		free(d->items[d->len].file);
		free(d->items[d->len].msg);
	}
}

static void append(struct diags *d, const char *file, int line, int col, char *msg)
{
	XGROW(d->items, d->cap, d->len + 1);
	d->items[d->len++] = (struct diag){
		.file = file ? xstrdup(file) : NULL,
		.line = line,
		.col = col,
		.msg = msg,
	};
}

#define DIAG_MSG_MAX 1024

/*
 * Keeps a message on one line and of sane length whatever the user wrote:
 * control characters become '?', and past DIAG_MSG_MAX bytes it is cut at a
 * UTF-8 boundary and ends in "...".
 */
static void tidy(char *msg)
{
	size_t n = 0;

	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	n = strlen(msg);
	if (n <= DIAG_MSG_MAX)
		return;
	n = DIAG_MSG_MAX - 3;
	while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
		n--;
	memcpy(msg + n, "...", 4);
}

void diags_add(struct diags *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (d->len > CONFIG_MAX_DIAGS)
		return;
	if (d->len == CONFIG_MAX_DIAGS) {
		append(d, NULL, 0, 0,
		       xasprintf("too many errors (more than %d); stopping here",
				 CONFIG_MAX_DIAGS));
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = xstrdup("(out of memory formatting a diagnostic)");
	va_end(ap);
	tidy(msg);
	append(d, file, line, col, msg);
}

bool diags_full(const struct diags *d)
{
	return d->len > CONFIG_MAX_DIAGS;
}

static int cmp_file(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_diag(const struct diag *a, const struct diag *b)
{
	int c = cmp_file(a->file, b->file);

	if (c != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

/* A merge sort: stable, so that errors at one spot keep their order. */
static void merge_sort(struct diag *v, struct diag *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, h);
	merge_sort(v + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = cmp_diag(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

void diags_sort(struct diags *d)
{
	/* the "too many errors" line stays last */
	size_t n = d->len > CONFIG_MAX_DIAGS ? CONFIG_MAX_DIAGS : d->len;
	struct diag *tmp;

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	merge_sort(d->items, tmp, n);
	free(tmp);
}

static char *format(const struct diag *dg, const char *kind)
{
	if (dg->file == NULL)
		return xasprintf("%s%s", kind, dg->msg);
	if (dg->line <= 0)
		return xasprintf("%s: %s%s", dg->file, kind, dg->msg);
	return xasprintf("%s:%d:%d: %s%s", dg->file, dg->line, dg->col, kind, dg->msg);
}

char *diag_format(const struct diag *dg)
{
	return format(dg, "");
}

char *diag_format_warning(const struct diag *dg)
{
	return format(dg, "warning: ");
}
