// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_query_test.c - kselftests of opening the sushi accel node and of
 * DRM_IOCTL_SUSHI_QUERY: the valid path, size negotiation, one bad field per
 * test, and the reported values against the device's BAR0 registers and
 * against the model library's default configuration.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "sushi_model.h"
#include "sushi_test.h"

#define CAPS_SIZE	((__u32)sizeof(struct drm_sushi_caps))

FIXTURE(query) {
	int fd;
	int minor;
};

FIXTURE_SETUP(query)
{
	self->fd = sushi_open_minor(&self->minor);
	ASSERT_GE(self->fd, 0) TH_LOG("no sushi accel node: %s",
				      strerror(-self->fd));
}

FIXTURE_TEARDOWN(query)
{
	if (self->fd >= 0)
		close(self->fd);
}

static struct drm_sushi_query caps_query(struct drm_sushi_caps *caps)
{
	struct drm_sushi_query q = {
		.type = DRM_SUSHI_QUERY_CAPS,
		.size = CAPS_SIZE,
		.pointer = (uintptr_t)caps,
	};
	return q;
}

TEST(open_close)
{
	int a, b;

	a = sushi_open();
	ASSERT_GE(a, 0);
	b = sushi_open();
	ASSERT_GE(b, 0);
	EXPECT_NE(a, b);
	EXPECT_EQ(0, close(a));
	EXPECT_TRUE(sushi_is_ours(b));
	EXPECT_EQ(0, close(b));
}

TEST_F(query, valid)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_query q = caps_query(&caps);

	memset(&caps, 0, sizeof(caps));
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	EXPECT_EQ(CAPS_SIZE, q.size);
	EXPECT_EQ(SUSHI_HW_VERSION >> 16, caps.hw_version >> 16);
	EXPECT_NE(0, caps.pe_k);
	EXPECT_NE(0, caps.pe_c);
	EXPECT_NE(0, caps.clock_hz);
	EXPECT_NE(0, caps.dram_bytes_per_cycle);
	EXPECT_NE(0, caps.max_layers);
	EXPECT_EQ(SUSHI_MMU_VA_BITS, caps.va_bits);
	EXPECT_EQ(0, caps.flags & ~(DRM_SUSHI_CAP_OVERLAP | DRM_SUSHI_CAP_PB |
				    DRM_SUSHI_CAP_ACT_SRAM));
	EXPECT_EQ(!!(caps.flags & DRM_SUSHI_CAP_PB),
		  caps.pb_bytes && caps.pb_entries);
	EXPECT_EQ(!!(caps.flags & DRM_SUSHI_CAP_ACT_SRAM),
		  !!caps.act_sram_bytes);
	EXPECT_NE(0, caps.max_bo_size);
	EXPECT_GE(1ull << caps.va_bits, caps.max_bo_size);
	EXPECT_EQ(SUSHI_HW_MAX_DIM, caps.max_dim);
	EXPECT_EQ(SUSHI_HW_MAX_CHANNELS, caps.max_channels);
	EXPECT_EQ(SUSHI_HW_MAX_KERNEL, caps.max_kernel);
	EXPECT_EQ(SUSHI_HW_MAX_POOL_KERNEL, caps.max_pool_kernel);
	EXPECT_EQ(SUSHI_HW_MAX_STRIDE, caps.max_stride);
	EXPECT_EQ(SUSHI_HW_MAX_REDUCTION, caps.max_reduction);
}

TEST_F(query, size_only)
{
	struct drm_sushi_query q = { .type = DRM_SUSHI_QUERY_CAPS };

	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	EXPECT_EQ(CAPS_SIZE, q.size);
}

TEST_F(query, bad_flags)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_query q = caps_query(&caps);

	q.flags = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(query, bad_flags_high_bit)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_query q = caps_query(&caps);

	q.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(query, nonzero_pad)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_query q = caps_query(&caps);

	q.pad = 1;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(query, bad_type)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_query q = caps_query(&caps);

	q.type = 0x7fffffff;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(query, zero_size)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_query q = caps_query(&caps);

	q.size = 0;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(query, over_limit_size)
{
	static unsigned char buf[DRM_SUSHI_QUERY_MAX_SIZE + 1];
	struct drm_sushi_query q = caps_query((void *)buf);

	q.size = sizeof(buf);
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(query, bad_pointer)
{
	struct drm_sushi_query q = caps_query(NULL);

	q.pointer = 8;	/* the zero page is never mapped */
	EXPECT_EQ(-EFAULT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
}

TEST_F(query, read_only_pointer)
{
	long page = sysconf(_SC_PAGESIZE);
	struct drm_sushi_query q;
	void *ro;

	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	q = caps_query(ro);
	EXPECT_EQ(-EFAULT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	munmap(ro, page);
}

/* The ioctl argument itself is unreadable. */
TEST_F(query, bad_ioctl_argument)
{
	EXPECT_EQ(-EFAULT, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY,
				       (void *)8));
}

/* A driver ioctl number past the table. */
TEST_F(query, unknown_ioctl)
{
	struct drm_sushi_query q = { 0 };

	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd,
				       DRM_IOWR(DRM_COMMAND_BASE + 0x3f,
						struct drm_sushi_query), &q));
}

