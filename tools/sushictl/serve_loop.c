// SPDX-License-Identifier: MIT
/*
 * serve_loop.c - one policy serving a query trace through libsushi's
 * serving runtime in REPLAY mode: every query submitted with its arrival
 * and its image (query mod the sample), the runtime routing it to a device
 * and deciding on the devices' virtual clock exactly as `sushictl eval`
 * models it; the completions' predictions checked against the labels; the
 * runtime's metrics (the evaluator's, from the devices' figures) and its
 * counts of launches and PB switches that cost other than predicted.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "sushi/runtime.h"

/* what the completion callback counts (the runtime serialises nothing) */
struct tally {
	pthread_mutex_t lock;
	const struct serve_images *im;
	uint64_t correct;
	uint64_t failed;
	uint64_t first_fail_tag;
	int first_fail_err;
};

static void on_complete(void *arg, const struct sushi_rt_completion *c)
{
	struct tally *t = arg;

	pthread_mutex_lock(&t->lock);
	if (c->status == SUSHI_RT_FAILED) {
		if (!t->failed++) {
			t->first_fail_tag = c->tag;
			t->first_fail_err = c->error;
		}
	} else if (c->subnet != UINT32_MAX) {
		t->correct += c->prediction == t->im->labels[c->tag % t->im->n];
	}
	pthread_mutex_unlock(&t->lock);
}

static int submit_all(struct sushi_rt *rt, const struct sushi_query *qs,
		      size_t n, const struct serve_images *im, size_t *at)
{
	size_t in_len = sushi_rt_input_bytes(rt);
	int8_t *in = malloc(in_len);
	int ret = 0;

	if (!in)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < n; i++) {
		struct sushi_rt_request r = {
			.size = sizeof(r), .input = in, .in_len = in_len,
			.acc_floor = qs[i].acc_floor,
			.lat_ceiling_ns = qs[i].lat_ceiling_ns,
			.arrival_ns = qs[i].arrival_ns, .tag = i,
		};

		serve_images_input(im, (uint32_t)(i % im->n), in);
		ret = sushi_rt_submit(rt, &r);
		*at = i;
	}
	free(in);
	return ret;
}

int serve_policy(struct sushi_device *const *devs,
		 const struct sushi_supernet *sn,
		 const struct sushi_sched_params *p,
		 const struct sushi_fleet_params *fp,
		 const struct sushi_query *qs, size_t n,
		 const struct serve_images *im, struct serve_stats *st,
		 size_t *fail_query)
{
	struct tally t = { .im = im };
	struct sushi_rt_config cfg = {
		.size = sizeof(cfg), .clock = SUSHI_RT_REPLAY, .sn = sn,
		.devices = devs, .sched = *p, .fleet = *fp,
		.complete = on_complete, .complete_arg = &t,
	};
	struct sushi_rt_stats rs = { .size = sizeof(rs) };
	struct sushi_rt *rt;
	int ret, dret;

	if (!devs || !sn || !p || !fp || !qs || !n || !im || !im->n || !st ||
	    !fail_query)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	*fail_query = 0;
	pthread_mutex_init(&t.lock, NULL);
	ret = sushi_rt_create(&cfg, &rt);
	if (ret) {
		pthread_mutex_destroy(&t.lock);
		return ret;
	}
	if (sushi_rt_input_bytes(rt) != (size_t)im->h * im->w)
		ret = -EINVAL;
	if (!ret)
		ret = submit_all(rt, qs, n, im, fail_query);
	dret = sushi_rt_drain(rt, -1);
	if (!ret)
		ret = dret;
	if (!ret)
		ret = sushi_rt_stats(rt, &rs);
	sushi_rt_destroy(rt);
	pthread_mutex_destroy(&t.lock);
	if (!ret && t.failed) {
		*fail_query = (size_t)t.first_fail_tag;
		ret = t.first_fail_err;
	}
	if (ret)
		return ret;
	st->ev = rs.eval;
	st->correct = t.correct;
	st->measured_accuracy = rs.eval.queries - rs.eval.shed ?
		(double)t.correct / (double)(rs.eval.queries - rs.eval.shed) : 0;
	st->service_mismatches = rs.service_mismatches;
	st->load_mismatches = rs.load_mismatches;
	for (uint32_t k = 0; k < rs.n_devices; k++) {
		st->enospc_waits += rs.dev[k].pb_enospc_waits;
		st->dev[k] = rs.dev[k];
	}
	st->n_devices = rs.n_devices;
	return 0;
}
