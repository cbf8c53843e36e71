// SPDX-License-Identifier: MIT
/*
 * libsushi_runtime_test.c - in-guest TAP test of libsushi's serving runtime
 * on every SushiAccel device the guest has: LIVE serving through the fd and
 * through a callback from several submitting threads (every query answered
 * exactly once, every prediction the model library's for the SubNet that
 * served it); bad requests and configurations refused and not counted;
 * admission and deadline shedding; a device reset under load (every query
 * answered, failures with a clear errno, serving resumes); REPLAY equal to
 * sushi_eval_fleet() query by query for both routers; and the example
 * program of Documentation/examples.
 */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_tap.h"
#include "guest_util.h"
#include "sushi/device.h"
#include "sushi/netdev.h"
#include "sushi/runtime.h"

#define SUPERNET	"/data/fmnist-supernet.safetensors"
#define IMAGES		"/data/fmnist-test-1000-images.idx"
#define LABELS		"/data/fmnist-test-1000-labels.idx"
#define EXAMPLE		"/bin/serve_images"
#define MAXQ		512
#define SEC		1000000000ull

struct ctx {
	struct sushi_device *dev[SUSHI_FLEET_MAX_DEVICES];
	uint32_t n_dev;
	struct sushi_supernet *sn;
	struct sushi_supernet_info info;
	struct sushi_supernet_map map;
	uint8_t *images;	/* IDX file: 16-byte header */
	uint32_t n_images;
	size_t px;
	int16_t *cls;		/* [SubNet][image] reference class, -1 unknown */
};

/* what one run saw */
struct seen {
	pthread_mutex_t lock;
	uint32_t n;
	uint8_t times[MAXQ];	/* completions per tag */
	struct sushi_rt_completion c[MAXQ];
	uint32_t bad_tags;
};

static struct ctx C;

static void input_of(uint32_t img, int8_t *in)
{
	const uint8_t *p = C.images + 16 + (size_t)img * C.px;

	for (size_t k = 0; k < C.px; k++)
		in[k] = (int8_t)((int)p[k] - 128);
}

/* the model library's class of SubNet @s on image @img (cached) */
static int ref_class(uint32_t s, uint32_t img)
{
	int16_t *k = &C.cls[(size_t)s * C.n_images + img];
	int8_t in[4096], out[256];
	int best = 0;

	if (*k >= 0)
		return *k;
	if (C.px > sizeof(in) || C.info.n_classes > sizeof(out))
		return -1;
	input_of(img, in);
	if (ref_subnet(C.sn, &C.map, s, in, out))
		return -1;
	for (uint32_t i = 1; i < C.info.n_classes; i++)
		if (out[i] > out[best])
			best = (int)i;
	*k = (int16_t)best;
	return best;
}

static void record(struct seen *s, const struct sushi_rt_completion *c)
{
	pthread_mutex_lock(&s->lock);
	if (c->tag < MAXQ) {
		s->times[c->tag]++;
		s->c[c->tag] = *c;
	} else {
		s->bad_tags++;
	}
	s->n++;
	pthread_mutex_unlock(&s->lock);
}

static void on_complete(void *arg, const struct sushi_rt_completion *c)
{
	record(arg, c);
}

static struct sushi_rt_config config(enum sushi_rt_clock clock,
				     enum sushi_router router,
				     uint32_t n_dev, struct seen *cb)
{
	struct sushi_rt_config cfg = {
		.size = sizeof(cfg), .clock = clock, .sn = C.sn, .devices = C.dev,
		.sched = { .policy = SUSHI_POLICY_SUSHI, .q = 8, .w = 32 },
		.fleet = { .size = sizeof(cfg.fleet), .n_devices = n_dev,
			   .router = router },
		.complete = cb ? on_complete : NULL, .complete_arg = cb,
	};

	return cfg;
}

