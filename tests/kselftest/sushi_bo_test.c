// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_bo_test.c - kselftests of DRM_IOCTL_SUSHI_BO_CREATE and
 * DRM_IOCTL_SUSHI_BO_MMAP_OFFSET: the valid paths (page rounding, a CPU
 * mapping that keeps its bytes), one bad field per test, bad handles,
 * handles that do not cross files, and PRIME import of a foreign dma-buf
 * (one BO per dma-buf per device, whichever file imports it).
 */
#include <linux/dma-heap.h>

#include "kselftest_harness.h"
#include "sushi_util.h"

FIXTURE(bo) {
	int fd;
	long page;
	struct drm_sushi_caps caps;
};

FIXTURE_SETUP(bo)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0) TH_LOG("no sushi accel node: %s",
				      strerror(-self->fd));
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
}

FIXTURE_TEARDOWN(bo)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int bo_create(int fd, __u64 size, __u32 flags, __u32 *handle)
{
	struct drm_sushi_bo_create c = { .size = size, .flags = flags };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

static int bo_close(int fd, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	return sushi_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static int bo_offset(int fd, __u32 handle, __u64 *offset)
{
	struct drm_sushi_bo_mmap_offset m = { .handle = handle };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m);

	if (!ret)
		*offset = m.offset;
	return ret;
}

TEST_F(bo, create_rounds_to_pages)
{
	struct drm_sushi_bo_create c = { .size = 1 };

	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_BO_CREATE, &c));
	EXPECT_NE(0, c.handle);
	EXPECT_EQ((__u64)self->page, c.size);
	EXPECT_EQ(0, bo_close(self->fd, c.handle));
}

TEST_F(bo, create_read_only)
{
	__u32 h;

	ASSERT_EQ(0, bo_create(self->fd, 3 * self->page,
			       DRM_SUSHI_BO_DEVICE_READ_ONLY, &h));
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_F(bo, create_max_size)
{
	__u32 h;

	ASSERT_EQ(0, bo_create(self->fd, self->caps.max_bo_size, 0, &h));
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_F(bo, create_bad_flags)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, bo_create(self->fd, self->page, 1u << 1, &h));
}

TEST_F(bo, create_zero_size)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, bo_create(self->fd, 0, 0, &h));
}

TEST_F(bo, create_over_limit)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, bo_create(self->fd, self->caps.max_bo_size + 1, 0,
				     &h));
}

TEST_F(bo, create_overflowing_size)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, bo_create(self->fd, UINT64_MAX, 0, &h));
}

/* Bytes written through one mapping are read back through another. */
TEST_F(bo, mmap_roundtrip)
{
	const size_t size = 4 * self->page;
	unsigned char *a, *b;
	__u64 off;
	__u32 h;
	size_t i;

	ASSERT_EQ(0, bo_create(self->fd, size, 0, &h));
	ASSERT_EQ(0, bo_offset(self->fd, h, &off));
	EXPECT_EQ(0, off % self->page);
	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, off);
	ASSERT_NE(MAP_FAILED, a);
	for (i = 0; i < size; i++)
		ASSERT_EQ(0, a[i]) TH_LOG("new BO not zeroed at %zu", i);
	for (i = 0; i < size; i++)
		a[i] = (unsigned char)(i * 7 + 3);
	ASSERT_EQ(0, munmap(a, size));
	b = mmap(NULL, size, PROT_READ, MAP_SHARED, self->fd, off);
	ASSERT_NE(MAP_FAILED, b);
	for (i = 0; i < size; i++)
		ASSERT_EQ((unsigned char)(i * 7 + 3), b[i]);
	ASSERT_EQ(0, munmap(b, size));
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_F(bo, mmap_offset_bad_flags)
{
	struct drm_sushi_bo_mmap_offset m = { .flags = 1 };
	__u32 h;

	ASSERT_EQ(0, bo_create(self->fd, self->page, 0, &h));
	m.handle = h;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd,
				       DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m));
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_F(bo, mmap_offset_bad_handle)
{
	__u64 off;

	EXPECT_EQ(-ENOENT, bo_offset(self->fd, 0, &off));
	EXPECT_EQ(-ENOENT, bo_offset(self->fd, 0x7fffffff, &off));
}

TEST_F(bo, mmap_offset_closed_handle)
{
	__u64 off;
	__u32 h;

	ASSERT_EQ(0, bo_create(self->fd, self->page, 0, &h));
	ASSERT_EQ(0, bo_close(self->fd, h));
	EXPECT_EQ(-ENOENT, bo_offset(self->fd, h, &off));
}

/* A handle names a BO only in the file that created it. */
TEST_F(bo, handle_is_per_file)
{
	__u64 off;
	__u32 h;
	int other;

	ASSERT_EQ(0, bo_create(self->fd, self->page, 0, &h));
	other = sushi_open();
	ASSERT_GE(other, 0);
	EXPECT_EQ(-ENOENT, bo_offset(other, h, &off));
	EXPECT_EQ(-EINVAL, bo_close(other, h));
	close(other);
	EXPECT_EQ(0, bo_offset(self->fd, h, &off));
	EXPECT_EQ(0, bo_close(self->fd, h));
}

/* Closing the file with live BOs and mappings releases them cleanly. */
TEST(close_with_live_bos)
{
	struct drm_sushi_bo_create c = { .size = 1 << 20 };
	struct drm_sushi_bo_mmap_offset m = { 0 };
	unsigned char *p;
	int fd, i;

	fd = sushi_open();
	ASSERT_GE(fd, 0);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_CREATE, &c));
	m.handle = c.handle;
	ASSERT_EQ(0, sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m));
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 m.offset);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, close(fd));
	/* The mapping keeps the last BO alive after the file is gone. */
	p[0] = 42;
	EXPECT_EQ(42, p[0]);
	EXPECT_EQ(0, munmap(p, c.size));
}

