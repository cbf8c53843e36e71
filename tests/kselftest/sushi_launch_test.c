// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_launch_test.c - kselftests of DRM_IOCTL_SUSHI_LAUNCH,
 * DRM_IOCTL_SUSHI_JOB_WAIT and DRM_IOCTL_SUSHI_BO_WAIT: a launch computes
 * exactly the model library's reference bytes and reports exactly its
 * modelled cycles, MACs, DRAM bytes and energy; one bad field per test;
 * syncobj in/out fences; waits that time out on a job in flight; the job's
 * fence seen through a BO shared with another file; handles that do not
 * cross processes; closing a file with jobs in flight; many
 * jobs from several processes at once.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

FIXTURE(launch) {
	int fd;
	struct drm_sushi_caps caps;
	struct tnet net;
};

FIXTURE_SETUP(launch)
{
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	ASSERT_EQ(0, net_build(self->fd, &self->caps, &self->net, 1234));
	net_clear_outputs(&self->net);
}

FIXTURE_TEARDOWN(launch)
{
	if (self->fd >= 0)
		close(self->fd);
}

static void expect_model_stats(struct __test_metadata *_metadata,
			       const struct drm_sushi_job_stats *st,
			       const struct sushi_cost *c)
{
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st->status);
	EXPECT_EQ(0, st->error);
	EXPECT_EQ(c->cycles, st->cycles);
	EXPECT_EQ(c->macs, st->macs);
	EXPECT_EQ(c->dram_rd, st->dram_rd);
	EXPECT_EQ(c->dram_wr, st->dram_wr);
	EXPECT_EQ(0, st->pb_rd);
	EXPECT_EQ(c->energy_fj, st->energy_fj);
	EXPECT_EQ(c->offchip_fj, st->offchip_fj);
}

/* The device computes the reference bytes at exactly the modelled cost. */
TEST_F(launch, matches_model)
{
	struct drm_sushi_job_stats st;
	__u64 id;

	ASSERT_NE(0, self->net.cost.cycles);
	ASSERT_FALSE(net_check(&self->net));
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &id));
	EXPECT_NE(0, id);
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	expect_model_stats(_metadata, &st, &self->net.cost);
	EXPECT_TRUE(net_check(&self->net));
	TH_LOG("4 layers: %llu cycles, %llu MACs, %llu B read, %llu fJ",
	       (unsigned long long)st.cycles, (unsigned long long)st.macs,
	       (unsigned long long)st.dram_rd,
	       (unsigned long long)st.energy_fj);
}

/* A second input gives other bytes, again equal to the reference. */
TEST_F(launch, new_input_new_result)
{
	struct sushi_model_config cfg;
	struct drm_sushi_job_stats st;
	__u64 id;

	sushi_fill_random(self->net.act.map, 1024, 777);
	sushi_caps_config(&self->caps, &cfg);
	ASSERT_EQ(0, net_reference(&self->net, &cfg));
	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_TRUE(net_check(&self->net));
}

TEST_F(launch, bad_flags)
{
	struct drm_sushi_launch l = { .program = self->net.prog, .flags = 1 };

	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_LAUNCH, &l));
	l.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_LAUNCH, &l));
}

TEST_F(launch, bad_program)
{
	EXPECT_EQ(-ENOENT, sushi_launch(self->fd, 0, 0, NULL, 0, NULL));
	EXPECT_EQ(-ENOENT, sushi_launch(self->fd, self->net.prog + 1000, 0,
					NULL, 0, NULL));
}

TEST_F(launch, destroyed_program)
{
	__u32 h = self->net.prog;

	ASSERT_EQ(0, sushi_program_destroy(self->fd, h));
	EXPECT_EQ(-ENOENT, sushi_launch(self->fd, h, 0, NULL, 0, NULL));
}

TEST_F(launch, too_many_in_syncobjs)
{
	__u32 in[DRM_SUSHI_MAX_IN_SYNCOBJS + 1] = { 0 };

	EXPECT_EQ(-EINVAL, sushi_launch(self->fd, self->net.prog, 0, in,
					DRM_SUSHI_MAX_IN_SYNCOBJS + 1, NULL));
	EXPECT_EQ(-EINVAL, sushi_launch(self->fd, self->net.prog, 0, in,
					UINT32_MAX, NULL));
}

