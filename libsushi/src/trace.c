// SPDX-License-Identifier: MIT
/*
 * trace.c - query traces: the seeded synthetic generators (uniform,
 * phased, random walk, bursty; Poisson arrivals) and the CSV trace format
 * users bring their own traces in.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sushi/eval.h"

static const char *const trace_names[SUSHI_TRACE_COUNT] = {
	[SUSHI_TRACE_UNIFORM] = "uniform",
	[SUSHI_TRACE_PHASED] = "phased",
	[SUSHI_TRACE_RANDOM_WALK] = "random-walk",
	[SUSHI_TRACE_BURSTY] = "bursty",
};

const char *sushi_trace_name(enum sushi_trace_kind k)
{
	return k < SUSHI_TRACE_COUNT ? trace_names[k] : "unknown";
}

int sushi_trace_from_name(const char *name)
{
	for (int i = 0; name && i < SUSHI_TRACE_COUNT; i++)
		if (!strcmp(name, trace_names[i]))
			return i;
	return -EINVAL;
}

/* splitmix64: a small, well-mixed, seedable generator */
static uint64_t next64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in (0, 1] */
static double unit(uint64_t *s)
{
	return ((double)(next64(s) >> 11) + 1.0) / 9007199254740992.0;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

#define BURST_LEN 200	/* queries per burst and per lull */

int sushi_trace_generate(const struct sushi_trace_params *p,
			 struct sushi_query *out)
{
	uint64_t s, t = 0;
	double ca, cl;		/* demand centre, as fractions of the ranges */

	if (!p || !out || !p->n || p->kind >= SUSHI_TRACE_COUNT ||
	    !(p->acc_lo >= 0 && p->acc_lo <= p->acc_hi && p->acc_hi <= 1) ||
	    p->lat_lo_ns > p->lat_hi_ns || !p->lat_lo_ns ||
	    (p->kind == SUSHI_TRACE_PHASED && !p->phase))
		return -EINVAL;
	s = p->seed;
	ca = unit(&s);
	cl = unit(&s);
	for (size_t i = 0; i < p->n; i++) {
		double gap = (double)p->mean_gap_ns, fa, fl;

		switch (p->kind) {
		case SUSHI_TRACE_PHASED:
			if (i % p->phase == 0) {
				ca = unit(&s);
				cl = unit(&s);
			}
			fa = clampd(ca + 0.1 * (unit(&s) - 0.5), 0, 1);
			fl = clampd(cl + 0.1 * (unit(&s) - 0.5), 0, 1);
			break;
		case SUSHI_TRACE_RANDOM_WALK:
			ca = clampd(ca + 0.04 * (unit(&s) - 0.5), 0, 1);
			cl = clampd(cl + 0.04 * (unit(&s) - 0.5), 0, 1);
			fa = ca;
			fl = cl;
			break;
		default:	/* UNIFORM, BURSTY */
			if (p->kind == SUSHI_TRACE_BURSTY)
				gap *= (i / BURST_LEN) % 2 ? 1.75 : 0.25;
			fa = unit(&s);
			fl = unit(&s);
			break;
		}
		gap *= -log(unit(&s));
		/* the bound CSV traces have: arrivals below 1.8e16 ns */
		if (!(gap < (double)(SUSHI_TRACE_MAX_NS - t)))
			return -EOVERFLOW;
		t += (uint64_t)gap;
		out[i].arrival_ns = t;
		out[i].acc_floor = p->acc_lo + fa * (p->acc_hi - p->acc_lo);
		out[i].lat_ceiling_ns = p->lat_lo_ns +
			(uint64_t)(fl * (double)(p->lat_hi_ns - p->lat_lo_ns));
	}
	return 0;
}

static int fail(char *err, size_t errlen, size_t line, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "line %zu: %s", line, what);
	return -EINVAL;
}

int sushi_trace_parse_csv(const char *text, size_t len,
			  struct sushi_query **out, size_t *n, char *err,
			  size_t errlen)
{
	static const char header[] = "arrival_us,acc_floor,lat_ceiling_us";
	struct sushi_query *q = NULL;
	size_t cap = 0, cnt = 0, line = 0, pos = 0;
	int seen_header = 0, ret = 0;

	if (!text || !out || !n)
		return -EINVAL;
	while (pos < len && !ret) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - pos;
		char buf[256], *e1, *e2, *e3;
		double a, f, c;

		line++;
		if (l && text[pos + l - 1] == '\r')
			l--;
		if (l >= sizeof(buf)) {
			ret = fail(err, errlen, line, "line too long");
			break;
		}
		memcpy(buf, text + pos, l);
		buf[l] = 0;
		pos = end + 1;
		if (!l || buf[0] == '#')
			continue;
		if (!seen_header) {
			if (strcmp(buf, header))
				ret = fail(err, errlen, line,
					   "expected the header arrival_us,acc_floor,lat_ceiling_us");
			seen_header = 1;
			continue;
		}
		a = strtod(buf, &e1);
		if (e1 == buf || *e1 != ',') {
			ret = fail(err, errlen, line, "arrival_us is not a number");
			break;
		}
		f = strtod(e1 + 1, &e2);
		if (e2 == e1 + 1 || *e2 != ',') {
			ret = fail(err, errlen, line, "acc_floor is not a number");
			break;
		}
		c = strtod(e2 + 1, &e3);
		if (e3 == e2 + 1 || *e3) {
			ret = fail(err, errlen, line, "lat_ceiling_us is not a number");
			break;
		}
		if (!(a >= 0 && a < SUSHI_TRACE_MAX_NS / 1e3) ||
		    !(c > 0 && c < SUSHI_TRACE_MAX_NS / 1e3)) {
			ret = fail(err, errlen, line, "time out of range");
			break;
		}
		if (!(f >= 0 && f <= 1)) {
			ret = fail(err, errlen, line, "acc_floor outside [0, 1]");
			break;
		}
		if (cnt == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			struct sushi_query *nq = realloc(q, ncap * sizeof(*q));

			if (!nq) {
				ret = -ENOMEM;
				break;
			}
			q = nq;
			cap = ncap;
		}
		q[cnt].arrival_ns = (uint64_t)(a * 1000.0);
		q[cnt].acc_floor = f;
		q[cnt].lat_ceiling_ns = (uint64_t)(c * 1000.0);
		if (cnt && q[cnt].arrival_ns < q[cnt - 1].arrival_ns) {
			ret = fail(err, errlen, line, "arrivals must not decrease");
			break;
		}
		cnt++;
	}
	if (!ret && !cnt)
		ret = fail(err, errlen, line, "no queries");
	if (ret) {
		free(q);
		return ret;
	}
	*out = q;
	*n = cnt;
	return 0;
}
