// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_query.c - DRM_IOCTL_SUSHI_QUERY: report the device's capabilities
 * and (to CAP_PERFMON) its device-wide counters with size negotiation, so that older and
 * newer userspace keep working when the information grows.
 */

#include <linux/capability.h>
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include "sushi_drv.h"

int sushi_ioctl_query(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct drm_sushi_query *args = data;
	void __user *ptr = u64_to_user_ptr(args->pointer);
	struct drm_sushi_counters counters;
	const void *info;
	u32 info_size, n;

	if (args->flags || args->pad)
		return sushi_reject(drm, -EINVAL, "flags %#x pad %#x\n",
				    args->flags, args->pad);

	switch (args->type) {
	case DRM_SUSHI_QUERY_CAPS:
		info = &sdev->caps;
		info_size = sizeof(sdev->caps);
		break;
	case DRM_SUSHI_QUERY_COUNTERS:
		/* other tenants' activity: a performance-monitoring privilege */
		if (!perfmon_capable())
			return sushi_reject(drm, -EACCES,
					    "device counters need CAP_PERFMON\n");
		sushi_counters_read(sdev, &counters);
		info = &counters;
		info_size = sizeof(counters);
		break;
	default:
		return sushi_reject(drm, -EINVAL, "type %u\n", args->type);
	}

	if (!args->pointer) {
		args->size = info_size;
		return 0;
	}
	if (!args->size || args->size > DRM_SUSHI_QUERY_MAX_SIZE)
		return sushi_reject(drm, -EINVAL, "size %u\n", args->size);

	n = min(args->size, info_size);
	if (copy_to_user(ptr, info, n))
		return -EFAULT;
	if (args->size > n && clear_user(ptr + n, args->size - n))
		return -EFAULT;
	args->size = info_size;
	return 0;
}
