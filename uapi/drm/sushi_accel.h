/* SPDX-License-Identifier: MIT */
/*
 * sushi_accel.h - userspace interface of the SushiAccel DRM accel driver
 * (driver/, /dev/accel/accelN).
 *
 * Rules every ioctl follows (Documentation/process/botching-up-ioctls.rst):
 * every struct is 64-bit aligned with explicit padding that must be zero,
 * pointers are passed as __u64, unknown flags are refused with -EINVAL, and
 * the sizes are pinned with BUILD_BUG_ON.  Structures grow only at their
 * end (the DRM core zero-extends an older, shorter argument); an array's
 * element size (@layer_size, @range_size, @set_size, @stats_size) may be
 * larger than the first version's: input elements must then have an
 * all-zero tail (-EINVAL otherwise), output elements get their tail
 * zeroed.  Errors use the DRM conventions: -EINVAL bad argument, -ENOENT
 * bad handle, -EFAULT bad user pointer, -ENOMEM out of memory, -ENODEV
 * device gone (unbound or unplugged), -ENOTTY a core DRM ioctl outside the
 * accel allowlist (VERSION, GET_CAP, GEM_CLOSE, PRIME_HANDLE_TO_FD,
 * PRIME_FD_TO_HANDLE, SYNCOBJ_*).
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
#define DRM_SUSHI_BO_WAIT		0x03
#define DRM_SUSHI_PROGRAM_CREATE	0x04
#define DRM_SUSHI_PROGRAM_DESTROY	0x05
#define DRM_SUSHI_LAUNCH		0x06
#define DRM_SUSHI_JOB_WAIT		0x07
#define DRM_SUSHI_PB_PIN		0x08
#define DRM_SUSHI_PB_UNPIN		0x09
#define DRM_SUSHI_PB_QUERY		0x0a
#define DRM_SUSHI_RESET			0x0b

#define DRM_IOCTL_SUSHI_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_QUERY, struct drm_sushi_query)
#define DRM_IOCTL_SUSHI_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_BO_CREATE, \
		 struct drm_sushi_bo_create)
#define DRM_IOCTL_SUSHI_BO_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_BO_MMAP_OFFSET, \
		 struct drm_sushi_bo_mmap_offset)
#define DRM_IOCTL_SUSHI_BO_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SUSHI_BO_WAIT, struct drm_sushi_bo_wait)
#define DRM_IOCTL_SUSHI_PROGRAM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_PROGRAM_CREATE, \
		 struct drm_sushi_program_create)
#define DRM_IOCTL_SUSHI_PROGRAM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SUSHI_PROGRAM_DESTROY, \
		struct drm_sushi_program_destroy)
#define DRM_IOCTL_SUSHI_LAUNCH \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_LAUNCH, struct drm_sushi_launch)
#define DRM_IOCTL_SUSHI_JOB_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SUSHI_JOB_WAIT, struct drm_sushi_job_wait)
#define DRM_IOCTL_SUSHI_PB_PIN \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_PB_PIN, struct drm_sushi_pb_pin)
#define DRM_IOCTL_SUSHI_PB_UNPIN \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_PB_UNPIN, struct drm_sushi_pb_unpin)
#define DRM_IOCTL_SUSHI_PB_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_PB_QUERY, struct drm_sushi_pb_query)
#define DRM_IOCTL_SUSHI_RESET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SUSHI_RESET, struct drm_sushi_reset)

/**
 * enum drm_sushi_query_type - what &struct drm_sushi_query asks for
 * @DRM_SUSHI_QUERY_CAPS: the device's capabilities, &struct drm_sushi_caps
 * @DRM_SUSHI_QUERY_COUNTERS: device-wide activity counters since the
 *	driver bound the device, &struct drm_sushi_counters; they describe
 *	every tenant's work, so they need CAP_PERFMON (-EACCES otherwise)
 */