TEST_F(launch, bad_in_syncobj_pointer)
{
	EXPECT_EQ(-EFAULT, sushi_launch(self->fd, self->net.prog, 0,
					(const __u32 *)(uintptr_t)8, 1, NULL));
}

TEST_F(launch, bad_in_syncobj_handle)
{
	__u32 in = 0x7fff;

	EXPECT_EQ(-ENOENT, sushi_launch(self->fd, self->net.prog, 0, &in, 1,
					NULL));
}

TEST_F(launch, bad_out_syncobj_handle)
{
	EXPECT_EQ(-ENOENT, sushi_launch(self->fd, self->net.prog, 0x7fff,
					NULL, 0, NULL));
}

/* The out-syncobj signals when the job is done; it can gate a launch. */
TEST_F(launch, syncobjs)
{
	struct drm_sushi_job_stats st;
	__u32 s1, s2;
	__u64 id1, id2;

	ASSERT_EQ(0, sushi_syncobj_create(self->fd, &s1));
	ASSERT_EQ(0, sushi_syncobj_create(self->fd, &s2));
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, s1, NULL, 0,
				  &id1));
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, s2, &s1, 1,
				  &id2));
	EXPECT_GT(id2, id1);
	ASSERT_EQ(0, sushi_syncobj_wait(self->fd, s2, sushi_deadline_ms(5000)));
	/* s2 signalled: both jobs are complete, so a poll succeeds */
	EXPECT_EQ(0, sushi_job_wait(self->fd, id1, 0, &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(0, sushi_job_wait(self->fd, id2, 0, &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_TRUE(net_check(&self->net));
	EXPECT_EQ(0, sushi_syncobj_destroy(self->fd, s1));
	EXPECT_EQ(0, sushi_syncobj_destroy(self->fd, s2));
}

TEST_F(launch, job_wait_bad_flags)
{
	struct drm_sushi_job_wait w = { .flags = 1 };
	__u64 id;

	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &id));
	w.job_id = id;
	w.timeout_ns = sushi_deadline_ms(5000);
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_JOB_WAIT, &w));
	EXPECT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    NULL));
}

TEST_F(launch, job_wait_bad_id)
{
	__u64 id;

	EXPECT_EQ(-ENOENT, sushi_job_wait(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &id));
	EXPECT_EQ(-ENOENT, sushi_job_wait(self->fd, id + 1, 0, NULL));
	EXPECT_EQ(-ENOENT, sushi_job_wait(self->fd, UINT64_MAX, 0, NULL));
	EXPECT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    NULL));
}

TEST_F(launch, job_wait_bad_stats_size)
{
	struct drm_sushi_job_stats st;
	struct drm_sushi_job_wait w = {
		.timeout_ns = sushi_deadline_ms(5000),
		.stats = (uintptr_t)&st,
		.stats_size = sizeof(st) - 8,
	};

	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0,
				  &w.job_id));
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_JOB_WAIT, &w));
	w.stats = 0;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_JOB_WAIT, &w));
}

TEST_F(launch, job_wait_bad_stats_pointer)
{
	struct drm_sushi_job_wait w = {
		.timeout_ns = sushi_deadline_ms(5000),
		.stats = 8,
		.stats_size = sizeof(struct drm_sushi_job_stats),
	};

	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0,
				  &w.job_id));
	EXPECT_EQ(-EFAULT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_JOB_WAIT, &w));
}

