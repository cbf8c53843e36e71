// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_unbind_test.c - kselftests of device removal with files open
 * (Documentation/uapi/sushi_accel.rst, "Device removal"): unbind the driver
 * through sysfs while files hold BOs, programs, pin sets, syncobjs, queued
 * launches and (on a slow device clock) a job in flight; waiters wake up;
 * every ioctl then fails with -ENODEV, BO mappings stay readable, closing
 * releases everything (the harness fails the run on any kernel splat, and
 * the debug kernel's KASAN/kmemleak check the lifetimes); rebind and run
 * launches again; then rmmod, insmod and launches once more; and a storm
 * of 1 ms job timeouts from two files.  Needs root.
 */
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

#define DRV_DIR	"/sys/bus/pci/drivers/sushi"

/* PCI address of accel node @minor into @addr. */
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

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -errno;
}

/* A launch on a fresh file computes the right bytes at the right cost. */
static void launch_ok(struct __test_metadata *_metadata, __u32 seed)
{
	struct drm_sushi_job_stats st;
	struct drm_sushi_caps caps;
	struct tnet net;
	__u64 id;
	int fd = sushi_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, sushi_query_caps(fd, &caps));
	ASSERT_EQ(0, net_build(fd, &caps, &net, seed));
	ASSERT_EQ(0, sushi_launch(fd, net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(fd, id, sushi_deadline_ms(10000), &st));
	EXPECT_EQ(DRM_SUSHI_JOB_OK, st.status);
	EXPECT_EQ(net.cost.cycles, st.cycles);
	EXPECT_TRUE(net_check(&net));
	net_free(fd, &net);
	close(fd);
}

FIXTURE(unbind) {
	int fd, minor;
	char addr[64];
	struct drm_sushi_caps caps;
	struct tnet net;
};

FIXTURE_SETUP(unbind)
{
	if (geteuid())
		SKIP(return, "needs root to unbind the driver");
	self->fd = sushi_open_minor(&self->minor);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, pci_address(self->minor, self->addr, sizeof(self->addr)));
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	ASSERT_EQ(0, net_build(self->fd, &self->caps, &self->net, 31));
}

FIXTURE_TEARDOWN(unbind)
{
	char path[128];

	if (self->fd >= 0)
		close(self->fd);
	/* whatever happened, leave the device bound */
	snprintf(path, sizeof(path), DRV_DIR "/%s", self->addr);
	if (self->addr[0] && access(path, F_OK))
		sysfs_write(DRV_DIR "/bind", self->addr);
}

/* Every kind of ioctl on a file of an unbound device: -ENODEV. */
static void all_enodev(struct __test_metadata *_metadata, int fd, __u32 prog,
		       __u32 bo, __u32 syncobj)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_pb_query q;
	struct drm_gem_close gc = { .handle = bo };
	__u32 h;

	EXPECT_EQ(-ENODEV, sushi_query_caps(fd, &caps));
	EXPECT_EQ(-ENODEV, sushi_launch(fd, prog, 0, NULL, 0, NULL));
	EXPECT_EQ(-ENODEV, sushi_program_destroy(fd, prog));
	EXPECT_EQ(-ENODEV, sushi_pb_query(fd, &q, NULL, 0));
	EXPECT_EQ(-ENODEV, sushi_job_wait(fd, 1, 0, NULL));
	EXPECT_EQ(-ENODEV, sushi_syncobj_create(fd, &h));
	EXPECT_EQ(-ENODEV, sushi_syncobj_wait(fd, syncobj, 0));
	EXPECT_EQ(-ENODEV, sushi_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc));
}

/*
 * Files with every kind of object and queued work, a child blocked in a
 * syncobj wait, then unbind: the child wakes, the files get -ENODEV, the
 * mappings keep their bytes, closing is clean; rebind and compute again.
 */
