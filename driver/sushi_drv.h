/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_drv.h - driver-wide types of the SushiAccel DRM accel driver: the
 * device structure, register accessors and the functions each file exports.
 */
#ifndef SUSHI_DRV_H
#define SUSHI_DRV_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/pci.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <drm/drm_device.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>
#include <drm/drm_mm.h>
#include <drm/gpu_scheduler.h>
#include <drm/sushi_accel.h>

#include "sushi_accel_hw.h"
#include "sushi_layer.h"

#define SUSHI_DRIVER_NAME	"sushi"

/* Largest BO: a quarter of the 1 GiB device address space. */
#define SUSHI_MAX_BO_SIZE	(256ull << 20)

/**
 * struct sushi_ring - the command ring and its completion records
 * @entries: ring entries (coherent DMA memory)
 * @entries_dma: bus address of @entries
 * @compl: one completion record per ring slot
 * @compl_dma: bus address of @compl
 * @size: entries, a power of two
 * @tail: next slot to fill
 * @seqno: last sequence number used
 * @lock: serializes submitters
 * @wq: woken by the job interrupt
 */
struct sushi_ring {
	struct sushi_hw_ring_entry *entries;
	dma_addr_t entries_dma;
	struct sushi_hw_completion *compl;
	dma_addr_t compl_dma;
	u32 size;
	u32 tail;
	u64 seqno;
	struct mutex lock; /* serializes submitters */
	wait_queue_head_t wq;
};

/**
 * struct sushi_mmu - the device MMU tables and the device address space
 * @l1: the L1 table (coherent DMA memory)
 * @l1_dma: bus address of @l1 (PT_ROOT)
 * @l2: L2 tables, allocated on first use, freed with the device
 * @l2_dma: their bus addresses
 * @mm: allocator of device virtual addresses (page 0 is never handed out)
 * @bos: mapped BOs, for debugfs
 * @lock: protects the tables, @mm and @bos
 */
struct sushi_mmu {
	__le64 *l1;
	dma_addr_t l1_dma;
	__le64 *l2[SUSHI_MMU_ENTRIES];
	dma_addr_t l2_dma[SUSHI_MMU_ENTRIES];
	struct drm_mm mm;
	struct list_head bos;
	struct mutex lock; /* tables, mm, bos */
};

/**
 * struct sushi_device - one SushiAccel PCI function
 * @drm: the DRM device (accel node)
 * @pdev: the PCI device
 * @regs: BAR0 registers
 * @caps: capabilities read from the device at probe (constant afterwards)
 * @irq_type: "MSI-X", "MSI" or "INTx"
 * @irq_vectors: interrupt vectors in use
 * @irq_pending: SUSHI_INT_* bits the hard handler saw, for the thread
 * @irq_count: interrupts handled
 * @error_count: error interrupts handled
 * @ring: the command ring
 * @selftest_cycles: modelled cycles of the probe-time NOP
 * @mmu: device MMU and address space
 * @sched: the scheduler feeding the ring (one hardware queue)
 * @tdr_wq: ordered workqueue of timeouts and forced resets
 * @fence_ctx: dma_fence context of the hardware fences
 * @fence_lock: lock of the hardware fences
 * @inflight: jobs written to the ring, oldest first
 * @inflight_lock: protects @inflight and @counters
 * @counters: device-wide counters of retired jobs (DRM_SUSHI_QUERY_COUNTERS)
 * @reset_lock: serializes device resets
 * @reset_count: device resets done since probe
 * @late_irqs: timeouts that found their job complete (interrupt not yet
 *	handled): no reset
 * @last_progress: PROGRESS seen by the last job interrupt
 * @pb_gen: Persistent Buffer generation last read from the device (what
 *	the ioctls report once the device is unplugged)
 * @removed: completed by remove() once the device is stopped and every job
 *	it had is retired (a timeout racing with unplug waits for it)
 * @jobs_alive: jobs allocated and not yet freed (the scheduler is torn down
 *	only when this is zero)
 * @jobs_wq: woken when @jobs_alive drops to zero
 * @kentity: the driver's own scheduler entity (PB invalidations)
 * @pb_mm: allocator of Persistent Buffer bytes (shared by all files)
 * @pb_ranges: every pinned &struct sushi_pin_range
 * @pb_used: PB bytes allocated
 * @pb_entries_used: PB table entries allocated
 * @pb_lock: protects @pb_mm, @pb_ranges and the counters
 * @klock: serializes pushes to @kentity
 * @imports: imported foreign dma-bufs' BOs, by dma-buf (sushi_prime.c)
 * @import_lock: protects @imports; held across an import and a free
 * @import_gen: count of imported BOs freed
 * @import_wq: woken when an imported BO is freed
 */
