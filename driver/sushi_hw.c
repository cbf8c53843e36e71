// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_hw.c - device bring-up of the SushiAccel: identification, reset,
 * the capability block, and the interrupt handlers (MSI-X, INTx fallback)
 * that hand job completions to sushi_ring.c.
 */

#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/minmax.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "sushi_drv.h"

#define SUSHI_RESET_TIMEOUT_US	100000

int sushi_hw_reset(struct sushi_device *sdev)
{
	u32 val;
	int ret;

	sushi_write(sdev, SUSHI_REG_CONTROL, SUSHI_CONTROL_RESET);
	ret = readl_poll_timeout(sdev->regs + SUSHI_REG_CONTROL, val,
				 !(val & SUSHI_CONTROL_RESET), 10,
				 SUSHI_RESET_TIMEOUT_US);
	if (ret) {
		drm_err(&sdev->drm, "reset did not complete (control %#x)\n",
			val);
		return ret;
	}
	ret = readl_poll_timeout(sdev->regs + SUSHI_REG_STATUS, val,
				 val & SUSHI_STATUS_READY, 10,
				 SUSHI_RESET_TIMEOUT_US);
	if (ret)
		drm_err(&sdev->drm, "device not ready after reset (status %#x)\n",
			val);
	return ret;
}

/*
 * Read the capability block.  The values configure everything userspace
 * computes, so refuse a device that reports an impossible configuration
 * rather than pass it on.
 */
static int sushi_hw_read_caps(struct sushi_device *sdev)
{
	struct drm_sushi_caps *c = &sdev->caps;
	u32 hw_flags;

	memset(c, 0, sizeof(*c));
	c->hw_version = sushi_read(sdev, SUSHI_REG_VERSION);
	c->pe_k = sushi_read(sdev, SUSHI_REG_CAP_PE_K);
	c->pe_c = sushi_read(sdev, SUSHI_REG_CAP_PE_C);
	c->window = sushi_read(sdev, SUSHI_REG_CAP_WINDOW);
	c->dram_bytes_per_cycle = sushi_read(sdev, SUSHI_REG_CAP_DRAM_BPC);
	c->overhead_cycles = sushi_read(sdev, SUSHI_REG_CAP_OVERHEAD);
	c->pb_entries = sushi_read(sdev, SUSHI_REG_CAP_PB_ENTRIES);
	c->max_layers = sushi_read(sdev, SUSHI_REG_CAP_MAX_LAYERS);
	c->va_bits = sushi_read(sdev, SUSHI_REG_CAP_VA_BITS);
	c->clock_hz = sushi_read64(sdev, SUSHI_REG_CAP_CLOCK_HZ);
	c->pb_bytes = sushi_read64(sdev, SUSHI_REG_CAP_PB_BYTES);
	c->e_mac_fj = sushi_read64(sdev, SUSHI_REG_CAP_E_MAC_FJ);
	c->e_dram_fj = sushi_read64(sdev, SUSHI_REG_CAP_E_DRAM_FJ);
	c->e_pb_fj = sushi_read64(sdev, SUSHI_REG_CAP_E_PB_FJ);
	c->e_buf_fj = sushi_read64(sdev, SUSHI_REG_CAP_E_BUF_FJ);
	c->p_static_uw = sushi_read64(sdev, SUSHI_REG_CAP_P_STATIC_UW);
	/* interface 1.1; a 1.0 device has none */
	if ((c->hw_version & 0xffff) >= 1)
		c->act_sram_bytes = sushi_read64(sdev, SUSHI_REG_CAP_ACT_SRAM);
	/* interface 1.2; an older device has no budget */
	c->job_work_budget = U64_MAX;
	c->job_mem_budget = U64_MAX;
	if ((c->hw_version & 0xffff) >= 2) {
		c->job_work_budget = sushi_read64(sdev,
						  SUSHI_REG_CAP_WORK_BUDGET);
		c->job_mem_budget = sushi_read64(sdev, SUSHI_REG_CAP_MEM_BUDGET);
	}

	c->max_dim = SUSHI_HW_MAX_DIM;
	c->max_channels = SUSHI_HW_MAX_CHANNELS;
	c->max_kernel = SUSHI_HW_MAX_KERNEL;
	c->max_pool_kernel = SUSHI_HW_MAX_POOL_KERNEL;
	c->max_stride = SUSHI_HW_MAX_STRIDE;
	c->max_reduction = SUSHI_HW_MAX_REDUCTION;

	hw_flags = sushi_read(sdev, SUSHI_REG_CAP_FLAGS);
	if (hw_flags & SUSHI_CAP_F_OVERLAP)
		c->flags |= DRM_SUSHI_CAP_OVERLAP;
	if (c->pb_bytes && c->pb_entries)
		c->flags |= DRM_SUSHI_CAP_PB;
	if (c->act_sram_bytes)
		c->flags |= DRM_SUSHI_CAP_ACT_SRAM;

	if (!c->pe_k || !c->pe_c || !c->window || !c->dram_bytes_per_cycle ||
	    !c->max_layers || !c->clock_hz) {
		drm_err(&sdev->drm, "device reports an empty capability\n");
		return -ENODEV;
	}
	if (c->va_bits != SUSHI_MMU_VA_BITS) {
		drm_err(&sdev->drm, "device has %u address bits, driver needs %u\n",
			c->va_bits, SUSHI_MMU_VA_BITS);
		return -ENODEV;
	}
	c->max_bo_size = min_t(u64, SUSHI_MAX_BO_SIZE, 1ull << c->va_bits);
	return 0;
}

