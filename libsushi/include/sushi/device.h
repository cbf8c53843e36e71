/* SPDX-License-Identifier: MIT */
/*
 * sushi/device.h - libsushi's device layer: finding and opening a
 * SushiAccel accel node, its capabilities, buffer objects, programs,
 * launches and job statistics, Persistent Buffer pin sets.
 *
 * Every function returns 0 (or a documented non-negative value) on success
 * and a negative errno on failure; sushi_strerror() turns it into a
 * readable message.  Nothing here asserts or aborts on a kernel answer.
 *
 * Threads: a struct sushi_device may be shared by any number of threads
 * (it holds only the file descriptor and read-only data after open; the
 * kernel serializes the ioctls, and launches of one device handle run in
 * the order the kernel received them).  Closing it must wait until no other
 * thread uses it.  A struct sushi_bo may be used by several threads for
 * sushi_bo_wait() and for reading/writing its mapping, but sushi_bo_map(),
 * sushi_bo_unmap() and sushi_bo_free() on one BO must not race with each
 * other or with any other use of that BO.  Program, pin set and job handles
 * are plain numbers owned by the device handle; any thread may use them.
 *
 * Guide: Documentation/libsushi-device.rst.
 */
#ifndef SUSHI_DEVICE_H
#define SUSHI_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** SUSHI_DRIVER_NAME - the DRM driver name of a SushiAccel node */
#define SUSHI_DRIVER_NAME	"sushi"

struct sushi_device;
struct sushi_bo;

/* ----------------------------------------------------------------- device */

/**
 * sushi_device_open() - open a SushiAccel device
 * @path: accel node to open (e.g. "/dev/accel/accel0"), or NULL for the
 *	first /dev/accel/accel* node whose DRM driver is SUSHI_DRIVER_NAME
 * @out: the new device handle on success
 *
 * Returns 0; -ENODEV when no SushiAccel node is found or @path is not one;
 * -EINVAL for a NULL @out; the errno of open() otherwise (-EACCES, ...).
 */
int sushi_device_open(const char *path, struct sushi_device **out);

/**
 * sushi_device_open_all() - open every SushiAccel node, in /dev/accel/accelN
 * order, up to @max of them
 * @out: room for @max handles; @n: how many were opened
 * Returns 0 (at least one opened); -ENODEV none found; -EINVAL NULL
 * arguments or @max 0; the errno of opening a SushiAccel node (then none
 * stays open).
 */
int sushi_device_open_all(struct sushi_device **out, uint32_t max,
			  uint32_t *n);

/** sushi_device_close() - close a device handle (NULL is ignored) */
void sushi_device_close(struct sushi_device *dev);

/** sushi_device_fd() - the handle's DRM file descriptor (for syncobjs) */
int sushi_device_fd(const struct sushi_device *dev);

/** sushi_device_path() - the path of the node the handle opened */
const char *sushi_device_path(const struct sushi_device *dev);

/**
 * struct sushi_caps - a device's capabilities (see DRM_SUSHI_QUERY_CAPS in
 * uapi/drm/sushi_accel.h for the meaning of each field)
 */
struct sushi_caps {
	uint32_t hw_version;		/* major << 16 | minor */
	uint32_t flags;			/* SUSHI_CAP_* */
	uint32_t pe_k;
	uint32_t pe_c;
	uint32_t window;
	uint32_t dram_bytes_per_cycle;
	uint32_t overhead_cycles;
	uint32_t pb_entries;
	uint32_t max_layers;
	uint32_t va_bits;
	uint32_t max_dim;
	uint32_t max_channels;
	uint32_t max_kernel;
	uint32_t max_pool_kernel;
	uint32_t max_stride;
	uint32_t max_reduction;
	uint64_t clock_hz;
	uint64_t pb_bytes;
	uint64_t e_mac_fj;
	uint64_t e_dram_fj;
	uint64_t e_pb_fj;
	uint64_t e_buf_fj;
	uint64_t p_static_uw;
	uint64_t max_bo_size;
	uint64_t act_sram_bytes;	/* on-chip activation SRAM, 0: none */
	/* per-job host budgets of the emulated device (UINT64_MAX: none) */
	uint64_t job_work_budget;
	uint64_t job_mem_budget;
};

#define SUSHI_CAP_OVERLAP	0x1u	/* DRAM streaming overlaps compute */
#define SUSHI_CAP_PB		0x2u	/* the device has a Persistent Buffer */
#define SUSHI_CAP_ACT_SRAM	0x4u	/* ... and an activation SRAM */

