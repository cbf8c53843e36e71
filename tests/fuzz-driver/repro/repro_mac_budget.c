// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro_mac_budget.c - sushi-fuzz finding: PROGRAM_CREATE accepts a layer
 * the device always refuses.  The device limits a layer to
 * SUSHI_DEV_MAX_LAYER_MACS (2^34) multiply-accumulates
 * (qemu-device/sushi_accel.h, checked in sushi_exec_launch()); the driver
 * validates with sushi_layer_check() and the BO ranges only, and no cap
 * tells userspace the limit.  A 1x1 convolution 2048 -> 2048 channels on
 * 65x64 pixels (2^34 + 2^28 MACs, 8.5 + 8.5 + 4 MiB of BOs) is accepted,
 * and every launch of it ends with DRM_SUSHI_JOB_BAD_LAYER (documented
 * not to happen with validated programs) and a "*ERROR* device error 3"
 * line in the kernel log.  Exit 1 if the launch fails that way.
 */
#include "repro.h"

int main(void)
{
	struct drm_sushi_layer l = {
		.op = SUSHI_OP_CONV, .in_c = 2048, .in_h = 65, .in_w = 64,
		.out_c = 2048, .out_h = 65, .out_w = 64, .kernel = 1,
		.stride = 1, .groups = 1, .act_min = -128, .act_max = 127,
		.w_stride = 2048,
	};
	struct drm_sushi_job_stats st;
	struct sbo in, out, wt;
	int fd = repro_open(), ret;
	__u64 t = 2048ull * 65 * 64, id;
	__u32 prog;

	if (sbo_create(fd, t, 0, &in) || sbo_create(fd, t, 0, &out) ||
	    sbo_create(fd, 2048ull * 2048 + 12 * 2048,
			DRM_SUSHI_BO_DEVICE_READ_ONLY, &wt)) {
		printf("cannot create the BOs\n");
		return 2;
	}
	l.in = sref(&in, 0);
	l.out = sref(&out, 0);
	l.w = sref(&wt, 0);
	l.epi = sref(&wt, 2048ull * 2048);
	repro_kmsg_mark();
	ret = sushi_program_create(fd, &l, 1, &prog);
	printf("PROGRAM_CREATE (%llu MACs): %s\n",
	       (unsigned long long)t * 2048, ret ? strerror(-ret) : "0");
	if (ret)
		return 0;
	ret = sushi_launch(fd, prog, 0, NULL, 0, &id);
	if (!ret)
		ret = sushi_job_wait(fd, id, sushi_deadline_ms(60000), &st);
	printf("LAUNCH + JOB_WAIT: %s, status %u error %d\n",
	       ret ? strerror(-ret) : "0", st.status, st.error);
	repro_kmsg_has("device error");
	return !ret && st.status == DRM_SUSHI_JOB_BAD_LAYER;
}
