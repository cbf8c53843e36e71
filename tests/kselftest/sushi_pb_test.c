// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_pb_test.c - kselftests of the Persistent Buffer ioctls
 * (DRM_IOCTL_SUSHI_PB_PIN / PB_UNPIN / PB_QUERY) and pinned launches: a
 * launch with the weights pinned computes the same bytes, reads exactly
 * the modelled PB bytes and that many fewer DRAM bytes at the modelled
 * cycles; one bad field per test; over-subscription gives -ENOSPC, also
 * across processes; a reset makes a pin set stale (-ESTALE); pin sets do
 * not cross files; a pinned BO freed with its file never serves its old
 * weights to the next tenant.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

FIXTURE(pb) {
	int fd;
	struct drm_sushi_caps caps;
	struct tnet net;
	struct drm_sushi_pb_range r[NET_PINS];
};

FIXTURE_SETUP(pb)
{
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	if (!(self->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	ASSERT_EQ(0, net_build(self->fd, &self->caps, &self->net, 321));
	net_pins(&self->net, self->r);
}

FIXTURE_TEARDOWN(pb)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The cost the model predicts with @r pinned. */
static int pinned_cost(const struct drm_sushi_caps *caps, const struct tnet *n,
		       const struct drm_sushi_pb_range *r, int nr,
		       struct sushi_cost *cost)
{
	struct sushi_hw_layer hl[NET_LAYERS];
	struct sushi_model_config cfg;
	struct sushi_pb *pb;
	__u64 off = 0;
	int i, ret = 0;

	sushi_caps_config(caps, &cfg);
	pb = sushi_pb_new(caps->pb_bytes, caps->pb_entries, false);
	if (!pb)
		return -ENOMEM;
	for (i = 0; i < nr && !ret; i++) {
		struct sushi_pb_range pr = {
			.dva = r[i].offset, .row_stride = r[i].row_stride,
			.row_bytes = r[i].row_bytes, .rows = r[i].rows,
			.pb_offset = off,
		};

		off += (__u64)r[i].rows * r[i].row_bytes;
		ret = sushi_pb_insert(pb, &pr, NULL);
	}
	for (i = 0; i < NET_LAYERS; i++)
		sushi_layer_to_model(&n->l[i], &hl[i]);
	memset(cost, 0, sizeof(*cost));
	if (!ret)
		ret = sushi_model_layers_cost(&cfg, pb, hl, NET_LAYERS, cost,
					      NULL, NULL);
	sushi_pb_free(pb);
	return ret;
}

static int pin_one(int fd, const struct drm_sushi_pb_range *r, __u32 *h)
{
	return sushi_pb_pin(fd, r, 1, h, NULL);
}

/* Wait until PB space drops to @used (unpin releases asynchronously). */
static __u64 wait_used(int fd, __u64 used)
{
	struct drm_sushi_pb_query q;
	__s64 end = sushi_deadline_ms(5000);

	do {
		if (sushi_pb_query(fd, &q, NULL, 0))
			return UINT64_MAX;
		if (q.used == used)
			break;
		usleep(10000);
	} while (sushi_now_ns() < end);
	return q.used;
}

TEST_F(pb, pin_query_unpin)
{
	struct drm_sushi_pb_set_info sets[2];
	struct drm_sushi_job_stats st;
	struct drm_sushi_pb_query q0, q;
	__u64 bytes = 0, id;
	__u32 h;
	int i;

	ASSERT_EQ(0, sushi_pb_query(self->fd, &q0, NULL, 0));
	EXPECT_EQ(self->caps.pb_bytes, q0.capacity);
	EXPECT_EQ(0, q0.count);
	for (i = 0; i < NET_PINS; i++)
		bytes += (__u64)self->r[i].rows * self->r[i].row_bytes;
	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, &id));
	EXPECT_NE(0, h);
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(0, st.error);
	EXPECT_NE(0, st.cycles);
	ASSERT_EQ(0, sushi_pb_query(self->fd, &q, sets, 2));
	EXPECT_EQ(q0.used + bytes, q.used);
	EXPECT_EQ(q0.entries_used + NET_PINS, q.entries_used);
	EXPECT_EQ(1, q.count);
	EXPECT_EQ(h, sets[0].handle);
	EXPECT_EQ(NET_PINS, sets[0].ranges);
	EXPECT_EQ(bytes, sets[0].bytes);
	EXPECT_EQ(q.generation, sets[0].generation);
	EXPECT_EQ(q.generation, st.pb_gen);
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
	EXPECT_EQ(q0.used, wait_used(self->fd, q0.used));
	ASSERT_EQ(0, sushi_pb_query(self->fd, &q, sets, 2));
	EXPECT_EQ(0, q.count);
	EXPECT_EQ(-ENOENT, sushi_pb_unpin(self->fd, h));
}