static int submit_image(struct sushi_rt *rt, uint32_t tag, double floor,
			uint64_t ceiling, uint64_t arrival)
{
	int8_t in[4096];
	struct sushi_rt_request r = {
		.size = sizeof(r), .input = in, .in_len = C.px,
		.acc_floor = floor, .lat_ceiling_ns = ceiling,
		.arrival_ns = arrival, .tag = tag,
	};

	input_of(tag % C.n_images, in);
	return sushi_rt_submit(rt, &r);
}

/* reap through the fd until @n completions were seen (or 60 s pass) */
static void reap_all(struct sushi_rt *rt, struct seen *s, uint32_t n)
{
	struct sushi_rt_completion c[8];

	for (int idle = 0; s->n < n && idle < 600;) {
		struct pollfd p = { .fd = sushi_rt_fd(rt), .events = POLLIN };
		int got;

		if (poll(&p, 1, 100) <= 0) {
			idle++;
			continue;
		}
		got = sushi_rt_reap(rt, c, 8, sizeof(c[0]));
		for (int i = 0; i < got; i++)
			record(s, &c[i]);
	}
}

#define MAY_FAIL	1	/* check_answers(): failures allowed */
#define MAY_SHED	2	/* sheds allowed */
#define SPREAD		4	/* several devices must have served */

/* each of @n tags answered once; served ones with the reference class */
static void check_answers(const char *what, const struct seen *s, uint32_t n,
			  unsigned int may)
{
	uint32_t once = 0, wrong = 0, failed = 0, bad_err = 0, shed = 0;
	uint32_t used = 0;

	for (uint32_t t = 0; t < n; t++) {
		const struct sushi_rt_completion *c = &s->c[t];

		once += s->times[t] == 1;
		if (s->times[t] != 1)
			continue;
		if (c->status == SUSHI_RT_FAILED) {
			failed++;
			bad_err += c->error != -ECANCELED && c->error != -ESTALE &&
				   c->error != -ETIMEDOUT && c->error != -EIO;
		} else if (c->status == SUSHI_RT_SHED) {
			shed++;
		} else if (c->subnet >= C.info.n_subnets || c->device >= C.n_dev ||
			   ref_class(c->subnet, t % C.n_images) != (int)c->prediction) {
			wrong++;
		} else {
			used |= 1u << (c->device & 31);
		}
	}
	EQ(n, once, "%s: each of %u queries answered exactly once", what, n);
	EQ(0, s->bad_tags, "%s: no completion with a tag never submitted", what);
	EQ(0, wrong, "%s: every served prediction is the model library's "
	   "for the SubNet and device that served it", what);
	if (may & MAY_FAIL)
		EQ(0, bad_err, "%s: %u failed, each with -ECANCELED, -ESTALE, "
		   "-ETIMEDOUT or -EIO", what, failed);
	else
		EQ(0, failed, "%s: none failed", what);
	if (!(may & MAY_SHED))
		EQ(0, shed, "%s: none shed", what);
	if (C.n_dev > 1 && (may & SPREAD))
		OK(__builtin_popcount(used) > 1, "%s: the burst spread over "
		   "several devices (mask %#x)", what, used);
}

