// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_reset_test.c - kselftests of recovery: debugfs force_reset on an
 * idle device and during a job (that job's fence carries -ECANCELED, the
 * device's PB generation moves on, the next job succeeds with correct
 * bytes), and the job timeout (a job longer than the driver's
 * job_timeout_ms is stopped with -ETIMEDOUT and the device recovers).
 * The in-flight tests need a slow device clock (see sushi_net.h) and skip
 * otherwise.
 */
#include <stdlib.h>

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

/* A job longer than the timeout is stopped; the device recovers. */
TEST_F(reset, job_timeout)
{
	long timeout_ms = module_param("job_timeout_ms");
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
	t0 = sushi_now_ns();
	ASSERT_EQ(0, sushi_launch(self->fd, slow.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id,
				    sushi_deadline_ms(timeout_ms * 3 + 5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_TIMEOUT, st.status);
	EXPECT_EQ(-ETIMEDOUT, st.error);
	EXPECT_GE(sushi_now_ns() - t0, timeout_ms * 1000000ll);
	EXPECT_EQ(before + 1, debugfs_read_long("reset_count"));
	TH_LOG("timed out after %.2f s (timeout %ld ms)",
	       (sushi_now_ns() - t0) / 1e9, timeout_ms);
	run_net(_metadata, self->fd, &self->net);
	slow_free(self->fd, &slow);
}

TEST_HARNESS_MAIN
