// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_reset_test.c - kselftests of recovery and of the device-wide
 * counters: DRM_IOCTL_SUSHI_RESET (admin only, bad input refused) and
 * debugfs force_reset on an idle device and during a job (that job's fence
 * carries -ECANCELED, the device's PB generation moves on, the next job
 * succeeds with correct bytes), the job timeout (a job longer than the
 * driver's job_timeout_ms is stopped with -ETIMEDOUT and the device
 * recovers), and DRM_SUSHI_QUERY_COUNTERS following all of it.
 * The in-flight tests need a slow device clock (see sushi_net.h) and skip
 * otherwise.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

static long module_param(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/sushi/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtol(buf, NULL, 10);
}

FIXTURE(reset) {
	int fd;
	struct drm_sushi_caps caps;
	struct tnet net;
};

FIXTURE_SETUP(reset)
{
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	ASSERT_EQ(0, net_build(self->fd, &self->caps, &self->net, 555));
}

FIXTURE_TEARDOWN(reset)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Run the network once and check bytes and status; returns its pb_gen. */
static __u32 run_net(struct __test_metadata *_metadata, int fd,
		     struct tnet *net)
{
	struct drm_sushi_job_stats st = { 0 };
	__u64 id = 0;

	net_clear_outputs(net);
	EXPECT_EQ(0, sushi_launch(fd, net->prog, 0, NULL, 0, &id));
	EXPECT_EQ(0, sushi_job_wait(fd, id, sushi_deadline_ms(10000), &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(net->cost.cycles, st.cycles);
	EXPECT_TRUE(net_check(net));
	return st.pb_gen;
}

static struct drm_sushi_counters counters(struct __test_metadata *_metadata,
					  int fd)
{
	struct drm_sushi_counters c;

	memset(&c, 0xa5, sizeof(c));
	EXPECT_EQ(0, sushi_query_counters(fd, &c));
	EXPECT_EQ(0, c.pad);
	return c;
}

/* The counters of one launch are its job's stats, exactly. */
TEST_F(reset, counters_follow_a_launch)
{
	struct drm_sushi_counters c0, c1;
	struct drm_sushi_job_stats st = { 0 };
	__u64 id = 0;

	c0 = counters(_metadata, self->fd);
	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(10000),
				    &st));
	c1 = counters(_metadata, self->fd);
	/* nothing else ran meanwhile (no pins in this test program) */
	ASSERT_EQ(c0.pb_loads, c1.pb_loads);
	ASSERT_EQ(c0.pb_invalidations, c1.pb_invalidations);
	EXPECT_EQ(c0.launches + 1, c1.launches);
	EXPECT_EQ(c0.launches_failed, c1.launches_failed);
	EXPECT_EQ(c0.cycles + st.cycles, c1.cycles);
	EXPECT_EQ(c0.macs + st.macs, c1.macs);
	EXPECT_EQ(c0.dram_rd + st.dram_rd, c1.dram_rd);
	EXPECT_EQ(c0.dram_wr + st.dram_wr, c1.dram_wr);
	EXPECT_EQ(c0.pb_rd + st.pb_rd, c1.pb_rd);
	EXPECT_EQ(c0.energy_fj + st.energy_fj, c1.energy_fj);
	EXPECT_EQ(c0.offchip_fj + st.offchip_fj, c1.offchip_fj);
	EXPECT_EQ(self->net.cost.cycles, st.cycles);
	EXPECT_GT(c1.irqs, c0.irqs);
	EXPECT_EQ(c0.resets, c1.resets);
	EXPECT_EQ(c0.pb_gen, c1.pb_gen);
}

