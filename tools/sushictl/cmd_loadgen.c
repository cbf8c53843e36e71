// SPDX-License-Identifier: MIT
/*
 * cmd_loadgen.c - `sushictl loadgen`: open-loop load on sushid.  The
 * arrival times (Poisson: exponential gaps from a seed) are drawn before
 * the run; a sender thread sends each query at its time whatever the
 * answers do, the main thread receives and timestamps the answers.  A
 * query's latency runs from its scheduled arrival (so a sender held up by
 * the socket does not hide queueing) to its answer.  Prints latency
 * percentiles, SLO attainment, throughput, counts by status and the
 * accuracy measured against the labels, as a table or JSON.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "args.h"
#include "cmd_client.h"
#include "cmd_eval.h"
#include "out.h"

static void loadgen_usage(FILE *f)
{
	fputs("usage: sushictl loadgen [options]\n"
	      "Send open-loop Poisson arrivals of images to sushid for a bounded time\n"
	      "(queries go at their scheduled times whatever the answers do) and\n"
	      "print the latency percentiles (from each query's scheduled arrival to\n"
	      "its answer, of the queries served), the SLO attainment (queries\n"
	      "served, within the ceiling as the daemon and the client measure it,\n"
	      "by a SubNet at or above the floor, of all sent), the throughput (queries served per second), the answers by\n"
	      "status and the accuracy measured against the labels. Exit status 0\n"
	      "when every query got exactly one answer, 2 otherwise or when sushid\n"
	      "could not be reached.\n\n"
	      "options:\n"
	      "  --socket PATH        sushid's socket (default " SUSHI_CLIENT_SOCKET ")\n"
	      "  --rate QPS           mean arrival rate, queries per second (default 100)\n"
	      "  --duration S         seconds of arrivals (default 10)\n"
	      "  --seed N             seed of the arrival times (default 1)\n"
	      "  --floor F            accuracy floor in [0, 1] (default 0)\n"
	      "  --ceiling-us U       latency ceiling in microseconds (default 50000: an\n"
	      "                       emulated device is much slower than the model)\n"
	      "  --images FILE        IDX image file; query i sends image i modulo their\n"
	      "                       number (default the compiled-in sample)\n"
	      "  --labels FILE        IDX label file (default the compiled-in sample)\n"
	      "  --timeout S          seconds to wait for answers after the last\n"
	      "                       arrival (default 30)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: the arrival times' random numbers */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

long loadgen_arrivals(double rate, double duration_s, uint64_t seed,
		      uint64_t **t)
{
	size_t n = 0, cap = 1024;
	double now = 0;
	uint64_t s = seed;

	*t = malloc(cap * sizeof(**t));
	if (!*t)
		return -ENOMEM;
	for (;;) {
		/* U in (0, 1]: -ln(U) / rate is an exponential gap */
		double u = ((double)(next_rand(&s) >> 11) + 1) / 9007199254740992.0;

		now += -log(u) / rate;
		if (now >= duration_s)
			break;
		if (n == LOADGEN_MAX_QUERIES) {
			free(*t);
			*t = NULL;
			return -E2BIG;
		}
		if (n == cap) {
			uint64_t *nt = realloc(*t, 2 * cap * sizeof(**t));

			if (!nt) {
				free(*t);
				*t = NULL;
				return -ENOMEM;
			}
			*t = nt;
			cap *= 2;
		}
		(*t)[n++] = (uint64_t)(now * 1e9);
	}
	return (long)n;
}

uint64_t loadgen_percentile(const uint64_t *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return 0;
	k = (size_t)ceil(p * (double)n);
	return v[(k ? k : 1) - 1];
}

/* one query's fate */
struct lq {
	bool sent;
	uint64_t sent_ns;	/* from the start */
	uint64_t recv_ns;
	struct sushi_client_result r;
	uint32_t answers;
};

struct run {
	const struct loadgen_opts *o;
	struct sushi_client *c;
	const struct serve_images *im;
	uint32_t in_bytes;
	const uint64_t *at;	/* scheduled arrivals, from the start */
	size_t n;
	struct lq *q;
	uint64_t start;
	atomic_size_t sending;	/* queries 0..sending-1 were (being) sent */
	atomic_size_t sent;	/* of which sent whole */
	atomic_bool sender_done;
	int send_err;
	size_t sent_whole;	/* after the run: atomic sent */
};