TEST_F(unbind, with_files_open)
{
	struct drm_sushi_pb_range r[NET_PINS];
	unsigned char first[64];
	__u32 sync, pins = 0;
	int other, status, i;
	__u64 id;
	pid_t pid;

	other = sushi_open();
	ASSERT_GE(other, 0);
	ASSERT_EQ(0, sushi_syncobj_create(self->fd, &sync));
	if (self->caps.flags & DRM_SUSHI_CAP_PB) {
		net_pins(&self->net, r);
		ASSERT_EQ(0, sushi_pb_pin(self->fd, r, NET_PINS, &pins, NULL));
	}
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, sushi_launch(self->fd, self->net.prog, sync, NULL,
					  0, &id));
	memcpy(first, self->net.wt.map, sizeof(first));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* wakes up when the device's fences signal (or -ENODEV) */
		int ret = sushi_syncobj_wait(self->fd, sync,
					     sushi_deadline_ms(60000));

		_exit(ret == 0 || ret == -ENODEV ? 0 : 1);
	}
	usleep(20000);
	ASSERT_EQ(0, sysfs_write(DRV_DIR "/unbind", self->addr));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	all_enodev(_metadata, self->fd, self->net.prog, self->net.act.handle,
		   sync);
	all_enodev(_metadata, other, self->net.prog, 1, 1);
	EXPECT_EQ(0, memcmp(first, self->net.wt.map, sizeof(first)));
	/* unmapping and closing after removal */
	munmap(self->net.act.map, self->net.act.size);
	close(other);
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, sysfs_write(DRV_DIR "/bind", self->addr));
	launch_ok(_metadata, 32);
}

/* A child holds an inherited file open across unbind and rebind. */
TEST_F(unbind, inherited_file_outlives_rebind)
{
	int to_child[2], from_child[2], status;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(from_child));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct drm_sushi_caps caps;

		/* wait for the parent to unbind and rebind */
		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		c = sushi_query_caps(self->fd, &caps) == -ENODEV ? 'y' : 'n';
		if (write(from_child[1], &c, 1) != 1)
			_exit(2);
		close(self->fd);
		_exit(0);
	}
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, sysfs_write(DRV_DIR "/unbind", self->addr));
	ASSERT_EQ(0, sysfs_write(DRV_DIR "/bind", self->addr));
	launch_ok(_metadata, 33);
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(1, read(from_child[0], &c, 1));
	EXPECT_EQ('y', c);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	launch_ok(_metadata, 34);
}

/*
 * A job in flight and more queued (slow device clock): unbind returns
 * without waiting for them, and a waiter sees them fail with -ENODEV.
 */
TEST_F(unbind, with_jobs_in_flight)
{
	struct drm_sushi_job_stats st;
	struct tslow slow;
	int status, i, p[2];
	__u64 id = 0;
	__s64 t0;
	pid_t pid;

	if (self->caps.clock_hz > SLOW_MAX_CLOCK_HZ)
		SKIP(return, "needs a slow device clock (clock-hz <= %llu) to hold a job in flight",
		     SLOW_MAX_CLOCK_HZ);
	ASSERT_EQ(0, slow_build(self->fd, &self->caps, &slow, 2000));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, sushi_launch(self->fd, slow.prog, 0, NULL, 0,
					  &id));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int ret = sushi_job_wait(self->fd, id, sushi_deadline_ms(60000),
					 &st);

		char r = 'x';

		/* 'c': canceled with -ENODEV; 'n': entered after removal */
		if (ret == 0 && st.status == DRM_SUSHI_JOB_CANCELED &&
		    st.error == -ENODEV)
			r = 'c';
		else if (ret == -ENODEV)
			r = 'n';
		_exit(write(p[1], &r, 1) == 1 ? 0 : 2);
	}
	usleep(200000);
	t0 = sushi_now_ns();
	ASSERT_EQ(0, sysfs_write(DRV_DIR "/unbind", self->addr));
	/* 8 jobs of 2 s each are not waited for */
	EXPECT_LT(sushi_now_ns() - t0, 4 * NSEC_PER_SEC);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	{
		char r = 0;

		ASSERT_EQ(1, read(p[0], &r, 1));
		EXPECT_TRUE(r == 'c' || r == 'n') TH_LOG("waiter saw '%c'", r);
	}
	EXPECT_EQ(-ENODEV, sushi_job_wait(self->fd, id, 0, &st));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, sysfs_write(DRV_DIR "/bind", self->addr));
	launch_ok(_metadata, 35);
}

