// SPDX-License-Identifier: MIT
/*
 * out.c - JSON writer (RFC 8259 string escaping, no trailing commas) and
 * aligned text tables for sushictl.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

void jw_begin(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	fputc('{', f);
	w->first[0] = true;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void sep(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	fputc('\n', w->f);
	for (int i = 0; i <= w->depth; i++)
		fputs("  ", w->f);
	if (key) {
		put_string(w->f, key);
		fputs(": ", w->f);
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	sep(w, key);
	fputc(c, w->f);
	if (w->depth < 15)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth)
		w->depth--;
	if (!empty) {
		fputc('\n', w->f);
		for (int i = 0; i <= w->depth; i++)
			fputs("  ", w->f);
	}
	fputc(c, w->f);
}

void jw_obj(struct jw *w, const char *key) { open_(w, key, '{'); }
void jw_arr(struct jw *w, const char *key) { open_(w, key, '['); }
void jw_end_obj(struct jw *w) { close_(w, '}'); }
void jw_end_arr(struct jw *w) { close_(w, ']'); }

void jw_str(struct jw *w, const char *key, const char *v)
{
	sep(w, key);
	put_string(w->f, v ? v : "");
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	sep(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_i64(struct jw *w, const char *key, int64_t v)
{
	sep(w, key);
	fprintf(w->f, "%" PRId64, v);
}

void jw_num(struct jw *w, const char *key, double v)
{
	sep(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.10g", v);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	sep(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_finish(struct jw *w)
{
	fputs("\n}\n", w->f);
}

void table_init(struct table *t, unsigned int ncols, const char *const *head,
		const bool *right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
	for (unsigned int i = 0; i < t->ncols; i++) {
		t->head[i] = head[i];
		t->right[i] = right ? right[i] : false;
	}
}

int table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		unsigned int ncap = t->cap ? 2 * t->cap : 8;
		char **n = realloc(t->cells, (size_t)ncap * t->ncols * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cells = n;
		t->cap = ncap;
	}
	for (unsigned int i = 0; i < t->ncols; i++) {
		const char *c = cells[i] ? cells[i] : "";
		char *d = malloc(strlen(c) + 1);

		if (!d)
			return -ENOMEM;
		strcpy(d, c);
		t->cells[(size_t)t->nrows * t->ncols + i] = d;
	}
	t->nrows++;
	return 0;
}

void table_print(const struct table *t, FILE *f)
{
	size_t wd[TABLE_MAX_COLS];

	for (unsigned int c = 0; c < t->ncols; c++) {
		wd[c] = strlen(t->head[c]);
		for (unsigned int r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->cells[(size_t)r * t->ncols + c]);

			if (l > wd[c])
				wd[c] = l;
		}
	}
	for (int r = -1; r < (int)t->nrows; r++) {
		for (unsigned int c = 0; c < t->ncols; c++) {
			const char *s = r < 0 ? t->head[c] :
				t->cells[(size_t)r * t->ncols + c];

			fprintf(f, t->right[c] ? "%*s" : "%-*s", (int)wd[c], s);
			fputs(c + 1 < t->ncols ? "  " : "\n", f);
		}
	}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
