/* SPDX-License-Identifier: MIT */
/*
 * sushi_accel.h - userspace interface of the SushiAccel DRM accel driver
 * (driver/, /dev/accel/accelN).
 *
 * Rules every ioctl follows (Documentation/process/botching-up-ioctls.rst):
 * every struct is 64-bit aligned with explicit padding that must be zero,
 * pointers are passed as __u64, unknown flags are refused with -EINVAL, and
 * the sizes are fixed (the driver pins them with BUILD_BUG_ON).  Errors use
 * the DRM conventions: -EINVAL bad argument, -ENOENT bad handle, -EFAULT bad
 * user pointer, -ENOMEM out of memory, -ENODEV device gone.
 * Guide: Documentation/uapi/sushi_accel.rst.
 */
#ifndef _SUSHI_ACCEL_H_
#define _SUSHI_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_SUSHI_QUERY			0x00
#define DRM_SUSHI_BO_CREATE		0x01
#define DRM_SUSHI_BO_MMAP_OFFSET	0x02

#define DRM_IOCTL_SUSHI_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_QUERY, struct drm_sushi_query)
#define DRM_IOCTL_SUSHI_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_BO_CREATE, \
		 struct drm_sushi_bo_create)
#define DRM_IOCTL_SUSHI_BO_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_BO_MMAP_OFFSET, \
		 struct drm_sushi_bo_mmap_offset)

/**
 * enum drm_sushi_query_type - what &struct drm_sushi_query asks for
 * @DRM_SUSHI_QUERY_CAPS: the device's capabilities, &struct drm_sushi_caps
 */
enum drm_sushi_query_type {
	DRM_SUSHI_QUERY_CAPS = 0,
};

/** DRM_SUSHI_QUERY_MAX_SIZE - largest buffer size a query accepts */
#define DRM_SUSHI_QUERY_MAX_SIZE	4096

/**
 * struct drm_sushi_query - argument of DRM_IOCTL_SUSHI_QUERY
 *
 * With @pointer zero the driver only reports the size of the information in
 * @size.  Otherwise it copies min(@size, information size) bytes to
 * @pointer, zero-fills the rest of a larger buffer, and reports the
 * information size in @size, so that older and newer userspace both work.
 */
struct drm_sushi_query {
	/** @type: In: enum drm_sushi_query_type. */
	__u32 type;
	/**
	 * @size: In: bytes at @pointer, 1..DRM_SUSHI_QUERY_MAX_SIZE (ignored
	 * when @pointer is zero).  Out: size of the information.
	 */
	__u32 size;
	/** @pointer: In: user address of the buffer, or zero. */
	__u64 pointer;
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @pad: In: must be zero. */
	__u32 pad;
};

/** DRM_SUSHI_CAP_OVERLAP - DRAM streaming overlaps compute (double buffers) */
#define DRM_SUSHI_CAP_OVERLAP		0x1u
/** DRM_SUSHI_CAP_PB - the device has a Persistent Buffer (@pb_bytes > 0) */
#define DRM_SUSHI_CAP_PB		0x2u

/**
 * struct drm_sushi_caps - the device's capabilities (DRM_SUSHI_QUERY_CAPS)
 *
 * Every field is Out.  The values come from the device's capability
 * registers (the hardware configuration of this instance) and the driver's
 * limits; see Documentation/hardware/ for the timing and energy model that
 * uses them.
 */
struct drm_sushi_caps {
	/** @hw_version: interface version, major << 16 | minor. */
	__u32 hw_version;
	/** @flags: DRM_SUSHI_CAP_* bits. */
	__u32 flags;
	/** @pe_k: output-channel lanes of the dot-product array (Kp). */
	__u32 pe_k;
	/** @pe_c: input-channel lanes (Cp). */
	__u32 pe_c;
	/** @window: taps per lane (9: one 3x3 window). */
	__u32 window;
	/** @dram_bytes_per_cycle: off-chip bytes per clock cycle. */
	__u32 dram_bytes_per_cycle;
	/** @overhead_cycles: fixed cycles per layer and per job. */
	__u32 overhead_cycles;
	/** @pb_entries: entries of the Persistent Buffer mapping table. */
	__u32 pb_entries;
	/** @max_layers: most layers in one launch. */
	__u32 max_layers;
	/** @va_bits: bits of the device virtual address space. */
	__u32 va_bits;
	/** @max_dim: largest tensor height or width. */
	__u32 max_dim;
	/** @max_channels: most input or output channels of a layer. */
	__u32 max_channels;
	/** @max_kernel: largest convolution window (k x k). */
	__u32 max_kernel;
	/** @max_pool_kernel: largest pooling window. */
	__u32 max_pool_kernel;
	/** @max_stride: largest window stride. */
	__u32 max_stride;
	/** @max_reduction: largest (in_c / groups) * k * k of a layer. */
	__u32 max_reduction;
	/** @clock_hz: clock frequency in Hz. */
	__u64 clock_hz;
	/** @pb_bytes: Persistent Buffer capacity in bytes. */
	__u64 pb_bytes;
	/** @e_mac_fj: energy of one multiply-accumulate, femtojoules. */
	__u64 e_mac_fj;
	/** @e_dram_fj: energy per off-chip byte, femtojoules. */
	__u64 e_dram_fj;
	/** @e_pb_fj: energy per Persistent Buffer byte, femtojoules. */
	__u64 e_pb_fj;
	/** @e_buf_fj: energy per on-chip buffer byte, femtojoules. */
	__u64 e_buf_fj;
	/** @p_static_uw: static power, microwatts. */
	__u64 p_static_uw;
	/** @max_bo_size: largest size DRM_IOCTL_SUSHI_BO_CREATE accepts. */
	__u64 max_bo_size;
};

/** DRM_SUSHI_BO_DEVICE_READ_ONLY - the device may read the BO, not write */
#define DRM_SUSHI_BO_DEVICE_READ_ONLY	0x1u

/**
 * struct drm_sushi_bo_create - argument of DRM_IOCTL_SUSHI_BO_CREATE
 *
 * Creates a buffer object backed by shmem pages.  The driver maps it into
 * the device's address space itself: userspace never sees a device address.
 */
struct drm_sushi_bo_create {
	/**
	 * @size: In: bytes, 1..&drm_sushi_caps.max_bo_size.  Out: the size
	 * allocated (rounded up to whole pages).
	 */
	__u64 size;
	/** @flags: In: DRM_SUSHI_BO_* bits. */
	__u32 flags;
	/** @handle: Out: GEM handle of the new BO. */
	__u32 handle;
};

/**
 * struct drm_sushi_bo_mmap_offset - argument of DRM_IOCTL_SUSHI_BO_MMAP_OFFSET
 *
 * Returns the fake offset to pass to mmap() on the accel file descriptor to
 * map the BO into the caller's address space.
 */
struct drm_sushi_bo_mmap_offset {
	/** @handle: In: GEM handle of the BO. */
	__u32 handle;
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @offset: Out: offset for mmap(). */
	__u64 offset;
};

#if defined(__cplusplus)
}
#endif

#endif /* _SUSHI_ACCEL_H_ */
