// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_growth_test.c - kselftests of the uAPI's growth rules
 * (Documentation/uapi/sushi_accel.rst, "Growing the uAPI"): array elements
 * larger than the first version are accepted with an all-zero tail and
 * refused with a non-zero one (layers, PB ranges); output elements larger
 * than the first version get their tail zeroed (job stats, PB set infos);
 * and the device-wide counters need CAP_PERFMON.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

#define EXTRA	24	/* bytes a future version might add */

FIXTURE(grow) {
	int fd;
	struct drm_sushi_caps caps;
	struct tnet net;
};

FIXTURE_SETUP(grow)
{
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	ASSERT_EQ(0, net_build(self->fd, &self->caps, &self->net, 99));
}

FIXTURE_TEARDOWN(grow)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* @n elements of @size bytes, each a copy of src[i] and then @tail. */
static unsigned char *grown(const void *src, size_t ksize, __u32 n,
			    size_t size, unsigned char tail)
{
	unsigned char *buf = malloc((size_t)n * size);
	__u32 i;

	if (!buf)
		return NULL;
	memset(buf, tail, (size_t)n * size);
	for (i = 0; i < n; i++)
		memcpy(buf + i * size, (const unsigned char *)src + i * ksize,
		       ksize);
	return buf;
}

TEST_F(grow, larger_layers)
{
	const size_t ls = sizeof(struct drm_sushi_layer);
	struct drm_sushi_program_create c = {
		.n_layers = NET_LAYERS, .layer_size = ls + EXTRA,
	};
	struct drm_sushi_job_stats st;
	unsigned char *zero, *dirty;
	__u64 id;

	zero = grown(self->net.l, ls, NET_LAYERS, ls + EXTRA, 0);
	dirty = grown(self->net.l, ls, NET_LAYERS, ls + EXTRA, 0);
	ASSERT_NE(NULL, zero);
	ASSERT_NE(NULL, dirty);
	/* one non-zero byte in the last element's tail */
	dirty[NET_LAYERS * (ls + EXTRA) - 1] = 1;

	c.layers = (uintptr_t)dirty;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PROGRAM_CREATE,
				       &c));
	c.layers = (uintptr_t)zero;
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PROGRAM_CREATE, &c));
	/* the grown elements were read as the same program */
	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch(self->fd, c.handle, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(10000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(self->net.cost.cycles, st.cycles);
	EXPECT_TRUE(net_check(&self->net));
	free(zero);
	free(dirty);
}

TEST_F(grow, larger_ranges)
{
	const size_t rs = sizeof(struct drm_sushi_pb_range);
	struct drm_sushi_pb_range r[NET_PINS];
	struct drm_sushi_pb_pin p = {
		.count = NET_PINS, .range_size = rs + EXTRA,
	};
	struct drm_sushi_pb_set_info set;
	struct drm_sushi_pb_query q;
	unsigned char *zero, *dirty;

	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	net_pins(&self->net, r);
	zero = grown(r, rs, NET_PINS, rs + EXTRA, 0);
	dirty = grown(r, rs, NET_PINS, rs + EXTRA, 0);
	ASSERT_NE(NULL, zero);
	ASSERT_NE(NULL, dirty);
	dirty[rs + 3] = 0x80;	/* first element's tail */

	p.ranges = (uintptr_t)dirty;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_PIN, &p));
	ASSERT_EQ(0, sushi_pb_query(self->fd, &q, NULL, 0));
	EXPECT_EQ(0, q.count);
	p.ranges = (uintptr_t)zero;
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_PIN, &p));
	ASSERT_EQ(0, sushi_pb_query(self->fd, &q, &set, 1));
	EXPECT_EQ(NET_PINS, set.ranges);
	EXPECT_EQ(0, sushi_pb_unpin_wait(self->fd, p.handle));
	free(zero);
	free(dirty);
}

TEST_F(grow, larger_stats)
{
	unsigned char buf[sizeof(struct drm_sushi_job_stats) + EXTRA];
	struct drm_sushi_job_stats st;
	struct drm_sushi_job_wait w = {
		.stats = (uintptr_t)buf, .stats_size = sizeof(buf),
	};
	size_t i;

	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0,
				  &w.job_id));
	w.timeout_ns = sushi_deadline_ms(10000);
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_JOB_WAIT, &w));
	memcpy(&st, buf, sizeof(st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(self->net.cost.cycles, st.cycles);
	for (i = sizeof(st); i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]) TH_LOG("stats byte %zu not zeroed", i);
}

TEST_F(grow, larger_set_infos)
{
	const size_t is = sizeof(struct drm_sushi_pb_set_info);
	struct drm_sushi_pb_range r[NET_PINS];
	unsigned char buf[2 * (is + EXTRA)];
	struct drm_sushi_pb_set_info info;
	struct drm_sushi_pb_query q = {
		.sets = (uintptr_t)buf, .count = 2, .set_size = is + EXTRA,
	};
	__u32 h[2];
	size_t i;
	int k;

	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	net_pins(&self->net, r);
	ASSERT_EQ(0, sushi_pb_pin(self->fd, &r[0], 1, &h[0], NULL));
	ASSERT_EQ(0, sushi_pb_pin(self->fd, &r[1], 2, &h[1], NULL));
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_QUERY, &q));
	EXPECT_EQ(2, q.count);
	for (k = 0; k < 2; k++) {
		memcpy(&info, buf + k * (is + EXTRA), is);
		EXPECT_EQ(h[k], info.handle);
		EXPECT_EQ(k ? 2 : 1, info.ranges);
		for (i = is; i < is + EXTRA; i++)
			ASSERT_EQ(0, buf[k * (is + EXTRA) + i])
				TH_LOG("set %d byte %zu not zeroed", k, i);
	}
	q.set_size = is - 8;
	q.count = 2;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_QUERY, &q));
	EXPECT_EQ(0, sushi_pb_unpin_wait(self->fd, h[0]));
	EXPECT_EQ(0, sushi_pb_unpin_wait(self->fd, h[1]));
}

/* Device-wide counters are other tenants' activity: CAP_PERFMON only. */
TEST_F(grow, counters_need_perfmon)
{
	struct drm_sushi_counters c;
	struct drm_sushi_caps caps;
	pid_t pid;
	int status;

	if (geteuid())
		SKIP(return, "needs root to compare with an ordinary user");
	ASSERT_EQ(0, sushi_query_counters(self->fd, &c));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* the open file is inherited: only the caller's caps count */
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(3);
		if (sushi_query_counters(self->fd, &c) != -EACCES)
			_exit(1);
		_exit(sushi_query_caps(self->fd, &caps) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