/* Waits on a job in flight time out with -ETIME, then succeed. */
TEST_F(launch, waits_time_out)
{
	struct drm_sushi_job_stats st;
	struct tslow slow;
	__s64 t0;
	__u64 id;

	if (self->caps.clock_hz > SLOW_MAX_CLOCK_HZ)
		SKIP(return, "device clock too fast for a visible job in flight");
	ASSERT_EQ(0, slow_build(self->fd, &self->caps, &slow, 500));
	ASSERT_EQ(0, sushi_launch(self->fd, slow.prog, 0, NULL, 0, &id));
	t0 = sushi_now_ns();
	EXPECT_EQ(-ETIME, sushi_job_wait(self->fd, id, 0, &st));
	EXPECT_EQ(DRM_SUSHI_JOB_PENDING, st.status);
	EXPECT_EQ(-ETIME, sushi_job_wait(self->fd, id, sushi_deadline_ms(50),
					 NULL));
	EXPECT_EQ(-ETIME, sushi_bo_wait(self->fd, slow.act.handle, 0,
					sushi_deadline_ms(20)));
	/* the input is only read: no writer to wait for */
	EXPECT_EQ(0, sushi_bo_wait(self->fd, slow.src.handle,
				   DRM_SUSHI_BO_WAIT_WRITERS, 0));
	EXPECT_EQ(-ETIME, sushi_bo_wait(self->fd, slow.src.handle, 0,
					sushi_deadline_ms(20)));
	ASSERT_EQ(0, sushi_bo_wait(self->fd, slow.act.handle, 0,
				   sushi_deadline_ms(10000)));
	EXPECT_EQ(0, sushi_job_wait(self->fd, id, 0, &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(slow.cycles, st.cycles);
	TH_LOG("slow job: %llu cycles, done %.3f s after launch",
	       (unsigned long long)st.cycles,
	       (sushi_now_ns() - t0) / 1e9);
	slow_free(self->fd, &slow);
}

TEST_F(launch, bo_wait_idle)
{
	EXPECT_EQ(0, sushi_bo_wait(self->fd, self->net.act.handle, 0, 0));
}

TEST_F(launch, bo_wait_bad_flags)
{
	EXPECT_EQ(-EINVAL, sushi_bo_wait(self->fd, self->net.act.handle, 2,
					 0));
}

TEST_F(launch, bo_wait_bad_handle)
{
	EXPECT_EQ(-ENOENT, sushi_bo_wait(self->fd, 0, 0, 0));
	EXPECT_EQ(-ENOENT, sushi_bo_wait(self->fd, 0x7fffffff, 0, 0));
}

/* The job's output BO is busy until the job is done (implicit fences). */
TEST_F(launch, bo_wait_after_launch)
{
	__u64 id;

	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_bo_wait(self->fd, self->net.act.handle, 0,
				   sushi_deadline_ms(5000)));
	EXPECT_TRUE(net_check(&self->net));
}

/* Statistics of old jobs are dropped, the recent ones are kept. */
TEST_F(launch, job_records_bounded)
{
	__u64 first, id = 0;
	__s64 t0, t1;
	int i;

	t0 = sushi_now_ns();
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0,
				  &first));
	for (i = 0; i < DRM_SUSHI_JOBS_KEPT; i++)
		ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL,
					  0, &id));
	t1 = sushi_now_ns();
	EXPECT_EQ(first + DRM_SUSHI_JOBS_KEPT, id);
	EXPECT_EQ(-ENOENT, sushi_job_wait(self->fd, first, 0, NULL));
	EXPECT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(30000),
				    NULL));
	TH_LOG("%d launches queued in %.1f ms, all done after %.1f ms",
	       DRM_SUSHI_JOBS_KEPT + 1, (t1 - t0) / 1e6,
	       (sushi_now_ns() - t0) / 1e6);
	EXPECT_EQ(0, sushi_job_wait(self->fd, first + 1, 0, NULL));
}

/* Another process cannot use this file's program or BO handles. */
TEST_F(launch, other_process_handles)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = sushi_open();
		struct drm_sushi_layer l = self->net.l[2];

		if (fd < 0)
			_exit(10);
		if (sushi_launch(fd, self->net.prog, 0, NULL, 0, NULL) !=
		    -ENOENT)
			_exit(11);
		if (sushi_program_destroy(fd, self->net.prog) != -ENOENT)
			_exit(12);
		if (sushi_bo_wait(fd, self->net.act.handle, 0, 0) != -ENOENT)
			_exit(13);
		if (sushi_program_create(fd, &l, 1, &l.op) != -ENOENT)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* and the handles still work here */
	EXPECT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, NULL));
}

