/*
 * table.c - column widths from content, rendered without trailing spaces.
 */
#include "cli/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void cli_table_init(struct cli_table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols > 0 ? ncols : 1;
	t->indent = "";
}

void cli_table_release(struct cli_table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->ncells = t->cap = 0;
}

/* Control characters (C0, DEL) become spaces; the string is edited in place. */
static char *clean(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

void cli_table_add(struct cli_table *t, const char *cell)
{
	XGROW(t->cells, t->cap, t->ncells + 1);
	t->cells[t->ncells++] = clean(xstrdup(cell != NULL ? cell : ""));
}

void cli_table_addf(struct cli_table *t, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	XGROW(t->cells, t->cap, t->ncells + 1);
	t->cells[t->ncells++] = clean(buf_steal(&b));
}

size_t cli_table_rows(const struct cli_table *t)
{
	return (t->ncells + t->ncols - 1) / t->ncols;
}

size_t cli_table_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static const char *cell(const struct cli_table *t, size_t row, size_t col)
{
	size_t i = row * t->ncols + col;

	return i < t->ncells ? t->cells[i] : "";
}

/* One row: cells padded to their column's width, then trailing blanks cut. */
static void render_row(const struct cli_table *t, const size_t *width, size_t row,
		       struct buf *b)
{
	size_t start = b->len;

	buf_puts(b, t->indent);
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = cell(t, row, c);

		buf_puts(b, s);
		if (c + 1 == t->ncols)
			break;
		for (size_t w = cli_table_width(s); w < width[c] + 2; w++)
			buf_putc(b, ' ');
	}
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	buf_putc(b, '\n');
}

void cli_table_render(const struct cli_table *t, struct buf *b)
{
	size_t rows = cli_table_rows(t);
	size_t *width = xcalloc(t->ncols, sizeof(*width));

	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = cli_table_width(cell(t, r, c));

			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < rows; r++)
		render_row(t, width, r, b);
	free(width);
}

void cli_table_print(const struct cli_table *t, FILE *out)
{
	struct buf b = BUF_INIT;

	cli_table_render(t, &b);
	fputs(buf_str(&b), out);
	buf_release(&b);
}
