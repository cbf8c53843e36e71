// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_core_test.c - kselftests of the accel node's file: every ioctl
 * number 0x00-0xff of the DRM core range reaches the core only if it is on
 * the driver's allowlist (the others give -ENOTTY; GET_MAGIC and
 * GET_UNIQUE used to oops the kernel as any user), as root and as an
 * ordinary user, with zeroed and with all-ones arguments; ioctls of another
 * type (TCGETS from isatty()) are refused; the node still works after the
 * sweep (the guest harness fails the run on any kernel splat); and fdinfo
 * reports the DRM client usage keys with the file's exact engine cycles.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

/* The core ioctls the driver lets through (Documentation/uapi/). */
static const unsigned int allowed[] = {
	0x00,	/* VERSION */
	0x09,	/* GEM_CLOSE */
	0x0c,	/* GET_CAP */
	0x2d,	/* PRIME_HANDLE_TO_FD */
	0x2e,	/* PRIME_FD_TO_HANDLE */
	0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5,	/* SYNCOBJ_... */
	0xca, 0xcb, 0xcc, 0xcd, 0xcf,			/* SYNCOBJ_... */
};

static int is_allowed(unsigned int nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		if (allowed[i] == nr)
			return 1;
	return 0;
}

static int is_driver_nr(unsigned int nr)
{
	return nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END;
}

/* An argument buffer big enough for any core ioctl. */
#define ARG_SIZE	256

/*
 * Call every core number with @fill in the argument; returns the number
 * of calls whose errno was not the expected one (printed).
 */
static int sweep(int fd, unsigned char fill)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	unsigned char arg[ARG_SIZE];
	unsigned int nr, d;
	int bad = 0, ret;

	for (nr = 0; nr <= 0xff; nr++) {
		if (is_driver_nr(nr))
			continue;
		for (d = 0; d < 4; d++) {
			unsigned long req = _IOC(dirs[d], DRM_IOCTL_BASE, nr,
						 d ? ARG_SIZE : 0);

			memset(arg, fill, sizeof(arg));
			ret = ioctl(fd, req, arg) ? -errno : 0;
			if (is_allowed(nr) ? ret == -ENOTTY : ret != -ENOTTY) {
				printf("# core ioctl %#04x dir %u: %d (%s)\n",
				       nr, dirs[d], ret, strerror(-ret));
				bad++;
			}
		}
	}
	return bad;
}

FIXTURE(core) {
	int fd, minor;
};

FIXTURE_SETUP(core)
{
	self->fd = sushi_open_minor(&self->minor);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(core)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The two reproductions of the oops, by name. */
TEST_F(core, get_magic_and_unique_refused)
{
	struct drm_auth auth = { 0 };
	char buf[64];
	struct drm_unique u = { .unique_len = sizeof(buf), .unique = buf };

	EXPECT_EQ(-ENOTTY, sushi_ioctl(self->fd, DRM_IOCTL_GET_MAGIC, &auth));
	EXPECT_EQ(-ENOTTY, sushi_ioctl(self->fd, DRM_IOCTL_GET_UNIQUE, &u));
	EXPECT_EQ(-ENOTTY, sushi_ioctl(self->fd, DRM_IOCTL_AUTH_MAGIC, &auth));
	EXPECT_EQ(-ENOTTY, sushi_ioctl(self->fd, DRM_IOCTL_SET_MASTER, NULL));
}

/*
 * isatty() issues TCGETS (nr 0x01, type 'T', GET_UNIQUE's number): refused
 * by type, also on the compat path, which the core does not check.
 */
TEST_F(core, other_ioctl_types_refused)
{
	unsigned long other = _IOWR('x', DRM_COMMAND_BASE,
				    struct drm_sushi_query);
	struct termios t;

	EXPECT_EQ(-ENOTTY, sushi_ioctl(self->fd, TCGETS, &t));
	EXPECT_FALSE(isatty(self->fd));
	EXPECT_EQ(-ENOTTY, sushi_ioctl(self->fd, other, &t));
}

/* The allowlisted core ioctls do their job. */
TEST_F(core, allowed_ioctls_work)
{
	char name[16] = "";
	struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };
	__u32 s;

	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_VERSION, &v));
	EXPECT_STREQ("sushi", name);
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_GET_CAP, &cap));
	EXPECT_EQ(1, cap.value);
	ASSERT_EQ(0, sushi_syncobj_create(self->fd, &s));
	EXPECT_EQ(0, sushi_syncobj_destroy(self->fd, s));
}