/* Closing a file with jobs queued and running is clean; the device works. */
TEST(close_with_jobs_in_flight)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_job_stats st;
	struct tslow slow;
	struct tnet net;
	int fd, i;
	__u64 id;

	fd = sushi_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, sushi_query_caps(fd, &caps));
	/* on a fast device clock the jobs are short: see sushi_net.h */
	ASSERT_EQ(0, slow_build(fd, &caps, &slow,
				caps.clock_hz > SLOW_MAX_CLOCK_HZ ? 5 : 200));
	ASSERT_EQ(0, sushi_launch(fd, slow.prog, 0, NULL, 0, NULL));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, sushi_launch(fd, slow.prog, 0, NULL, 0, NULL));
	munmap(slow.act.map, slow.act.size);
	munmap(slow.src.map, slow.src.size);
	ASSERT_EQ(0, close(fd));

	fd = sushi_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, net_build(fd, &caps, &net, 42));
	net_clear_outputs(&net);
	ASSERT_EQ(0, sushi_launch(fd, net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(fd, id, sushi_deadline_ms(30000), &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_TRUE(net_check(&net));
	net_free(fd, &net);
	close(fd);
}

/* A BO shared with another file (PRIME) carries the job's fence there. */
TEST(implicit_fence_across_files)
{
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = { 0 };
	struct drm_sushi_caps caps;
	struct tslow slow;
	int a, b;
	__u64 id;

	a = sushi_open();
	ASSERT_GE(a, 0);
	b = sushi_open();
	ASSERT_GE(b, 0);
	ASSERT_EQ(0, sushi_query_caps(a, &caps));
	if (caps.clock_hz > SLOW_MAX_CLOCK_HZ)
		SKIP(return, "device clock too fast for a visible job in flight");
	ASSERT_EQ(0, slow_build(a, &caps, &slow, 500));
	exp.handle = slow.act.handle;
	ASSERT_EQ(0, sushi_ioctl(a, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, sushi_ioctl(b, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	close(exp.fd);
	EXPECT_EQ(0, sushi_bo_wait(b, imp.handle, 0, 0));
	ASSERT_EQ(0, sushi_launch(a, slow.prog, 0, NULL, 0, &id));
	EXPECT_EQ(-ETIME, sushi_bo_wait(b, imp.handle,
					DRM_SUSHI_BO_WAIT_WRITERS,
					sushi_deadline_ms(20)));
	EXPECT_EQ(0, sushi_bo_wait(b, imp.handle, DRM_SUSHI_BO_WAIT_WRITERS,
				   sushi_deadline_ms(10000)));
	EXPECT_EQ(0, sushi_job_wait(a, id, 0, NULL));
	slow_free(a, &slow);
	close(b);
	close(a);
}

#define PROCS		4
#define JOBS_PER_PROC	16

/* Several processes launching at once all get their own correct results. */
TEST(many_processes)
{
	pid_t pids[PROCS];
	int i, status;

	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			struct drm_sushi_caps caps;
			struct drm_sushi_job_stats st;
			struct tnet net;
			__u64 id[JOBS_PER_PROC];
			int fd = sushi_open(), j;

			if (fd < 0 || sushi_query_caps(fd, &caps))
				_exit(10);
			if (net_build(fd, &caps, &net, 100 + i))
				_exit(11);
			net_clear_outputs(&net);
			for (j = 0; j < JOBS_PER_PROC; j++)
				if (sushi_launch(fd, net.prog, 0, NULL, 0,
						 &id[j]))
					_exit(12);
			for (j = 0; j < JOBS_PER_PROC; j++) {
				if (sushi_job_wait(fd, id[j],
						   sushi_deadline_ms(30000),
						   &st))
					_exit(13);
				if (st.status != DRM_SUSHI_JOB_OK ||
				    st.cycles != net.cost.cycles)
					_exit(14);
			}
			if (!net_check(&net))
				_exit(15);
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d", i);
	}
}

TEST_HARNESS_MAIN
