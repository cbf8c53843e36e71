/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_drv.h - driver-wide types of the SushiAccel DRM accel driver: the
 * device structure, register accessors and the functions each file exports.
 */
#ifndef SUSHI_DRV_H
#define SUSHI_DRV_H

#include <linux/atomic.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <drm/drm_device.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/sushi_accel.h>

#include "sushi_accel_hw.h"

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
};

/**
 * struct sushi_bo - a buffer object
 * @base: the shmem GEM object
 * @flags: DRM_SUSHI_BO_* flags given at creation
 */
struct sushi_bo {
	struct drm_gem_shmem_object base;
	u32 flags;
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

/* sushi_hw.c */
int sushi_hw_init(struct sushi_device *sdev);
void sushi_hw_fini(struct sushi_device *sdev);
int sushi_irq_init(struct sushi_device *sdev);

/* sushi_ring.c */
int sushi_ring_init(struct sushi_device *sdev);
void sushi_ring_irq(struct sushi_device *sdev);
int sushi_ring_submit_sync(struct sushi_device *sdev,
			   struct sushi_hw_ring_entry *entry,
			   struct sushi_hw_completion *out);
int sushi_ring_selftest(struct sushi_device *sdev);

/* sushi_query.c */
int sushi_ioctl_query(struct drm_device *drm, void *data,
		      struct drm_file *file);

/* sushi_gem.c */
struct drm_gem_object *sushi_gem_create_object(struct drm_device *drm,
					       size_t size);
int sushi_ioctl_bo_create(struct drm_device *drm, void *data,
			  struct drm_file *file);
int sushi_ioctl_bo_mmap_offset(struct drm_device *drm, void *data,
			       struct drm_file *file);

#endif /* SUSHI_DRV_H */
