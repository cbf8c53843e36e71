/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_compat.h - the one place for kernel version differences.  The
 * driver is written against Debian's 6.12 kernel; newer kernels (and later
 * 6.12 stable updates, which backported scheduler changes) changed these
 * APIs.  Guards test features that driver/Kbuild detects in the kernel
 * headers, never version numbers.
 */
#ifndef SUSHI_COMPAT_H
#define SUSHI_COMPAT_H

#include <drm/gpu_scheduler.h>

/*
 * drm_driver.date: DRM_IOCTL_VERSION warns when it is NULL in the kernels
 * that have it (6.14 removed it).  driver/Kbuild defines
 * SUSHI_HAVE_DRM_DRIVER_DATE by looking at the kernel's drm_drv.h.
 */
#ifdef SUSHI_HAVE_DRM_DRIVER_DATE
#define SUSHI_DRM_DRIVER_DATE	.date = "20261127",
#else
#define SUSHI_DRM_DRIVER_DATE
#endif

/*
 * drm_sched_init(): 6.12.0 takes positional arguments; later kernels (and
 * Debian's 6.12 updates) take struct drm_sched_init_args
 * (SUSHI_HAVE_SCHED_INIT_ARGS).
 */
static inline int
sushi_compat_sched_init(struct drm_gpu_scheduler *sched,
			const struct drm_sched_backend_ops *ops,
			struct workqueue_struct *timeout_wq, u32 credit_limit,
			long timeout, const char *name, struct device *dev)
{
#ifdef SUSHI_HAVE_SCHED_INIT_ARGS
	const struct drm_sched_init_args args = {
		.ops = ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = credit_limit,
		.timeout = timeout,
		.timeout_wq = timeout_wq,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#else
	return drm_sched_init(sched, ops, NULL, DRM_SCHED_PRIORITY_COUNT,
			      credit_limit, 0, timeout, timeout_wq, NULL, name,
			      dev);
#endif
}

/* drm_sched_job_init(): later kernels take the fdinfo client id. */
static inline int sushi_compat_job_init(struct drm_sched_job *job,
					struct drm_sched_entity *entity,
					void *owner, u64 client_id)
{
#ifdef SUSHI_HAVE_SCHED_CLIENT_ID
	return drm_sched_job_init(job, entity, 1, owner, client_id);
#else
	return drm_sched_job_init(job, entity, 1, owner);
#endif
}

#endif /* SUSHI_COMPAT_H */
