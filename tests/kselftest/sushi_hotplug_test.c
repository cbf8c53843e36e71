// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_hotplug_test.c - kselftests of PCIe hot-unplug: the host removes
 * the sushi-accel device (QEMU device_del, through the harness's host
 * agent: SUSHI_GUEST_HOTPLUG=1) while files hold objects and launches are
 * queued and a process waits on a syncobj; the waiter wakes, every ioctl
 * then fails with -ENODEV, closing is clean; the host plugs a new device
 * in (device_add, with the properties of the first) and launches compute
 * on it.  Twice: the device that was plugged in can go as well.
 * Needs root and the harness's hotplug mode (sushi_hotplug=1 on the kernel
 * command line); skips, saying so, otherwise.
 */
#include <libgen.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

#define WAIT_S	60	/* ACPI/pciehp removal takes a few seconds */

static int hotplug_mode(void)
{
	char buf[1024] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return !!strstr(buf, "sushi_hotplug=1");
}

/* Ask the host (host-agent.py) to run a monitor command. */
static void host(const char *cmd)
{
	printf("\nSUSHI-HOST: %s\n", cmd);
	fflush(stdout);
}

static int pci_address(int minor, char *addr, size_t len)
{
	char link[96], target[256];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/accel/accel%d/device", minor);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	snprintf(addr, len, "%s", basename(target));
	return 0;
}

/* Wait until @path exists (@present) or not; 0 or -ETIMEDOUT. */
static int wait_path(const char *path, int present)
{
	__s64 end = sushi_deadline_ms(WAIT_S * 1000);

	while (sushi_now_ns() < end) {
		if (!access(path, F_OK) == !!present)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* Wait for a sushi node to open again (a new device bound). */
static int wait_device(void)
{
	__s64 end = sushi_deadline_ms(WAIT_S * 1000);
	int fd;

	while (sushi_now_ns() < end) {
		fd = sushi_open();
		if (fd >= 0)
			return fd;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

static void launch_ok(struct __test_metadata *_metadata, int fd, __u32 seed)
{
	struct drm_sushi_job_stats st;
	struct drm_sushi_caps caps;
	struct tnet net;
	__u64 id;

	ASSERT_EQ(0, sushi_query_caps(fd, &caps));
	ASSERT_EQ(0, net_build(fd, &caps, &net, seed));
	ASSERT_EQ(0, sushi_launch(fd, net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(fd, id, sushi_deadline_ms(10000), &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(net.cost.cycles, st.cycles);
	EXPECT_TRUE(net_check(&net));
	net_free(fd, &net);
}

/*
 * Unplug with work queued (on a slow device clock, 2 s jobs ahead of the
 * network's, so the queue is surely not empty), a waiter in a child,
 * pins and mappings; then plug a new device in and compute on it.
 */
static void unplug_replug(struct __test_metadata *_metadata, __u32 seed)
{
	struct drm_sushi_pb_range r[NET_PINS];
	struct drm_sushi_job_stats st;
	struct drm_sushi_caps caps;
	char addr[64], path[128];
	unsigned char first[64];
	struct tslow slow;
	struct tnet net;
	int fd, minor, status, i, p[2];
	__u32 sync, pins;
	__u64 id = 0;
	pid_t pid;
	char w = 0;

	fd = sushi_open_minor(&minor);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, pci_address(minor, addr, sizeof(addr)));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
	ASSERT_EQ(0, sushi_query_caps(fd, &caps));
	ASSERT_EQ(0, net_build(fd, &caps, &net, seed));
	ASSERT_EQ(0, sushi_syncobj_create(fd, &sync));
	if (caps.flags & DRM_SUSHI_CAP_PB) {
		net_pins(&net, r);
		ASSERT_EQ(0, sushi_pb_pin(fd, r, NET_PINS, &pins, NULL));
	}
	if (caps.clock_hz <= SLOW_MAX_CLOCK_HZ) {
		ASSERT_EQ(0, slow_build(fd, &caps, &slow, 2000));
		for (i = 0; i < 8; i++)
			ASSERT_EQ(0, sushi_launch(fd, slow.prog, 0, NULL, 0,
						  NULL));
	} else {
		ksft_print_msg("fast device clock: the queue may drain before the removal\n");
	}
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, sushi_launch(fd, net.prog, sync, NULL, 0, &id));
	memcpy(first, net.wt.map, sizeof(first));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int ret = sushi_job_wait(fd, id, sushi_deadline_ms(WAIT_S * 2000),
					 &st);
		char c = 'x';

		/* 'o': done; 'c': canceled by the removal; 'n': waited after */
		if (ret == 0 && st.status == DRM_SUSHI_JOB_OK)
			c = 'o';
		else if (ret == 0 && st.status == DRM_SUSHI_JOB_CANCELED &&
			 st.error == -ENODEV)
			c = 'c';
		else if (ret == -ENODEV)
			c = 'n';
		_exit(write(p[1], &c, 1) == 1 ? 0 : 2);
	}
	host("device_del sushi0");
	ASSERT_EQ(0, wait_path(path, 0)) TH_LOG("%s is still there", path);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_EQ(1, read(p[0], &w, 1));
	/* on a slow clock the last job cannot have run before the removal */
	EXPECT_TRUE(w == 'c' || w == 'n' ||
		    (w == 'o' && caps.clock_hz > SLOW_MAX_CLOCK_HZ))
		TH_LOG("waiter saw '%c'", w);
	close(p[0]);
	close(p[1]);
	EXPECT_EQ(-ENODEV, sushi_query_caps(fd, &caps));
	EXPECT_EQ(-ENODEV, sushi_launch(fd, net.prog, 0, NULL, 0, NULL));
	EXPECT_EQ(-ENODEV, sushi_job_wait(fd, id, 0, &st));
	EXPECT_EQ(-ENODEV, sushi_syncobj_wait(fd, sync, 0));
	/* the pages stay the process's until it unmaps them */
	EXPECT_EQ(0, memcmp(first, net.wt.map, sizeof(first)));
	close(fd);

	host("device_add @device");
	fd = wait_device();
	ASSERT_GE(fd, 0) TH_LOG("no sushi device after device_add");
	launch_ok(_metadata, fd, seed + 1);
	close(fd);
}

/* No state of its own: the fixture only gives the tests a longer timeout. */
FIXTURE(hotplug) {
	int unused;
};

FIXTURE_SETUP(hotplug)
{
	if (geteuid() || !hotplug_mode())
		SKIP(return, "needs root and SUSHI_GUEST_HOTPLUG=1 (hotplug port, host agent)");
}

FIXTURE_TEARDOWN(hotplug)
{
}

/* Removal and re-plug take seconds each, longer on the debug kernel. */
TEST_F_TIMEOUT(hotplug, unplug_with_work_queued, 4 * WAIT_S)
{
	unplug_replug(_metadata, 71);
}

/* A second cycle: the device that was plugged in can go as well. */
TEST_F_TIMEOUT(hotplug, second_cycle, 4 * WAIT_S)
{
	unplug_replug(_metadata, 81);
}

TEST_HARNESS_MAIN
