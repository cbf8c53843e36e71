/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_compat.h - the one place for kernel version differences.  The
 * driver is written against Debian's 6.12 kernel; newer kernels changed
 * these APIs, and 6.12 stable updates backported two of the changes, so the
 * guards test LINUX_VERSION_CODE with the stable release that brought each
 * (from the upstream stable changelogs Debian's linux-image changelog
 * lists): no header grepping in Kbuild.
 */
#ifndef SUSHI_COMPAT_H
#define SUSHI_COMPAT_H

#include <linux/version.h>

#include <drm/gpu_scheduler.h>

/* In a 6.12.y stable release from @sub on, or in mainline from @major.@minor */
#define SUSHI_SINCE(sub, major, minor)					\
	(LINUX_VERSION_CODE >= KERNEL_VERSION(major, minor, 0) ||	\
	 (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, sub) &&		\
	  LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)))

/* drm_sched_init() takes struct drm_sched_init_args: 6.15, 6.12.114 */
#define SUSHI_HAVE_SCHED_INIT_ARGS	SUSHI_SINCE(114, 6, 15)
/* drm_sched_job_init() takes the fdinfo client id: 6.16, 6.12.103 */
#define SUSHI_HAVE_SCHED_CLIENT_ID	SUSHI_SINCE(103, 6, 16)

/*
 * drm_driver.date: DRM_IOCTL_VERSION warns when it is NULL in the kernels
 * that have it (6.14 removed it).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
#define SUSHI_DRM_DRIVER_DATE	.date = "20261127",
#else
#define SUSHI_DRM_DRIVER_DATE
#endif

/*
 * drm_sched_init(): 6.12.0 takes positional arguments; later kernels
 * take struct drm_sched_init_args.
 */
static inline int
sushi_compat_sched_init(struct drm_gpu_scheduler *sched,
			const struct drm_sched_backend_ops *ops,
			struct workqueue_struct *timeout_wq, u32 credit_limit,
			long timeout, const char *name, struct device *dev)
{
#if SUSHI_HAVE_SCHED_INIT_ARGS
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
#if SUSHI_HAVE_SCHED_CLIENT_ID
	return drm_sched_job_init(job, entity, 1, owner, client_id);
#else
	return drm_sched_job_init(job, entity, 1, owner);
#endif
}

#endif /* SUSHI_COMPAT_H */
