/* SPDX-License-Identifier: MIT */
/*
 * fake_rt.h - the host tests' stand-in for the serving runtime behind
 * sushid's server (test_sushid.c, and sushictl's test_loadgen.c): a
 * worker thread completes each submitted query after a set delay with a
 * status and prediction derived from the query, so every answer can be
 * checked; and a server (server.c) on it in a thread, stopped by a pipe
 * as SIGTERM stops the real one.  One includer per program.
 */
#ifndef SUSHID_FAKE_RT_H
#define SUSHID_FAKE_RT_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sushid.h"

#define N_DEV		2

/*
 * The fake's rule, from the query: floor 0.25 -> FAILED -ECANCELED; 0.5 ->
 * SHED at admission; 0.625 -> SHED by overload on a device; 0.75 -> LATE;
 * 0.125 -> submit() fails -ENOMEM; else SERVED.  prediction = input[0]
 * % 10, subnet = input[1] % 20, device = input[3] % N_DEV.
 */
struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t worker;
	int efd;
	bool stop;
	struct sushi_rt_completion *todo, *done;	/* rings */
	size_t cap, todo_head, todo_n, done_head, done_n;
	uint64_t submitted, completed;
	atomic_uint delay_us;
	struct sushi_rt_stats st;
};

static struct fake fk;

static void *fake_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&fk.lock);
	while (!fk.stop || fk.todo_n) {
		struct sushi_rt_completion c;
		uint64_t one = 1;

		if (!fk.todo_n) {
			pthread_cond_wait(&fk.cond, &fk.lock);
			continue;
		}
		c = fk.todo[fk.todo_head];
		fk.todo_head = (fk.todo_head + 1) % fk.cap;
		fk.todo_n--;
		pthread_mutex_unlock(&fk.lock);
		if (atomic_load(&fk.delay_us))
			usleep(atomic_load(&fk.delay_us));
		pthread_mutex_lock(&fk.lock);
		fk.done[(fk.done_head + fk.done_n) % fk.cap] = c;
		fk.done_n++;
		fk.completed++;
		if (c.device < N_DEV) {
			uint64_t *v[] = { &fk.st.dev[c.device].served, &fk.st.dev[c.device].late,
					  &fk.st.dev[c.device].shed, &fk.st.dev[c.device].failed };

			(*v[c.status])++;
			fk.st.dev[c.device].pb_loads += 1;
		}
		pthread_cond_broadcast(&fk.cond);
		if (write(fk.efd, &one, sizeof(one)) < 0)
			break;
	}
	pthread_mutex_unlock(&fk.lock);
	return NULL;
}

static int fake_submit(void *ctx, const struct sushi_rt_request *r)
{
	const uint8_t *in = r->input;
	struct sushi_rt_completion c = { .size = sizeof(c), .tag = r->tag };

	(void)ctx;
	if (r->acc_floor == 0.125)
		return -ENOMEM;
	c.prediction = in[0] % 10;
	c.subnet = in[1] % 20;
	c.device = in[3] % N_DEV;
	c.accuracy = 0.8;
	c.queue_ns = 1000;
	c.service_ns = 2000 + in[2];
	if (r->acc_floor == 0.25) {
		c.status = SUSHI_RT_FAILED;
		c.error = -ECANCELED;
	} else if (r->acc_floor == 0.5) {
		c.status = SUSHI_RT_SHED;
		c.device = c.subnet = UINT32_MAX;
	} else if (r->acc_floor == 0.625) {
		c.status = SUSHI_RT_SHED;
		c.subnet = UINT32_MAX;
	} else if (r->acc_floor == 0.75) {
		c.status = SUSHI_RT_LATE;
	}
	pthread_mutex_lock(&fk.lock);
	if (fk.todo_n == fk.cap) {
		pthread_mutex_unlock(&fk.lock);
		return -ENOMEM;
	}
	fk.todo[(fk.todo_head + fk.todo_n) % fk.cap] = c;
	fk.todo_n++;
	fk.submitted++;
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
	return 0;
}

