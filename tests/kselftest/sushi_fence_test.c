// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_fence_test.c - kselftests of what jobs' fences carry: a launch
 * whose in-syncobj carries an error (-ESTALE from a launch on a pin set a
 * reset wiped) never runs and fails with that error on its own out-fence,
 * down a chain; implicit dependencies only order; a launch after a
 * device-side failure runs normally.  And PB_UNPIN's out-syncobj: it
 * signals once the set's PB space is free, so a full PB can be reused
 * without polling for -ENOSPC; it waits for the launches using the set;
 * the 8-byte version 1 of the struct still works; bad fields are refused
 * and leave the set pinned.
 */
#include "kselftest_harness.h"
#include "sushi_net.h"

FIXTURE(fence) {
	int fd;
	struct drm_sushi_caps caps;
	struct tnet net;
	struct drm_sushi_pb_range r[NET_PINS];
	__u32 s[3];
};

FIXTURE_SETUP(fence)
{
	int i;

	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	ASSERT_EQ(0, net_build(self->fd, &self->caps, &self->net, 4242));
	net_pins(&self->net, self->r);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, sushi_syncobj_create(self->fd, &self->s[i]));
}

FIXTURE_TEARDOWN(fence)
{
	if (self->fd >= 0)
		close(self->fd);
}

static void wait_ok(struct __test_metadata *_metadata, int fd, __u64 id,
		    struct drm_sushi_job_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	ASSERT_EQ(0, sushi_job_wait(fd, id, sushi_deadline_ms(10000), st));
}

/*
 * A stale pin set makes launch A fail with -ESTALE; B (in: A's out) and C
 * (in: B's out) never run and carry -ESTALE; D, which only shares BOs with
 * A (an implicit dependency), runs and computes.
 */
TEST_F(fence, in_fence_error_propagates)
{
	struct drm_sushi_job_stats st;
	__u64 a, b, c, d;
	int errors;
	__u32 h;

	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	if (geteuid())
		SKIP(return, "needs root for debugfs force_reset");
	errors = kmsg_count("*ERROR*");
	ASSERT_GE(errors, 0);
	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	ASSERT_EQ(0, sushi_launch_pinned(self->fd, self->net.prog, h, &a));
	wait_ok(_metadata, self->fd, a, &st);
	ASSERT_EQ(DRM_SUSHI_JOB_OK, st.status);
	ASSERT_EQ(0, force_reset());

	{
		struct drm_sushi_launch l = {
			.program = self->net.prog, .pin_set = h,
			.out_syncobj = self->s[0],
		};

		ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_LAUNCH, &l));
		a = l.job_id;
	}
	wait_ok(_metadata, self->fd, a, &st);
	ASSERT_EQ(DRM_SUSHI_JOB_STALE_PB, st.status);
	ASSERT_EQ(-ESTALE, st.error);
	EXPECT_EQ(-ESTALE, sushi_syncobj_status(self->fd, self->s[0]));

	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, self->s[1],
				  &self->s[0], 1, &b));
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, self->s[2],
				  &self->s[1], 1, &c));
	wait_ok(_metadata, self->fd, b, &st);
	EXPECT_EQ(DRM_SUSHI_JOB_CANCELED, st.status);
	EXPECT_EQ(-ESTALE, st.error);
	EXPECT_EQ(0, st.macs);
	EXPECT_EQ(0, st.cycles);
	wait_ok(_metadata, self->fd, c, &st);
	EXPECT_EQ(DRM_SUSHI_JOB_CANCELED, st.status);
	EXPECT_EQ(-ESTALE, st.error);
	EXPECT_EQ(-ESTALE, sushi_syncobj_status(self->fd, self->s[1]));
	EXPECT_EQ(-ESTALE, sushi_syncobj_status(self->fd, self->s[2]));
	/* neither ran: the outputs still hold the pattern */
	EXPECT_FALSE(net_check(&self->net));
	EXPECT_EQ(0x55, self->net.act.map[NET_ACT_SIZE - 1]);

	/* implicit dependency on the failed launches: runs normally */
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &d));
	wait_ok(_metadata, self->fd, d, &st);
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(self->net.cost.cycles, st.cycles);
	EXPECT_TRUE(net_check(&self->net));
	EXPECT_EQ(0, sushi_pb_unpin_wait(self->fd, h));
	/* the user's failed jobs are not kernel errors */
	EXPECT_EQ(errors, kmsg_count("*ERROR*"));
}

/* A good in-fence: the launch runs, its out-fence signals without error. */
TEST_F(fence, good_in_fence_runs)
{
	struct drm_sushi_job_stats st;
	__u64 a, b;

	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, self->s[0], NULL,
				  0, &a));
	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, self->s[1],
				  &self->s[0], 1, &b));
	wait_ok(_metadata, self->fd, b, &st);
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(self->net.cost.cycles, st.cycles);
	EXPECT_TRUE(net_check(&self->net));
	EXPECT_EQ(1, sushi_syncobj_status(self->fd, self->s[1]));
}

/* A PB-sized BO pinned as one range. */
static void pin_whole_pb(struct __test_metadata *_metadata, int fd,
			 const struct drm_sushi_caps *caps, struct sbo *bo,
			 __u32 *h)
{
	struct drm_sushi_pb_range r = {
		.rows = 1, .row_bytes = caps->pb_bytes,
		.row_stride = caps->pb_bytes,
	};

	ASSERT_EQ(0, sbo_create(fd, caps->pb_bytes,
				DRM_SUSHI_BO_DEVICE_READ_ONLY, bo));
	r.handle = bo->handle;
	ASSERT_EQ(0, sushi_pb_pin(fd, &r, 1, h, NULL));
}

