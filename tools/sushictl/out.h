/* SPDX-License-Identifier: MIT */
/*
 * out.h - sushictl's output: a streaming JSON writer (for --json) and
 * aligned human-readable tables.  Both write to a FILE.
 */
#ifndef SUSHICTL_OUT_H
#define SUSHICTL_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw {
	FILE *f;
	int depth;
	bool first[16];
};

void jw_begin(struct jw *w, FILE *f);
void jw_obj(struct jw *w, const char *key);	/* key NULL inside arrays */
void jw_arr(struct jw *w, const char *key);
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *v);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_num(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_finish(struct jw *w);

#define TABLE_MAX_COLS 16

struct table {
	unsigned int ncols, nrows, cap;
	const char *head[TABLE_MAX_COLS];
	bool right[TABLE_MAX_COLS];
	char **cells;	/* nrows * ncols strings */
};

void table_init(struct table *t, unsigned int ncols, const char *const *head,
		const bool *right);
/* add a row of ncols printf-formatted cells: table_row(t, "%s", a, "%d", b) */
int table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

#endif /* SUSHICTL_OUT_H */