static int fake_reap(void *ctx, struct sushi_rt_completion *out, size_t max)
{
	uint64_t v;
	int n = 0;

	(void)ctx;
	if (read(fk.efd, &v, sizeof(v)) < 0)
		v = 0;	/* nothing signalled: fine */
	pthread_mutex_lock(&fk.lock);
	while (fk.done_n && (size_t)n < max) {
		out[n++] = fk.done[fk.done_head];
		fk.done_head = (fk.done_head + 1) % fk.cap;
		fk.done_n--;
	}
	pthread_mutex_unlock(&fk.lock);
	return n;
}

static int fake_fd(void *ctx)
{
	(void)ctx;
	return fk.efd;
}

static int fake_stats(void *ctx, struct sushi_rt_stats *st)
{
	(void)ctx;
	pthread_mutex_lock(&fk.lock);
	*st = fk.st;
	st->n_devices = N_DEV;
	st->submitted = fk.submitted;
	st->completed = fk.completed;
	pthread_mutex_unlock(&fk.lock);
	return 0;
}

static int fake_drain(void *ctx, int64_t timeout_ns)
{
	int ret;

	(void)ctx;
	(void)timeout_ns;
	pthread_mutex_lock(&fk.lock);
	ret = fk.completed == fk.submitted ? 0 : -ETIME;
	pthread_mutex_unlock(&fk.lock);
	return ret;
}

static const struct srv_backend fake_be = {
	.submit = fake_submit, .reap = fake_reap, .fd = fake_fd,
	.stats = fake_stats, .drain = fake_drain,
};

static void fake_start(void)
{
	memset(&fk, 0, sizeof(fk));
	pthread_mutex_init(&fk.lock, NULL);
	pthread_cond_init(&fk.cond, NULL);
	fk.cap = 1u << 16;
	fk.todo = calloc(fk.cap, sizeof(*fk.todo));
	fk.done = calloc(fk.cap, sizeof(*fk.done));
	fk.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!fk.todo || !fk.done || fk.efd < 0 ||
	    pthread_create(&fk.worker, NULL, fake_worker, NULL))
		exit(2);
}

static void fake_stop(void)
{
	pthread_mutex_lock(&fk.lock);
	fk.stop = true;
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
	pthread_join(fk.worker, NULL);
	close(fk.efd);
	free(fk.todo);
	free(fk.done);
	pthread_mutex_destroy(&fk.lock);
	pthread_cond_destroy(&fk.cond);
}

static const char *const fake_dev_paths[N_DEV] = {
	"/dev/accel/accel0", "/dev/accel/\"odd\"",
};

struct srv {
	struct srv_config cfg;
	int stop[2];
	pthread_t thread;
	int ret;
	struct srv_summary sum;
};

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	s->ret = srv_run(&s->cfg, &fake_be, &s->sum);
	return NULL;
}

/*
 * fake_srv_start() - the fake runtime and a server on it in a thread, at
 * @path, serving @in_h x @in_w x 1 inputs on N_DEV devices
 */
static void fake_srv_start(struct srv *s, const char *path, uint32_t max_clients,
			   uint32_t max_outstanding, uint32_t in_h, uint32_t in_w)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	fake_start();
	s->cfg.listen_fd = srv_listen(path, false, 0, err, sizeof(err));
	if (s->cfg.listen_fd < 0 || pipe(s->stop)) {
		printf("# srv_listen: %s\n", err);
		exit(2);
	}
	s->cfg.socket_path = path;
	s->cfg.stop_fd = s->stop[0];
	s->cfg.max_clients = max_clients;
	s->cfg.max_outstanding = max_outstanding;
	s->cfg.device_paths = fake_dev_paths;
	s->cfg.flush_ms = 2000;
	s->cfg.info = (struct proto_info){
		.n_devices = N_DEV, .n_subnets = 20, .n_classes = 10, .in_h = in_h,
		.in_w = in_w, .in_c = 1, .in_bytes = in_h * in_w,
	};
	if (pthread_create(&s->thread, NULL, srv_main, s))
		exit(2);
}

/* SIGTERM's stand-in; waits for the server; its srv_run() result */
static int srv_stop(struct srv *s)
{
	if (write(s->stop[1], "x", 1) != 1)
		return -EIO;
	pthread_join(s->thread, NULL);
	close(s->stop[0]);
	close(s->stop[1]);
	fake_stop();
	return s->ret;
}

#endif /* SUSHID_FAKE_RT_H */
