// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro_dma_segment.c - sushi-fuzz finding (debug kernel only): the driver
 * never raises the PCI device's DMA max_segment_size (64 KiB by default),
 * but drm_gem_shmem_get_pages_sgt() merges a BO's contiguous pages into one
 * sg segment, so mapping a BO larger than 64 KiB into the device (here
 * through PB_PIN) makes CONFIG_DMA_API_DEBUG warn "DMA-API: sushi ...:
 * mapping sg segment longer than device claims to support [len=...]
 * [max=65536]" (a WARNING; the device's MMU maps page by page and needs no
 * limit: dma_set_max_seg_size(dev, UINT_MAX) at probe).  Whether the pages
 * are contiguous depends on the allocator, so several BOs are tried.  Exit
 * 1 if the warning appears; 0 also on kernels without DMA-API debugging.
 */
#include "repro.h"

int main(void)
{
	struct drm_sushi_bo_create c = { .size = 1 << 20 };
	int fd = repro_open(), i, ret, warned;
	__u32 pins;

	repro_kmsg_mark();
	for (i = 0; i < 8; i++) {
		struct drm_sushi_pb_range r = {
			.rows = 1, .row_bytes = 4096,
		};

		ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_CREATE, &c);
		if (ret)
			break;
		r.handle = c.handle;
		ret = sushi_pb_pin(fd, &r, 1, &pins, NULL);
		if (ret)
			break;
	}
	printf("%d BOs of 1 MiB mapped into the device: %s\n", i,
	       ret ? strerror(-ret) : "ok");
	warned = repro_kmsg_has("DMA-API");
	if (!warned && access("/sys/kernel/debug/dma-api", F_OK))
		printf("(no /sys/kernel/debug/dma-api: this kernel has no CONFIG_DMA_API_DEBUG)\n");
	return warned ? 1 : 0;
}
