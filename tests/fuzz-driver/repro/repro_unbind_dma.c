// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro_unbind_dma.c - sushi-fuzz finding (root; visible on a kernel with
 * CONFIG_DMA_API_DEBUG): unbinding the driver while a file holds a BO the
 * device has mapped leaves that BO's scatter-gather DMA mapping (made by
 * drm_gem_shmem_get_pages_sgt() for the PCI device) in place after the
 * driver let go of the device: "DMA-API: pci ...: device driver has
 * pending DMA allocations while released from device" (a WARNING).  The
 * mapping is undone only when the file closes, against a device that may
 * have another driver (or IOMMU domain) by then.  The repro binds the
 * device again at the end.  Exit 1 if the warning appears.
 */
#include <libgen.h>

#include "repro.h"

static int sysfs_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int main(void)
{
	struct drm_sushi_pb_range r = { .rows = 1, .row_bytes = 4096 };
	char link[256], path[96], pci[64];
	int fd, minor, ret, warned;
	__u32 h, pins;
	ssize_t n;

	fd = sushi_open_minor(&minor);
	if (fd < 0)
		return 2;
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device", minor);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 2;
	link[n] = 0;
	snprintf(pci, sizeof(pci), "%s", basename(link));
	{
		struct drm_sushi_bo_create c = { .size = 8192 };

		if (sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_CREATE, &c))
			return 2;
		h = c.handle;
	}
	r.handle = h;
	ret = sushi_pb_pin(fd, &r, 1, &pins, NULL);
	printf("BO pinned (mapped into the device): %s\n",
	       ret ? strerror(-ret) : "ok");
	repro_kmsg_mark();
	ret = sysfs_write("/sys/bus/pci/drivers/sushi/unbind", pci);
	printf("unbind %s with the file open: %s\n", pci,
	       ret ? strerror(-ret) : "ok");
	warned = repro_kmsg_has("DMA-API");
	close(fd);
	sysfs_write("/sys/bus/pci/drivers/sushi/bind", pci);
	if (!warned && access("/sys/kernel/debug/dma-api", F_OK))
		printf("(no /sys/kernel/debug/dma-api: this kernel has no CONFIG_DMA_API_DEBUG)\n");
	return warned ? 1 : 0;
}