static void *sender(void *arg)
{
	struct run *r = arg;
	int8_t *in = malloc(r->in_bytes);

	for (size_t i = 0; in && i < r->n; i++) {
		uint64_t due = r->start + r->at[i];
		struct timespec ts = { .tv_sec = (time_t)(due / 1000000000u),
				       .tv_nsec = (long)(due % 1000000000u) };
		int ret;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		serve_images_input(r->im, (uint32_t)(i % r->im->n), in);
		r->q[i].sent_ns = mono_ns() - r->start;
		r->q[i].sent = true;
		/* the receiver may see the answer before send() returns */
		atomic_store(&r->sending, i + 1);
		ret = sushi_client_send(r->c, &(struct sushi_client_query){
			.size = sizeof(struct sushi_client_query), .tag = i,
			.acc_floor = r->o->c.floor, .lat_ceiling_ns = r->o->c.ceiling_ns,
			.input = in, .in_len = r->in_bytes,
		});
		if (ret) {
			r->send_err = ret;
			break;
		}
		atomic_store(&r->sent, i + 1);
	}
	if (!in)
		r->send_err = -ENOMEM;
	free(in);
	atomic_store(&r->sender_done, true);
	return NULL;
}

/* the answers, until all are in, the timeout passes or the connection dies */
static int receive(struct run *r, uint64_t *answered, uint64_t *extra)
{
	uint64_t deadline = 0;

	for (;;) {
		struct sushi_client_result res = { .size = sizeof(res) };
		bool done = atomic_load(&r->sender_done);
		size_t sent = atomic_load(&r->sent);
		int ret;

		if (done && *answered >= sent)
			return 0;
		if (done && !deadline)
			deadline = mono_ns() + (uint64_t)(r->o->c.timeout_s * 1e9);
		if (deadline && mono_ns() >= deadline)
			return -ETIME;
		ret = sushi_client_recv(r->c, &res, 100000000);
		if (ret == -ETIME)
			continue;
		if (ret)
			return ret;
		if (res.tag >= atomic_load(&r->sending)) {
			(*extra)++;	/* an answer to nothing sent */
			continue;
		}
		if (r->q[res.tag].answers++) {
			(*extra)++;	/* a second answer */
			continue;
		}
		r->q[res.tag].recv_ns = mono_ns() - r->start;
		r->q[res.tag].r = res;
		(*answered)++;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct report {
	size_t n, sent;
	uint64_t answered, extra, lost;
	uint64_t status[SUSHI_QUERY_STATUS_COUNT];
	uint64_t p50, p90, p99, max;
	uint64_t d50, d99, dmax;	/* the daemon's queue + service */
	double mean_ns;
	uint64_t slo_met, correct, ran;
	double throughput, wall_s, max_lag_ms;
	uint32_t devices;
	const char *end;	/* why receiving ended early, or NULL */
};

static int summarize(const struct run *r, struct report *rp)
{
	uint64_t *lat = malloc((r->n ? r->n : 1) * sizeof(*lat)), last = 0, lag = 0;
	uint64_t *dl = malloc((r->n ? r->n : 1) * sizeof(*dl));
	double sum = 0;

	if (!lat || !dl) {
		free(lat);
		free(dl);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct lq *q = &r->q[i];
		bool ran;
		uint64_t l;

		if (!q->sent || i >= r->sent_whole)
			continue;
		rp->sent++;
		if (q->sent_ns > r->at[i] && q->sent_ns - r->at[i] > lag)
			lag = q->sent_ns - r->at[i];
		if (!q->answers)
			continue;
		rp->status[q->r.status < SUSHI_QUERY_STATUS_COUNT ? q->r.status :
			   SUSHI_QUERY_FAILED]++;
		ran = q->r.status == SUSHI_QUERY_SERVED || q->r.status == SUSHI_QUERY_LATE;
		if (!ran)
			continue;
		l = q->recv_ns - r->at[i];
		dl[rp->ran] = q->r.queue_ns + q->r.service_ns;
		lat[rp->ran++] = l;
		sum += (double)l;
		last = q->recv_ns > last ? q->recv_ns : last;
		rp->correct += q->r.prediction == r->im->labels[i % r->im->n];
		rp->slo_met += q->r.status == SUSHI_QUERY_SERVED &&
			       l <= r->o->c.ceiling_ns && q->r.accuracy >= r->o->c.floor;
	}
	qsort(lat, rp->ran, sizeof(*lat), cmp_u64);
	rp->p50 = loadgen_percentile(lat, rp->ran, 0.50);
	rp->p90 = loadgen_percentile(lat, rp->ran, 0.90);
	rp->p99 = loadgen_percentile(lat, rp->ran, 0.99);
	rp->max = rp->ran ? lat[rp->ran - 1] : 0;
	qsort(dl, rp->ran, sizeof(*dl), cmp_u64);
	rp->d50 = loadgen_percentile(dl, rp->ran, 0.50);
	rp->d99 = loadgen_percentile(dl, rp->ran, 0.99);
	rp->dmax = rp->ran ? dl[rp->ran - 1] : 0;
	free(dl);
	rp->mean_ns = rp->ran ? sum / (double)rp->ran : 0;
	rp->lost = rp->sent - rp->answered;
	rp->throughput = last ? (double)rp->ran / ((double)last / 1e9) : 0;
	rp->max_lag_ms = (double)lag / 1e6;
	free(lat);
	return 0;
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static void print_json(const struct loadgen_opts *o, const struct report *rp)
{
	struct jw w;

	jw_begin(&w, stdout);
	jw_str(&w, "socket", o->c.socket);
	jw_num(&w, "rate", o->rate);
	jw_num(&w, "duration_s", o->duration_s);
	jw_u64(&w, "seed", o->seed);
	jw_num(&w, "floor", o->c.floor);
	jw_u64(&w, "ceiling_ns", o->c.ceiling_ns);
	jw_u64(&w, "devices", rp->devices);
	jw_u64(&w, "scheduled", rp->n);
	jw_u64(&w, "sent", rp->sent);
	jw_u64(&w, "answered", rp->answered);
	jw_u64(&w, "lost", rp->lost);
	jw_u64(&w, "extra_answers", rp->extra);
	if (rp->end)
		jw_str(&w, "receive_error", rp->end);
	jw_obj(&w, "status");
	for (unsigned int s = 0; s < SUSHI_QUERY_STATUS_COUNT; s++)
		jw_u64(&w, sushi_query_status_name(s), rp->status[s]);
	jw_end_obj(&w);
	jw_obj(&w, "latency_ns");
	jw_u64(&w, "p50", rp->p50);
	jw_u64(&w, "p90", rp->p90);
	jw_u64(&w, "p99", rp->p99);
	jw_u64(&w, "max", rp->max);
	jw_num(&w, "mean", rp->mean_ns);
	jw_end_obj(&w);
	jw_obj(&w, "daemon_latency_ns");
	jw_u64(&w, "p50", rp->d50);
	jw_u64(&w, "p99", rp->d99);
	jw_u64(&w, "max", rp->dmax);
	jw_end_obj(&w);
	jw_num(&w, "slo_attainment", rp->sent ? (double)rp->slo_met / (double)rp->sent : 0);
	jw_num(&w, "throughput_qps", rp->throughput);
	jw_num(&w, "offered_qps", (double)rp->sent / o->duration_s);
	jw_num(&w, "measured_accuracy", rp->ran ? (double)rp->correct / (double)rp->ran : 0);
	jw_num(&w, "max_send_lag_ms", rp->max_lag_ms);
	jw_num(&w, "wall_s", rp->wall_s);
	jw_finish(&w);
}

static void print_table(const struct loadgen_opts *o, const struct report *rp)
{
	static const char *const h1[] = {
		"sent", "answered", "lost", "served", "late", "shed", "failed", "rejected",
	};
	static const char *const h2[] = {
		"p50 ms", "p90 ms", "p99 ms", "max ms", "SLO %", "served/s", "accuracy %",
	};
	static const bool right[8] = { true, true, true, true, true, true, true, true };
	char v[8][32];
	const char *cells[8];
	struct table t;

	printf("sushictl loadgen: %.6g queries/s (Poisson, seed %llu) for %.6g s to %s "
	       "(%u device%s); floor %.4g, ceiling %.6g ms\n", o->rate,
	       (unsigned long long)o->seed, o->duration_s, o->c.socket, rp->devices,
	       rp->devices == 1 ? "" : "s", o->c.floor, (double)o->c.ceiling_ns / 1e6);
	table_init(&t, 8, h1, right);
	snprintf(v[0], 32, "%zu", rp->sent);
	snprintf(v[1], 32, "%llu", (unsigned long long)rp->answered);
	snprintf(v[2], 32, "%llu", (unsigned long long)rp->lost);
	for (unsigned int s = 0; s < SUSHI_QUERY_STATUS_COUNT; s++)
		snprintf(v[3 + s], 32, "%llu", (unsigned long long)rp->status[s]);
	for (int i = 0; i < 8; i++)
		cells[i] = v[i];
	table_add(&t, cells);
	table_print(&t, stdout);
	table_free(&t);
	printf("\n");
	table_init(&t, 7, h2, right);
	snprintf(v[0], 32, "%.3f", (double)rp->p50 / 1e6);
	snprintf(v[1], 32, "%.3f", (double)rp->p90 / 1e6);
	snprintf(v[2], 32, "%.3f", (double)rp->p99 / 1e6);
	snprintf(v[3], 32, "%.3f", (double)rp->max / 1e6);
	snprintf(v[4], 32, "%.2f", pct(rp->slo_met, rp->sent));
	snprintf(v[5], 32, "%.2f", rp->throughput);
	snprintf(v[6], 32, "%.2f", pct(rp->correct, rp->ran));
	table_add(&t, cells);
	table_print(&t, stdout);
	table_free(&t);
	printf("\nlatency: scheduled arrival to answer, served and late queries (the "
	       "daemon's queue + service: p50 %.3f, p99 %.3f, max %.3f ms); SLO: served "
	       "in time (daemon and client clocks) at or above the floor, of all sent; "
	       "the sender was at most %.3f ms behind schedule\n", (double)rp->d50 / 1e6,
	       (double)rp->d99 / 1e6, (double)rp->dmax / 1e6, rp->max_lag_ms);
	if (rp->extra || rp->lost || rp->end)
		printf("%llu queries without an answer, %llu extra answers%s%s\n",
		       (unsigned long long)rp->lost, (unsigned long long)rp->extra,
		       rp->end ? "; receiving ended: " : "", rp->end ? rp->end : "");
}

int cmd_loadgen(int argc, char **argv)
{
	struct sushi_client_info info;
	struct serve_images im;
	struct loadgen_opts o;
	struct report rp = { 0 };
	struct run r = { .o = &o };
	uint64_t *at = NULL;
	pthread_t th;
	char err[256];
	long n;
	bool help;
	int ret, rc;

	rc = loadgen_parse(argc, argv, &o, &help, err, sizeof(err));
	rc = args_finish("sushictl loadgen", rc, help, err, loadgen_usage);
	if (rc >= 0)
		return rc;
	n = loadgen_arrivals(o.rate, o.duration_s, o.seed, &at);
	if (n < 0) {
		fprintf(stderr, "sushictl loadgen: %s\n", n == -E2BIG ?
			"too many queries (lower --rate or --duration)" : "out of memory");
		return n == -E2BIG ? EXIT_USAGE : EXIT_INTERNAL;
	}
	rc = client_setup("loadgen", &o.c, &r.c, &info, &im);
	if (rc) {
		free(at);
		return rc;
	}
	r.im = &im;
	r.in_bytes = info.in_bytes;
	r.at = at;
	r.n = (size_t)n;
	r.q = calloc(r.n ? r.n : 1, sizeof(*r.q));
	rc = EXIT_INTERNAL;
	if (!r.q)
		goto out;
	r.start = mono_ns() + 1000000;	/* the sender's first sleep is real */
	if (pthread_create(&th, NULL, sender, &r))
		goto out;
	ret = receive(&r, &rp.answered, &rp.extra);
	if (ret) {
		/* unblock a sender stuck on a full socket, then stop it */
		shutdown(sushi_client_fd(r.c), SHUT_RDWR);
		rp.end = ret == -ETIME ? "timed out waiting for answers" :
			 sushi_client_strerror(ret);
	}
	pthread_join(th, NULL);
	r.sent_whole = atomic_load(&r.sent);
	rp.wall_s = (double)(mono_ns() - r.start) / 1e9;
	rp.n = r.n;
	rp.devices = info.n_devices;
	if (summarize(&r, &rp))
		goto out;
	if (r.send_err && !rp.end)
		rp.end = sushi_client_strerror(r.send_err);
	if (o.c.json)
		print_json(&o, &rp);
	else
		print_table(&o, &rp);
	rc = rp.lost || rp.extra || rp.end || rp.sent != r.n ? EXIT_DEVICE : EXIT_OK;
out:
	free(r.q);
	free(at);
	serve_images_free(&im);
	sushi_client_close(r.c);
	return rc;
}
