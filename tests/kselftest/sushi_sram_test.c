// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_sram_test.c - kselftests of the on-chip activation SRAM: a program
 * whose intermediate tensors live in the SRAM computes the same bytes as
 * the all-BO program, at exactly the model's cycles and DRAM bytes (fewer
 * than the all-BO program's); PROGRAM_CREATE validates SRAM ranges as
 * strictly as BO ranges, one bad field per case (a handle on an SRAM
 * tensor, a range past the SRAM or wrapping, reserved or misplaced flags);
 * and a launch never reads another tenant's SRAM bytes (the device starts
 * every launch with a zeroed SRAM).  On a device without an SRAM every
 * SRAM placement is refused with -ERANGE.
 */
#include "kselftest_harness.h"
#include "sushi_net.h"

FIXTURE(sram) {
	int fd;
	struct drm_sushi_caps caps;
	struct tnet net;
	struct drm_sushi_layer l[NET_LAYERS];
};

/*
 * The network with layer 0's and layer 1's outputs in the SRAM (at 0 and
 * 2048; layer 0's 2048 bytes and layer 1's 512 do not overlap).
 */
static void sram_layers(const struct tnet *n, struct drm_sushi_layer *l)
{
	memcpy(l, n->l, sizeof(n->l));
	l[0].flags = DRM_SUSHI_LAYER_OUT_SRAM;
	l[0].out = (struct drm_sushi_bo_ref){ .offset = 0 };
	l[1].flags = DRM_SUSHI_LAYER_IN_SRAM | DRM_SUSHI_LAYER_OUT_SRAM;
	l[1].in = (struct drm_sushi_bo_ref){ .offset = 0 };
	l[1].out = (struct drm_sushi_bo_ref){ .offset = 2048 };
	l[2].flags = DRM_SUSHI_LAYER_IN_SRAM;
	l[2].in = (struct drm_sushi_bo_ref){ .offset = 2048 };
}

FIXTURE_SETUP(sram)
{
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	ASSERT_EQ(0, net_build(self->fd, &self->caps, &self->net, 808));
	sram_layers(&self->net, self->l);
}

FIXTURE_TEARDOWN(sram)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define SRAM_SKIP "needs that much activation SRAM (the act-sram-bytes=0 boot checks the refusals)"

/* Caps: the flag and the size agree; the size is the device's register. */
TEST_F(sram, caps)
{
	EXPECT_EQ(!!self->caps.act_sram_bytes,
		  !!(self->caps.flags & DRM_SUSHI_CAP_ACT_SRAM));
	EXPECT_LE(self->caps.act_sram_bytes, 256ull << 20);
}

/* Same bytes, the model's cost, fewer DRAM bytes than the all-BO run. */
TEST_F(sram, same_bytes_fewer_dram_bytes)
{
	struct sushi_hw_layer hl[NET_LAYERS];
	struct drm_sushi_job_stats st;
	struct sushi_model_config cfg;
	struct sushi_cost cost;
	__u32 prog;
	__u64 id;
	int i;

	if (self->caps.act_sram_bytes < 2560)
		SKIP(return, "2560 bytes: " SRAM_SKIP);
	ASSERT_EQ(0, sushi_program_create(self->fd, self->l, NET_LAYERS,
					  &prog));
	net_clear_outputs(&self->net);
	ASSERT_EQ(0, sushi_launch(self->fd, prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(10000),
				    &st));
	ASSERT_EQ(DRM_SUSHI_JOB_OK, st.status);
	/* layers 2 and 3 write the BO: the same bytes as the reference */
	for (i = 2; i < NET_LAYERS; i++) {
		const struct drm_sushi_layer *u = &self->net.l[i];
		size_t len = (size_t)u->out_c * u->out_h * u->out_w;

		EXPECT_EQ(0, memcmp(self->net.act.map + u->out.offset,
				    self->net.ref + u->out.offset, len))
			TH_LOG("layer %d output differs", i);
	}
	/* layers 0 and 1 never wrote their BO places */
	EXPECT_EQ(0x55, self->net.act.map[4096]);
	EXPECT_EQ(0x55, self->net.act.map[8192]);

	sushi_caps_config(&self->caps, &cfg);
	for (i = 0; i < NET_LAYERS; i++)
		sushi_layer_to_model(&self->l[i], &hl[i]);
	ASSERT_EQ(0, sushi_model_layers_cost(&cfg, NULL, hl, NET_LAYERS, &cost,
					     NULL, NULL));
	EXPECT_EQ(cost.cycles, st.cycles);
	EXPECT_EQ(cost.dram_rd, st.dram_rd);
	EXPECT_EQ(cost.dram_wr, st.dram_wr);
	EXPECT_EQ(cost.energy_fj, st.energy_fj);
	/* 2048 + 512 bytes stay on chip, written and read once each */
	EXPECT_EQ(self->net.cost.dram_rd - 2048 - 512, st.dram_rd);
	EXPECT_EQ(self->net.cost.dram_wr - 2048 - 512, st.dram_wr);
	EXPECT_EQ(5120, cost.sram_bytes);
	sushi_program_destroy(self->fd, prog);
}