enum drm_sushi_query_type {
	DRM_SUSHI_QUERY_CAPS = 0,
	DRM_SUSHI_QUERY_COUNTERS = 1,
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
 * DRM_SUSHI_CAP_ACT_SRAM - the device has an on-chip activation SRAM
 * (&drm_sushi_caps.act_sram_bytes > 0)
 */
#define DRM_SUSHI_CAP_ACT_SRAM		0x4u

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
	/**
	 * @act_sram_bytes: bytes of on-chip activation SRAM a layer may place
	 * its input, second input or output in (DRM_SUSHI_LAYER_*_SRAM); 0:
	 * every tensor is in a BO.  Added in version 1.1 of the interface
	 * (the struct grew from 128 to 136 bytes; QUERY negotiates the size).
	 */
	__u64 act_sram_bytes;
	/**
	 * @job_work_budget: host work units one job may cost the machine
	 * that emulates the device (Documentation/hardware/model.rst, "Host
	 * budgets"); DRM_IOCTL_SUSHI_PROGRAM_CREATE refuses a program over it
	 * with -E2BIG.  Added in version 1.2 (the struct grew to 152 bytes);
	 * U64_MAX from an older device (no budget).
	 */
	__u64 job_work_budget;
	/** @job_mem_budget: host bytes one job may need; as above. */
	__u64 job_mem_budget;
};

/**
 * struct drm_sushi_counters - device-wide counters (DRM_SUSHI_QUERY_COUNTERS)
 *
 * Every field is Out and counts from the moment the driver bound the
 * device; device resets do not clear them.  A job "retires" when the
 * device reports its completion record or a reset ends it.  The sums are
 * the modelled figures of the retired entries (the same numbers as the
 * jobs' &struct drm_sushi_job_stats), over every file and the driver's own
 * PB invalidations.
 */
