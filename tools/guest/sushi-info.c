// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi-info.c - guest tool behind `make guest-info`: opens the sushi accel
 * node and prints what the device reports through DRM_IOCTL_SUSHI_QUERY.
 * Exit status 0 on success, 1 (with a message) when there is no device or
 * the query fails.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sushi_test.h"

int main(void)
{
	struct drm_sushi_caps c;
	char name[32] = "", desc[128] = "";
	struct drm_version v = {
		.name_len = sizeof(name) - 1, .name = name,
		.desc_len = sizeof(desc) - 1, .desc = desc,
	};
	int minor = -1, fd, ret;

	fd = sushi_open_minor(&minor);
	if (fd < 0) {
		fprintf(stderr, "sushi-info: no sushi accel node: %s\n",
			strerror(-fd));
		return 1;
	}
	ret = sushi_ioctl(fd, DRM_IOCTL_VERSION, &v);
	if (!ret)
		ret = sushi_query_caps(fd, &c);
	if (ret) {
		fprintf(stderr, "sushi-info: ioctl failed: %s\n", strerror(-ret));
		close(fd);
		return 1;
	}
	printf("sushi-info: /dev/accel/accel%d: %s %d.%d (%s)\n", minor,
	       name, v.version_major, v.version_minor, desc);
	printf("  hw version         %u.%u\n", c.hw_version >> 16,
	       c.hw_version & 0xffff);
	printf("  PE array           K%u_C%u, %u taps per lane\n", c.pe_k,
	       c.pe_c, c.window);
	printf("  clock              %llu Hz\n",
	       (unsigned long long)c.clock_hz);
	printf("  DRAM               %u bytes/cycle%s\n",
	       c.dram_bytes_per_cycle,
	       c.flags & DRM_SUSHI_CAP_OVERLAP ? ", overlaps compute" : "");
	printf("  overhead           %u cycles per layer/job\n",
	       c.overhead_cycles);
	printf("  persistent buffer  %llu bytes, %u entries\n",
	       (unsigned long long)c.pb_bytes, c.pb_entries);
	printf("  launch limits      %u layers, dim %u, channels %u\n",
	       c.max_layers, c.max_dim, c.max_channels);
	printf("  layer limits       kernel %u, pool %u, stride %u, reduction %u\n",
	       c.max_kernel, c.max_pool_kernel, c.max_stride, c.max_reduction);
	printf("  address space      %u bits, BO up to %llu bytes\n",
	       c.va_bits, (unsigned long long)c.max_bo_size);
	printf("  energy (fJ)        MAC %llu, DRAM byte %llu\n",
	       (unsigned long long)c.e_mac_fj,
	       (unsigned long long)c.e_dram_fj);
	printf("  energy (fJ)        PB byte %llu, buffer byte %llu\n",
	       (unsigned long long)c.e_pb_fj,
	       (unsigned long long)c.e_buf_fj);
	printf("  static power       %llu uW\n",
	       (unsigned long long)c.p_static_uw);
	printf("  capability flags   %#x\n", c.flags);
	close(fd);
	return 0;
}