int sushi_hw_init(struct sushi_device *sdev)
{
	u32 id = sushi_read(sdev, SUSHI_REG_ID);
	u32 version = sushi_read(sdev, SUSHI_REG_VERSION);
	int ret;

	if (id != SUSHI_HW_ID) {
		drm_err(&sdev->drm, "unknown device id %#x\n", id);
		return -ENODEV;
	}
	if (version >> 16 != SUSHI_HW_VERSION >> 16) {
		drm_err(&sdev->drm, "unsupported interface version %#x\n",
			version);
		return -ENODEV;
	}
	/* Quiet until the interrupt handlers are in place. */
	sushi_write(sdev, SUSHI_REG_INT_MASK, 0);
	ret = sushi_hw_reset(sdev);
	if (ret)
		return ret;
	sushi_write(sdev, SUSHI_REG_INT_STATUS, ~0u);
	atomic_set(&sdev->pb_gen, sushi_read(sdev, SUSHI_REG_PB_GENERATION));
	return sushi_hw_read_caps(sdev);
}

/*
 * Stop the device: no interrupts, no ring processing, no DMA.  A device
 * that fell off the bus (every register reads all ones) is already quiet.
 */
void sushi_hw_fini(struct sushi_device *sdev)
{
	if (sushi_read(sdev, SUSHI_REG_ID) == ~0u)
		return;
	sushi_write(sdev, SUSHI_REG_INT_MASK, 0);
	sushi_write(sdev, SUSHI_REG_CONTROL, 0);
	sushi_hw_reset(sdev);
}

/*
 * The Persistent Buffer generation: read from the device while it is
 * there, the last value read once it is unplugged.
 */
u32 sushi_pb_generation(struct sushi_device *sdev)
{
	int idx;

	if (drm_dev_enter(&sdev->drm, &idx)) {
		atomic_set(&sdev->pb_gen,
			   sushi_read(sdev, SUSHI_REG_PB_GENERATION));
		drm_dev_exit(idx);
	}
	return atomic_read(&sdev->pb_gen);
}

static irqreturn_t sushi_irq_handler(int irq, void *arg)
{
	struct sushi_device *sdev = arg;
	u32 status = sushi_read(sdev, SUSHI_REG_INT_STATUS);

	/* All ones: the device fell off the bus. */
	if (!status || status == ~0u)
		return IRQ_NONE;
	sushi_write(sdev, SUSHI_REG_INT_STATUS, status);
	atomic_or(status, &sdev->irq_pending);
	atomic64_inc(&sdev->irq_count);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t sushi_irq_thread(int irq, void *arg)
{
	struct sushi_device *sdev = arg;
	u32 status = atomic_xchg(&sdev->irq_pending, 0);

	if (status & SUSHI_INT_ERROR) {
		u32 err = sushi_read(sdev, SUSHI_REG_ERROR);
		u64 addr = sushi_read64(sdev, SUSHI_REG_ERROR_ADDR_LO);

		atomic64_inc(&sdev->error_count);
		/*
		 * A job's own failure (stale pin set, a reset's abort...) is
		 * the job's business: its fence carries it.  A malformed ring
		 * entry or a bus error is the driver's or the hardware's.
		 */
		if (err == SUSHI_HW_ST_BAD_RING || err == SUSHI_HW_ST_DMA_ERROR ||
		    err == SUSHI_HW_ST_BAD_OPCODE || err == SUSHI_HW_ST_BAD_ENTRY)
			drm_err_ratelimited(&sdev->drm,
					    "device error %u at %#llx\n", err,
					    addr);
		else
			drm_dbg_ratelimited(&sdev->drm,
					    "job failed on the device: status %u at %#llx\n",
					    err, addr);
	}
	if (status & SUSHI_INT_JOB)
		sushi_ring_irq(sdev);
	return IRQ_HANDLED;
}

int sushi_irq_init(struct sushi_device *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	unsigned long flags = 0;
	int nvec, i, ret;

	nvec = pci_alloc_irq_vectors(pdev, 1, SUSHI_MSIX_VECTORS,
				     PCI_IRQ_MSIX | PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (nvec < 0) {
		drm_err(&sdev->drm, "no interrupt vector: %d\n", nvec);
		return nvec;
	}
	if (pdev->msix_enabled) {
		sdev->irq_type = "MSI-X";
	} else if (pdev->msi_enabled) {
		sdev->irq_type = "MSI";
	} else {
		sdev->irq_type = "INTx";
		flags = IRQF_SHARED;
	}
	sdev->irq_vectors = nvec;

	for (i = 0; i < nvec; i++) {
		ret = devm_request_threaded_irq(&pdev->dev,
						pci_irq_vector(pdev, i),
						sushi_irq_handler,
						sushi_irq_thread, flags,
						SUSHI_DRIVER_NAME, sdev);
		if (ret) {
			drm_err(&sdev->drm, "cannot request irq vector %d: %d\n",
				i, ret);
			return ret;
		}
	}
	sushi_write(sdev, SUSHI_REG_INT_MASK, SUSHI_INT_JOB | SUSHI_INT_ERROR);
	return 0;
}

/* The device is quiet: wait until no handler of ours runs any more. */
void sushi_irq_sync(struct sushi_device *sdev)
{
	int i;

	for (i = 0; i < sdev->irq_vectors; i++)
		synchronize_irq(pci_irq_vector(sdev->pdev, i));
}