/* A full PB: unpin with an out-syncobj, wait, pin again at once. */
TEST_F(fence, unpin_signals_free_space)
{
	struct drm_sushi_pb_query q;
	struct sbo bo;
	__u32 h, h2;
	int round;

	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	if (self->caps.pb_bytes > UINT32_MAX)
		SKIP(return, "PB larger than one range can be");
	pin_whole_pb(_metadata, self->fd, &self->caps, &bo, &h);
	for (round = 0; round < 20; round++) {
		struct drm_sushi_pb_range r = {
			.handle = bo.handle, .rows = 1,
			.row_bytes = self->caps.pb_bytes,
		};

		EXPECT_EQ(-ENOSPC, sushi_pb_pin(self->fd, self->r, 1, &h2,
						NULL));
		ASSERT_EQ(0, sushi_pb_unpin_signal(self->fd, h, self->s[0]));
		ASSERT_EQ(0, sushi_syncobj_wait(self->fd, self->s[0],
						sushi_deadline_ms(10000)));
		EXPECT_EQ(1, sushi_syncobj_status(self->fd, self->s[0]));
		/* no polling: the space is free the moment the fence is */
		ASSERT_EQ(0, sushi_pb_query(self->fd, &q, NULL, 0));
		EXPECT_EQ(0, q.used);
		ASSERT_EQ(0, sushi_pb_pin(self->fd, &r, 1, &h, NULL));
	}
	EXPECT_EQ(0, sushi_pb_unpin_wait(self->fd, h));
	sbo_close(self->fd, &bo);
}

/* The space is not free while a queued launch still uses the set. */
TEST_F(fence, unpin_fence_waits_for_launches)
{
	struct drm_sushi_job_stats st;
	struct drm_sushi_pb_query q;
	struct tslow slow;
	__u64 id, sid;
	__u32 h;

	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	if (self->caps.clock_hz > SLOW_MAX_CLOCK_HZ)
		SKIP(return, "needs a slow device clock (clock-hz <= %llu) to hold a job in flight",
		     SLOW_MAX_CLOCK_HZ);
	ASSERT_EQ(0, slow_build(self->fd, &self->caps, &slow, 1500));
	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	/* a long job first, then a launch using the set behind it */
	ASSERT_EQ(0, sushi_launch(self->fd, slow.prog, 0, NULL, 0, &sid));
	ASSERT_EQ(0, sushi_launch_pinned(self->fd, self->net.prog, h, &id));
	ASSERT_EQ(0, sushi_pb_unpin_signal(self->fd, h, self->s[0]));
	EXPECT_EQ(0, sushi_syncobj_status(self->fd, self->s[0]));
	ASSERT_EQ(0, sushi_pb_query(self->fd, &q, NULL, 0));
	EXPECT_NE(0, q.used);
	ASSERT_EQ(0, sushi_syncobj_wait(self->fd, self->s[0],
					sushi_deadline_ms(20000)));
	wait_ok(_metadata, self->fd, id, &st);
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_NE(0, st.pb_rd);
	ASSERT_EQ(0, sushi_pb_query(self->fd, &q, NULL, 0));
	EXPECT_EQ(0, q.used);
	slow_free(self->fd, &slow);
}

/* Version 1 of the struct (8 bytes, its own ioctl number) still unpins. */
TEST_F(fence, unpin_v1_struct)
{
	struct sushi_pb_unpin_v1 {
		__u32 handle;
		__u32 pad;
	} u = { 0 };
	__u32 h;

	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	u.handle = h;
	EXPECT_EQ(0, sushi_ioctl(self->fd,
				 DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_PB_UNPIN,
					  struct sushi_pb_unpin_v1), &u));
	EXPECT_EQ(-ENOENT, sushi_pb_unpin(self->fd, h));
	/* the v1 call had no out-syncobj: wait for the space by polling */
	{
		struct drm_sushi_pb_query q;
		__s64 end = sushi_deadline_ms(20000);

		do {
			ASSERT_EQ(0, sushi_pb_query(self->fd, &q, NULL, 0));
		} while (q.used && sushi_now_ns() < end);
		EXPECT_EQ(0, q.used);
	}
}

/* One bad field per call; the set stays pinned after each. */
TEST_F(fence, unpin_bad_fields)
{
	struct drm_sushi_pb_query q;
	struct drm_sushi_pb_set_info set;
	struct drm_sushi_pb_unpin u = { 0 };
	__u32 h;

	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	u.handle = h;
	u.flags = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u));
	u.flags = 0;
	u.pad = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u));
	u.pad = 0;
	u.out_syncobj = 0xdead;
	EXPECT_EQ(-ENOENT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u));
	ASSERT_EQ(0, sushi_pb_query(self->fd, &q, &set, 1));
	EXPECT_EQ(1, q.count);
	EXPECT_EQ(h, set.handle);
	/* unknown set with a good syncobj: the syncobj is left alone */
	u.handle = h + 100;
	u.out_syncobj = self->s[0];
	EXPECT_EQ(-ENOENT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u));
	EXPECT_EQ(-EINVAL, sushi_syncobj_status(self->fd, self->s[0]));
	EXPECT_EQ(0, sushi_pb_unpin_wait(self->fd, h));
}

TEST_HARNESS_MAIN