struct sushi_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct drm_sushi_caps caps;
	const char *irq_type;
	int irq_vectors;
	atomic_t irq_pending;
	atomic64_t irq_count;
	atomic64_t error_count;
	struct sushi_ring ring;
	u64 selftest_cycles;
	struct sushi_mmu mmu;
	struct drm_gpu_scheduler sched;
	struct workqueue_struct *tdr_wq;
	u64 fence_ctx;
	spinlock_t fence_lock; /* hardware fences */
	struct list_head inflight;
	spinlock_t inflight_lock; /* inflight, counters */
	struct drm_sushi_counters counters;
	struct mutex reset_lock; /* device resets */
	atomic_t reset_count;
	atomic_t late_irqs;
	u32 last_progress;
	atomic_t pb_gen;
	struct completion removed;
	atomic_t jobs_alive;
	wait_queue_head_t jobs_wq;
	struct drm_sched_entity kentity;
	struct drm_mm pb_mm;
	struct list_head pb_ranges;
	u64 pb_used;
	u32 pb_entries_used;
	struct mutex pb_lock; /* PB space */
	struct mutex klock; /* kentity pushes */
	DECLARE_HASHTABLE(imports, 6);
	struct mutex import_lock; /* imports */
	unsigned int import_gen;
	wait_queue_head_t import_wq;
};

/**
 * struct sushi_usage - per-file engine usage for fdinfo
 * @refcount: the file and each of its jobs hold one (a job can retire after
 *	its file is closed)
 * @cycles: modelled device cycles of the file's retired jobs
 */
struct sushi_usage {
	struct kref refcount;
	atomic64_t cycles;
};

/**
 * struct sushi_file - per open file state
 * @sdev: the device
 * @entity: the file's scheduler entity (its jobs run in order)
 * @programs: program handles
 * @jobs: statistics records of recent jobs, by job id
 * @next_job_id: last job id handed out
 * @pin_sets: pin set handles
 * @last: finished fence of the file's last job
 * @unpinned: finished fence of the file's last PB invalidation
 * @usage: engine usage reported through fdinfo
 * @lock: serializes job submission (job ids, @jobs, @last)
 */
struct sushi_file {
	struct sushi_device *sdev;
	struct sushi_usage *usage;
	struct drm_sched_entity entity;
	struct xarray programs;
	struct xarray jobs;
	u64 next_job_id;
	struct xarray pin_sets;
	struct dma_fence *last;
	struct dma_fence *unpinned;
	struct mutex lock; /* job submission */
};

/**
 * struct sushi_job_record - statistics of one job, readable by JOB_WAIT
 * @refcount: the file's table and each job reporting into it hold one
 * @stats: filled as its jobs complete (before their fences signal)
 * @done: finished fence of its last job
 */
struct sushi_job_record {
	struct kref refcount;
	struct drm_sushi_job_stats stats;
	struct dma_fence *done;
};

struct sushi_pin_set;