/*
 * The core syncobj calls that take a handle array: DRM_SUSHI_MAX_SYNCOBJ_ARRAY
 * handles work (one syncobj named that many times), one more is -EINVAL,
 * and so is 2^30 (6.12's core would try a 4 GiB allocation and WARN).
 */
TEST_F(core, syncobj_arrays_bounded)
{
	const __u32 max = DRM_SUSHI_MAX_SYNCOBJ_ARRAY;
	__u32 *h = calloc(max + 1, sizeof(*h));
	__u64 *pt = calloc(max + 1, sizeof(*pt));
	struct drm_syncobj_timeline_wait tw;
	struct drm_syncobj_timeline_array ta;
	struct drm_syncobj_array a;
	struct drm_syncobj_wait w;
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ_TIMELINE };
	__u32 s, n, i, big;
	int r, want, want_tl, warn0 = kmsg_count("WARNING:");

	ASSERT_TRUE(h && pt);
	/* without timeline support the core answers -EOPNOTSUPP to those */
	ASSERT_EQ(0, sushi_ioctl(self->fd, DRM_IOCTL_GET_CAP, &cap));
	ASSERT_EQ(0, sushi_syncobj_create(self->fd, &s));
	for (i = 0; i <= max; i++)
		h[i] = s;
	for (big = 0; big < 3; big++) {
		n = big == 0 ? max : big == 1 ? max + 1 : 1u << 30;
		want = big ? -EINVAL : 0;
		want_tl = big ? -EINVAL : cap.value ? 0 : -EOPNOTSUPP;

		a = (struct drm_syncobj_array){
			.handles = (__u64)(uintptr_t)h, .count_handles = n };
		r = sushi_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_RESET, &a);
		EXPECT_EQ(want, r) TH_LOG("reset of %u", n);
		r = sushi_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &a);
		EXPECT_EQ(want, r) TH_LOG("signal of %u", n);
		w = (struct drm_syncobj_wait){
			.handles = (__u64)(uintptr_t)h, .count_handles = n };
		r = sushi_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
		EXPECT_EQ(want, r) TH_LOG("wait of %u", n);
		tw = (struct drm_syncobj_timeline_wait){
			.handles = (__u64)(uintptr_t)h,
			.points = (__u64)(uintptr_t)pt, .count_handles = n };
		r = sushi_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw);
		EXPECT_EQ(want_tl, r) TH_LOG("timeline wait of %u", n);
		ta = (struct drm_syncobj_timeline_array){
			.handles = (__u64)(uintptr_t)h,
			.points = (__u64)(uintptr_t)pt, .count_handles = n };
		r = sushi_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_QUERY, &ta);
		EXPECT_EQ(want_tl, r) TH_LOG("query of %u", n);
		r = sushi_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &ta);
		EXPECT_EQ(want_tl, r) TH_LOG("timeline signal of %u", n);
	}
	EXPECT_EQ(0, sushi_syncobj_destroy(self->fd, s));
	if (warn0 >= 0)
		EXPECT_EQ(warn0, kmsg_count("WARNING:"));
	free(h);
	free(pt);
}

static void sweep_and_check(struct __test_metadata *_metadata, int fd)
{
	struct drm_sushi_caps caps;

	EXPECT_EQ(0, sweep(fd, 0));
	EXPECT_EQ(0, sweep(fd, 0xff));
	/* the file still works */
	EXPECT_EQ(0, sushi_query_caps(fd, &caps));
}

TEST_F(core, sweep_as_root)
{
	sweep_and_check(_metadata, self->fd);
}

