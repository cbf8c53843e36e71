// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro_handle_zero.c - sushi-fuzz finding: DRM_IOCTL_SUSHI_PROGRAM_DESTROY
 * (or PB_UNPIN) of handle 0 fails with -ENOENT but frees index 0 of the
 * file's XA_FLAGS_ALLOC1 xarray (xa_erase() on the reserved zero entry
 * marks it free), so the next PROGRAM_CREATE (PB_PIN) returns handle 0,
 * which the uAPI documents as "never 0" and which LAUNCH's pin_set reads
 * as "no pin set".  Any user, no privileges.  Exit 1 if a create returns
 * handle 0.
 */
#include "repro.h"

int main(void)
{
	struct drm_sushi_program_destroy d = { .handle = 0 };
	struct drm_sushi_pb_unpin u = { .handle = 0 };
	struct drm_sushi_caps caps;
	struct drm_sushi_pb_range r[NET_PINS];
	struct tnet net;
	int fd = repro_open(), bad = 0, ret;
	__u32 prog = ~0u, pins = ~0u;

	if (sushi_query_caps(fd, &caps) || net_build(fd, &caps, &net, 1)) {
		printf("cannot build the test network\n");
		return 2;
	}
	printf("first program: handle %u\n", net.prog);
	ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_PROGRAM_DESTROY, &d);
	printf("PROGRAM_DESTROY handle 0: %s\n", ret ? strerror(-ret) : "0");
	ret = sushi_program_create(fd, net.l, NET_LAYERS, &prog);
	printf("PROGRAM_CREATE: %s, handle %u%s\n", ret ? strerror(-ret) : "0",
	       prog, !ret && !prog ? "  <-- documented never 0" : "");
	bad |= !ret && !prog;

	net_pins(&net, r);
	ret = sushi_pb_pin(fd, r, 1, &pins, NULL);
	printf("PB_PIN: %s, handle %u\n", ret ? strerror(-ret) : "0", pins);
	ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u);
	printf("PB_UNPIN handle 0: %s\n", ret ? strerror(-ret) : "0");
	ret = sushi_pb_pin(fd, r + 1, 1, &pins, NULL);
	printf("PB_PIN: %s, handle %u%s\n", ret ? strerror(-ret) : "0", pins,
	       !ret && !pins ? "  <-- LAUNCH cannot name pin set 0" : "");
	bad |= !ret && !pins;
	return bad;
}