/* Pinned weights: same bytes, fewer DRAM bytes, exactly as modelled. */
TEST_F(pb, pinned_launch_reads_less_dram)
{
	struct drm_sushi_job_stats base, st;
	struct sushi_cost want;
	__u64 id, pinned = 0;
	__u32 h;
	int i;

	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &base));
	ASSERT_EQ(DRM_SUSHI_JOB_OK, base.status);
	EXPECT_EQ(0, base.pb_rd);

	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch_pinned(self->fd, self->net.prog, h, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_TRUE(net_check(&self->net));
	for (i = 0; i < NET_PINS; i++)
		pinned += (__u64)self->r[i].rows * self->r[i].row_bytes;
	EXPECT_EQ(pinned, st.pb_rd);
	EXPECT_EQ(base.dram_rd - pinned, st.dram_rd);
	EXPECT_LT(st.offchip_fj, base.offchip_fj);
	ASSERT_EQ(0, pinned_cost(&self->caps, &self->net, self->r, NET_PINS,
				 &want));
	EXPECT_EQ(want.cycles, st.cycles);
	EXPECT_EQ(want.dram_rd, st.dram_rd);
	EXPECT_EQ(want.pb_rd, st.pb_rd);
	EXPECT_EQ(want.energy_fj, st.energy_fj);
	TH_LOG("DRAM read %llu -> %llu bytes, off-chip energy %llu -> %llu fJ",
	       (unsigned long long)base.dram_rd,
	       (unsigned long long)st.dram_rd,
	       (unsigned long long)base.offchip_fj,
	       (unsigned long long)st.offchip_fj);
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

/* Only part of the rows pinned: the PB bytes are exactly the overlap. */
TEST_F(pb, partial_pin_counts_exact_overlap)
{
	struct drm_sushi_pb_range r = self->r[0];
	struct drm_sushi_job_stats st;
	struct sushi_cost want;
	__u64 id;
	__u32 h;

	r.rows = 5;
	r.row_bytes = 100;	/* rows of 144: a prefix of each */
	ASSERT_EQ(0, pin_one(self->fd, &r, &h));
	ASSERT_EQ(0, sushi_launch_pinned(self->fd, self->net.prog, h, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(500, st.pb_rd);
	ASSERT_EQ(0, pinned_cost(&self->caps, &self->net, &r, 1, &want));
	EXPECT_EQ(want.cycles, st.cycles);
	EXPECT_EQ(want.dram_rd, st.dram_rd);
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

TEST_F(pb, pin_bad_flags)
{
	struct drm_sushi_pb_pin p = {
		.ranges = (uintptr_t)self->r, .count = 1,
		.range_size = sizeof(self->r[0]), .flags = 1,
	};

	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_PIN, &p));
}

/* Smaller than the first version: refused (larger: sushi_growth_test). */
TEST_F(pb, pin_bad_range_size)
{
	struct drm_sushi_pb_pin p = {
		.ranges = (uintptr_t)self->r, .count = 1,
		.range_size = sizeof(self->r[0]) - 8,
	};

	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_PIN, &p));
	p.range_size = 0;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_PIN, &p));
}

TEST_F(pb, pin_zero_count)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, sushi_pb_pin(self->fd, self->r, 0, &h, NULL));
}

