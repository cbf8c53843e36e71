// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_file.c - the accel node's file: its file_operations, whose ioctl
 * entry passes only the driver's ioctls and an allowlist of core DRM ioctls
 * (6.12's DEFINE_DRM_ACCEL_FOPS hands every core ioctl to drm_ioctl(), and
 * several of them dereference the master an accel file never has), per-file
 * open and close, and fdinfo (DRM client usage stats: engine time and
 * cycles, memory).
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include "sushi_drv.h"

/*
 * The core ioctls an accel file may use (Documentation/uapi/sushi_accel.rst,
 * "Core DRM ioctls"): identification, GEM handle close, dma-buf sharing and
 * syncobjs.  Everything else of the core range (authentication, masters,
 * modesetting, GEM flink names, client caps) has no meaning without a
 * primary node, and some of it oopses on an accel file.
 */
static bool sushi_core_ioctl_allowed(unsigned int nr)
{
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_VERSION):
	case DRM_IOCTL_NR(DRM_IOCTL_GET_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD):
		return true;
	default:
		return false;
	}
}

/*
 * Only type 'd' with a driver number or an allowed core number goes on
 * (drm_ioctl() checks the type too, drm_compat_ioctl() does not); the rest
 * is -ENOTTY, the errno of "no such ioctl on this file".
 */
static bool sushi_ioctl_allowed(struct file *filp, unsigned int cmd)
{
	struct drm_file *file = filp->private_data;
	unsigned int nr = DRM_IOCTL_NR(cmd);

	if (_IOC_TYPE(cmd) != DRM_IOCTL_BASE) {
		drm_dbg_ratelimited(file->minor->dev,
				    "ioctl %#x: not a DRM ioctl\n", cmd);
		return false;
	}
	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		return true;
	if (sushi_core_ioctl_allowed(nr))
		return true;
	drm_dbg_ratelimited(file->minor->dev,
			    "core ioctl %#x is not allowed on an accel node\n",
			    nr);
	return false;
}

/*
 * The offset of count_handles in the argument of a core syncobj ioctl that
 * takes an array of handles, or -1.  The same on 32-bit (compat) callers.
 */
static int sushi_syncobj_count_offset(unsigned int nr)
{
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
		return offsetof(struct drm_syncobj_wait, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		return offsetof(struct drm_syncobj_timeline_wait,
				count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
		return offsetof(struct drm_syncobj_array, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
		return offsetof(struct drm_syncobj_timeline_array,
				count_handles);
	default:
		return -1;
	}
}

/*
 * 6.12's DRM core sizes its arrays for these calls from count_handles with
 * plain kmalloc_array(): any user of the node could ask for gigabytes and
 * get a page-allocator WARNING (a panic with panic_on_warn).  Bound the
 * count first (DRM_SUSHI_MAX_SYNCOBJ_ARRAY).  The core copies the argument
 * again, so a second thread that rewrites the count in between still gets
 * past this check, to the same warning and -ENOMEM: closing that needs the
 * core to allocate with __GFP_NOWARN (Documentation/driver/fuzzing.rst, F1b).
 */
static bool sushi_syncobj_count_ok(struct file *filp, unsigned int cmd,
				   void __user *uarg)
{
	struct drm_file *file = filp->private_data;
	int off = sushi_syncobj_count_offset(DRM_IOCTL_NR(cmd));
	u32 count;

	if (off < 0 || _IOC_SIZE(cmd) < off + sizeof(count))
		return true;
	/* a bad pointer is the core's -EFAULT */
	if (get_user(count, (u32 __user *)(uarg + off)))
		return true;
	if (count <= DRM_SUSHI_MAX_SYNCOBJ_ARRAY)
		return true;
	drm_dbg_ratelimited(file->minor->dev,
			    "syncobj ioctl %#x: %u handles\n",
			    DRM_IOCTL_NR(cmd), count);
	return false;
}

static long sushi_unlocked_ioctl(struct file *filp, unsigned int cmd,
				 unsigned long arg)
{
	if (!sushi_ioctl_allowed(filp, cmd))
		return -ENOTTY;
	if (!sushi_syncobj_count_ok(filp, cmd, (void __user *)arg))
		return -EINVAL;
	return drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long sushi_compat_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	if (!sushi_ioctl_allowed(filp, cmd))
		return -ENOTTY;
	if (!sushi_syncobj_count_ok(filp, cmd, compat_ptr(arg)))
		return -EINVAL;
	return drm_compat_ioctl(filp, cmd, arg);
}
#endif

const struct file_operations sushi_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = drm_release,
	.unlocked_ioctl = sushi_unlocked_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = sushi_compat_ioctl,
#endif
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
	.show_fdinfo = drm_show_fdinfo,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static void sushi_usage_free(struct kref *ref)
{
	kfree(container_of(ref, struct sushi_usage, refcount));
}

void sushi_usage_put(struct sushi_usage *usage)
{
	kref_put(&usage->refcount, sushi_usage_free);
}

/*
 * fdinfo (Documentation/gpu/drm-usage-stats.rst): one engine, "sushi".  Its
 * busy time is the modelled device time of the file's retired jobs (the
 * device's timing follows the model, so this is what the device spent),
 * with the cycles and the clock beside it; memory is the GEM objects'.
 */
void sushi_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct sushi_file *sfile = to_sushi_file(file);
	struct sushi_device *sdev = sfile->sdev;
	u64 cycles = atomic64_read(&sfile->usage->cycles);

	drm_printf(p, "drm-engine-sushi:\t%llu ns\n",
		   mul_u64_u64_div_u64(cycles, NSEC_PER_SEC,
				       sdev->caps.clock_hz));
	drm_printf(p, "drm-cycles-sushi:\t%llu\n", cycles);
	drm_printf(p, "drm-maxfreq-sushi:\t%llu Hz\n", sdev->caps.clock_hz);
	drm_show_memory_stats(p, file);
}

int sushi_open(struct drm_device *drm, struct drm_file *file)
{
	struct sushi_file *sfile = kzalloc(sizeof(*sfile), GFP_KERNEL);
	int ret = -ENOMEM;

	if (!sfile)
		return -ENOMEM;
	sfile->usage = kzalloc(sizeof(*sfile->usage), GFP_KERNEL);
	if (!sfile->usage)
		goto err_free;
	kref_init(&sfile->usage->refcount);
	sfile->sdev = to_sushi_device(drm);
	xa_init_flags(&sfile->programs, XA_FLAGS_ALLOC1);
	xa_init_flags(&sfile->pin_sets, XA_FLAGS_ALLOC1);
	mutex_init(&sfile->lock);
	ret = sushi_file_sched_init(sfile);
	if (ret)
		goto err_usage;
	file->driver_priv = sfile;
	return 0;

err_usage:
	mutex_destroy(&sfile->lock);
	sushi_usage_put(sfile->usage);
err_free:
	kfree(sfile);
	return ret;
}

/*
 * The device forgets the file's pins after its last job (the invalidations
 * were allocated at PB_PIN: nothing here allocates); queued jobs finish (or
 * are killed) before the programs go.
 */
void sushi_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct sushi_file *sfile = to_sushi_file(file);

	mutex_lock(&sfile->lock);
	sushi_pin_sets_release(sfile);
	mutex_unlock(&sfile->lock);
	sushi_file_sched_fini(sfile);
	sushi_programs_release(sfile);
	mutex_destroy(&sfile->lock);
	sushi_usage_put(sfile->usage);
	kfree(sfile);
}