/**
 * sushi_device_caps() - the device's capabilities (queried at open)
 * Returns 0, or -EINVAL for NULL arguments.
 */
int sushi_device_caps(const struct sushi_device *dev, struct sushi_caps *caps);

/**
 * struct sushi_counters - device-wide counters since the driver bound the
 * device (all processes; resets do not clear them).  The sums are the
 * modelled figures of every retired job, as in struct sushi_job_stats.
 */
struct sushi_counters {
	uint64_t launches;		/* launches retired */
	uint64_t launches_failed;	/* of which ended with an error */
	uint64_t pb_loads;		/* PB load entries (one per range) */
	uint64_t pb_invalidations;	/* PB invalidation entries */
	uint64_t timeouts;		/* jobs stopped by the driver's timeout */
	uint64_t resets;		/* device resets (any cause) */
	uint64_t irqs;			/* interrupts raised */
	uint64_t device_errors;		/* device error interrupts */
	uint64_t cycles, macs, dram_rd, dram_wr, pb_rd;
	uint64_t energy_fj, offchip_fj;
	uint32_t pb_gen;		/* current PB generation */
};

/**
 * sushi_device_counters() - read the device-wide counters now
 * They describe every process's work: the caller needs CAP_PERFMON.
 * Returns 0, -EINVAL for NULL arguments, or the ioctl's errno (-EACCES
 * without CAP_PERFMON).
 */
int sushi_device_counters(struct sushi_device *dev,
			  struct sushi_counters *counters);

/**
 * sushi_device_reset() - reset the device now (needs CAP_SYS_ADMIN)
 * @pb_gen: the Persistent Buffer generation after the reset, or NULL
 *
 * Jobs in flight (of every process) end with -ECANCELED, queued jobs run
 * afterwards; the PB is wiped, so launches with a pin set loaded before
 * fail with -ESTALE until it is pinned again.  Returns 0, -EACCES without
 * CAP_SYS_ADMIN, -EINVAL for a NULL @dev.
 */
int sushi_device_reset(struct sushi_device *dev, uint32_t *pb_gen);

/**
 * enum sushi_call - what a failed libsushi call was doing, for
 * sushi_strerror_in(): the same errno means different things there
 * @SUSHI_CALL_DEVICE: a call on an open device (handles, jobs, the PB)
 * @SUSHI_CALL_OPEN: sushi_device_open() (a node path, its permissions)
 * @SUSHI_CALL_FILE: reading a file (SuperNet, trace, input)
 */
enum sushi_call {
	SUSHI_CALL_DEVICE,
	SUSHI_CALL_OPEN,
	SUSHI_CALL_FILE,
};

/**
 * sushi_strerror_in() - a readable message for a negative errno returned by
 * a libsushi call of kind @call (the driver's meaning for device calls, the
 * node's for opens, the C library's for files).  Thread-safe; never NULL.
 */
const char *sushi_strerror_in(enum sushi_call call, int err);

/** sushi_strerror() - sushi_strerror_in(SUSHI_CALL_DEVICE, @err) */
const char *sushi_strerror(int err);

/* -------------------------------------------------------- buffer objects */

/** SUSHI_BO_DEVICE_READ_ONLY - the device may read the BO, not write it */
#define SUSHI_BO_DEVICE_READ_ONLY	0x1u

/**
 * sushi_bo_create() - create a buffer object of at least @size bytes
 * @flags: SUSHI_BO_* bits
 * Returns 0; -EINVAL bad size or flags; -ENOMEM.
 */
int sushi_bo_create(struct sushi_device *dev, uint64_t size, uint32_t flags,
		    struct sushi_bo **out);

/** sushi_bo_size() - the allocated size (whole pages), 0 for NULL */
uint64_t sushi_bo_size(const struct sushi_bo *bo);

/** sushi_bo_handle() - the BO's GEM handle on its device's fd, 0 for NULL */
uint32_t sushi_bo_handle(const struct sushi_bo *bo);

/**
 * sushi_bo_map() - map the BO read/write into this process
 * @ptr: the mapping (the same one on every call until sushi_bo_unmap())
 * Returns 0, -EINVAL, or the error of the mmap offset ioctl or mmap().
 */
int sushi_bo_map(struct sushi_bo *bo, void **ptr);