/**
 * struct sushi_job - one ring entry run through the scheduler
 * @base: the scheduler job
 * @sdev: the device
 * @entry: opcode, flags and arguments of its ring entry
 * @prog: LAUNCH: the program it runs
 * @pins: LAUNCH: the pin set it expects; PB_LOAD / PB_INVALIDATE: the
 *	pin set it loads or drops (released with the job)
 * @rec: where its statistics go
 * @usage: the submitting file's usage (NULL for the driver's own jobs)
 * @in_fences: LAUNCH: the in-syncobjs' fences (referenced): an error on
 *	one fails the job before it runs
 * @n_in_fences: number of @in_fences
 * @wait: PB_INVALIDATE: a fence to wait for before running, handed to the
 *	scheduler by prepare_job (no allocation at unpin time)
 * @hw_fence: signalled when the device completed it; allocated with the
 *	job, initialized when it runs
 * @hw_fence_live: @hw_fence was initialized (it is then freed by its
 *	reference count, not with the job)
 * @node: entry in &sushi_device.inflight
 * @slot: ring slot (and completion record) it uses
 * @seqno: ring sequence number
 */
struct sushi_job {
	struct drm_sched_job base;
	struct sushi_device *sdev;
	struct sushi_hw_ring_entry entry;
	struct sushi_program *prog;
	struct sushi_pin_set *pins;
	struct sushi_job_record *rec;
	struct sushi_usage *usage;
	struct dma_fence **in_fences;
	u32 n_in_fences;
	struct dma_fence *wait;
	struct dma_fence *hw_fence;
	bool hw_fence_live;
	struct list_head node;
	u32 slot;
	u64 seqno;
};

/**
 * struct sushi_pin_range - one pinned range (one PB table entry)
 * @obj: the BO (referenced)
 * @dva: device address of row 0
 * @row_stride: bytes between rows
 * @span: bytes from @dva to the end of the last row
 * @row_bytes: bytes per row
 * @rows: rows
 * @node: its PB bytes
 * @link: entry in &sushi_device.pb_ranges
 */
struct sushi_pin_range {
	struct drm_gem_object *obj;
	u64 dva;
	u64 row_stride;
	u64 span;
	u32 row_bytes;
	u32 rows;
	struct drm_mm_node node;
	struct list_head link;
};

/**
 * struct sushi_pin_set - ranges pinned together (PB_PIN)
 * @refcount: the handle and every job using the set hold one
 * @sdev: the device
 * @gen: PB generation the loads ran under (0 before they ran)
 * @bytes: PB bytes of all ranges
 * @inval: one PB_INVALIDATE job per range, allocated at PB_PIN so that an
 *	unpin or a file close never allocates (NULL once pushed)
 * @inval_rec: the record @inval report into
 * @freed: signalled once the set's PB space is free again (PB_UNPIN's
 *	out-syncobj)
 * @freed_lock: lock of @freed
 * @n: number of ranges
 * @r: the ranges
 */
struct sushi_pin_set {
	struct kref refcount;
	struct sushi_device *sdev;
	u32 gen;
	u64 bytes;
	struct sushi_job **inval;
	struct sushi_job_record *inval_rec;
	struct dma_fence *freed;
	spinlock_t freed_lock; /* @freed */
	u32 n;
	struct sushi_pin_range r[] __counted_by(n);
};

/**
 * struct sushi_bo - a buffer object
 * @base: the shmem GEM object
 * @flags: DRM_SUSHI_BO_* flags given at creation
 * @map_lock: serializes mapping into the device address space
 * @sgt: the driver's DMA mapping of the pinned pages while mapped (NULL
 *	for an imported dma-buf, mapped by its attachment, and after unplug)
 * @dva_node: the BO's device address range (mapped when allocated)
 * @link: entry in &sushi_mmu.bos while mapped
 * @import_node: entry in &sushi_device.imports (imported dma-bufs only)
 * @kernel: owned by the driver (program descriptors), no handle
 */
struct sushi_bo {
	struct drm_gem_shmem_object base;
	u32 flags;
	struct mutex map_lock; /* mapping */
	struct sg_table *sgt;
	struct drm_mm_node dva_node;
	struct list_head link;
	struct hlist_node import_node;
	bool kernel;
};

