// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_debugfs.c - debugfs files of the accel device
 * (/sys/kernel/debug/accel/<pci address>/): "bos" (BOs mapped in the device
 * address space), "pb" (Persistent Buffer use and pinned ranges), "ring"
 * (ring registers, jobs in flight, resets),
 * "reset_count", and "force_reset" (write 1 to reset the device now, as
 * the timeout handler would).
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>

#include <drm/drm_drv.h>

#include "sushi_drv.h"

static int sushi_bos_show(struct seq_file *m, void *unused)
{
	struct sushi_device *sdev = m->private;
	struct sushi_bo *bo;

	seq_puts(m, "dva                size       flags kernel\n");
	mutex_lock(&sdev->mmu.lock);
	list_for_each_entry(bo, &sdev->mmu.bos, link)
		seq_printf(m, "0x%016llx %10zu %#5x %d\n", sushi_bo_dva(bo),
			   bo->base.base.size, bo->flags, bo->kernel);
	mutex_unlock(&sdev->mmu.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sushi_bos);

static int sushi_pb_show(struct seq_file *m, void *unused)
{
	struct sushi_device *sdev = m->private;
	struct sushi_pin_range *r;

	mutex_lock(&sdev->pb_lock);
	seq_printf(m, "capacity %llu used %llu entries %u/%u generation %u\n",
		   sdev->caps.pb_bytes, sdev->pb_used, sdev->pb_entries_used,
		   sdev->caps.pb_entries, sushi_pb_generation(sdev));
	list_for_each_entry(r, &sdev->pb_ranges, link)
		seq_printf(m, "dva 0x%llx rows %u x %u stride %llu pb 0x%llx\n",
			   r->dva, r->rows, r->row_bytes, r->row_stride,
			   r->node.start);
	mutex_unlock(&sdev->pb_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sushi_pb);

static int sushi_ring_show(struct seq_file *m, void *unused)
{
	struct sushi_device *sdev = m->private;
	unsigned int inflight = 0;
	struct list_head *pos;
	int idx;

	spin_lock_irq(&sdev->inflight_lock);
	list_for_each(pos, &sdev->inflight)
		inflight++;
	spin_unlock_irq(&sdev->inflight_lock);
	if (drm_dev_enter(&sdev->drm, &idx)) {
		seq_printf(m, "size %u head %u tail %u progress %u\n",
			   sdev->ring.size,
			   sushi_read(sdev, SUSHI_REG_RING_HEAD),
			   sushi_read(sdev, SUSHI_REG_RING_TAIL),
			   sushi_read(sdev, SUSHI_REG_PROGRESS));
		drm_dev_exit(idx);
	}
	seq_printf(m, "in flight %u, resets %d, pb generation %u, jobs %d, late irqs %d\n",
		   inflight, atomic_read(&sdev->reset_count),
		   sushi_pb_generation(sdev), atomic_read(&sdev->jobs_alive),
		   atomic_read(&sdev->late_irqs));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sushi_ring);

static int sushi_reset_count_get(void *data, u64 *val)
{
	struct sushi_device *sdev = data;

	*val = atomic_read(&sdev->reset_count);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(sushi_reset_count_fops, sushi_reset_count_get, NULL,
			 "%llu\n");

static ssize_t sushi_force_reset_write(struct file *f, const char __user *buf,
				       size_t len, loff_t *ppos)
{
	struct sushi_device *sdev = file_inode(f)->i_private;
	bool yes;
	int ret;

	ret = kstrtobool_from_user(buf, len, &yes);
	if (ret)
		return ret;
	if (yes)
		sushi_device_reset(sdev);
	return len;
}

static const struct file_operations sushi_force_reset_fops = {
	.owner = THIS_MODULE,
	.write = sushi_force_reset_write,
	.llseek = noop_llseek,
};

/*
 * 6.12 does not call drm_driver.debugfs_init for accel nodes: called after
 * drm_dev_register(); the directory goes away with the drm_device.
 */
void sushi_debugfs_init(struct sushi_device *sdev)
{
	struct dentry *root = sdev->drm.debugfs_root;

	debugfs_create_file("bos", 0444, root, sdev, &sushi_bos_fops);
	debugfs_create_file("ring", 0444, root, sdev, &sushi_ring_fops);
	debugfs_create_file("pb", 0444, root, sdev, &sushi_pb_fops);
	debugfs_create_file("reset_count", 0444, root, sdev,
			    &sushi_reset_count_fops);
	debugfs_create_file("force_reset", 0200, root, sdev,
			    &sushi_force_reset_fops);
}
