// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_bo_test.c - kselftests of DRM_IOCTL_SUSHI_BO_CREATE and
 * DRM_IOCTL_SUSHI_BO_MMAP_OFFSET: the valid paths (page rounding, a CPU
 * mapping that keeps its bytes), one bad field per test, bad handles, and
 * handles that do not cross files.
 */
#include "kselftest_harness.h"
#include "sushi_test.h"

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

TEST_HARNESS_MAIN