/**
 * struct sushi_program - a validated layer list (PROGRAM_CREATE)
 * @refcount: the handle and every queued job hold one
 * @desc: kernel BO holding the little-endian, device-address patched
 *	descriptors (mapped read-only for the device)
 * @desc_dva: device address of the first descriptor
 * @n_layers: number of descriptors
 * @bos: the distinct user BOs the program touches
 * @bo_write: for each of @bos, whether a layer writes it
 * @n_bos: number of @bos
 */
struct sushi_program {
	struct kref refcount;
	struct sushi_bo *desc;
	u64 desc_dva;
	u32 n_layers;
	struct drm_gem_object **bos;
	bool *bo_write;
	u32 n_bos;
};

static inline struct sushi_device *to_sushi_device(struct drm_device *drm)
{
	return container_of(drm, struct sushi_device, drm);
}

static inline struct sushi_bo *to_sushi_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct sushi_bo, base);
}

static inline u32 sushi_read(struct sushi_device *sdev, u32 reg)
{
	return readl(sdev->regs + reg);
}

static inline void sushi_write(struct sushi_device *sdev, u32 reg, u32 val)
{
	writel(val, sdev->regs + reg);
}

/* A 64-bit register pair: LO first (it latches HI on counters). */
static inline u64 sushi_read64(struct sushi_device *sdev, u32 reg)
{
	u32 lo = sushi_read(sdev, reg);

	return (u64)sushi_read(sdev, reg + 4) << 32 | lo;
}

static inline struct sushi_file *to_sushi_file(struct drm_file *file)
{
	return file->driver_priv;
}

static inline u64 sushi_bo_dva(struct sushi_bo *bo)
{
	return bo->dva_node.start;
}

/*
 * Explain a rejected ioctl argument (rate-limited debug output: enable with
 * drm.debug=0x2) and evaluate to @err.
 */
#define sushi_reject(drm, err, fmt, ...) ({				\
	drm_dbg_ratelimited(drm, "%s: " fmt, __func__, ##__VA_ARGS__);	\
	(err);								\
})

/* sushi_file.c */
extern const struct file_operations sushi_fops;
int sushi_open(struct drm_device *drm, struct drm_file *file);
void sushi_postclose(struct drm_device *drm, struct drm_file *file);
void sushi_show_fdinfo(struct drm_printer *p, struct drm_file *file);
void sushi_usage_put(struct sushi_usage *usage);

/* sushi_hw.c */
int sushi_hw_init(struct sushi_device *sdev);
int sushi_hw_reset(struct sushi_device *sdev);
void sushi_hw_fini(struct sushi_device *sdev);
int sushi_irq_init(struct sushi_device *sdev);
void sushi_irq_sync(struct sushi_device *sdev);
u32 sushi_pb_generation(struct sushi_device *sdev);

/* sushi_ring.c */
int sushi_ring_init(struct sushi_device *sdev);
void sushi_ring_irq(struct sushi_device *sdev);
int sushi_ring_submit_sync(struct sushi_device *sdev,
			   struct sushi_hw_ring_entry *entry,
			   struct sushi_hw_completion *out);
int sushi_ring_selftest(struct sushi_device *sdev);
void sushi_ring_program(struct sushi_device *sdev);

/* sushi_mmu.c */
int sushi_mmu_init(struct sushi_device *sdev);
int sushi_mmu_map_bo(struct sushi_device *sdev, struct sushi_bo *bo);
void sushi_mmu_unmap_bo(struct sushi_device *sdev, struct sushi_bo *bo);
void sushi_mmu_unplug(struct sushi_device *sdev);

/* sushi_uapi.c */
void *sushi_array_from_user(struct drm_device *drm, u64 uptr, u32 count,
			    u32 usize, size_t ksize);