TEST_F(pb, pin_too_many_ranges)
{
	__u32 h;

	EXPECT_EQ(-E2BIG, sushi_pb_pin(self->fd, self->r,
				       DRM_SUSHI_PB_MAX_RANGES + 1, &h, NULL));
	EXPECT_EQ(-E2BIG, sushi_pb_pin(self->fd, self->r, UINT32_MAX, &h,
				       NULL));
}

TEST_F(pb, pin_bad_pointer)
{
	__u32 h;

	EXPECT_EQ(-EFAULT, sushi_pb_pin(self->fd, NULL, 1, &h, NULL));
}

TEST_F(pb, pin_bad_handle)
{
	struct drm_sushi_pb_range r = self->r[0];
	__u32 h;

	r.handle = 0x7fffffff;
	EXPECT_EQ(-ENOENT, pin_one(self->fd, &r, &h));
	r.handle = 0;
	EXPECT_EQ(-ENOENT, pin_one(self->fd, &r, &h));
}

TEST_F(pb, pin_range_padding)
{
	struct drm_sushi_pb_range r = self->r[0];
	__u32 h;

	r.pad = 1;
	EXPECT_EQ(-EINVAL, pin_one(self->fd, &r, &h));
}

TEST_F(pb, pin_empty_range)
{
	struct drm_sushi_pb_range r = self->r[0];
	__u32 h;

	r.rows = 0;
	EXPECT_EQ(-EINVAL, pin_one(self->fd, &r, &h));
	r = self->r[0];
	r.row_bytes = 0;
	EXPECT_EQ(-EINVAL, pin_one(self->fd, &r, &h));
}

TEST_F(pb, pin_rows_overlap)
{
	struct drm_sushi_pb_range r = self->r[0];
	__u32 h;

	r.row_stride = r.row_bytes - 1;
	EXPECT_EQ(-EINVAL, pin_one(self->fd, &r, &h));
}

TEST_F(pb, pin_overflowing_size)
{
	struct drm_sushi_pb_range r = self->r[0];
	__u32 h;

	r.row_stride = UINT64_MAX / 2;
	EXPECT_EQ(-EOVERFLOW, pin_one(self->fd, &r, &h));
}

TEST_F(pb, pin_out_of_bounds)
{
	struct drm_sushi_pb_range r = self->r[0];
	__u32 h;

	r.offset = NET_WT_SIZE - 31 * 160 - 144 + 1;
	EXPECT_EQ(-ERANGE, pin_one(self->fd, &r, &h));
	r.offset = UINT64_MAX - 10;
	EXPECT_EQ(-ERANGE, pin_one(self->fd, &r, &h));
}

TEST_F(pb, pin_overlapping_ranges)
{
	struct drm_sushi_pb_range r[2] = { self->r[0], self->r[0] };
	__u32 h, h2;

	r[1].offset += 8;
	EXPECT_EQ(-EEXIST, sushi_pb_pin(self->fd, r, 2, &h, NULL));
	ASSERT_EQ(0, pin_one(self->fd, &r[0], &h));
	EXPECT_EQ(-EEXIST, pin_one(self->fd, &r[1], &h2));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

/* Pin set 0 never exists ("no pin set"), also after an unpin of 0. */
TEST_F(pb, unpin_bad_handle)
{
	__u32 h1 = 0, h2 = 0;

	EXPECT_EQ(-ENOENT, sushi_pb_unpin(self->fd, 0));
	EXPECT_EQ(-ENOENT, sushi_pb_unpin(self->fd, 4242));
	ASSERT_EQ(0, pin_one(self->fd, &self->r[1], &h1));
	EXPECT_EQ(-ENOENT, sushi_pb_unpin(self->fd, 0));
	ASSERT_EQ(0, pin_one(self->fd, &self->r[2], &h2));
	EXPECT_NE(0, h1);
	EXPECT_NE(0, h2);
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h1));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h2));
}

TEST_F(pb, unpin_padding)
{
	struct drm_sushi_pb_unpin u = { .pad = 1 };
	__u32 h;

	ASSERT_EQ(0, pin_one(self->fd, &self->r[2], &h));
	u.handle = h;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

TEST_F(pb, query_bad_fields)
{
	struct drm_sushi_pb_set_info sets[1];
	struct drm_sushi_pb_query q;

	memset(&q, 0, sizeof(q));
	q.flags = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_QUERY, &q));
	memset(&q, 0, sizeof(q));
	q.pad = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_QUERY, &q));
	memset(&q, 0, sizeof(q));
	q.sets = (uintptr_t)sets;
	q.count = 1;
	q.set_size = sizeof(sets[0]) - 4;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_QUERY, &q));
}