/** sushi_bo_unmap() - drop the mapping (0, or -EINVAL when not mapped) */
int sushi_bo_unmap(struct sushi_bo *bo);

/** SUSHI_BO_WAIT_WRITERS - wait only for device writes (CPU reads next) */
#define SUSHI_BO_WAIT_WRITERS		0x1u

/**
 * sushi_bo_wait() - wait until the device is done with the BO
 * @flags: SUSHI_BO_WAIT_* bits
 * @timeout_ns: relative timeout; 0 polls, negative waits forever
 * Returns 0 when idle, -ETIME on timeout, -EINVAL bad flags.
 */
int sushi_bo_wait(struct sushi_bo *bo, uint32_t flags, int64_t timeout_ns);

/**
 * sushi_bo_free() - unmap and close the BO (programs and pin sets that use
 * it keep the memory alive).  Returns 0, -EINVAL for NULL, or the error of
 * GEM_CLOSE (the object is freed anyway).
 */
int sushi_bo_free(struct sushi_bo *bo);

/* --------------------------------------------------------------- programs */

/**
 * struct sushi_bo_ref - a place in a BO (bo NULL: unused, offset 0; or, for
 * a tensor the layer's flags put in the activation SRAM, the SRAM offset)
 */
struct sushi_bo_ref {
	struct sushi_bo *bo;
	uint64_t offset;
};

/* struct sushi_layer.flags: this tensor lives in the activation SRAM */
#define SUSHI_LAYER_IN_SRAM	0x1u
#define SUSHI_LAYER_IN2_SRAM	0x2u
#define SUSHI_LAYER_OUT_SRAM	0x4u

/**
 * struct sushi_layer - one layer of a program, in host order; the fields
 * are those of the hardware layer descriptor (hw/sushi_accel_hw.h), with
 * each device address given as a place in a BO (or in the activation SRAM,
 * see @flags).
 */
struct sushi_layer {
	uint32_t op;		/* 1 CONV, 2 FC, 3 ADD, 4 AVGPOOL, 5 MAXPOOL, 6 GAP */
	uint32_t in_c, in_h, in_w;
	uint32_t out_c, out_h, out_w;
	uint32_t kernel, stride, padding, groups;
	int32_t in_zp, in2_zp, out_zp;
	int32_t act_min, act_max;
	uint32_t add_shift;
	int32_t add_mult_a, add_mult_b;
	uint64_t w_stride;	/* CONV/FC: bytes between weight rows */
	struct sushi_bo_ref in, in2, out, w, epi;
	uint32_t flags;		/* SUSHI_LAYER_*_SRAM placement */
};

/**
 * sushi_program_create() - validate @n layers and keep them as a program
 * @program: its handle (never 0) on success
 * Returns 0; -EINVAL a bad field or n == 0; -E2BIG too many layers;
 * -ERANGE a range outside its BO; -EACCES output in a read-only BO;
 * -EOVERFLOW; -ENOSPC device address space exhausted; -ENOMEM.
 */
int sushi_program_create(struct sushi_device *dev,
			 const struct sushi_layer *layers, uint32_t n,
			 uint32_t *program);

/** sushi_program_destroy() - drop a program (0, or -ENOENT bad handle) */
int sushi_program_destroy(struct sushi_device *dev, uint32_t program);

/* --------------------------------------------------------------- launches */

/** struct sushi_launch_opts - optional launch arguments (all may be 0) */
struct sushi_launch_opts {
	uint32_t pin_set;		/* pin set the program expects loaded */
	uint32_t out_syncobj;		/* syncobj receiving the job's fence */
	const uint32_t *in_syncobjs;	/* syncobjs the job waits for */
	uint32_t in_syncobj_count;	/* 0..64 */
};

/**
 * sushi_launch() - queue one run of a program
 * @opts: optional arguments, or NULL
 * @job_id: the job's id for sushi_job_wait()
 * Returns 0; -ENOENT bad program, pin set or syncobj; -EINVAL bad count.
 */
int sushi_launch(struct sushi_device *dev, uint32_t program,
		 const struct sushi_launch_opts *opts, uint64_t *job_id);

/** struct sushi_job_stats - what a job did (see drm_sushi_job_stats) */
struct sushi_job_stats {
	uint32_t status;	/* SUSHI_JOB_* (0 OK) */
	int32_t error;		/* 0 or the job's negative errno */
	uint32_t layer;		/* failing layer */
	uint32_t pb_gen;	/* PB generation when the job ran */
	uint64_t cycles, macs, dram_rd, dram_wr, pb_rd;
	uint64_t energy_fj, offchip_fj;
};

