/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_test.h - helpers shared by the SUSHI in-guest kselftests: find and
 * open the sushi accel node, issue ioctls returning -errno, and read the
 * device's BAR0 registers through sysfs (an independent view of the device
 * to compare the driver's answers with).
 */
#ifndef SUSHI_TEST_H
#define SUSHI_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drm.h"
#include "sushi_accel.h"
#include "sushi_accel_hw.h"

#define SUSHI_MAX_ACCEL_NODES	64

/* ioctl() that returns 0 or -errno, restarting on EINTR/EAGAIN. */
static inline int sushi_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

/* Is fd a node of the "sushi" DRM driver? */
static inline int sushi_is_ours(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		.name_len = sizeof(name) - 1,
		.name = name,
	};

	if (sushi_ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	return strcmp(name, "sushi") == 0;
}

/*
 * Open the first sushi accel node, storing its minor in *minor (if not
 * NULL).  Returns the fd or -errno (-ENODEV when there is none).
 */
static inline int sushi_open_minor(int *minor)
{
	char path[64];
	int i, fd;

	for (i = 0; i < SUSHI_MAX_ACCEL_NODES; i++) {
		snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (sushi_is_ours(fd)) {
			if (minor)
				*minor = i;
			return fd;
		}
		close(fd);
	}
	return -ENODEV;
}

static inline int sushi_open(void)
{
	return sushi_open_minor(NULL);
}

static inline int sushi_query_caps(int fd, struct drm_sushi_caps *caps)
{
	struct drm_sushi_query q = {
		.type = DRM_SUSHI_QUERY_CAPS,
		.size = sizeof(*caps),
		.pointer = (uintptr_t)caps,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_QUERY, &q);
}

static inline int sushi_query_counters(int fd, struct drm_sushi_counters *c)
{
	struct drm_sushi_query q = {
		.type = DRM_SUSHI_QUERY_COUNTERS,
		.size = sizeof(*c),
		.pointer = (uintptr_t)c,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_QUERY, &q);
}

static inline int sushi_reset(int fd, __u32 flags, __u32 *pb_gen)
{
	struct drm_sushi_reset r = { .flags = flags, .pb_gen = *pb_gen };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_RESET, &r);

	*pb_gen = r.pb_gen;
	return ret;
}

/*
 * Map BAR0 of the PCI function behind accel node @minor read-only through
 * sysfs.  Returns the mapping or NULL.
 */
static inline const __u32 *sushi_map_bar0(int minor)
{
	char path[96];
	void *p;
	int fd;

	snprintf(path, sizeof(path),
		 "/sys/class/accel/accel%d/device/resource%d", minor,
		 SUSHI_BAR_REGS);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, SUSHI_BAR_REGS_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* One 32-bit MMIO read (an atomic load is never merged or elided). */
static inline __u32 sushi_reg(const __u32 *bar, __u32 reg)
{
	return __atomic_load_n(&bar[reg / 4], __ATOMIC_SEQ_CST);
}

/* A 64-bit register pair, LO first. */
static inline __u64 sushi_reg64(const __u32 *bar, __u32 reg)
{
	__u32 lo = sushi_reg(bar, reg);

	return (__u64)sushi_reg(bar, reg + 4) << 32 | lo;
}

#endif /* SUSHI_TEST_H */