/* A 7-page dma-buf of the system DMA heap: no other BO has that size. */
#define HEAP_BUF_SIZE	(7 * 4096)

static int heap_buf(void)
{
	struct dma_heap_allocation_data a = {
		.len = HEAP_BUF_SIZE,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int hfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	int ret;

	if (hfd < 0)
		return -errno;
	ret = ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &a) ? -errno : (int)a.fd;
	close(hfd);
	return ret;
}

static int prime_import(int fd, int dmabuf, __u32 *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int ret = sushi_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	if (!ret)
		*handle = p.handle;
	return ret;
}

/* A program whose max pooling reads and writes BO @h: the BO gets mapped. */
static int program_on(int fd, __u32 h, __u32 *prog)
{
	struct drm_sushi_layer l = {
		.op = SUSHI_OP_MAXPOOL,
		.in_c = 32, .in_h = 8, .in_w = 8,
		.out_c = 32, .out_h = 4, .out_w = 4,
		.kernel = 2, .stride = 2, .groups = 1,
		.act_min = -128, .act_max = 127,
		.in = { .handle = h, .offset = 0 },
		.out = { .handle = h, .offset = 4096 },
	};

	return sushi_program_create(fd, &l, 1, prog);
}

/* User BOs of @size in the device address space (debugfs "bos"), or -1. */
static int mapped_bos_of_size(unsigned long size)
{
	struct debugfs_bo bos[256];
	int n = debugfs_user_bos(bos, 256), found = 0;

	for (int i = 0; i < n; i++)
		found += bos[i].size == size;
	return n < 0 ? -1 : found;
}

/*
 * Two files importing one foreign dma-buf share one BO: one attachment,
 * one DMA mapping, one device address (two would be overlapping streaming
 * mappings of the same pages, which the DMA API does not support).  The
 * BO lives until the last file lets go, and can be imported again after.
 */
TEST(foreign_dmabuf_one_bo_per_device)
{
	__u32 ha, ha2, hb, pa, pb;
	int dmabuf, a, b;

	dmabuf = heap_buf();
	if (dmabuf == -ENOENT)
		SKIP(return, "no /dev/dma_heap/system (CONFIG_DMABUF_HEAPS_SYSTEM)");
	ASSERT_GE(dmabuf, 0) TH_LOG("heap allocation: %s", strerror(-dmabuf));
	ASSERT_EQ(0, mapped_bos_of_size(HEAP_BUF_SIZE))
		TH_LOG("debugfs bos of the device not readable");
	a = sushi_open();
	ASSERT_GE(a, 0);
	b = sushi_open();
	ASSERT_GE(b, 0);

	ASSERT_EQ(0, prime_import(a, dmabuf, &ha));
	ASSERT_EQ(0, prime_import(a, dmabuf, &ha2));
	EXPECT_EQ(ha, ha2);
	ASSERT_EQ(0, prime_import(b, dmabuf, &hb));
	ASSERT_EQ(0, program_on(a, ha, &pa));
	ASSERT_EQ(0, program_on(b, hb, &pb));
	EXPECT_EQ(1, mapped_bos_of_size(HEAP_BUF_SIZE));

	/* file a lets go: b's program and handle keep the BO mapped */
	EXPECT_EQ(0, sushi_program_destroy(a, pa));
	EXPECT_EQ(0, bo_close(a, ha));
	EXPECT_EQ(1, mapped_bos_of_size(HEAP_BUF_SIZE));
	ASSERT_EQ(0, prime_import(a, dmabuf, &ha));
	ASSERT_EQ(0, program_on(a, ha, &pa));
	EXPECT_EQ(1, mapped_bos_of_size(HEAP_BUF_SIZE));

	/* the last user gone, the BO and its mapping go; a new import works */
	close(b);
	close(a);
	EXPECT_EQ(0, mapped_bos_of_size(HEAP_BUF_SIZE));
	a = sushi_open();
	ASSERT_GE(a, 0);
	ASSERT_EQ(0, prime_import(a, dmabuf, &ha));
	ASSERT_EQ(0, program_on(a, ha, &pa));
	EXPECT_EQ(1, mapped_bos_of_size(HEAP_BUF_SIZE));
	close(a);
	close(dmabuf);
	EXPECT_EQ(0, mapped_bos_of_size(HEAP_BUF_SIZE));
}

/* Our own export comes back as the same BO in another file. */
TEST(own_export_is_the_same_bo)
{
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC };
	__u32 h, hb, pa, pb;
	int a, b;

	a = sushi_open();
	ASSERT_GE(a, 0);
	b = sushi_open();
	ASSERT_GE(b, 0);
	ASSERT_EQ(0, bo_create(a, HEAP_BUF_SIZE, 0, &h));
	exp.handle = h;
	ASSERT_EQ(0, sushi_ioctl(a, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	ASSERT_EQ(0, prime_import(b, exp.fd, &hb));
	close(exp.fd);
	ASSERT_EQ(0, program_on(a, h, &pa));
	ASSERT_EQ(0, program_on(b, hb, &pb));
	EXPECT_EQ(1, mapped_bos_of_size(HEAP_BUF_SIZE));
	close(a);
	EXPECT_EQ(1, mapped_bos_of_size(HEAP_BUF_SIZE));
	close(b);
	EXPECT_EQ(0, mapped_bos_of_size(HEAP_BUF_SIZE));
}

TEST_HARNESS_MAIN