int sushi_array_to_user(u64 uptr, u32 index, u32 usize, const void *elem,
			size_t ksize);
int sushi_struct_to_user(u64 uptr, u32 usize, const void *src,
			 size_t ksize);

/* sushi_program.c */
int sushi_ioctl_program_create(struct drm_device *drm, void *data,
			       struct drm_file *file);
int sushi_ioctl_program_destroy(struct drm_device *drm, void *data,
				struct drm_file *file);
void sushi_program_put(struct sushi_program *prog);
void sushi_programs_release(struct sushi_file *sfile);

/* sushi_sched.c */
int sushi_sched_init(struct sushi_device *sdev);
void sushi_sched_unplug(struct sushi_device *sdev);
void sushi_job_irq(struct sushi_device *sdev);
void sushi_device_reset(struct sushi_device *sdev);
void sushi_counters_read(struct sushi_device *sdev,
			 struct drm_sushi_counters *out);
int sushi_ioctl_reset(struct drm_device *drm, void *data,
		      struct drm_file *file);

/* sushi_job.c */
int sushi_file_sched_init(struct sushi_file *sfile);
void sushi_file_sched_fini(struct sushi_file *sfile);
int sushi_ioctl_launch(struct drm_device *drm, void *data,
		       struct drm_file *file);
int sushi_ioctl_job_wait(struct drm_device *drm, void *data,
			 struct drm_file *file);
struct sushi_job_record *sushi_record_new(void);
void sushi_record_put(struct sushi_job_record *rec);
struct sushi_job *sushi_job_new(struct sushi_device *sdev,
				struct sushi_file *sfile, struct drm_file *file,
				struct sushi_job_record *rec, u32 opcode);
void sushi_job_abort(struct sushi_job *job);
void sushi_job_free(struct drm_sched_job *sched_job);
struct dma_fence *sushi_job_arm(struct sushi_file *sfile, struct sushi_job *job);
int sushi_file_reserve_id(struct sushi_file *sfile, u64 *id);
void sushi_file_publish(struct sushi_file *sfile, u64 id,
			struct sushi_job_record *rec, struct dma_fence *done);

/* sushi_pb.c */
int sushi_pb_init(struct sushi_device *sdev);
struct sushi_pin_set *sushi_pin_set_lookup(struct sushi_file *sfile,
					   u32 handle);
void sushi_pin_set_put(struct sushi_pin_set *pins);
void sushi_pin_sets_release(struct sushi_file *sfile);
int sushi_ioctl_pb_pin(struct drm_device *drm, void *data,
		       struct drm_file *file);
int sushi_ioctl_pb_unpin(struct drm_device *drm, void *data,
			 struct drm_file *file);
int sushi_ioctl_pb_query(struct drm_device *drm, void *data,
			 struct drm_file *file);

/* sushi_debugfs.c */
void sushi_debugfs_init(struct sushi_device *sdev);

/* sushi_query.c */
int sushi_ioctl_query(struct drm_device *drm, void *data,
		      struct drm_file *file);

/* sushi_gem.c */
int sushi_prime_init(struct sushi_device *sdev);
struct drm_gem_object *sushi_gem_prime_import(struct drm_device *drm,
					      struct dma_buf *dma_buf);
void sushi_prime_free(struct sushi_device *sdev, struct sushi_bo *bo,
		      void (*release)(struct sushi_bo *bo));
struct drm_gem_object *sushi_gem_create_object(struct drm_device *drm,
					       size_t size);
int sushi_ioctl_bo_create(struct drm_device *drm, void *data,
			  struct drm_file *file);
int sushi_ioctl_bo_mmap_offset(struct drm_device *drm, void *data,
			       struct drm_file *file);
int sushi_ioctl_bo_wait(struct drm_device *drm, void *data,
			struct drm_file *file);
struct sushi_bo *sushi_bo_create_kernel(struct sushi_device *sdev,
					size_t size);

#endif /* SUSHI_DRV_H */