/* Unload and load the module with nothing open, then compute again. */
TEST_F(unbind, rmmod_insmod)
{
	net_free(self->fd, &self->net);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, system("rmmod sushi"));
	EXPECT_NE(0, access("/dev/accel/accel0", F_OK));
	ASSERT_EQ(0, system("insmod /lib/modules/sushi.ko"));
	launch_ok(_metadata, 36);
}

/*
 * A timeout storm: the driver reloaded with job_timeout_ms=1, so the
 * timeout handler runs against jobs that are queued, running, completed
 * with their interrupt not yet handled, and being freed, from two threads
 * of launches.  Every job still ends exactly once with a defined status,
 * a completed one with its exact cost, and the device works afterwards.
 */
#define STORM_JOBS	150

/* One thread of the storm: its own file and network; returns failures. */
static void *storm(void *arg)
{
	const struct drm_sushi_caps *caps = arg;
	struct drm_sushi_job_stats st;
	struct tnet *net = malloc(sizeof(*net));
	int fd = sushi_open(), i;
	long bad = 0;
	__u64 id;

	struct tslow slow = { 0 };
	int with_slow = caps->clock_hz <= SLOW_MAX_CLOCK_HZ;

	if (fd < 0 || !net || net_build(fd, caps, net, 37))
		return (void *)1000L;
	/* on a slow clock, a few jobs that outlive the timeout for real */
	if (with_slow && slow_build(fd, caps, &slow, 20))
		return (void *)1000L;
	for (i = 0; i < STORM_JOBS; i++) {
		if (with_slow && i % 10 == 5) {
			if (sushi_launch(fd, slow.prog, 0, NULL, 0, NULL))
				bad++;
			continue;
		}
		if (sushi_launch(fd, net->prog, 0, NULL, 0, &id) ||
		    sushi_job_wait(fd, id, sushi_deadline_ms(30000), &st)) {
			bad++;
			continue;
		}
		switch (st.status) {
		case DRM_SUSHI_JOB_OK:
			bad += st.cycles != net->cost.cycles || st.error;
			break;
		case DRM_SUSHI_JOB_TIMEOUT:
		case DRM_SUSHI_JOB_CANCELED:
		case DRM_SUSHI_JOB_ABORTED:
			bad += !st.error;
			break;
		default:
			bad++;
		}
	}
	if (with_slow)
		slow_free(fd, &slow);
	net_free(fd, net);
	free(net);
	close(fd);
	return (void *)bad;
}

/*
 * A timeout storm: the driver reloaded with job_timeout_ms=1, so the
 * timeout handler runs against jobs that are queued, running, completed
 * with their interrupt not yet handled, and being freed, from two files
 * at once.  Every job still ends exactly once with a defined status (a
 * completed one with its exact cost), and the device works afterwards.
 */
TEST_F(unbind, timeout_storm)
{
	struct drm_sushi_counters c;
	pthread_t t[2];
	void *bad[2];
	int i;

	net_free(self->fd, &self->net);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, system("rmmod sushi"));
	ASSERT_EQ(0, system("insmod /lib/modules/sushi.ko job_timeout_ms=1"));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, storm, &self->caps));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &bad[i]));
		EXPECT_EQ(0, (long)bad[i]);
	}
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_counters(self->fd, &c));
	/* how hard the handler was exercised depends on timing: reported */
	{
		char path[192], line[160] = "";
		FILE *f = NULL;

		if (!debugfs_path("ring", path, sizeof(path)))
			f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f) &&
		       !strstr(line, "late irqs"))
			;
		if (f)
			fclose(f);
		TH_LOG("storm: %llu launches (%llu failed), %llu timeouts, %llu resets; %s",
		       (unsigned long long)c.launches,
		       (unsigned long long)c.launches_failed,
		       (unsigned long long)c.timeouts,
		       (unsigned long long)c.resets, line);
	}
	EXPECT_EQ(2 * STORM_JOBS, c.launches);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, system("rmmod sushi"));
	ASSERT_EQ(0, system("insmod /lib/modules/sushi.ko"));
	launch_ok(_metadata, 38);
}

TEST_HARNESS_MAIN
