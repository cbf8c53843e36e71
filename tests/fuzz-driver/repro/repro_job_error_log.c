// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro_job_error_log.c - sushi-fuzz finding: a job failure any user can
 * cause is logged as a kernel error, against the uAPI guide ("job failures
 * a user can cause ... are reported on the job's fence and in JOB_WAIT,
 * never as kernel errors").  An epilogue record with a shift above 62 (the
 * epilogues are plain BO data the kernel does not validate) makes the
 * device refuse the layer (DRM_SUSHI_JOB_BAD_LAYER), and
 * sushi_irq_thread() logs "*ERROR* device error 3" for the device's error
 * interrupt (rate-limited).  The same happens for DRM_SUSHI_JOB_STALE_PB
 * ("device error 9") after any reset.  Exit 1 if the error is logged.
 */
#include "repro.h"

int main(void)
{
	struct drm_sushi_job_stats st;
	struct drm_sushi_caps caps;
	struct tnet net;
	int fd = repro_open(), ret, logged;
	__u32 shift = 63;
	__u64 id;

	if (sushi_query_caps(fd, &caps) || net_build(fd, &caps, &net, 1)) {
		printf("cannot build the test network\n");
		return 2;
	}
	/* layer 0's first epilogue record: bias, multiplier, shift */
	memcpy(net.wt.map + net.l[0].epi.offset + 8, &shift, sizeof(shift));
	repro_kmsg_mark();
	ret = sushi_launch(fd, net.prog, 0, NULL, 0, &id);
	if (!ret)
		ret = sushi_job_wait(fd, id, sushi_deadline_ms(20000), &st);
	printf("LAUNCH + JOB_WAIT: %s, status %u error %d\n",
	       ret ? strerror(-ret) : "0", st.status, st.error);
	logged = repro_kmsg_has("device error");
	return logged ? 1 : 0;
}
