// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_ring.c - the device's command ring: allocation, programming the
 * ring and page-table registers (at probe and after every reset),
 * synchronous submission of one entry (used for the NOP self-test at probe,
 * which proves DMA and the interrupt path end to end, before the scheduler
 * owns the ring), and passing the job interrupt on.
 */

#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "sushi_drv.h"

#define SUSHI_RING_MAX_ENTRIES	256
#define SUSHI_RING_TIMEOUT_MS	2000

int sushi_ring_init(struct sushi_device *sdev)
{
	struct sushi_ring *ring = &sdev->ring;
	struct device *dev = &sdev->pdev->dev;
	u32 max = sushi_read(sdev, SUSHI_REG_CAP_MAX_RING);
	int ret;

	if (max < 2) {
		drm_err(&sdev->drm, "device ring too small (%u entries)\n", max);
		return -ENODEV;
	}
	ring->size = min_t(u32, rounddown_pow_of_two(max),
			   SUSHI_RING_MAX_ENTRIES);
	ring->entries = dmam_alloc_coherent(dev, ring->size *
					    sizeof(*ring->entries),
					    &ring->entries_dma, GFP_KERNEL);
	ring->compl = dmam_alloc_coherent(dev, ring->size *
					  sizeof(*ring->compl),
					  &ring->compl_dma, GFP_KERNEL);
	if (!ring->entries || !ring->compl)
		return -ENOMEM;
	ring->tail = 0;
	ring->seqno = 0;
	init_waitqueue_head(&ring->wq);
	/* The job interrupt walks the in-flight list from the first NOP on. */
	INIT_LIST_HEAD(&sdev->inflight);
	spin_lock_init(&sdev->inflight_lock);
	spin_lock_init(&sdev->fence_lock);
	ret = drmm_mutex_init(&sdev->drm, &ring->lock);
	if (ret)
		return ret;

	sushi_ring_program(sdev);
	return 0;
}

/*
 * Point the device at the ring (empty: HEAD = TAIL = 0) and the page
 * table, and enable it.  At probe and after a reset, with ring->lock held
 * or before anyone submits.
 */
void sushi_ring_program(struct sushi_device *sdev)
{
	struct sushi_ring *ring = &sdev->ring;
	dma_addr_t root = sdev->mmu.l1_dma;

	sushi_write(sdev, SUSHI_REG_CONTROL, 0);
	sushi_write(sdev, SUSHI_REG_RING_BASE_LO, lower_32_bits(ring->entries_dma));
	sushi_write(sdev, SUSHI_REG_RING_BASE_HI, upper_32_bits(ring->entries_dma));
	sushi_write(sdev, SUSHI_REG_RING_SIZE, ring->size);
	sushi_write(sdev, SUSHI_REG_PT_ROOT_LO, lower_32_bits(root));
	sushi_write(sdev, SUSHI_REG_PT_ROOT_HI, upper_32_bits(root));
	ring->tail = 0;
	if (sdev->irq_vectors)
		sushi_write(sdev, SUSHI_REG_INT_MASK,
			    SUSHI_INT_JOB | SUSHI_INT_ERROR);
	sushi_write(sdev, SUSHI_REG_CONTROL, SUSHI_CONTROL_ENABLE);
}

/* Called from the interrupt thread on SUSHI_INT_JOB. */
void sushi_ring_irq(struct sushi_device *sdev)
{
	wake_up_all(&sdev->ring.wq);
	sushi_job_irq(sdev);
}

static bool sushi_ring_done(struct sushi_hw_completion *c, u64 seqno)
{
	return le64_to_cpu(READ_ONCE(c->seqno)) == seqno;
}

/*
 * Submit one entry (its seqno and completion address are filled in here)
 * and wait for its completion record, copied to @out.  Returns 0, or
 * -ETIMEDOUT when the device did not answer.
 */
int sushi_ring_submit_sync(struct sushi_device *sdev,
			   struct sushi_hw_ring_entry *entry,
			   struct sushi_hw_completion *out)
{
	struct sushi_ring *ring = &sdev->ring;
	struct sushi_hw_completion *c;
	u32 slot;
	u64 seqno;
	long left;
	int ret = 0;

	mutex_lock(&ring->lock);
	slot = ring->tail;
	seqno = ++ring->seqno;
	c = &ring->compl[slot];
	memset(c, 0, sizeof(*c));
	entry->seqno = cpu_to_le64(seqno);
	entry->compl_addr = cpu_to_le64(ring->compl_dma + slot * sizeof(*c));
	ring->entries[slot] = *entry;
	ring->tail = (slot + 1) & (ring->size - 1);
	/* writel() orders the entry before the doorbell. */
	sushi_write(sdev, SUSHI_REG_RING_TAIL, ring->tail);

	left = wait_event_timeout(ring->wq, sushi_ring_done(c, seqno),
				  msecs_to_jiffies(SUSHI_RING_TIMEOUT_MS));
	if (!left && !sushi_ring_done(c, seqno)) {
		drm_err(&sdev->drm, "ring entry %llu timed out (head %u)\n",
			seqno, sushi_read(sdev, SUSHI_REG_RING_HEAD));
		ret = -ETIMEDOUT;
	} else {
		dma_rmb();
		*out = *c;
	}
	mutex_unlock(&ring->lock);
	return ret;
}

/* Probe-time self-test: one NOP through the ring and the job interrupt. */
int sushi_ring_selftest(struct sushi_device *sdev)
{
	struct sushi_hw_ring_entry nop = {
		.opcode = cpu_to_le32(SUSHI_CMD_NOP),
	};
	struct sushi_hw_completion c;
	u64 irqs = atomic64_read(&sdev->irq_count);
	int ret;

	ret = sushi_ring_submit_sync(sdev, &nop, &c);
	if (ret)
		return ret;
	if (le32_to_cpu(c.status) != SUSHI_HW_ST_OK) {
		drm_err(&sdev->drm, "NOP failed with device status %u\n",
			le32_to_cpu(c.status));
		return -EIO;
	}
	/* The record may be visible before the interrupt arrives. */
	if (!wait_event_timeout(sdev->ring.wq,
				atomic64_read(&sdev->irq_count) != irqs,
				msecs_to_jiffies(SUSHI_RING_TIMEOUT_MS))) {
		drm_err(&sdev->drm, "NOP completed without an interrupt\n");
		return -EIO;
	}
	sdev->selftest_cycles = le64_to_cpu(c.cycles);
	return 0;
}