static int create(int fd, const struct drm_sushi_layer *l)
{
	__u32 h;
	int ret = sushi_program_create(fd, l, NET_LAYERS, &h);

	if (!ret)
		sushi_program_destroy(fd, h);
	return ret;
}

/* One bad field per case, each with its errno. */
TEST_F(sram, bad_placements)
{
	__u64 sram = self->caps.act_sram_bytes;
	struct drm_sushi_layer l[NET_LAYERS];

	if (self->caps.act_sram_bytes < 2560)
		SKIP(return, "2560 bytes: " SRAM_SKIP);
	/* an SRAM tensor names no BO */
	sram_layers(&self->net, l);
	l[1].in.handle = self->net.act.handle;
	EXPECT_EQ(-EINVAL, create(self->fd, l));
	/* a BO tensor names one */
	sram_layers(&self->net, l);
	l[1].flags &= ~DRM_SUSHI_LAYER_IN_SRAM;
	EXPECT_EQ(-EINVAL, create(self->fd, l));
	/* the output's 512 bytes end one byte past the SRAM */
	sram_layers(&self->net, l);
	l[1].out.offset = sram - 511;
	l[2].in.offset = sram - 511;
	EXPECT_EQ(-ERANGE, create(self->fd, l));
	/* ... and exactly at its end is fine */
	l[1].out.offset = sram - 512;
	l[2].in.offset = sram - 512;
	EXPECT_EQ(0, create(self->fd, l));
	/* an offset whose range wraps 64 bits */
	sram_layers(&self->net, l);
	l[0].out.offset = ~0ull - 100;
	EXPECT_EQ(-EOVERFLOW, create(self->fd, l));
	/* a reserved flag; IN2_SRAM on a conv; SRAM on a weight reference */
	sram_layers(&self->net, l);
	l[0].flags |= 0x8;
	EXPECT_EQ(-EINVAL, create(self->fd, l));
	sram_layers(&self->net, l);
	l[0].flags |= DRM_SUSHI_LAYER_IN2_SRAM;
	EXPECT_EQ(-EINVAL, create(self->fd, l));
	/* the validated pieces are all right */
	sram_layers(&self->net, l);
	EXPECT_EQ(0, create(self->fd, l));
}

/* Without an SRAM (act-sram-bytes=0) any placement there is -ERANGE. */
TEST_F(sram, none_without_sram)
{
	if (self->caps.act_sram_bytes)
		SKIP(return, "the device has %llu bytes of activation SRAM",
		     (unsigned long long)self->caps.act_sram_bytes);
	EXPECT_EQ(-ERANGE, create(self->fd, self->l));
	EXPECT_EQ(0, create(self->fd, self->net.l));
}

/*
 * Tenant A leaves data in the SRAM; tenant B's program reads the SRAM
 * without writing it first: B sees zeros, never A's bytes.
 */
TEST_F(sram, no_leak_between_launches)
{
	struct drm_sushi_layer b[NET_LAYERS];
	struct drm_sushi_job_stats st;
	struct tnet other;
	__u32 pa, pb;
	__u64 id;
	int fd2;

	if (self->caps.act_sram_bytes < 4096)
		SKIP(return, "4096 bytes: " SRAM_SKIP);
	ASSERT_EQ(0, sushi_program_create(self->fd, self->l, NET_LAYERS, &pa));
	ASSERT_EQ(0, sushi_launch(self->fd, pa, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(self->fd, id, sushi_deadline_ms(10000),
				    &st));
	ASSERT_EQ(DRM_SUSHI_JOB_OK, st.status);
	/* B: layer 1 reads SRAM 0, which A's layer 0 wrote, B's did not */
	fd2 = sushi_open();
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, net_build(fd2, &self->caps, &other, 809));
	memcpy(b, other.l, sizeof(b));
	b[1].flags = DRM_SUSHI_LAYER_IN_SRAM;
	b[1].in = (struct drm_sushi_bo_ref){ .offset = 0 };
	ASSERT_EQ(0, sushi_program_create(fd2, b, NET_LAYERS, &pb));
	/* B's layer 1 input as the device must see it: zeros */
	memset(other.ref + 4096, 0, 2048);
	{
		struct sushi_hw_layer hl;
		const struct drm_sushi_layer *u = &other.l[1];
		struct sushi_layer_io io = {
			.in = (const int8_t *)other.ref + 4096,
			.out = (int8_t *)other.ref + u->out.offset,
			.w = (const int8_t *)other.wt.map + u->w.offset,
			.w_stride = u->w_stride,
			.epi = other.wt.map + u->epi.offset,
		};

		sushi_layer_to_model(u, &hl);
		ASSERT_EQ(0, sushi_layer_compute(&hl, &io, SUSHI_ISA_REF));
	}
	net_clear_outputs(&other);
	ASSERT_EQ(0, sushi_launch(fd2, pb, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(fd2, id, sushi_deadline_ms(10000), &st));
	ASSERT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(0, memcmp(other.act.map + 8192, other.ref + 8192, 512))
		TH_LOG("B's layer 1 saw something other than a zeroed SRAM");
	net_free(fd2, &other);
	close(fd2);
	sushi_program_destroy(self->fd, pa);
}

TEST_HARNESS_MAIN