#define SUSHI_JOB_OK		0u
#define SUSHI_JOB_STALE_PB	9u
#define SUSHI_JOB_PENDING	0x102u

/** sushi_job_status_name() - short name of a SUSHI_JOB_* status */
const char *sushi_job_status_name(uint32_t status);

/**
 * sushi_job_wait() - wait for a job of this device handle
 * @timeout_ns: relative timeout; 0 polls, negative waits forever
 * @stats: filled when the job completed (or PENDING on -ETIME), or NULL
 * Returns 0 when the job completed successfully; the job's negative errno
 * when it completed with an error (@stats says which layer and why);
 * -ETIME on timeout; -ENOENT for an unknown or too old job id.
 */
int sushi_job_wait(struct sushi_device *dev, uint64_t job_id,
		   int64_t timeout_ns, struct sushi_job_stats *stats);

/**
 * sushi_syncobj_create() / sushi_syncobj_destroy() / sushi_syncobj_wait() -
 * DRM syncobjs on the device's fd, for sushi_launch_opts (wait: relative
 * timeout, negative forever; -ETIME on timeout, -EINVAL when it has no
 * fence yet, -ENOENT bad handle).
 */
int sushi_syncobj_create(struct sushi_device *dev, uint32_t *syncobj);
int sushi_syncobj_destroy(struct sushi_device *dev, uint32_t syncobj);
int sushi_syncobj_wait(struct sushi_device *dev, uint32_t syncobj,
		       int64_t timeout_ns);

/* ------------------------------------------------- Persistent Buffer pins */

/**
 * struct sushi_pin_range - @rows rows of @row_bytes bytes, @row_stride
 * bytes apart, from @offset in @bo
 */
struct sushi_pin_range {
	struct sushi_bo *bo;
	uint64_t offset;
	uint64_t row_stride;
	uint32_t row_bytes;
	uint32_t rows;
};

/**
 * sushi_pin_set_create() - pin @n ranges into the Persistent Buffer
 * @pin_set: its handle (never 0)
 * @load_job: job id of the loads (for sushi_job_wait()), or NULL
 * Returns 0; -ENOSPC not enough free PB bytes or entries; -EEXIST overlap
 * with a pinned range; -EINVAL malformed range or n == 0; -E2BIG n above
 * 1024; -ERANGE range outside its BO.
 */
int sushi_pin_set_create(struct sushi_device *dev,
			 const struct sushi_pin_range *ranges, uint32_t n,
			 uint32_t *pin_set, uint64_t *load_job);

/** sushi_pin_set_destroy() - unpin a set (0, or -ENOENT bad handle) */
int sushi_pin_set_destroy(struct sushi_device *dev, uint32_t pin_set);

/**
 * sushi_pin_set_destroy_signal() - unpin a set; syncobj @out_syncobj then
 * holds a fence that signals once the set's PB space is free again (the
 * device forgot its ranges and no queued launch uses it): wait for it with
 * sushi_syncobj_wait() instead of retrying a pin that got -ENOSPC.
 * Returns 0, -EINVAL, -ENOENT (bad pin set or syncobj handle).
 */
int sushi_pin_set_destroy_signal(struct sushi_device *dev, uint32_t pin_set,
				 uint32_t out_syncobj);

/** struct sushi_pin_set_info - one of this handle's pin sets */
struct sushi_pin_set_info {
	uint32_t handle;
	uint32_t ranges;
	uint64_t bytes;
	uint32_t generation;	/* PB generation it was loaded under, 0: not yet */
};

/** struct sushi_pb_info - the Persistent Buffer state */
struct sushi_pb_info {
	uint64_t capacity;	/* bytes */
	uint64_t used;		/* bytes pinned by all processes */
	uint32_t generation;	/* bumped by every device reset */
	uint32_t entries_used;	/* table entries in use (all processes) */
	uint32_t n_sets;	/* this handle's pin sets */
};

/**
 * sushi_pb_query() - the PB state and up to @max_sets of this handle's pin
 * sets (in handle order) at @sets (NULL when @max_sets is 0); info->n_sets
 * says how many there are.  Returns 0 or -EINVAL.
 */
int sushi_pb_query(struct sushi_device *dev, struct sushi_pb_info *info,
		   struct sushi_pin_set_info *sets, uint32_t max_sets);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_DEVICE_H */
