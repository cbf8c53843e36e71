// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_drv.c - module and PCI entry points of the SushiAccel DRM accel
 * driver: the drm_driver (accel node, ioctl table), probe, and remove,
 * which only stops the hardware and fails its jobs: everything an open
 * file can still reach is torn down after the last close (drmm actions).
 */

#include <linux/build_bug.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include "sushi_compat.h"
#include "sushi_drv.h"

/* The device MMU's page table entries hold 52-bit bus addresses. */
#define SUSHI_DMA_BITS	52

static const struct drm_ioctl_desc sushi_ioctls[] = {
	DRM_IOCTL_DEF_DRV(SUSHI_QUERY, sushi_ioctl_query, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_BO_CREATE, sushi_ioctl_bo_create, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_BO_MMAP_OFFSET, sushi_ioctl_bo_mmap_offset, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_BO_WAIT, sushi_ioctl_bo_wait, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_PROGRAM_CREATE, sushi_ioctl_program_create, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_PROGRAM_DESTROY, sushi_ioctl_program_destroy,
			  0),
	DRM_IOCTL_DEF_DRV(SUSHI_LAUNCH, sushi_ioctl_launch, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_JOB_WAIT, sushi_ioctl_job_wait, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_PB_PIN, sushi_ioctl_pb_pin, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_PB_UNPIN, sushi_ioctl_pb_unpin, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_PB_QUERY, sushi_ioctl_pb_query, 0),
	DRM_IOCTL_DEF_DRV(SUSHI_RESET, sushi_ioctl_reset, DRM_ROOT_ONLY),
};

static const struct drm_driver sushi_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ,
	.fops = &sushi_fops,
	.open = sushi_open,
	.postclose = sushi_postclose,
	.show_fdinfo = sushi_show_fdinfo,
	.ioctls = sushi_ioctls,
	.num_ioctls = ARRAY_SIZE(sushi_ioctls),
	.gem_create_object = sushi_gem_create_object,
	.gem_prime_import = sushi_gem_prime_import,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.name = SUSHI_DRIVER_NAME,
	.desc = "SushiAccel SubGraph Stationary inference accelerator",
	SUSHI_DRM_DRIVER_DATE
	.major = 1,
	.minor = 0,
};

/* The uAPI layout is ABI: any change of size is a bug. */
static void sushi_check_uapi(void)
{
	BUILD_BUG_ON(sizeof(struct drm_sushi_query) != 24);
	BUILD_BUG_ON(sizeof(struct drm_sushi_caps) != 152);
	BUILD_BUG_ON(sizeof(struct drm_sushi_bo_create) != 16);
	BUILD_BUG_ON(sizeof(struct drm_sushi_bo_mmap_offset) != 16);
	BUILD_BUG_ON(sizeof(struct drm_sushi_caps) > DRM_SUSHI_QUERY_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct drm_sushi_bo_wait) != 16);
	BUILD_BUG_ON(sizeof(struct drm_sushi_bo_ref) != 16);
	BUILD_BUG_ON(sizeof(struct drm_sushi_layer) != 168);
	BUILD_BUG_ON(sizeof(struct drm_sushi_program_create) != 24);
	BUILD_BUG_ON(sizeof(struct drm_sushi_program_destroy) != 8);
	BUILD_BUG_ON(sizeof(struct drm_sushi_launch) != 40);
	BUILD_BUG_ON(sizeof(struct drm_sushi_pb_range) != 32);
	BUILD_BUG_ON(sizeof(struct drm_sushi_pb_pin) != 32);
	BUILD_BUG_ON(sizeof(struct drm_sushi_pb_unpin) != 16);
	BUILD_BUG_ON(sizeof(struct drm_sushi_pb_set_info) != 24);
	BUILD_BUG_ON(sizeof(struct drm_sushi_pb_query) != 48);
	BUILD_BUG_ON(sizeof(struct drm_sushi_job_stats) != 72);
	BUILD_BUG_ON(sizeof(struct drm_sushi_job_wait) != 32);
	BUILD_BUG_ON(sizeof(struct sushi_hw_layer) != 128);
	BUILD_BUG_ON(sizeof(struct sushi_hw_ring_entry) != 64);
	BUILD_BUG_ON(sizeof(struct sushi_hw_completion) != 88);
	/* Job statuses below 0x100 are the device's. */
	BUILD_BUG_ON((int)DRM_SUSHI_JOB_STALE_PB != (int)SUSHI_HW_ST_STALE_PB);
	BUILD_BUG_ON((int)DRM_SUSHI_JOB_ABORTED != (int)SUSHI_HW_ST_ABORTED);
	BUILD_BUG_ON((int)DRM_SUSHI_JOB_PAGE_FAULT != (int)SUSHI_HW_ST_PAGE_FAULT);
	BUILD_BUG_ON((int)DRM_SUSHI_JOB_OVER_BUDGET !=
		     (int)SUSHI_HW_ST_OVER_BUDGET);
	/* Layer placement flags are the device's. */
	BUILD_BUG_ON(DRM_SUSHI_LAYER_IN_SRAM != SUSHI_LAYER_F_IN_SRAM);
	BUILD_BUG_ON(DRM_SUSHI_LAYER_IN2_SRAM != SUSHI_LAYER_F_IN2_SRAM);
	BUILD_BUG_ON(DRM_SUSHI_LAYER_OUT_SRAM != SUSHI_LAYER_F_OUT_SRAM);
}

