// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_uapi.c - how the ioctls let their structures grow
 * (Documentation/uapi/sushi_accel.rst, "Growing the uAPI"): an array of
 * elements (layers, PB ranges, set infos) or an output structure (job
 * stats) names its element size; the driver accepts any size at least the
 * first version's.  Input elements larger than the driver knows must have
 * an all-zero tail (what a newer field left unused looks like); output
 * elements get their tail zeroed.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_print.h>

#include "sushi_drv.h"

/*
 * Copy @count elements of @usize bytes at user address @uptr into a new
 * kvmalloc'ed array of @ksize-byte elements (free with kvfree()).  Returns
 * the array or an ERR_PTR: -EINVAL for @usize below @ksize or a non-zero
 * tail, -EFAULT, -ENOMEM.  The caller bounds @count.
 */
void *sushi_array_from_user(struct drm_device *drm, u64 uptr, u32 count,
			    u32 usize, size_t ksize)
{
	const u8 __user *src = u64_to_user_ptr(uptr);
	u8 *dst;
	u32 i;
	int ret;

	if (usize < ksize)
		return ERR_PTR(sushi_reject(drm, -EINVAL,
					    "element size %u < %zu\n", usize,
					    ksize));
	if (usize == ksize)
		return vmemdup_array_user(src, count, ksize);
	dst = kvmalloc_array(count, ksize, GFP_KERNEL);
	if (!dst)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < count; i++) {
		ret = copy_struct_from_user(dst + (size_t)i * ksize, ksize,
					    src + (size_t)i * usize, usize);
		if (ret) {
			kvfree(dst);
			if (ret == -E2BIG)
				ret = sushi_reject(drm, -EINVAL,
						   "element %u: non-zero bytes past %zu\n",
						   i, ksize);
			return ERR_PTR(ret);
		}
	}
	return dst;
}

/*
 * Copy one @ksize-byte structure to user address @uptr, which holds
 * @usize >= @ksize bytes: the tail is zeroed.  Returns 0 or -EFAULT.
 */
int sushi_struct_to_user(u64 uptr, u32 usize, const void *src, size_t ksize)
{
	u8 __user *dst = u64_to_user_ptr(uptr);

	if (copy_to_user(dst, src, ksize))
		return -EFAULT;
	if (usize > ksize && clear_user(dst + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

/* Element @index of a user array of @usize-byte elements, as above. */
int sushi_array_to_user(u64 uptr, u32 index, u32 usize, const void *elem,
			size_t ksize)
{
	return sushi_struct_to_user(uptr + (u64)index * usize, usize, elem,
				    ksize);
}