TEST_F(pb, query_bad_pointer)
{
	struct drm_sushi_pb_query q;
	__u32 h;

	ASSERT_EQ(0, pin_one(self->fd, &self->r[2], &h));
	memset(&q, 0, sizeof(q));
	q.sets = 8;
	q.count = 1;
	q.set_size = sizeof(struct drm_sushi_pb_set_info);
	EXPECT_EQ(-EFAULT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PB_QUERY, &q));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

TEST_F(pb, launch_bad_pin_set)
{
	struct drm_sushi_launch l = { .program = self->net.prog,
				      .pin_set = 77 };

	EXPECT_EQ(-ENOENT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_LAUNCH, &l));
	l.pin_set = 0;
	l.pad = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_LAUNCH, &l));
}

/* A range larger than the PB, then two sets that do not fit together. */
TEST_F(pb, oversubscription)
{
	__u64 cap = self->caps.pb_bytes, big = cap / 4 * 3;
	struct drm_sushi_pb_range r = { .rows = 1 };
	struct sbo bo;
	__u32 h1, h2;

	ASSERT_EQ(0, sbo_create(self->fd, 2 * cap, 0, &bo));
	r.handle = bo.handle;
	r.row_bytes = cap + 1;
	r.row_stride = r.row_bytes;
	EXPECT_EQ(-ENOSPC, pin_one(self->fd, &r, &h1));
	r.row_bytes = big;
	ASSERT_EQ(0, pin_one(self->fd, &r, &h1));
	r.offset = cap;
	EXPECT_EQ(-ENOSPC, pin_one(self->fd, &r, &h2));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h1));
	/* once the device dropped the first set, the second fits */
	wait_used(self->fd, 0);
	EXPECT_EQ(0, pin_one(self->fd, &r, &h2));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h2));
	wait_used(self->fd, 0);
	sbo_close(self->fd, &bo);
}