/* An older, smaller struct gets a prefix and learns the full size. */
TEST_F(query, short_buffer)
{
	struct drm_sushi_caps full;
	unsigned char buf[CAPS_SIZE];
	struct drm_sushi_query q = caps_query((void *)buf);
	const __u32 n = 8;
	__u32 i;

	ASSERT_EQ(0, sushi_query_caps(self->fd, &full));
	memset(buf, 0xa5, sizeof(buf));
	q.size = n;
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	EXPECT_EQ(CAPS_SIZE, q.size);
	EXPECT_EQ(0, memcmp(buf, &full, n));
	for (i = n; i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]) TH_LOG("byte %u written", i);
}

/* A newer, larger struct gets zeros past what the driver knows. */
TEST_F(query, long_buffer)
{
	struct drm_sushi_caps full;
	unsigned char buf[CAPS_SIZE + 64];
	struct drm_sushi_query q = caps_query((void *)buf);
	__u32 i;

	ASSERT_EQ(0, sushi_query_caps(self->fd, &full));
	memset(buf, 0xa5, sizeof(buf));
	q.size = sizeof(buf);
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_QUERY, &q));
	EXPECT_EQ(CAPS_SIZE, q.size);
	EXPECT_EQ(0, memcmp(buf, &full, CAPS_SIZE));
	for (i = CAPS_SIZE; i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]) TH_LOG("byte %u not cleared", i);
}

/* Every value the device reports reaches userspace unchanged. */
TEST_F(query, matches_registers)
{
	const __u32 *bar;
	struct drm_sushi_caps caps;

	ASSERT_EQ(0, sushi_query_caps(self->fd, &caps));
	bar = sushi_map_bar0(self->minor);
	ASSERT_NE(NULL, bar) TH_LOG("cannot map BAR0: %s", strerror(errno));
	EXPECT_EQ(SUSHI_HW_ID, sushi_reg(bar, SUSHI_REG_ID));
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_VERSION), caps.hw_version);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_PE_K), caps.pe_k);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_PE_C), caps.pe_c);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_WINDOW), caps.window);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_DRAM_BPC),
		  caps.dram_bytes_per_cycle);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_OVERHEAD), caps.overhead_cycles);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_PB_ENTRIES), caps.pb_entries);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_MAX_LAYERS), caps.max_layers);
	EXPECT_EQ(sushi_reg(bar, SUSHI_REG_CAP_VA_BITS), caps.va_bits);
	EXPECT_EQ(!!(sushi_reg(bar, SUSHI_REG_CAP_FLAGS) & SUSHI_CAP_F_OVERLAP),
		  !!(caps.flags & DRM_SUSHI_CAP_OVERLAP));
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_CLOCK_HZ), caps.clock_hz);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_PB_BYTES), caps.pb_bytes);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_E_MAC_FJ), caps.e_mac_fj);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_E_DRAM_FJ), caps.e_dram_fj);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_E_PB_FJ), caps.e_pb_fj);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_E_BUF_FJ), caps.e_buf_fj);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_P_STATIC_UW),
		  caps.p_static_uw);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_ACT_SRAM),
		  caps.act_sram_bytes);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_WORK_BUDGET),
		  caps.job_work_budget);
	EXPECT_EQ(sushi_reg64(bar, SUSHI_REG_CAP_MEM_BUDGET),
		  caps.job_mem_budget);
	munmap((void *)bar, SUSHI_BAR_REGS_SIZE);
}

/*
 * The harness boots the device with its default properties: the values
 * must be the model library's default configuration.
 */
TEST_F(query, device_defaults)
{
	struct sushi_model_config def;
	struct drm_sushi_caps caps;

	sushi_model_config_default(&def);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &caps));
	EXPECT_EQ(def.pe_k, caps.pe_k);
	EXPECT_EQ(def.pe_c, caps.pe_c);
	EXPECT_EQ(9, caps.window);
	EXPECT_EQ(def.clock_hz, caps.clock_hz);
	EXPECT_EQ(def.dram_bytes_per_cycle, caps.dram_bytes_per_cycle);
	EXPECT_EQ(def.overhead_cycles, caps.overhead_cycles);
	EXPECT_EQ(def.overlap, !!(caps.flags & DRM_SUSHI_CAP_OVERLAP));
	EXPECT_EQ(def.pb_bytes, caps.pb_bytes);
	EXPECT_EQ(def.pb_entries, caps.pb_entries);
	EXPECT_EQ(def.e_mac_fj, caps.e_mac_fj);
	EXPECT_EQ(def.e_dram_fj, caps.e_dram_fj);
	EXPECT_EQ(def.e_pb_fj, caps.e_pb_fj);
	EXPECT_EQ(def.e_buf_fj, caps.e_buf_fj);
	EXPECT_EQ(def.p_static_uw, caps.p_static_uw);
	EXPECT_EQ(def.act_sram_bytes, caps.act_sram_bytes);
	EXPECT_EQ(SUSHI_HW_DEFAULT_WORK_BUDGET, caps.job_work_budget);
	EXPECT_EQ(SUSHI_HW_DEFAULT_MEM_BUDGET, caps.job_mem_budget);
}

TEST_HARNESS_MAIN
