// SPDX-License-Identifier: MIT
/*
 * jfield.c - typed cJSON field access with path-naming errors.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "jfield.h"

int jerr_set(struct jerr *e, const char *path, const char *key,
	     const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->set || !e->buf || !e->len)
		return -EINVAL;
	e->set = true;
	n = snprintf(e->buf, e->len, "%s%s%s: ", path,
		     *path && key && key[0] != '[' ? "." : "",
		     key ? key : "");
	if (n < 0 || (size_t)n >= e->len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const cJSON *field(const cJSON *o, const char *path, const char *key,
			  struct jerr *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		jerr_set(e, path, key, "missing");
	return v;
}

const cJSON *jf_obj(const cJSON *o, const char *path, const char *key,
		    struct jerr *e)
{
	const cJSON *v = field(o, path, key, e);

	if (v && !cJSON_IsObject(v)) {
		jerr_set(e, path, key, "expected an object");
		return NULL;
	}
	return v;
}

const cJSON *jf_arr(const cJSON *o, const char *path, const char *key,
		    struct jerr *e)
{
	const cJSON *v = field(o, path, key, e);

	if (v && !cJSON_IsArray(v)) {
		jerr_set(e, path, key, "expected an array");
		return NULL;
	}
	return v;
}

int jf_str(const cJSON *o, const char *path, const char *key,
	   const char **out, struct jerr *e)
{
	const cJSON *v = field(o, path, key, e);

	if (!v)
		return -EINVAL;
	if (!cJSON_IsString(v) || !v->valuestring)
		return jerr_set(e, path, key, "expected a string");
	*out = v->valuestring;
	return 0;
}

static int as_int(const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -EINVAL;
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi)
		return -ERANGE;
	*out = (int64_t)d;
	return 0;
}

int jf_int(const cJSON *o, const char *path, const char *key, int64_t lo,
	   int64_t hi, int64_t *out, struct jerr *e)
{
	const cJSON *v = field(o, path, key, e);

	if (!v)
		return -EINVAL;
	if (as_int(v, lo, hi, out))
		return jerr_set(e, path, key,
				"expected an integer in [%lld, %lld]",
				(long long)lo, (long long)hi);
	return 0;
}

int jf_int_at(const cJSON *a, const char *path, int idx, int64_t lo,
	      int64_t hi, int64_t *out, struct jerr *e)
{
	const cJSON *v = cJSON_GetArrayItem(a, idx);
	char key[24];

	snprintf(key, sizeof(key), "[%d]", idx);
	if (!v || as_int(v, lo, hi, out))
		return jerr_set(e, path, key,
				"expected an integer in [%lld, %lld]",
				(long long)lo, (long long)hi);
	return 0;
}

int jf_num(const cJSON *o, const char *path, const char *key, double lo,
	   double hi, double *out, struct jerr *e)
{
	const cJSON *v = field(o, path, key, e);

	if (!v)
		return -EINVAL;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble < lo || v->valuedouble > hi)
		return jerr_set(e, path, key, "expected a number in [%g, %g]",
				lo, hi);
	*out = v->valuedouble;
	return 0;
}