static int sushi_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct sushi_device *sdev;
	struct drm_sushi_caps *c;
	int ret;

	sdev = devm_drm_dev_alloc(&pdev->dev, &sushi_drm_driver,
				  struct sushi_device, drm);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);
	sdev->pdev = pdev;
	init_completion(&sdev->removed);
	pci_set_drvdata(pdev, sdev);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (pci_resource_len(pdev, SUSHI_BAR_REGS) < SUSHI_BAR_REGS_SIZE) {
		drm_err(&sdev->drm, "BAR%d is too small\n", SUSHI_BAR_REGS);
		return -ENODEV;
	}
	sdev->regs = pcim_iomap_region(pdev, SUSHI_BAR_REGS,
				       SUSHI_DRIVER_NAME);
	if (IS_ERR(sdev->regs))
		return PTR_ERR(sdev->regs);

	ret = dma_set_mask_and_coherent(&pdev->dev,
					DMA_BIT_MASK(SUSHI_DMA_BITS));
	if (ret)
		return ret;
	/*
	 * The device MMU maps every page on its own: a scatterlist segment of
	 * any length is fine (the DMA API's 64 KiB default would be violated
	 * by every BO larger than that).
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	pci_set_master(pdev);

	ret = sushi_hw_init(sdev);
	if (ret)
		return ret;
	ret = sushi_mmu_init(sdev);
	if (!ret)
		ret = sushi_pb_init(sdev);
	if (!ret)
		ret = sushi_prime_init(sdev);
	if (ret)
		goto err_hw;
	/* The ring (and its wait queue) exists before any interrupt can. */
	ret = sushi_ring_init(sdev);
	if (ret)
		goto err_hw;
	ret = sushi_irq_init(sdev);
	if (ret)
		goto err_hw;
	ret = sushi_ring_selftest(sdev);
	if (ret)
		goto err_hw;
	/* From here on the scheduler owns the ring. */
	ret = sushi_sched_init(sdev);
	if (ret)
		goto err_hw;

	ret = drm_dev_register(&sdev->drm, 0);
	if (ret)
		goto err_hw;
	sushi_debugfs_init(sdev);

	c = &sdev->caps;
	drm_info(&sdev->drm,
		 "SushiAccel %u.%u: K%u_C%u at %llu Hz, PB %llu bytes, %s x%d, NOP %llu cycles\n",
		 c->hw_version >> 16, c->hw_version & 0xffff, c->pe_k, c->pe_c,
		 c->clock_hz, c->pb_bytes, sdev->irq_type, sdev->irq_vectors,
		 sdev->selftest_cycles);
	return 0;

err_hw:
	sushi_hw_fini(sdev);
	return ret;
}

/*
 * Unbind or hot-unplug: no ioctl, job or worker touches the hardware after
 * drm_dev_unplug() (they run inside drm_dev_enter()), the device stops, its
 * interrupt handlers finish, every job it had fails with -ENODEV (jobs
 * queued later fail the same way when they reach run_job), and the BOs'
 * DMA mappings are released while the device is still bound.  Open files
 * keep the drm_device; the scheduler, the device address space and the PB
 * allocator go with it after their last close.
 */
static void sushi_remove(struct pci_dev *pdev)
{
	struct sushi_device *sdev = pci_get_drvdata(pdev);

	drm_dev_unplug(&sdev->drm);
	sushi_hw_fini(sdev);
	sushi_irq_sync(sdev);
	sushi_sched_unplug(sdev);
	sushi_mmu_unplug(sdev);
}

/* Reboot or kexec: the device must not DMA into the next kernel's memory. */
static void sushi_shutdown(struct pci_dev *pdev)
{
	struct sushi_device *sdev = pci_get_drvdata(pdev);

	if (sdev)
		sushi_hw_fini(sdev);
}

static const struct pci_device_id sushi_pci_ids[] = {
	{ PCI_DEVICE(SUSHI_PCI_VENDOR_ID, SUSHI_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, sushi_pci_ids);

static struct pci_driver sushi_pci_driver = {
	.name = SUSHI_DRIVER_NAME,
	.id_table = sushi_pci_ids,
	.probe = sushi_probe,
	.remove = sushi_remove,
	.shutdown = sushi_shutdown,
};

static int __init sushi_init(void)
{
	sushi_check_uapi();
	return pci_register_driver(&sushi_pci_driver);
}
module_init(sushi_init);

static void __exit sushi_exit(void)
{
	pci_unregister_driver(&sushi_pci_driver);
}
module_exit(sushi_exit);

MODULE_DESCRIPTION("SushiAccel DRM accel driver");
MODULE_LICENSE("GPL");