/* An ordinary user who may open the node, as a udev rule would allow. */
TEST_F(core, sweep_as_user)
{
	char node[64];
	struct stat sb;
	pid_t pid;
	int status, fd;

	if (geteuid())
		SKIP(return, "needs root to drop to an ordinary user");
	snprintf(node, sizeof(node), "/dev/accel/accel%d", self->minor);
	ASSERT_EQ(0, stat(node, &sb));
	ASSERT_EQ(0, chmod(node, 0666));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(3);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(4);
		if (sweep(fd, 0) || sweep(fd, 0xff))
			_exit(1);
		/* and once more on a file the sweep did not touch */
		close(fd);
		fd = open(node, O_RDWR | O_CLOEXEC);
		_exit(fd < 0 ? 4 : sweep(fd, 0) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	chmod(node, sb.st_mode & 07777);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Value of fdinfo key @key of @fd, or -1. */
static long long fdinfo_value(int fd, const char *key, char *unit,
			      size_t unit_len)
{
	char path[64], line[256];
	long long v = -1;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char u[16] = "";

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		if (sscanf(line + klen + 1, "%lld %15s", &v, u) < 1)
			v = -1;
		if (unit)
			snprintf(unit, unit_len, "%s", u);
		break;
	}
	fclose(f);
	return v;
}

/* fdinfo: the DRM usage keys, and exactly this file's engine time. */
TEST_F(core, fdinfo_usage)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_job_stats st;
	struct tnet net;
	char unit[16], path[64], line[256];
	int found_driver = 0;
	__u64 id, ns;
	FILE *f;
	int i;

	ASSERT_EQ(0, sushi_query_caps(self->fd, &caps));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		found_driver |= !strcmp(line, "drm-driver:\tsushi\n");
	fclose(f);
	EXPECT_TRUE(found_driver);
	EXPECT_EQ(0, fdinfo_value(self->fd, "drm-engine-sushi", unit,
				  sizeof(unit)));
	EXPECT_STREQ("ns", unit);
	EXPECT_EQ(0, fdinfo_value(self->fd, "drm-cycles-sushi", NULL, 0));
	EXPECT_EQ((long long)caps.clock_hz,
		  fdinfo_value(self->fd, "drm-maxfreq-sushi", unit,
			       sizeof(unit)));
	EXPECT_STREQ("Hz", unit);

	ASSERT_EQ(0, net_build(self->fd, &caps, &net, 77));
	EXPECT_GT(fdinfo_value(self->fd, "drm-total-memory", NULL, 0), 0);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, sushi_launch(self->fd, net.prog, 0, NULL, 0, &id));
		ASSERT_EQ(0, sushi_job_wait(self->fd, id,
					    sushi_deadline_ms(10000), &st));
		ASSERT_EQ(DRM_SUSHI_JOB_OK, st.status);
	}
	/* the job retires before its fence signals: the count is final */
	EXPECT_EQ((long long)(3 * net.cost.cycles),
		  fdinfo_value(self->fd, "drm-cycles-sushi", NULL, 0));
	ns = (__u64)((__uint128_t)3 * net.cost.cycles * 1000000000ull /
		     caps.clock_hz);
	EXPECT_EQ((long long)ns,
		  fdinfo_value(self->fd, "drm-engine-sushi", NULL, 0));
	net_free(self->fd, &net);
}

/* Another file's work does not show in this file's fdinfo. */
TEST_F(core, fdinfo_is_per_file)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_job_stats st;
	struct tnet net;
	int other = sushi_open();
	__u64 id;

	ASSERT_GE(other, 0);
	ASSERT_EQ(0, sushi_query_caps(other, &caps));
	ASSERT_EQ(0, net_build(other, &caps, &net, 78));
	ASSERT_EQ(0, sushi_launch(other, net.prog, 0, NULL, 0, &id));
	ASSERT_EQ(0, sushi_job_wait(other, id, sushi_deadline_ms(10000), &st));
	EXPECT_EQ((long long)net.cost.cycles,
		  fdinfo_value(other, "drm-cycles-sushi", NULL, 0));
	EXPECT_EQ(0, fdinfo_value(self->fd, "drm-cycles-sushi", NULL, 0));
	net_free(other, &net);
	close(other);
}

TEST_HARNESS_MAIN
