/* SPDX-License-Identifier: MIT */
/*
 * jfield.h - typed access to cJSON fields that reports the full path of a
 * missing or mistyped field ("catalog[3].layers[5].in_c: expected an
 * integer in [1, 65536]").  Private to libsushi's loaders.
 */
#ifndef SUSHI_JFIELD_H
#define SUSHI_JFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct jerr {
	char *buf;
	size_t len;
	bool set;
};

/* record the first error: "<path>.<key>: <what>"; returns -EINVAL */
int jerr_set(struct jerr *e, const char *path, const char *key,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

const cJSON *jf_obj(const cJSON *o, const char *path, const char *key,
		    struct jerr *e);
const cJSON *jf_arr(const cJSON *o, const char *path, const char *key,
		    struct jerr *e);
int jf_str(const cJSON *o, const char *path, const char *key,
	   const char **out, struct jerr *e);
/* an integer (no fraction) in [lo, hi] */
int jf_int(const cJSON *o, const char *path, const char *key, int64_t lo,
	   int64_t hi, int64_t *out, struct jerr *e);
int jf_num(const cJSON *o, const char *path, const char *key, double lo,
	   double hi, double *out, struct jerr *e);
/* an array element as an integer */
int jf_int_at(const cJSON *a, const char *path, int idx, int64_t lo,
	      int64_t hi, int64_t *out, struct jerr *e);

#endif /* SUSHI_JFIELD_H */
