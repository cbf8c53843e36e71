/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * repro.h - helpers of the minimal reproducers of sushi-fuzz findings
 * (tests/fuzz-driver/repro/): open the node, and look at what the kernel
 * logged since a mark (/dev/kmsg, root).
 */
#ifndef SUSHI_REPRO_H
#define SUSHI_REPRO_H

#include <stdlib.h>

#include "sushi_net.h"

static int kmsg = -1;

static inline int repro_open(void)
{
	int fd = sushi_open();

	if (fd < 0) {
		printf("no sushi accel node: %s\n", strerror(-fd));
		exit(2);
	}
	return fd;
}

/* Only what the kernel logs from now on counts. */
static inline void repro_kmsg_mark(void)
{
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

/* Did the kernel log a line containing @what since the mark? */
static inline int repro_kmsg_has(const char *what)
{
	char rec[2048];
	ssize_t n;
	int found = 0;

	usleep(200000);
	while (kmsg >= 0) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		/* the message only, without the record's key=value lines */
		if (strchr(rec, '\n'))
			*strchr(rec, '\n') = 0;
		if (strstr(rec, what)) {
			printf("kmsg: %s\n",
			       strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			found = 1;
		}
	}
	return found;
}

#endif /* SUSHI_REPRO_H */