/* Size negotiation: the size alone, a prefix, a zero-filled tail. */
TEST_F(reset, counters_size)
{
	struct drm_sushi_query q = { .type = DRM_SUSHI_QUERY_COUNTERS };
	__u8 buf[sizeof(struct drm_sushi_counters) + 16];
	struct drm_sushi_counters c = counters(_metadata, self->fd);
	__u64 launches;

	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	EXPECT_EQ(sizeof(struct drm_sushi_counters), q.size);
	launches = ~0ull;
	q.size = sizeof(launches);
	q.pointer = (uintptr_t)&launches;
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	EXPECT_EQ(c.launches, launches);
	memset(buf, 0xff, sizeof(buf));
	q.size = sizeof(buf);
	q.pointer = (uintptr_t)buf;
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	EXPECT_EQ(sizeof(struct drm_sushi_counters), q.size);
	for (size_t i = sizeof(c); i < sizeof(buf); i++)
		EXPECT_EQ(0, buf[i]);
	q.flags = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(reset, reset_ioctl_idle)
{
	struct drm_sushi_counters c0 = counters(_metadata, self->fd), c1;
	long before = debugfs_read_long("reset_count");
	__u32 gen = 0, gen0;

	gen0 = run_net(_metadata, self->fd, &self->net);
	ASSERT_EQ(0, sushi_reset(self->fd, 0, &gen));
	EXPECT_GT(gen, gen0);
	c1 = counters(_metadata, self->fd);
	EXPECT_EQ(c0.resets + 1, c1.resets);
	EXPECT_EQ(gen, c1.pb_gen);
	EXPECT_EQ(before + 1, debugfs_read_long("reset_count"));
	EXPECT_EQ(gen, run_net(_metadata, self->fd, &self->net));
}

/* Unknown flags and a non-zero Out field are refused; nothing resets. */
TEST_F(reset, reset_ioctl_bad_flags)
{
	struct drm_sushi_counters c0 = counters(_metadata, self->fd);
	__u32 gen = 0;

	EXPECT_EQ(-EINVAL, sushi_reset(self->fd, 1, &gen));
	gen = 0;
	EXPECT_EQ(-EINVAL, sushi_reset(self->fd, 0x80000000u, &gen));
	EXPECT_EQ(c0.resets, counters(_metadata, self->fd).resets);
}

TEST_F(reset, reset_ioctl_nonzero_pb_gen)
{
	struct drm_sushi_counters c0 = counters(_metadata, self->fd);
	__u32 gen = 7;

	EXPECT_EQ(-EINVAL, sushi_reset(self->fd, 0, &gen));
	EXPECT_EQ(c0.resets, counters(_metadata, self->fd).resets);
}

/* Without CAP_SYS_ADMIN: EACCES, and the device is not reset. */
TEST_F(reset, reset_ioctl_needs_admin)
{
	struct drm_sushi_counters c0 = counters(_metadata, self->fd);
	int status = 0;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		__u32 gen = 0;

		/* leaving uid 0 drops every capability */
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(sushi_reset(self->fd, 0, &gen) == -EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(c0.resets, counters(_metadata, self->fd).resets);
	/* the counters themselves are readable by anyone with the node */
}

TEST_F(reset, force_reset_idle)
{
	long before = debugfs_read_long("reset_count");
	__u32 gen0, gen1;

	ASSERT_GE(before, 0) TH_LOG("no debugfs reset_count");
	gen0 = run_net(_metadata, self->fd, &self->net);
	ASSERT_EQ(0, force_reset());
	EXPECT_EQ(before + 1, debugfs_read_long("reset_count"));
	gen1 = run_net(_metadata, self->fd, &self->net);
	EXPECT_GT(gen1, gen0);
}

TEST_F(reset, force_reset_bad_input)
{
	char path[192];
	int fd;

	ASSERT_EQ(0, debugfs_path("force_reset", path, sizeof(path)));
	fd = open(path, O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, write(fd, "maybe", 5));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* A reset during a job errors that job's fence; the next job succeeds. */
TEST_F(reset, force_reset_during_job)
{
	struct drm_sushi_job_stats st;
	struct tslow slow;
	long before;
	__u32 s;
	__u64 id;

	if (self->caps.clock_hz > SLOW_MAX_CLOCK_HZ)
		SKIP(return, "device clock too fast for a visible job in flight");
	ASSERT_EQ(0, slow_build(self->fd, &self->caps, &slow, 1500));
	ASSERT_EQ(0, sushi_syncobj_create(self->fd, &s));
	before = debugfs_read_long("reset_count");
	ASSERT_EQ(0, sushi_launch(self->fd, slow.prog, s, NULL, 0, &id));
	usleep(200000);
	ASSERT_EQ(-ETIME, sushi_job_wait(self->fd, id, 0, NULL))
		TH_LOG("the slow job finished too early");
	ASSERT_EQ(0, force_reset());
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_ABORTED, st.status);
	EXPECT_EQ(-ECANCELED, st.error);
	EXPECT_LT(st.cycles, slow.cycles);
	/* the out-fence carries the error too */
	EXPECT_EQ(0, sushi_syncobj_wait(self->fd, s, sushi_deadline_ms(1000)));
	EXPECT_EQ(before + 1, debugfs_read_long("reset_count"));
	run_net(_metadata, self->fd, &self->net);
	slow_free(self->fd, &slow);
}

/* The reset ioctl during a job: same recovery, and the counters see it. */
TEST_F(reset, reset_ioctl_during_job)
{
	struct drm_sushi_counters c0, c1;
	struct drm_sushi_job_stats st;
	struct tslow slow;
	__u32 gen = 0;
	__u64 id;

	if (self->caps.clock_hz > SLOW_MAX_CLOCK_HZ)
		SKIP(return, "device clock too fast for a visible job in flight");
	ASSERT_EQ(0, slow_build(self->fd, &self->caps, &slow, 1500));
	c0 = counters(_metadata, self->fd);
	ASSERT_EQ(0, sushi_launch(self->fd, slow.prog, 0, NULL, 0, &id));
	usleep(200000);
	ASSERT_EQ(-ETIME, sushi_job_wait(self->fd, id, 0, NULL))
		TH_LOG("the slow job finished too early");
	ASSERT_EQ(0, sushi_reset(self->fd, 0, &gen));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_ABORTED, st.status);
	EXPECT_EQ(-ECANCELED, st.error);
	c1 = counters(_metadata, self->fd);
	EXPECT_EQ(c0.resets + 1, c1.resets);
	EXPECT_EQ(c0.launches + 1, c1.launches);
	EXPECT_EQ(c0.launches_failed + 1, c1.launches_failed);
	EXPECT_EQ(c0.cycles + st.cycles, c1.cycles);
	EXPECT_EQ(c0.timeouts, c1.timeouts);
	run_net(_metadata, self->fd, &self->net);
	slow_free(self->fd, &slow);
}

/* A job longer than the timeout is stopped; the device recovers. */
TEST_F(reset, job_timeout)
{
	long timeout_ms = module_param("job_timeout_ms");
	struct drm_sushi_counters c0;
	struct drm_sushi_job_stats st;
	struct tslow slow;
	long before;
	__s64 t0;
	__u64 id;

	if (self->caps.clock_hz > SLOW_MAX_CLOCK_HZ)
		SKIP(return, "device clock too fast for a visible job in flight");
	ASSERT_GT(timeout_ms, 0);
	ASSERT_EQ(0, slow_build(self->fd, &self->caps, &slow,
				timeout_ms * 2 + 1000));
	before = debugfs_read_long("reset_count");
	c0 = counters(_metadata, self->fd);
	t0 = sushi_now_ns();
	ASSERT_EQ(0, sushi_launch(self->fd, slow.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id,
				    sushi_deadline_ms(timeout_ms * 3 + 5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_TIMEOUT, st.status);
	EXPECT_EQ(-ETIMEDOUT, st.error);
	EXPECT_GE(sushi_now_ns() - t0, timeout_ms * 1000000ll);
	EXPECT_EQ(before + 1, debugfs_read_long("reset_count"));
	EXPECT_EQ(c0.timeouts + 1, counters(_metadata, self->fd).timeouts);
	EXPECT_EQ(c0.launches_failed + 1,
		  counters(_metadata, self->fd).launches_failed);
	TH_LOG("timed out after %.2f s (timeout %ld ms)",
	       (sushi_now_ns() - t0) / 1e9, timeout_ms);
	run_net(_metadata, self->fd, &self->net);
	slow_free(self->fd, &slow);
}

TEST_HARNESS_MAIN
