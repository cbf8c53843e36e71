/* SPDX-License-Identifier: MIT */
/*
 * device.c - libsushi device handles: finding and opening a SushiAccel
 * accel node (by DRM driver name), its capabilities (DRM_SUSHI_QUERY_CAPS),
 * the ioctl helper and readable error messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "sushi_accel.h"
#include "device_internal.h"

#define SUSHI_MAX_ACCEL_NODES	64

int sushi_dev_ioctl(const struct sushi_device *dev, unsigned long req,
		    void *arg)
{
	if (drmIoctl(dev->fd, req, arg))
		return errno ? -errno : -EIO;
	return 0;
}

int64_t sushi_dev_deadline(int64_t timeout_ns)
{
	struct timespec ts;
	int64_t now;

	if (timeout_ns < 0)
		return INT64_MAX;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	now = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
	if (timeout_ns > INT64_MAX - now)
		return INT64_MAX;
	return now + timeout_ns;
}

/* Is @fd a node of the SUSHI DRM driver? */
static int is_sushi(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	int ok;

	if (!v)
		return 0;
	ok = v->name && strcmp(v->name, SUSHI_DRIVER_NAME) == 0;
	drmFreeVersion(v);
	return ok;
}

static int query_caps(struct sushi_device *dev)
{
	struct drm_sushi_caps c;
	struct drm_sushi_query q = {
		.type = DRM_SUSHI_QUERY_CAPS,
		.size = sizeof(c),
		.pointer = (uintptr_t)&c,
	};
	int ret;

	memset(&c, 0, sizeof(c));
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_QUERY, &q);
	if (ret)
		return ret;
	dev->caps = (struct sushi_caps){
		.hw_version = c.hw_version,
		.flags = c.flags,
		.pe_k = c.pe_k,
		.pe_c = c.pe_c,
		.window = c.window,
		.dram_bytes_per_cycle = c.dram_bytes_per_cycle,
		.overhead_cycles = c.overhead_cycles,
		.pb_entries = c.pb_entries,
		.max_layers = c.max_layers,
		.va_bits = c.va_bits,
		.max_dim = c.max_dim,
		.max_channels = c.max_channels,
		.max_kernel = c.max_kernel,
		.max_pool_kernel = c.max_pool_kernel,
		.max_stride = c.max_stride,
		.max_reduction = c.max_reduction,
		.clock_hz = c.clock_hz,
		.pb_bytes = c.pb_bytes,
		.e_mac_fj = c.e_mac_fj,
		.e_dram_fj = c.e_dram_fj,
		.e_pb_fj = c.e_pb_fj,
		.e_buf_fj = c.e_buf_fj,
		.p_static_uw = c.p_static_uw,
		.max_bo_size = c.max_bo_size,
		.act_sram_bytes = c.act_sram_bytes,
		.job_work_budget = c.job_work_budget,
		.job_mem_budget = c.job_mem_budget,
	};
	return 0;
}

/* Open @path as a SUSHI node: the fd, -ENODEV if another driver's. */
static int open_node(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!is_sushi(fd)) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

int sushi_device_open(const char *path, struct sushi_device **out)
{
	struct sushi_device *dev;
	char node[64];
	int fd = -ENODEV, i, ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (path) {
		if (strlen(path) >= sizeof(dev->path))
			return -ENAMETOOLONG;
		fd = open_node(path);
	} else {
		for (i = 0; i < SUSHI_MAX_ACCEL_NODES; i++) {
			snprintf(node, sizeof(node), "/dev/accel/accel%d", i);
			fd = open_node(node);
			if (fd >= 0) {
				path = node;
				break;
			}
		}
		if (fd < 0)
			fd = -ENODEV;	/* "none found", whatever the nodes said */
	}
	if (fd < 0)
		return fd;
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		close(fd);
		return -ENOMEM;
	}
	dev->fd = fd;
	snprintf(dev->path, sizeof(dev->path), "%s", path);
	ret = query_caps(dev);
	if (ret) {
		close(fd);
		free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

int sushi_device_open_all(struct sushi_device **out, uint32_t max,
			  uint32_t *n)
{
	char node[64];
	int ret = 0;

	if (!out || !n || !max)
		return -EINVAL;
	*n = 0;
	for (int i = 0; i < SUSHI_MAX_ACCEL_NODES && *n < max; i++) {
		int fd;

		snprintf(node, sizeof(node), "/dev/accel/accel%d", i);
		fd = open_node(node);
		if (fd == -ENOENT || fd == -ENODEV)
			continue;
		if (fd >= 0) {
			close(fd);
			ret = sushi_device_open(node, &out[*n]);
		} else {
			ret = fd;
		}
		if (ret)
			break;
		(*n)++;
	}
	if (ret || !*n) {
		while (*n)
			sushi_device_close(out[--*n]);
		return ret ? ret : -ENODEV;
	}
	return 0;
}

void sushi_device_close(struct sushi_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

int sushi_device_fd(const struct sushi_device *dev)
{
	return dev ? dev->fd : -EINVAL;
}

const char *sushi_device_path(const struct sushi_device *dev)
{
	return dev ? dev->path : "";
}

int sushi_device_caps(const struct sushi_device *dev, struct sushi_caps *caps)
{
	if (!dev || !caps)
		return -EINVAL;
	*caps = dev->caps;
	return 0;
}

static const char *open_strerror(int err)
{
	switch (-err) {
	case ENOENT:
		return "no such device node";
	case ENODEV:
		return "not a SushiAccel node (no sushi DRM driver behind it), "
		       "or no SushiAccel device found";
	case EACCES:
	case EPERM:
		return "permission denied (opening needs read and write access "
		       "to the /dev/accel node)";
	case ENAMETOOLONG:
		return "device path too long";
	default:
		return NULL;
	}
}

const char *sushi_strerror_in(enum sushi_call call, int err)
{
	const char *s = NULL;

	if (call == SUSHI_CALL_OPEN)
		s = open_strerror(err);
	else if (call == SUSHI_CALL_DEVICE)
		return sushi_strerror(err);
	if (!s)
		s = err < 0 ? strerrordesc_np(-err) : (err ? NULL : "success");
	return s ? s : "unknown error";
}

const char *sushi_strerror(int err)
{
	const char *s;

	switch (-err) {
	case 0:
		return "success";
	case ENODEV:
		return "no SushiAccel device (is the sushi driver loaded? "
		       "see /dev/accel/)";
	case ENOENT:
		return "unknown handle (BO, program, pin set, syncobj or job "
		       "id)";
	case EINVAL:
		return "invalid argument (a bad field, flag or count)";
	case ENOSPC:
		return "not enough Persistent Buffer space or table entries, "
		       "or device address space exhausted";
	case EEXIST:
		return "range overlaps a range already pinned";
	case ERANGE:
		return "a buffer range does not lie inside its BO";
	case EACCES:
		return "permission denied (a device reset needs root, "
		       "CAP_SYS_ADMIN; opening needs access to the /dev/accel "
		       "node; or an output in a device-read-only BO)";
	case E2BIG:
		return "too many layers or ranges for the device";
	case ETIME:
		return "timed out waiting for the device";
	case ESTALE:
		return "the Persistent Buffer was reset since the pin set was "
		       "loaded: unpin and pin again";
	case ECANCELED:
		return "job canceled (device reset or failed dependency)";
	case ETIMEDOUT:
		return "job hung and the device was reset";
	case EFAULT:
		return "the device hit a page fault (or a bad user pointer)";
	case EIO:
		return "device I/O error";
	}
	s = err < 0 ? strerrordesc_np(-err) : NULL;
	return s ? s : "unknown error";
}