static void test_live_fd(uint32_t inflight)
{
	struct sushi_rt_config cfg = config(SUSHI_RT_LIVE, SUSHI_ROUTER_JSQ,
					    C.n_dev, NULL);
	uint32_t deepest = 0;
	char what[64];
	struct sushi_rt_stats st = { .size = sizeof(st) };
	struct seen *s = calloc(1, sizeof(*s));
	struct sushi_rt *rt = NULL;
	uint32_t n = 96, dev_sum = 0, rej = 0;

	pthread_mutex_init(&s->lock, NULL);
	cfg.inflight = inflight;
	snprintf(what, sizeof(what), "LIVE/fd/jsq/%u in flight", inflight);
	EQ(0, sushi_rt_create(&cfg, &rt), "%s: runtime on %u device(s), "
	   "completions through the fd", what, C.n_dev);
	if (!rt)
		return;
	for (uint32_t t = 0; t < n; t++)
		rej += submit_image(rt, t, 0, 60 * SEC, 0) != 0;
	EQ(0, rej, "%u queries accepted", n);
	reap_all(rt, s, n);
	check_answers(what, s, n, SPREAD);
	EQ(0, sushi_rt_drain(rt, SEC), "drained");
	EQ(0, sushi_rt_stats(rt, &st), "stats");
	for (uint32_t k = 0; k < st.n_devices; k++) {
		dev_sum += (uint32_t)(st.dev[k].served + st.dev[k].late +
				      st.dev[k].held);
		if (st.dev[k].inflight_max > deepest)
			deepest = st.dev[k].inflight_max;
	}
	OK(deepest == inflight, "%s: a device had %u launches in flight at "
	   "once, never more", what, deepest);
	OK(st.submitted == n && st.completed == n &&
	   st.served + st.late == n && dev_sum == n,
	   "counters: %llu submitted, %llu completed, per-device sum %u",
	   (unsigned long long)st.submitted, (unsigned long long)st.completed,
	   dev_sum);
	EQ(0, st.service_mismatches + st.load_mismatches, "every launch and PB "
	   "switch cost what SushiSched predicted");
	EQ(0, sushi_rt_reap(rt, s->c, 1, sizeof(s->c[0])), "nothing left to reap");
	sushi_rt_destroy(rt);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

struct submitter {
	struct sushi_rt *rt;
	uint32_t first, n;
	uint32_t rejected;
};

static void *submit_thread(void *arg)
{
	struct submitter *t = arg;

	for (uint32_t i = 0; i < t->n; i++)
		t->rejected += submit_image(t->rt, t->first + i, 0.8, 60 * SEC, 0) != 0;
	return NULL;
}

static void test_live_callback(void)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct sushi_rt_config cfg = config(SUSHI_RT_LIVE, SUSHI_ROUTER_SGS,
					    C.n_dev, s);
	struct submitter th[3];
	pthread_t tid[3];
	struct sushi_rt *rt = NULL;
	uint32_t rej = 0;

	pthread_mutex_init(&s->lock, NULL);
	EQ(0, sushi_rt_create(&cfg, &rt), "LIVE runtime, SGS router, callback");
	if (!rt)
		return;
	EQ(-EINVAL, sushi_rt_fd(rt), "no fd with a callback");
	EQ(-EINVAL, sushi_rt_reap(rt, s->c, 1, sizeof(s->c[0])), "no reap with "
	   "a callback");
	for (int i = 0; i < 3; i++) {
		th[i] = (struct submitter){ .rt = rt, .first = 40u * i, .n = 40 };
		pthread_create(&tid[i], NULL, submit_thread, &th[i]);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(tid[i], NULL);
		rej += th[i].rejected;
	}
	EQ(0, rej, "three threads submitted 120 queries at once");
	EQ(0, sushi_rt_drain(rt, 60 * SEC), "drained");
	check_answers("LIVE/callback/sgs", s, 120, 0);
	sushi_rt_destroy(rt);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void test_bad_input(void)
{
	struct sushi_rt_config cfg = config(SUSHI_RT_LIVE, SUSHI_ROUTER_JSQ, 1,
					    NULL);
	struct sushi_rt_stats st = { .size = sizeof(st) };
	struct sushi_rt *rt = NULL, *bad = NULL;
	unsigned char big[sizeof(struct sushi_rt_request) + 8];
	int8_t in[4096] = { 0 };
	struct sushi_rt_request r = {
		.size = sizeof(r), .input = in, .in_len = C.px,
		.lat_ceiling_ns = SEC,
	}, x;

	cfg.sched.policy = SUSHI_POLICY_LRU;
	EQ(-EINVAL, sushi_rt_create(&cfg, &bad), "create: LRU refused");
	cfg.sched.policy = SUSHI_POLICY_ORACLE;
	EQ(-EINVAL, sushi_rt_create(&cfg, &bad), "create: an offline policy refused");
	cfg.sched.policy = SUSHI_POLICY_SUSHI;
	cfg.fleet.n_devices = 0;
	EQ(-EINVAL, sushi_rt_create(&cfg, &bad), "create: no devices refused");
	cfg.fleet.n_devices = 1;
	cfg.size = 8;
	EQ(-EINVAL, sushi_rt_create(&cfg, &bad), "create: a short config refused");
	cfg.size = sizeof(cfg);
	cfg.inflight = SUSHI_NETDEV_MAX_SLOTS + 1;
	EQ(-EINVAL, sushi_rt_create(&cfg, &bad), "create: more launches in "
	   "flight than arenas refused");
	cfg.inflight = 0;
	cfg.clock = SUSHI_RT_CLOCK_COUNT;
	EQ(-EINVAL, sushi_rt_create(&cfg, &bad), "create: an unknown clock refused");
	cfg.clock = SUSHI_RT_LIVE;
	OK(!bad, "no runtime came of them");
	cfg.size = offsetof(struct sushi_rt_config, inflight);
	EQ(0, sushi_rt_create(&cfg, &rt), "a config of the first layout "
	   "(before inflight) is accepted");
	if (!rt)
		return;
	x = r, x.in_len = C.px - 1;
	EQ(-EINVAL, sushi_rt_submit(rt, &x), "submit: input one byte short");
	x = r, x.input = NULL;
	EQ(-EINVAL, sushi_rt_submit(rt, &x), "submit: no input");
	x = r, x.flags = 1;
	EQ(-EINVAL, sushi_rt_submit(rt, &x), "submit: unknown flag");
	x = r, x.acc_floor = NAN;
	EQ(-EINVAL, sushi_rt_submit(rt, &x), "submit: floor NaN");
	x = r, x.acc_floor = 1.5;
	EQ(-EINVAL, sushi_rt_submit(rt, &x), "submit: floor above 1");
	x = r, x.arrival_ns = 5;
	EQ(-EINVAL, sushi_rt_submit(rt, &x), "submit: LIVE with an arrival time");
	x = r, x.size = 16;
	EQ(-EINVAL, sushi_rt_submit(rt, &x), "submit: a short request");
	memset(big, 0, sizeof(big));
	memcpy(big, &r, sizeof(r));
	big[sizeof(r) + 3] = 1;
	((struct sushi_rt_request *)(void *)big)->size = sizeof(big);
	EQ(-EINVAL, sushi_rt_submit(rt, (void *)big), "submit: a newer request "
	   "with a non-zero field this library does not know");
	big[sizeof(r) + 3] = 0;
	EQ(0, sushi_rt_submit(rt, (void *)big), "submit: a newer request whose "
	   "unknown fields are zero");
	EQ(0, sushi_rt_drain(rt, 30 * SEC), "drained");
	EQ(0, sushi_rt_stats(rt, &st), "stats");
	EQ(1, st.submitted, "only the good request was counted");
	sushi_rt_destroy(rt);
	EQ(-EINVAL, sushi_rt_submit(NULL, &r), "submit: NULL runtime");
}

/* admission (max_queue 1) and deadline shedding (a 1 ns ceiling) */
static void test_shedding(void)
{
	struct sushi_rt_config cfg = config(SUSHI_RT_LIVE, SUSHI_ROUTER_JSQ,
					    C.n_dev, NULL);
	struct sushi_rt_stats st = { .size = sizeof(st) };
	struct seen *s = calloc(1, sizeof(*s));
	struct sushi_rt *rt = NULL;
	uint32_t adm = 0, dl = 0, late = 0, n = 40;

	pthread_mutex_init(&s->lock, NULL);
	cfg.fleet.max_queue = 1;
	EQ(0, sushi_rt_create(&cfg, &rt), "LIVE, at most 1 query per device");
	for (uint32_t t = 0; rt && t < n; t++)
		submit_image(rt, t, 0, 60 * SEC, 0);
	if (rt)
		reap_all(rt, s, n);
	for (uint32_t t = 0; t < n; t++)
		adm += s->c[t].status == SUSHI_RT_SHED && s->c[t].device == UINT32_MAX;
	OK(adm > 0 && adm <= n - C.n_dev, "a burst of %u: %u shed at admission, "
	   "at least %u admitted", n, adm, C.n_dev);
	if (rt && !sushi_rt_stats(rt, &st))
		EQ(adm, st.shed_admission, "the counters say %u shed at admission",
		   adm);
	sushi_rt_destroy(rt);
	rt = NULL;

	memset(s->times, 0, sizeof(s->times));
	s->n = 0;
	cfg = config(SUSHI_RT_LIVE, SUSHI_ROUTER_JSQ, C.n_dev, NULL);
	cfg.fleet.overload = SUSHI_OVERLOAD_SHED;
	EQ(0, sushi_rt_create(&cfg, &rt), "LIVE, overload shed");
	for (uint32_t t = 0; rt && t < 8; t++)
		submit_image(rt, t, 0, 1, 0);
	if (rt)
		reap_all(rt, s, 8);
	for (uint32_t t = 0; t < 8; t++)
		dl += s->c[t].status == SUSHI_RT_SHED && s->c[t].device < C.n_dev &&
		      s->c[t].subnet == UINT32_MAX;
	EQ(8, dl, "a 1 ns ceiling no SubNet meets: every query shed on its device");
	sushi_rt_destroy(rt);
	rt = NULL;

	memset(s->times, 0, sizeof(s->times));
	s->n = 0;
	cfg.fleet.overload = SUSHI_OVERLOAD_LATE;
	EQ(0, sushi_rt_create(&cfg, &rt), "LIVE, overload late");
	for (uint32_t t = 0; rt && t < 8; t++)
		submit_image(rt, t, 0, 1, 0);
	if (rt)
		reap_all(rt, s, 8);
	for (uint32_t t = 0; t < 8; t++)
		late += s->c[t].status == SUSHI_RT_LATE &&
			s->c[t].decision.fallback &&
			(int)s->c[t].prediction == ref_class(s->c[t].subnet, t);
	EQ(8, late, "the same queries served late by the fastest SubNet, "
	   "predictions right");
	sushi_rt_destroy(rt);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * A reset of device 0 while queries are queued behind a pinned SubGraph
 * (static-smallest pins it at the first query and never again): the next
 * launch on device 0 finds its pin set stale; none is lost, failures carry
 * a clear errno, the runtime drops its PB content, and serving resumes.
 */
static void test_reset_under_load(void)
{
	struct sushi_rt_config cfg = config(SUSHI_RT_LIVE, SUSHI_ROUTER_JSQ,
					    C.n_dev, NULL);
	struct sushi_rt_stats st = { .size = sizeof(st) };
	struct seen *s = calloc(1, sizeof(*s));
	struct sushi_rt *rt = NULL;
	uint32_t n = 80, failed = 0, after = 0;
	uint32_t gen = 0;

	pthread_mutex_init(&s->lock, NULL);
	cfg.sched.policy = SUSHI_POLICY_STATIC_SMALLEST;
	EQ(0, sushi_rt_create(&cfg, &rt), "LIVE runtime for the reset "
	   "(static-smallest)");
	if (!rt)
		return;
	for (uint32_t t = 0; t < 16; t++)	/* device 0 pins and serves */
		submit_image(rt, t, 0, 60 * SEC, 0);
	reap_all(rt, s, 16);
	for (uint32_t t = 16; t < 64; t++)
		submit_image(rt, t, 0, 60 * SEC, 0);
	EQ(0, sushi_device_reset(C.dev[0], &gen), "device 0 reset with queries "
	   "queued (PB generation %u)", gen);
	reap_all(rt, s, 64);
	for (uint32_t t = 64; t < n; t++)
		submit_image(rt, t, 0, 60 * SEC, 0);
	reap_all(rt, s, n);
	check_answers("reset under load", s, n, MAY_FAIL);
	for (uint32_t t = 0; t < n; t++)
		failed += s->c[t].status == SUSHI_RT_FAILED;
	for (uint32_t t = 64; t < n; t++)
		after += s->c[t].status == SUSHI_RT_SERVED ||
			 s->c[t].status == SUSHI_RT_LATE;
	OK(failed >= 1 && failed <= 48, "%u of the 48 queued queries failed "
	   "(at least the launch that found its pin set stale)", failed);
	EQ(n - 64, after, "every query submitted after those served (the PB "
	   "pinned again)");
	if (!sushi_rt_stats(rt, &st))
		OK(st.failed == failed && st.completed == n &&
		   st.dev[0].pb_resets >= 1,
		   "the counters: %llu failed, %llu completed, device 0 dropped "
		   "its PB content %llu times", (unsigned long long)st.failed,
		   (unsigned long long)st.completed,
		   (unsigned long long)st.dev[0].pb_resets);
	sushi_rt_destroy(rt);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static bool stats_eq(const struct sushi_eval_stats *a,
		     const struct sushi_eval_stats *b)
{
	return a->queries == b->queries &&
	       a->served_accuracy == b->served_accuracy &&
	       a->slo_attainment == b->slo_attainment &&
	       a->lat_mean_ns == b->lat_mean_ns &&
	       a->lat_p50_ns == b->lat_p50_ns && a->lat_p99_ns == b->lat_p99_ns &&
	       a->offchip_bytes == b->offchip_bytes &&
	       a->energy_fj_per_query == b->energy_fj_per_query &&
	       a->offchip_fj_per_query == b->offchip_fj_per_query &&
	       a->pb_bytes_served == b->pb_bytes_served &&
	       a->pb_reloads == b->pb_reloads &&
	       a->pb_bytes_loaded == b->pb_bytes_loaded &&
	       a->fallbacks == b->fallbacks && a->shed == b->shed &&
	       a->shed_admission == b->shed_admission &&
	       a->makespan_ns == b->makespan_ns;
}

/* REPLAY of a phased trace = sushi_eval_fleet(), query by query */
static void test_replay(enum sushi_router router, uint32_t n_dev,
			enum sushi_overload ov, uint32_t max_queue)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct sushi_rt_config cfg = config(SUSHI_RT_REPLAY, router, n_dev, s);
	struct sushi_rt_stats st = { .size = sizeof(st) };
	struct sushi_trace_params tp = {
		.kind = SUSHI_TRACE_PHASED, .n = 300, .seed = 3, .phase = 60,
	};
	struct sushi_query qs[300];
	struct sushi_eval_record rec[300];
	struct sushi_eval_stats ev;
	struct sushi_rt *rt = NULL;
	uint32_t differ = 0;
	char what[96];

	snprintf(what, sizeof(what), "REPLAY on %u device(s), %s, %s, max queue %u",
		 n_dev, sushi_router_name(router), sushi_overload_name(ov),
		 max_queue);
	pthread_mutex_init(&s->lock, NULL);
	cfg.fleet.overload = ov;
	cfg.fleet.max_queue = max_queue;
	EQ(0, sushi_rt_create(&cfg, &rt), "%s: created", what);
	if (!rt)
		return;
	fill_trace(sushi_rt_space(rt), &tp);
	tp.mean_gap_ns /= 2 * n_dev;	/* load the fleet */
	EQ(0, sushi_trace_generate(&tp, qs), "%s: trace", what);
	for (uint32_t t = 0; t < tp.n; t++)
		submit_image(rt, t, qs[t].acc_floor, qs[t].lat_ceiling_ns,
			     qs[t].arrival_ns);
	EQ(0, sushi_rt_drain(rt, 120 * SEC), "%s: drained", what);
	EQ(0, sushi_rt_stats(rt, &st), "%s: stats", what);
	EQ(0, sushi_eval_fleet(sushi_rt_space(rt), &cfg.sched, &cfg.fleet, qs,
			       tp.n, &ev, rec), "%s: sushi_eval_fleet", what);
	for (uint32_t t = 0; t < tp.n; t++)
		differ += s->times[t] != 1 || s->c[t].device != rec[t].device ||
			  s->c[t].subnet != rec[t].subnet ||
			  s->c[t].arrival_ns + s->c[t].queue_ns +
			  s->c[t].service_ns != rec[t].finish_ns;
	EQ(0, differ, "%s: every query on the device, by the SubNet, finished "
	   "at the time the evaluator says", what);
	OK(stats_eq(&st.eval, &ev), "%s: metrics equal the evaluator's (p99 "
	   "%llu ns, %llu reloads, %llu shed)", what,
	   (unsigned long long)ev.lat_p99_ns, (unsigned long long)ev.pb_reloads,
	   (unsigned long long)ev.shed);
	EQ(0, st.service_mismatches + st.load_mismatches, "%s: no cost "
	   "mismatch", what);
	check_answers(what, s, tp.n, ov == SUSHI_OVERLOAD_SHED || max_queue ?
		      MAY_SHED : 0);
	sushi_rt_destroy(rt);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void test_example(void)
{
	static char buf[65536];
	char want[64];
	unsigned int served = 0, devs = 0, right = 0;
	const char *last;
	int rc = run_cmd(EXAMPLE " " SUPERNET " " IMAGES " " LABELS " 100",
			 buf, sizeof(buf));

	EQ(0, rc, "the example program (Documentation/examples/serve_images.c) "
	   "exits 0");
	last = strstr(buf, "served ");
	if (!last || sscanf(last, "served %u images on %u device%*s %u right",
			    &served, &devs, &right) != 3)
		served = 0;
	OK(served == 100 && devs == C.n_dev && right >= 75,
	   "it served %u images on %u device(s), %u right", served, devs, right);
	snprintf(want, sizeof(want), "image  99: class");
	OK(strstr(buf, want) != NULL, "and printed every image's answer");
}

int main(void)
{
	struct sushi_caps caps;
	char err[256];
	size_t len = 0;
	FILE *f;

	printf("# libsushi's serving runtime on the guest's SushiAccel devices\n");
	if (sushi_device_open_all(C.dev, SUSHI_FLEET_MAX_DEVICES, &C.n_dev) ||
	    sushi_supernet_open(SUPERNET, &C.sn, err, sizeof(err)) ||
	    sushi_supernet_info(C.sn, &C.info)) {
		OK(0, "devices and the SuperNet open");
		return tap_done();
	}
	printf("# %u SushiAccel device(s)\n", C.n_dev);
	if (C.n_dev == 1)
		printf("# SKIP the multi-device checks need a guest with several "
		       "devices (SUSHI_GUEST_NDEV)\n");
	sushi_device_caps(C.dev[0], &caps);
	sushi_netdev_map(&caps, &C.map);
	C.px = (size_t)C.info.in_h * C.info.in_w * C.info.in_c;
	f = fopen(IMAGES, "rb");
	if (f && !fseek(f, 0, SEEK_END) && (len = (size_t)ftell(f)) > 16 &&
	    !fseek(f, 0, SEEK_SET) && (C.images = malloc(len)) &&
	    fread(C.images, 1, len, f) == len)
		C.n_images = (uint32_t)((len - 16) / C.px);
	if (f)
		fclose(f);
	C.cls = malloc((size_t)C.info.n_subnets * (C.n_images + 1) * sizeof(*C.cls));
	if (!C.n_images || !C.cls) {
		OK(0, "image sample read");
		return tap_done();
	}
	memset(C.cls, 0xff, (size_t)C.info.n_subnets * C.n_images * sizeof(*C.cls));
	test_bad_input();
	test_live_fd(1);
	test_live_fd(4);
	test_live_callback();
	test_shedding();
	for (uint32_t n = 1; n <= C.n_dev; n *= 2) {
		test_replay(SUSHI_ROUTER_JSQ, n, SUSHI_OVERLOAD_LATE, 0);
		test_replay(SUSHI_ROUTER_SGS, n, SUSHI_OVERLOAD_LATE, 0);
	}
	test_replay(SUSHI_ROUTER_SGS, C.n_dev, SUSHI_OVERLOAD_SHED, 2);
	test_example();
	test_reset_under_load();
	free(C.images);
	free(C.cls);
	sushi_supernet_close(C.sn);
	while (C.n_dev)
		sushi_device_close(C.dev[--C.n_dev]);
	return tap_done();
}
