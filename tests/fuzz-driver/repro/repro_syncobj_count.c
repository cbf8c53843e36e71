// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro_syncobj_count.c - sushi-fuzz finding: DRM_IOCTL_SYNCOBJ_RESET (also
 * _SIGNAL, _WAIT) with count_handles above 2^20 reaches
 * drm_syncobj_array_find(), whose kmalloc_array(count_handles, 4,
 * GFP_KERNEL) has no __GFP_NOWARN: an order > MAX_PAGE_ORDER allocation
 * and "WARNING: ... at mm/page_alloc.c ... __alloc_pages_noprof" in the
 * kernel log (a panic with panic_on_warn), by any user who can open the
 * node.  The ioctl itself returns -ENOMEM.  Exit 1 if the kernel log
 * shows the warning after the call, 0 otherwise.
 */
#include "repro.h"

int main(void)
{
	__u32 h = 1;
	struct drm_syncobj_array a = {
		.handles = (uintptr_t)&h,
		.count_handles = 1u << 21,
	};
	int fd = repro_open(), ret, warned;

	repro_kmsg_mark();
	ret = sushi_ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &a);
	printf("SYNCOBJ_RESET count_handles=%u: %s\n", a.count_handles,
	       ret ? strerror(-ret) : "0");
	warned = repro_kmsg_has("WARNING:");
	printf("kernel log: %s\n", warned ? "a WARNING" : "no WARNING");
	return warned ? 1 : 0;
}