struct drm_sushi_counters {
	/** @launches: LAUNCH jobs retired. */
	__u64 launches;
	/** @launches_failed: of @launches, those that ended with an error. */
	__u64 launches_failed;
	/** @pb_loads: PB load entries retired (one per pinned range). */
	__u64 pb_loads;
	/** @pb_invalidations: PB invalidation entries retired. */
	__u64 pb_invalidations;
	/** @timeouts: jobs stopped by the driver's timeout (each resets). */
	__u64 timeouts;
	/** @resets: device resets (timeouts, DRM_IOCTL_SUSHI_RESET, debugfs). */
	__u64 resets;
	/** @irqs: interrupts the device raised. */
	__u64 irqs;
	/** @device_errors: device error interrupts (bad ring entries, DMA). */
	__u64 device_errors;
	/** @cycles: modelled device cycles of the retired entries. */
	__u64 cycles;
	/** @macs: multiply-accumulates. */
	__u64 macs;
	/** @dram_rd: bytes read from DRAM. */
	__u64 dram_rd;
	/** @dram_wr: bytes written to DRAM. */
	__u64 dram_wr;
	/** @pb_rd: weight bytes read from the Persistent Buffer. */
	__u64 pb_rd;
	/** @energy_fj: modelled energy, femtojoules. */
	__u64 energy_fj;
	/** @offchip_fj: off-chip (DRAM) part of @energy_fj. */
	__u64 offchip_fj;
	/** @pb_gen: current Persistent Buffer generation. */
	__u32 pb_gen;
	/** @pad: zero. */
	__u32 pad;
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

/** DRM_SUSHI_BO_WAIT_WRITERS - wait only for device writes (CPU reads next) */
#define DRM_SUSHI_BO_WAIT_WRITERS	0x1u

/**
 * struct drm_sushi_bo_wait - argument of DRM_IOCTL_SUSHI_BO_WAIT
 *
 * Waits until the device is done with the BO: every launch that reads or
 * writes it has completed (or, with DRM_SUSHI_BO_WAIT_WRITERS, every launch
 * that writes it).  Returns 0 when idle, -ETIME when @timeout_ns passed
 * first, -ENOENT for a bad handle, -EINVAL for bad flags or padding.
 */
struct drm_sushi_bo_wait {
	/** @handle: In: GEM handle of the BO. */
	__u32 handle;
	/** @flags: In: DRM_SUSHI_BO_WAIT_* bits. */
	__u32 flags;
	/**
	 * @timeout_ns: In: absolute CLOCK_MONOTONIC deadline in nanoseconds;
	 * 0 only polls.
	 */
	__s64 timeout_ns;
};

/**
 * struct drm_sushi_bo_ref - a place in a buffer object
 *
 * A handle of 0 means "no buffer" (the field is unused by the layer's op);
 * its offset must then be 0 too.
 */
struct drm_sushi_bo_ref {
	/** @handle: In: GEM handle, or 0. */
	__u32 handle;
	/** @pad: In: must be zero. */
	__u32 pad;
	/** @offset: In: byte offset in the BO. */
	__u64 offset;
};

/*
 * Tensor placement (&drm_sushi_layer.flags): with the bit set, that tensor
 * lives in the device's on-chip activation SRAM instead of a BO: its
 * &drm_sushi_bo_ref has handle 0 and its offset is the SRAM offset; the
 * tensor must lie inside &drm_sushi_caps.act_sram_bytes (-ERANGE).  The
 * SRAM's contents do not outlive a launch: a program writes a tensor there
 * before it reads it (the device starts every launch with a zeroed SRAM).
 */
/** DRM_SUSHI_LAYER_IN_SRAM - the input is in the activation SRAM */
#define DRM_SUSHI_LAYER_IN_SRAM		0x1u
/** DRM_SUSHI_LAYER_IN2_SRAM - ADD: the second input is in the SRAM */
#define DRM_SUSHI_LAYER_IN2_SRAM	0x2u
/** DRM_SUSHI_LAYER_OUT_SRAM - the output is in the activation SRAM */
#define DRM_SUSHI_LAYER_OUT_SRAM	0x4u

/**
 * struct drm_sushi_layer - one layer of a program (168 bytes)
 *
 * The fields are those of the hardware layer descriptor (see
 * Documentation/hardware/model.rst, "Layer descriptor"), in host byte
 * order, with every device address replaced by a &struct drm_sushi_bo_ref.
 * All fields are In.
 */
struct drm_sushi_layer {
	/** @op: 1 CONV, 2 FC, 3 ADD, 4 AVGPOOL, 5 MAXPOOL, 6 GAP. */
	__u32 op;
	/** @flags: DRM_SUSHI_LAYER_*_SRAM placement bits; others must be zero. */
	__u32 flags;
	/** @in_c: input channels. */
	__u32 in_c;
	/** @in_h: input height. */
	__u32 in_h;
	/** @in_w: input width. */
	__u32 in_w;
	/** @out_c: output channels. */
	__u32 out_c;
	/** @out_h: output height. */
	__u32 out_h;
	/** @out_w: output width. */
	__u32 out_w;
	/** @kernel: window size. */
	__u32 kernel;
	/** @stride: window stride. */
	__u32 stride;
	/** @padding: zero padding on every side. */
	__u32 padding;
	/** @groups: convolution groups. */
	__u32 groups;
	/** @in_zp: input zero point. */
	__s32 in_zp;
	/** @in2_zp: second ADD input zero point. */
	__s32 in2_zp;
	/** @out_zp: output zero point. */
	__s32 out_zp;
	/** @act_min: lower output clamp. */
	__s32 act_min;
	/** @act_max: upper output clamp. */
	__s32 act_max;
	/** @add_shift: ADD requantization shift. */
	__u32 add_shift;
	/** @add_mult_a: ADD multiplier of the first input. */
	__s32 add_mult_a;
	/** @add_mult_b: ADD multiplier of the second input. */
	__s32 add_mult_b;
	/** @w_stride: CONV/FC: bytes between weight rows. */
	__u64 w_stride;
	/** @in: the input tensor (handle 0 + SRAM offset with IN_SRAM). */
	struct drm_sushi_bo_ref in;
	/** @in2: ADD: the second input tensor (or SRAM, IN2_SRAM). */
	struct drm_sushi_bo_ref in2;
	/**
	 * @out: the output tensor (not in a DEVICE_READ_ONLY BO; or SRAM,
	 * OUT_SRAM).
	 */
	struct drm_sushi_bo_ref out;
	/** @w: CONV/FC: weight row 0. */
	struct drm_sushi_bo_ref w;
	/** @epi: CONV/FC: the epilogue records. */
	struct drm_sushi_bo_ref epi;
};

/**
 * struct drm_sushi_program_create - argument of DRM_IOCTL_SUSHI_PROGRAM_CREATE
 *
 * Validates a layer list once (each layer with the device's own
 * sushi_layer_check(), then every read and write range against its BO) and
 * keeps a kernel-owned copy with device addresses filled in, which
 * DRM_IOCTL_SUSHI_LAUNCH runs.  The program holds references to its BOs.
 *
 * Errors: -EINVAL a bad field, flag, padding, @layer_size or a zero
 * @n_layers, a handle on an SRAM tensor; -E2BIG more than
 * &drm_sushi_caps.max_layers layers; -ENOENT a bad BO handle; -EOVERFLOW a
 * size or offset + size that does not fit in 64 bits; -ERANGE a range that
 * does not lie inside its BO, or an SRAM tensor outside the activation
 * SRAM; -EACCES an output
 * in a DEVICE_READ_ONLY BO; -EFAULT a bad @layers pointer; -ENOSPC device
 * address space exhausted.
 */
struct drm_sushi_program_create {
	/** @layers: In: user address of @n_layers &struct drm_sushi_layer. */
	__u64 layers;
	/** @n_layers: In: 1..&drm_sushi_caps.max_layers. */
	__u32 n_layers;
	/**
	 * @layer_size: In: bytes per element at @layers, at least
	 * sizeof(struct drm_sushi_layer) (168); bytes past it must be zero.
	 */
	__u32 layer_size;
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @handle: Out: program handle (per file, never 0). */
	__u32 handle;
};

/**
 * struct drm_sushi_program_destroy - argument of
 * DRM_IOCTL_SUSHI_PROGRAM_DESTROY
 *
 * Drops the handle; launches already queued keep the program alive until
 * they complete.  -ENOENT for an unknown handle.
 */
struct drm_sushi_program_destroy {
	/** @handle: In: program handle. */
	__u32 handle;
	/** @pad: In: must be zero. */
	__u32 pad;
};

/** DRM_SUSHI_MAX_IN_SYNCOBJS - most in-syncobjs of one launch */
#define DRM_SUSHI_MAX_IN_SYNCOBJS	64

/**
 * DRM_SUSHI_MAX_SYNCOBJ_ARRAY - most handles of one core syncobj array call
 *
 * ``count_handles`` of DRM_IOCTL_SYNCOBJ_WAIT, _TIMELINE_WAIT, _RESET,
 * _SIGNAL, _TIMELINE_SIGNAL and _QUERY on a sushi node: above it the call
 * fails with -EINVAL before the DRM core allocates its arrays.
 */
#define DRM_SUSHI_MAX_SYNCOBJ_ARRAY	4096

/**
 * struct drm_sushi_launch - argument of DRM_IOCTL_SUSHI_LAUNCH
 *
 * Queues one run of a program on the file's scheduler entity (launches of
 * one file run in order).  The job waits for the in-syncobjs and for every
 * earlier job that writes a BO the program reads, or touches a BO it
 * writes (implicit sync through the BOs' reservation objects).  Its
 * completion fence goes to @out_syncobj (if non-zero) and to the BOs; its
 * statistics are read with DRM_IOCTL_SUSHI_JOB_WAIT and @job_id.
 *
 * Errors propagate through in-syncobjs: when one of their fences carries an
 * error, the launch never runs, its status is DRM_SUSHI_JOB_CANCELED and
 * its own fence (out-syncobj, BOs) carries that same error, so a chain of
 * dependent launches fails as a whole.  Implicit dependencies only order:
 * overwriting a BO that a failed job wrote is not an error.
 *
 * With @pin_set non-zero the device checks, when the job starts, that the
 * Persistent Buffer still holds what that pin set loaded (no reset since);
 * otherwise the job fails with DRM_SUSHI_JOB_STALE_PB and -ESTALE instead
 * of computing (the pins must then be unpinned and pinned again).
 *
 * Errors: -EINVAL bad flags or padding, or @in_syncobj_count above
 * DRM_SUSHI_MAX_IN_SYNCOBJS, or an in-syncobj without a fence; -ENOENT a
 * bad program, pin set or syncobj handle; -EFAULT a bad @in_syncobjs
 * pointer; -ENODEV the device is gone.
 */
struct drm_sushi_launch {
	/** @program: In: program handle. */
	__u32 program;
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @in_syncobjs: In: user address of @in_syncobj_count __u32 handles. */
	__u64 in_syncobjs;
	/** @in_syncobj_count: In: 0..DRM_SUSHI_MAX_IN_SYNCOBJS. */
	__u32 in_syncobj_count;
	/** @out_syncobj: In: syncobj handle receiving the job's fence, or 0. */
	__u32 out_syncobj;
	/** @pin_set: In: pin set the program expects loaded, or 0. */
	__u32 pin_set;
	/** @pad: In: must be zero. */
	__u32 pad;
	/** @job_id: Out: the job's id for DRM_IOCTL_SUSHI_JOB_WAIT. */
	__u64 job_id;
};

/**
 * enum drm_sushi_job_status - &drm_sushi_job_stats.status
 * @DRM_SUSHI_JOB_OK: success
 * @DRM_SUSHI_JOB_BAD_OPCODE: device status 1 (driver bug), error -EIO
 * @DRM_SUSHI_JOB_BAD_ENTRY: device status 2 (driver bug), error -EIO
 * @DRM_SUSHI_JOB_BAD_LAYER: device status 3, error -EINVAL
 * @DRM_SUSHI_JOB_PAGE_FAULT: device status 4, error -EFAULT
 * @DRM_SUSHI_JOB_DMA_ERROR: device status 5, error -EIO
 * @DRM_SUSHI_JOB_PB_NO_SPACE: device status 6, error -ENOSPC
 * @DRM_SUSHI_JOB_PB_OVERLAP: device status 7, error -EEXIST
 * @DRM_SUSHI_JOB_PB_TABLE_FULL: device status 8, error -ENFILE
 * @DRM_SUSHI_JOB_STALE_PB: device status 9: the pin set is gone (a reset
 *	wiped the Persistent Buffer), error -ESTALE
 * @DRM_SUSHI_JOB_ABORTED: device status 11: a reset stopped the job,
 *	error -ECANCELED
 * @DRM_SUSHI_JOB_OVER_BUDGET: device status 12: the job needed more host
 *	work than the device's budget once its PB weight reads were counted
 *	(PROGRAM_CREATE already refused anything over it without the PB),
 *	error -E2BIG
 * @DRM_SUSHI_JOB_TIMEOUT: the job exceeded the driver's timeout without
 *	device progress and the device was reset, error -ETIMEDOUT
 * @DRM_SUSHI_JOB_CANCELED: the job never completed on the device: a reset
 *	dropped it from the ring, or a dependency failed, error -ECANCELED
 *	(or the dependency's error)
 * @DRM_SUSHI_JOB_PENDING: not complete yet
 */
enum drm_sushi_job_status {
	DRM_SUSHI_JOB_OK = 0,
	DRM_SUSHI_JOB_BAD_OPCODE = 1,
	DRM_SUSHI_JOB_BAD_ENTRY = 2,
	DRM_SUSHI_JOB_BAD_LAYER = 3,
	DRM_SUSHI_JOB_PAGE_FAULT = 4,
	DRM_SUSHI_JOB_DMA_ERROR = 5,
	DRM_SUSHI_JOB_PB_NO_SPACE = 6,
	DRM_SUSHI_JOB_PB_OVERLAP = 7,
	DRM_SUSHI_JOB_PB_TABLE_FULL = 8,
	DRM_SUSHI_JOB_STALE_PB = 9,
	DRM_SUSHI_JOB_ABORTED = 11,
	DRM_SUSHI_JOB_OVER_BUDGET = 12,
	DRM_SUSHI_JOB_TIMEOUT = 0x100,
	DRM_SUSHI_JOB_CANCELED = 0x101,
	DRM_SUSHI_JOB_PENDING = 0x102,
};

/**
 * struct drm_sushi_job_stats - what one job did (72 bytes, all Out)
 *
 * The counters are the device's modelled figures for the job
 * (Documentation/hardware/model.rst); a failed job reports the layers that
 * completed before the failure.
 */
struct drm_sushi_job_stats {
	/** @status: enum drm_sushi_job_status. */
	__u32 status;
	/** @error: 0, or the negative errno on the job's fence. */
	__s32 error;
	/** @layer: index of the failing layer, else 0. */
	__u32 layer;
	/** @pb_gen: Persistent Buffer generation when the job ran. */
	__u32 pb_gen;
	/** @cycles: modelled device cycles. */
	__u64 cycles;
	/** @macs: multiply-accumulates. */
	__u64 macs;
	/** @dram_rd: bytes read from DRAM. */
	__u64 dram_rd;
	/** @dram_wr: bytes written to DRAM. */
	__u64 dram_wr;
	/** @pb_rd: weight bytes read from the Persistent Buffer. */
	__u64 pb_rd;
	/** @energy_fj: total modelled energy, femtojoules. */
	__u64 energy_fj;
	/** @offchip_fj: off-chip (DRAM) part of @energy_fj. */
	__u64 offchip_fj;
};

/** DRM_SUSHI_JOBS_KEPT - how many most recent jobs per file keep stats */
#define DRM_SUSHI_JOBS_KEPT		1024

/**
 * struct drm_sushi_job_wait - argument of DRM_IOCTL_SUSHI_JOB_WAIT
 *
 * Waits for a job of this file and copies its statistics.  The driver
 * keeps the statistics of the DRM_SUSHI_JOBS_KEPT most recent launches of
 * each file; older ids give -ENOENT.  Returns 0 once the job is complete
 * (whether it succeeded or not: see &drm_sushi_job_stats.status and
 * .error), -ETIME when @timeout_ns passed first (the stats then say
 * DRM_SUSHI_JOB_PENDING), -ENOENT for an unknown id, -EINVAL for bad flags
 * or @stats_size, -EFAULT for a bad @stats pointer.
 */
struct drm_sushi_job_wait {
	/** @job_id: In: &drm_sushi_launch.job_id. */
	__u64 job_id;
	/**
	 * @timeout_ns: In: absolute CLOCK_MONOTONIC deadline in nanoseconds;
	 * 0 only polls.
	 */
	__s64 timeout_ns;
	/** @stats: In: user address of a &struct drm_sushi_job_stats, or 0. */
	__u64 stats;
	/**
	 * @stats_size: In: bytes at @stats, at least
	 * sizeof(struct drm_sushi_job_stats) (72; the rest is zeroed), or 0
	 * when @stats is 0.
	 */
	__u32 stats_size;
	/** @flags: In: must be zero. */
	__u32 flags;
};

/**
 * struct drm_sushi_pb_range - a strided range of a BO to pin (32 bytes)
 *
 * @rows rows of @row_bytes bytes, @row_stride bytes apart, from @offset:
 * e.g. the first K' weight rows of a SuperNet layer, each cut to the
 * C' * k * k bytes a SubNet uses.  All fields are In.
 */
struct drm_sushi_pb_range {
	/** @handle: GEM handle of the BO. */
	__u32 handle;
	/** @rows: number of rows, >= 1. */
	__u32 rows;
	/** @offset: byte offset of row 0 in the BO. */
	__u64 offset;
	/** @row_stride: bytes between rows, >= @row_bytes when @rows > 1. */
	__u64 row_stride;
	/** @row_bytes: bytes per row, >= 1. */
	__u32 row_bytes;
	/** @pad: must be zero. */
	__u32 pad;
};

/** DRM_SUSHI_PB_MAX_RANGES - most ranges in one pin set */
#define DRM_SUSHI_PB_MAX_RANGES		1024

/**
 * struct drm_sushi_pb_pin - argument of DRM_IOCTL_SUSHI_PB_PIN
 *
 * Reserves Persistent Buffer space for every range (the capacity is shared
 * by all files) and queues their loads on the file's scheduler entity, so
 * that they run after the file's earlier launches and before its later
 * ones.  The PB holds a snapshot: later writes to the BOs are not seen by
 * launches until the set is unpinned and pinned again.  The pin set holds
 * references to its BOs.  Wait for the loads with
 * DRM_IOCTL_SUSHI_JOB_WAIT and @job_id (stats summed over the ranges).
 *
 * Errors: -EINVAL bad flags, padding, @range_size, a zero @count or a
 * malformed range (zero rows or row bytes, rows overlapping each other);
 * -E2BIG @count above DRM_SUSHI_PB_MAX_RANGES; -ENOENT a bad BO handle;
 * -EOVERFLOW a range whose size wraps 64 bits; -ERANGE a range outside its
 * BO; -EEXIST a range overlapping a pinned range (of any set, or of this
 * one); -ENOSPC not enough free PB bytes or PB table entries;
 * -EFAULT a bad @ranges pointer.
 */
struct drm_sushi_pb_pin {
	/** @ranges: In: user address of @count &struct drm_sushi_pb_range. */
	__u64 ranges;
	/** @count: In: 1..DRM_SUSHI_PB_MAX_RANGES. */
	__u32 count;
	/**
	 * @range_size: In: bytes per element at @ranges, at least
	 * sizeof(struct drm_sushi_pb_range) (32); bytes past it must be zero.
	 */
	__u32 range_size;
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @handle: Out: pin set handle (per file, never 0). */
	__u32 handle;
	/** @job_id: Out: job id of the loads, for DRM_IOCTL_SUSHI_JOB_WAIT. */
	__u64 job_id;
};

/**
 * struct drm_sushi_pb_unpin - argument of DRM_IOCTL_SUSHI_PB_UNPIN
 *
 * Drops a pin set: after the file's earlier jobs, the device forgets its
 * ranges, then its PB space is free again.  Launches queued with it keep
 * it until they complete.  With @out_syncobj non-zero, that syncobj gets a
 * fence which signals once the set's PB space is free (the device has
 * forgotten the ranges and no launch uses the set any more): wait for it
 * instead of retrying a PB_PIN that failed with -ENOSPC.  An unpin never
 * fails for lack of memory (what it needs was allocated at PB_PIN).
 * Version 1 of this struct was 8 bytes (@handle and a zero @flags); the
 * core zero-extends it, so old callers keep working.
 *
 * Errors: -EINVAL bad flags or padding; -ENOENT an unknown pin set or
 * syncobj handle.
 */
struct drm_sushi_pb_unpin {
	/** @handle: In: pin set handle. */
	__u32 handle;
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @out_syncobj: In: syncobj handle signalled when the space is free, or 0. */
	__u32 out_syncobj;
	/** @pad: In: must be zero. */
	__u32 pad;
};

/**
 * struct drm_sushi_pb_set_info - one pin set in DRM_IOCTL_SUSHI_PB_QUERY
 * (24 bytes, all Out)
 */
struct drm_sushi_pb_set_info {
	/** @handle: pin set handle. */
	__u32 handle;
	/** @ranges: number of ranges. */
	__u32 ranges;
	/** @bytes: PB bytes the set occupies. */
	__u64 bytes;
	/** @generation: PB generation the set was loaded under (0: not yet). */
	__u32 generation;
	/** @pad: zero. */
	__u32 pad;
};

/**
 * struct drm_sushi_pb_query - argument of DRM_IOCTL_SUSHI_PB_QUERY
 *
 * Reports the Persistent Buffer state and up to @count of this file's pin
 * sets (in handle order) at @sets; @count returns how many the file has.
 * Errors: -EINVAL bad flags, padding or @set_size; -EFAULT a bad @sets.
 */
struct drm_sushi_pb_query {
	/** @capacity: Out: PB bytes. */
	__u64 capacity;
	/** @used: Out: PB bytes pinned by all files. */
	__u64 used;
	/** @generation: Out: current PB generation (bumped by every reset). */
	__u32 generation;
	/** @entries_used: Out: PB table entries in use (all files). */
	__u32 entries_used;
	/** @sets: In: user address of @count &struct drm_sushi_pb_set_info. */
	__u64 sets;
	/** @count: In: room at @sets.  Out: this file's pin sets. */
	__u32 count;
	/**
	 * @set_size: In: bytes per element at @sets, at least
	 * sizeof(struct drm_sushi_pb_set_info) (24; the rest of each element
	 * is zeroed), or anything when @count is 0.
	 */
	__u32 set_size;
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @pad: In: must be zero. */
	__u32 pad;
};

/**
 * struct drm_sushi_reset - argument of DRM_IOCTL_SUSHI_RESET
 *
 * Resets the device now (CAP_SYS_ADMIN only: -EACCES otherwise): jobs in
 * flight end with DRM_SUSHI_JOB_CANCELED or DRM_SUSHI_JOB_ABORTED (error
 * -ECANCELED), queued jobs run afterwards, the
 * Persistent Buffer is wiped and its generation bumped, so launches that
 * expect a pin set loaded before the reset fail with DRM_SUSHI_JOB_STALE_PB
 * until the set is pinned again.
 */
struct drm_sushi_reset {
	/** @flags: In: must be zero. */
	__u32 flags;
	/** @pb_gen: Out: the Persistent Buffer generation after the reset. */
	__u32 pb_gen;
};

#if defined(__cplusplus)
}
#endif

#endif /* _SUSHI_ACCEL_H_ */
