/* SPDX-License-Identifier: MIT */
/*
 * device_internal.h - private layout of libsushi's device handle and BO
 * objects, and the ioctl helper every device*.c file uses.
 */
#ifndef SUSHI_DEVICE_INTERNAL_H
#define SUSHI_DEVICE_INTERNAL_H

#include <stdint.h>

#include "sushi_model.h"
#include "sushi/device.h"

struct sushi_device {
	int fd;
	char path[64];
	struct sushi_caps caps;		/* read-only after open */
};

struct sushi_bo {
	struct sushi_device *dev;
	uint32_t handle;
	uint64_t size;
	void *map;			/* NULL when not mapped */
};

/* drmIoctl(); 0 or -errno */
int sushi_dev_ioctl(const struct sushi_device *dev, unsigned long req,
		    void *arg);

/* Absolute CLOCK_MONOTONIC deadline for a relative timeout (<0: forever). */
int64_t sushi_dev_deadline(int64_t timeout_ns);

#endif /* SUSHI_DEVICE_INTERNAL_H */