/* The capacity is shared: another process's pins count. */
TEST_F(pb, oversubscription_across_processes)
{
	__u64 big = self->caps.pb_bytes / 4 * 3;
	int go[2], done[2], status;
	struct drm_sushi_pb_range r = { .rows = 1 };
	struct sbo bo;
	pid_t pid;
	char c;
	__u32 h;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = sushi_open();
		struct sbo cbo;
		__u32 ch;

		if (fd < 0 || sbo_create(fd, big, 0, &cbo))
			_exit(10);
		r.handle = cbo.handle;
		r.row_bytes = big;
		r.row_stride = big;
		if (pin_one(fd, &r, &ch))
			_exit(11);
		if (write(go[1], "p", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(12);
		_exit(0);	/* the file closes: its pins go */
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	ASSERT_EQ(0, sbo_create(self->fd, big, 0, &bo));
	r.handle = bo.handle;
	r.row_bytes = big;
	r.row_stride = big;
	EXPECT_EQ(-ENOSPC, pin_one(self->fd, &r, &h));
	ASSERT_EQ(1, write(done[1], "d", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, wait_used(self->fd, 0));
	EXPECT_EQ(0, pin_one(self->fd, &r, &h));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

/* After a reset a launch expecting the pin set fails with -ESTALE. */
TEST_F(pb, stale_pin_set)
{
	struct drm_sushi_job_stats st;
	__u64 id;
	__u32 h;

	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	ASSERT_EQ(0, sushi_launch_pinned(self->fd, self->net.prog, h, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	ASSERT_EQ(DRM_SUSHI_JOB_OK, st.status);
	ASSERT_EQ(0, force_reset());
	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch_pinned(self->fd, self->net.prog, h, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_STALE_PB, st.status);
	EXPECT_EQ(-ESTALE, st.error);
	EXPECT_EQ(0, st.macs);
	EXPECT_FALSE(net_check(&self->net));
	/* pinning again makes it usable */
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	ASSERT_EQ(0, sushi_launch_pinned(self->fd, self->net.prog, h, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(5000),
				    &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_NE(0, st.pb_rd);
	EXPECT_TRUE(net_check(&self->net));
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

/* Pin set handles are per file. */
TEST_F(pb, pin_sets_are_per_file)
{
	struct drm_sushi_pb_query q;
	int other = sushi_open();
	__u32 h;

	ASSERT_GE(other, 0);
	ASSERT_EQ(0, sushi_pb_pin(self->fd, self->r, NET_PINS, &h, NULL));
	EXPECT_EQ(-ENOENT, sushi_pb_unpin(other, h));
	ASSERT_EQ(0, sushi_pb_query(other, &q, NULL, 0));
	EXPECT_EQ(0, q.count);
	close(other);
	EXPECT_EQ(0, sushi_pb_unpin(self->fd, h));
}

#define MAX_BOS	64

/* Device addresses of the user BOs in debugfs "bos"; -1 on error. */
static int read_bo_dvas(__u64 *dva, int max)
{
	struct debugfs_bo bos[MAX_BOS];
	int n = debugfs_user_bos(bos, max < MAX_BOS ? max : MAX_BOS);

	for (int i = 0; i < n; i++)
		dva[i] = bos[i].dva;
	return n;
}

/* Wait until no user BO is mapped (the last tenant's BOs are freed). */
static int wait_no_bos(void)
{
	__s64 end = sushi_deadline_ms(5000);
	__u64 dva[MAX_BOS];
	int n;

	do {
		n = read_bo_dvas(dva, MAX_BOS);
		if (n <= 0)
			return n;
		usleep(10000);
	} while (sushi_now_ns() < end);
	return n;
}

/*
 * A tenant pins its weights and exits without unpinning; the next tenant
 * gets the same device addresses (checked through debugfs) for BOs holding
 * other weights: it must compute with its own weights, never the old PB
 * snapshot.
 */
TEST(freed_pins_never_serve_old_weights)
{
	__u64 prev[MAX_BOS], cur[MAX_BOS];
	struct drm_sushi_caps caps;
	int round, nprev = 0, reused = 0;

	for (round = 0; round < 3; round++) {
		struct drm_sushi_pb_range r[NET_PINS];
		struct drm_sushi_job_stats st;
		struct tnet net;
		int fd, i, j, n;
		__u64 id;
		__u32 h;

		ASSERT_EQ(0, wait_no_bos()) TH_LOG("BOs of round %d stay", round);
		fd = sushi_open();
		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, sushi_query_caps(fd, &caps));
		ASSERT_EQ(0, net_build(fd, &caps, &net, 1000 + round));
		n = read_bo_dvas(cur, MAX_BOS);
		ASSERT_EQ(2, n);
		for (i = 0; i < n; i++)
			for (j = 0; j < nprev; j++)
				reused += cur[i] == prev[j];
		memcpy(prev, cur, sizeof(cur));
		nprev = n;
		net_clear_outputs(&net);
		ASSERT_EQ(0, sushi_launch(fd, net.prog, 0, NULL, 0, &id));
		ASSERT_EQ(0, sushi_job_wait(fd, id, sushi_deadline_ms(5000),
					    &st));
		EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
		EXPECT_EQ(0, st.pb_rd) TH_LOG("round %d read stale PB bytes",
					      round);
		EXPECT_TRUE(net_check(&net)) TH_LOG("round %d", round);
		/* pin, and leave without unpinning (mappings hold the file) */
		net_pins(&net, r);
		ASSERT_EQ(0, sushi_pb_pin(fd, r, NET_PINS, &h, NULL));
		ASSERT_EQ(0, sushi_launch_pinned(fd, net.prog, h, &id));
		munmap(net.act.map, net.act.size);
		munmap(net.wt.map, net.wt.size);
		close(fd);
	}
	/* the test means something only if addresses were reused */
	EXPECT_GE(reused, 2);
	TH_LOG("%d device addresses reused across tenants", reused);
}

TEST_HARNESS_MAIN
