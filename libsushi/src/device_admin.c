/* SPDX-License-Identifier: MIT */
/*
 * device_admin.c - libsushi's device-wide operations: the counters
 * (DRM_SUSHI_QUERY_COUNTERS) and the admin-only device reset
 * (DRM_IOCTL_SUSHI_RESET).
 */
#include <errno.h>
#include <string.h>

#include <xf86drm.h>

#include "sushi_accel.h"
#include "device_internal.h"

int sushi_device_counters(struct sushi_device *dev,
			  struct sushi_counters *counters)
{
	struct drm_sushi_counters c;
	struct drm_sushi_query q = {
		.type = DRM_SUSHI_QUERY_COUNTERS,
		.size = sizeof(c),
		.pointer = (uintptr_t)&c,
	};
	int ret;

	if (!dev || !counters)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_QUERY, &q);
	if (ret)
		return ret;
	*counters = (struct sushi_counters){
		.launches = c.launches,
		.launches_failed = c.launches_failed,
		.pb_loads = c.pb_loads,
		.pb_invalidations = c.pb_invalidations,
		.timeouts = c.timeouts,
		.resets = c.resets,
		.irqs = c.irqs,
		.device_errors = c.device_errors,
		.cycles = c.cycles,
		.macs = c.macs,
		.dram_rd = c.dram_rd,
		.dram_wr = c.dram_wr,
		.pb_rd = c.pb_rd,
		.energy_fj = c.energy_fj,
		.offchip_fj = c.offchip_fj,
		.pb_gen = c.pb_gen,
	};
	return 0;
}

int sushi_device_reset(struct sushi_device *dev, uint32_t *pb_gen)
{
	struct drm_sushi_reset r = { 0 };
	int ret;

	if (!dev)
		return -EINVAL;
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_RESET, &r);
	if (ret)
		return ret;
	if (pb_gen)
		*pb_gen = r.pb_gen;
	return 0;
}
