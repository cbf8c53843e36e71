/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_compat.h - the one place for kernel version differences.  The
 * driver is written against Debian's 6.12 kernel; newer kernels changed
 * these APIs.  Guards test features that driver/Kbuild detects in the
 * kernel headers, never version numbers.
 */
#ifndef SUSHI_COMPAT_H
#define SUSHI_COMPAT_H

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

#endif /* SUSHI_COMPAT_H */
