// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_failnth_test.c - fault-injection walk over every ioctl of the
 * SushiAccel driver, the core DRM ioctls it allows, and open/close of the
 * node (issue 12 item 8).  Each test prepares valid objects, then fails the
 * n-th fault site (allocation, or user copy where the kernel can fail
 * those) of one valid call through /proc/self/task/<tid>/fail-nth, for
 * n = 1, 2, 3, ... until the call runs without reaching an n-th site.
 * failslab and fail_page_alloc are set up so that sleeping allocations and
 * order-0 pages can fail too.  An injected failure must return a clean
 * errno (-ENOMEM; -EFAULT where user copies can fail; a call's documented
 * errno) and leave what the driver shows unchanged: debugfs bos, pb,
 * clients and reset_count, PB_QUERY, the file's BO, syncobj, program and
 * job handles, the process's descriptors.  A call that absorbed the fault
 * must have done all its work.  After each attempt the state must return
 * to where the walk began.  Each test prints how many fault sites its call
 * passes.  Needs root and CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB,
 * CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS; without them
 * each test runs its valid call once, checks it, and reports SKIP with the
 * reason.  The debug kernel lane's kmemleak scan catches what leaks
 * without a visible trace.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/dma-heap.h>

#include "kselftest_harness.h"
#include "sushi_net.h"

#define FI_DEBUGFS	"/sys/kernel/debug"
#define WALK_MAX	4000	/* fault sites one call may pass */
#define WALK_TIMEOUT	900	/* seconds per test */
#define CALL_TIMEOUT	60	/* seconds per call (a hang kills the test) */
#define PROBE_MAX	64	/* GEM and syncobj handles probed */
#define PROBE_PROGS	16	/* program handles probed */
#define SNAP_TEXT	8192
#define BO_SIZE		(3 * 4096)
#define COUNTS_FILE	"/tmp/sushi_failnth_counts"
#define KMEMLEAK	FI_DEBUGFS "/kmemleak"

/* ------------------------------------------------ fault injection setup */

struct knob {
	const char *path;	/* under FI_DEBUGFS */
	const char *value;
	int optional;		/* only if that fault type exists */
};

/*
 * Sleeping allocations (GFP_KERNEL) and order-0 and highmem-flagged pages
 * (shmem) must be able to fail; nothing may fail at random (probability
 * 0: only fail-nth injects), and nothing is printed per injected fault.
 */
static const struct knob knobs[] = {
	{ "failslab/ignore-gfp-wait", "N", 0 },
	{ "failslab/cache-filter", "N", 0 },
	{ "failslab/probability", "0", 0 },
	{ "failslab/verbose", "0", 0 },
	{ "fail_page_alloc/ignore-gfp-wait", "N", 0 },
	{ "fail_page_alloc/ignore-gfp-highmem", "N", 0 },
	{ "fail_page_alloc/min-order", "0", 0 },
	{ "fail_page_alloc/probability", "0", 0 },
	{ "fail_page_alloc/verbose", "0", 0 },
	{ "fail_usercopy/probability", "0", 1 },
	{ "fail_usercopy/verbose", "0", 1 },
	{ "fail_futex/probability", "0", 1 },
	{ "fail_futex/verbose", "0", 1 },
};

#define N_KNOBS	ARRAY_SIZE(knobs)

struct fi {
	int nth;		/* /proc/self/task/<tid>/fail-nth, or -1 */
	bool usercopy;		/* user copies can fail: -EFAULT is clean */
	char saved[N_KNOBS][32];
	bool set[N_KNOBS];
	char why[320];		/* why fault injection is not available */
};

static int file_read(const char *path, char *buf, size_t len)
{
	ssize_t n, t = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)t < len - 1) {
		n = read(fd, buf + t, len - 1 - t);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		t += n;
	}
	close(fd);
	buf[t] = 0;
	return 0;
}

static int file_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

static void fi_restore(struct fi *fi)
{
	char path[128];
	size_t i;

	for (i = 0; i < N_KNOBS; i++) {
		if (!fi->set[i])
			continue;
		snprintf(path, sizeof(path), FI_DEBUGFS "/%s", knobs[i].path);
		file_write(path, fi->saved[i]);
		fi->set[i] = false;
	}
	if (fi->nth >= 0)
		close(fi->nth);
	fi->nth = -1;
}

/* Open fail-nth and configure the fault types; -1 with fi->why if not. */
static int fi_setup(struct fi *fi)
{
	char path[128], *nl;
	size_t i;
	int ret;

	memset(fi, 0, sizeof(*fi));
	fi->nth = -1;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	if (access(path, F_OK)) {
		snprintf(fi->why, sizeof(fi->why),
			 "fault injection not run: no %s (kernel without CONFIG_FAULT_INJECTION)",
			 path);
		return -1;
	}
	if (geteuid()) {
		snprintf(fi->why, sizeof(fi->why),
			 "fault injection not run: needs root for %s",
			 FI_DEBUGFS);
		return -1;
	}
	if (access(FI_DEBUGFS "/failslab", F_OK) ||
	    access(FI_DEBUGFS "/fail_page_alloc", F_OK)) {
		snprintf(fi->why, sizeof(fi->why),
			 "fault injection not run: no %s/failslab or fail_page_alloc (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS), so sleeping allocations cannot fail",
			 FI_DEBUGFS);
		return -1;
	}
	for (i = 0; i < N_KNOBS; i++) {
		snprintf(path, sizeof(path), FI_DEBUGFS "/%s", knobs[i].path);
		ret = file_read(path, fi->saved[i], sizeof(fi->saved[i]));
		if (ret && knobs[i].optional)
			continue;
		if (!ret)
			ret = file_write(path, knobs[i].value);
		if (ret) {
			snprintf(fi->why, sizeof(fi->why),
				 "fault injection not run: cannot set %s: %s",
				 path, strerror(-ret));
			fi_restore(fi);
			return -1;
		}
		nl = strchr(fi->saved[i], '\n');
		if (nl)
			*nl = 0;
		fi->set[i] = true;
	}
	fi->usercopy = !access(FI_DEBUGFS "/fail_usercopy", F_OK);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	fi->nth = open(path, O_RDWR | O_CLOEXEC);
	if (fi->nth < 0) {
		snprintf(fi->why, sizeof(fi->why),
			 "fault injection not run: open %s: %s", path,
			 strerror(errno));
		fi_restore(fi);
		return -1;
	}
	return 0;
}

/* Fail the n-th fault site this thread passes from now on. */
static int fi_arm(struct fi *fi, unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	return pwrite(fi->nth, b, len, 0) == len ? 0 : -errno;
}

/*
 * Sites still to pass before the armed fault: 0 means the fault was
 * injected.  If user copies can fail, the read's own copy fails exactly
 * when 1 was left (the value is formatted before the copy).
 */
static long fi_left(struct fi *fi)
{
	char b[16] = "";
	ssize_t n = pread(fi->nth, b, sizeof(b) - 1, 0);

	if (n < 0 && errno == EFAULT && fi->usercopy)
		return 1;
	if (n <= 0)
		return -1;
	return strtol(b, NULL, 10);
}

static int fi_disarm(struct fi *fi)
{
	int i;

	/* a failing user copy in the write itself leaves 0 as well */
	for (i = 0; i < 3; i++) {
		fi_arm(fi, 0);
		if (fi_left(fi) == 0)
			return 0;
	}
	return -1;
}

/* ------------------------------------------------------ test context */

struct ctx {
	int fd;			/* the file the calls use */
	int fd2;		/* another file of the device */
	char node[64];
	struct drm_sushi_caps caps;
	struct tnet net;
	struct drm_sushi_pb_range r[2];	/* layers 0 and 3: PB_PIN's ranges */
	struct drm_sushi_pb_range rl;	/* layer 1: the launch's pin set */
	__u32 pins;
	__u32 in, out;		/* the launch's syncobjs */
	__u64 last_job;		/* the file's last job id */
	__u32 last_gen;		/* PB generation after the last reset */
	struct fi fi;
	/* per scenario */
	__u32 h, h2;
	__u64 id, off;
	int xfd, xfd2;
	void *map;
	struct tnet net2;	/* close: a network on the closing file */
	union {
		struct drm_sushi_launch launch;
		struct drm_sushi_job_wait jw;
		struct drm_sushi_pb_query pq;
		struct drm_sushi_query q;
		struct drm_syncobj_wait sw;
		struct drm_syncobj_handle sh;
		struct drm_syncobj_array sa;
		struct drm_prime_handle ph;
		struct drm_version v;
		struct drm_get_cap cap;
	} a;
	struct drm_sushi_pb_set_info sets[8];
	struct drm_sushi_counters counters;
	struct drm_sushi_caps caps2;
	char vname[32], vdate[32], vdesc[128];
};

/* What the driver shows.  Every field must survive a failed call. */
struct snap {
	char bos[SNAP_TEXT];
	char pb[SNAP_TEXT];
	char clients[SNAP_TEXT];
	long resets;
	__u64 pb_used;
	__u32 pb_entries, pb_gen, pb_sets;
	__u32 set_handles[8];
	__u64 gem, syncobj, progs;	/* which handles exist (bit h-1) */
	bool next_job;		/* the file's next job id exists */
	int next_fd;		/* lowest free descriptor */
};

static int read_debugfs(const char *name, char *buf, size_t len)
{
	char path[192];
	int ret = debugfs_path(name, path, sizeof(path));

	return ret ? ret : file_read(path, buf, len);
}

static bool gem_exists(int fd, __u32 h)
{
	return sushi_bo_wait(fd, h, 0, 0) != -ENOENT;
}

static bool syncobj_exists(int fd, __u32 h)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h,
		.count_handles = 1,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w) != -ENOENT;
}

/* A launch that stops at its bad in-syncobj pointer if @h exists. */
static bool program_exists(int fd, __u32 h)
{
	struct drm_sushi_launch l = {
		.program = h,
		.in_syncobjs = 8,
		.in_syncobj_count = 1,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_LAUNCH, &l) != -ENOENT;
}

static bool job_exists(int fd, __u64 id)
{
	struct drm_sushi_job_wait w = { .job_id = id };

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_JOB_WAIT, &w) != -ENOENT;
}

static int snap_take(struct ctx *c, struct snap *s)
{
	struct drm_sushi_pb_query q;
	__u32 h;
	int ret, t;

	memset(s, 0, sizeof(*s));
	ret = read_debugfs("bos", s->bos, sizeof(s->bos));
	if (!ret)
		ret = read_debugfs("pb", s->pb, sizeof(s->pb));
	if (ret)
		return ret;
	/* the DRM core's list of open files, where the kernel has it */
	read_debugfs("clients", s->clients, sizeof(s->clients));
	s->resets = debugfs_read_long("reset_count");
	ret = sushi_pb_query(c->fd, &q, c->sets, 8);
	if (ret)
		return ret;
	s->pb_used = q.used;
	s->pb_entries = q.entries_used;
	s->pb_gen = q.generation;
	s->pb_sets = q.count;
	for (h = 0; h < q.count && h < 8; h++)
		s->set_handles[h] = c->sets[h].handle;
	for (h = 1; h <= PROBE_MAX; h++) {
		if (gem_exists(c->fd, h))
			s->gem |= 1ull << (h - 1);
		if (syncobj_exists(c->fd, h))
			s->syncobj |= 1ull << (h - 1);
		if (h <= PROBE_PROGS && program_exists(c->fd, h))
			s->progs |= 1ull << (h - 1);
	}
	s->next_job = job_exists(c->fd, c->last_job + 1);
	t = dup(0);
	s->next_fd = t;
	if (t >= 0)
		close(t);
	return 0;
}

static int diff_text(const char *what, const char *field, const char *a,
		     const char *b, bool quiet)
{
	if (!strcmp(a, b))
		return 0;
	if (!quiet)
		fprintf(stderr, "# %s: debugfs %s was:\n%s# now:\n%s", what,
			field, a, b);
	return 1;
}

static int diff_num(const char *what, const char *field, __u64 a, __u64 b,
		    bool quiet)
{
	if (a == b)
		return 0;
	if (!quiet)
		fprintf(stderr, "# %s: %s was %#llx, now %#llx\n", what, field,
			(unsigned long long)a, (unsigned long long)b);
	return 1;
}

/* Print what differs; returns the number of differences. */
static int snap_diff(const char *what, const struct snap *a,
		     const struct snap *b, bool quiet)
{
	int n = 0;

	n += diff_text(what, "bos", a->bos, b->bos, quiet);
	n += diff_text(what, "pb", a->pb, b->pb, quiet);
	n += diff_text(what, "clients", a->clients, b->clients, quiet);
	n += diff_num(what, "reset_count", a->resets, b->resets, quiet);
	n += diff_num(what, "PB used", a->pb_used, b->pb_used, quiet);
	n += diff_num(what, "PB entries", a->pb_entries, b->pb_entries, quiet);
	n += diff_num(what, "PB generation", a->pb_gen, b->pb_gen, quiet);
	n += diff_num(what, "pin sets", a->pb_sets, b->pb_sets, quiet);
	n += diff_num(what, "GEM handles", a->gem, b->gem, quiet);
	n += diff_num(what, "syncobj handles", a->syncobj, b->syncobj, quiet);
	n += diff_num(what, "program handles", a->progs, b->progs, quiet);
	n += diff_num(what, "next job id exists", a->next_job, b->next_job,
		      quiet);
	n += diff_num(what, "lowest free fd", a->next_fd, b->next_fd, quiet);
	if (memcmp(a->set_handles, b->set_handles, sizeof(a->set_handles))) {
		n++;
		if (!quiet)
			fprintf(stderr, "# %s: pin set handles differ\n", what);
	}
	return n;
}

/*
 * Wait (jobs retire and unpins complete asynchronously) until the state
 * equals @want; 0, or the number of differences after 10 s.
 */
static int snap_settle(struct ctx *c, const struct snap *want,
		       const char *what)
{
	static struct snap now;
	__s64 end = sushi_deadline_ms(10000);
	int n;

	do {
		if (snap_take(c, &now))
			return -1;
		n = snap_diff(what, want, &now, true);
		if (!n)
			return 0;
		usleep(5000);
	} while (sushi_now_ns() < end);
	return snap_diff(what, want, &now, false);
}

/* --------------------------------------------------------- helpers */

static int syncobj_array(int fd, unsigned long req, __u32 h)
{
	struct drm_syncobj_array a = {
		.handles = (uintptr_t)&h,
		.count_handles = 1,
	};

	return sushi_ioctl(fd, req, &a);
}

static int syncobj_create(int fd, __u32 flags, __u32 *h)
{
	struct drm_syncobj_create s = { .flags = flags };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &s);

	*h = s.handle;
	return ret;
}

static int bo_create(int fd, __u32 *h)
{
	struct drm_sushi_bo_create b = { .size = BO_SIZE };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_CREATE, &b);

	*h = b.handle;
	return ret;
}

static int gem_close(int fd, __u32 h)
{
	struct drm_gem_close g = { .handle = h };

	return sushi_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &g);
}

static int prime_export(int fd, __u32 h, int *out)
{
	struct drm_prime_handle p = {
		.handle = h, .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1,
	};
	int ret = sushi_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	*out = p.fd;
	return ret;
}

/* Launch the network (outputs cleared) and wait; 0 if it computed right. */
static int run_net(struct ctx *c, __u32 prog, __u32 pins)
{
	struct drm_sushi_job_stats st;
	__u64 id;
	int ret;

	net_clear_outputs(&c->net);
	ret = sushi_launch_pinned(c->fd, prog, pins, &id);
	if (ret)
		return ret;
	c->last_job = id;
	ret = sushi_job_wait(c->fd, id, sushi_deadline_ms(10000), &st);
	if (ret)
		return ret;
	if (st.status != DRM_SUSHI_JOB_OK || st.error) {
		fprintf(stderr, "# launch: status %u error %d\n", st.status,
			st.error);
		return -EIO;
	}
	if (!net_check(&c->net)) {
		fprintf(stderr, "# launch: wrong output bytes\n");
		return -EBADMSG;
	}
	return 0;
}

static int wait_job(struct ctx *c, __u64 id)
{
	struct drm_sushi_job_stats st;
	int ret = sushi_job_wait(c->fd, id, sushi_deadline_ms(10000), &st);

	if (!ret && (st.status != DRM_SUSHI_JOB_OK || st.error))
		ret = -EIO;
	return ret;
}

/* The lowest free handle among 1..PROBE_MAX of a probe mask. */
static __u32 lowest_free(__u64 mask)
{
	__u32 h;

	for (h = 1; h <= PROBE_MAX; h++)
		if (!(mask & (1ull << (h - 1))))
			return h;
	return 0;
}

static int set_listed(struct ctx *c, __u32 h, __u64 *bytes)
{
	struct drm_sushi_pb_query q;
	__u32 i;

	if (sushi_pb_query(c->fd, &q, c->sets, 8))
		return -1;
	for (i = 0; i < q.count && i < 8; i++) {
		if (c->sets[i].handle == h) {
			if (bytes)
				*bytes = c->sets[i].bytes;
			return 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------- scenarios */

/*
 * A scenario: @prep makes the objects (no fault armed), @call is the one
 * call under fault injection (0 or -errno), @check verifies a successful
 * call's results and undoes it, @fail_check verifies more after a failure,
 * @undo releases what @prep made after a failure.  @errnos: documented
 * errnos accepted besides -ENOMEM (0-terminated).  @may_map: a failed call
 * may leave the BOs @prep made mapped in the device (their address is kept
 * until they are freed).
 */
struct scen {
	const char *name;
	int (*prep)(struct ctx *c);
	int (*call)(struct ctx *c);
	int (*check)(struct ctx *c);
	int (*fail_check)(struct ctx *c);
	int (*undo)(struct ctx *c);
	int errnos[4];
	bool may_map;
	bool rebase;		/* the call changes the base state (reset) */
	int quirk;		/* an errno the DRM core returns for ENOMEM */
	const char *quirk_why;
};

/* open / close */

static int call_open(struct ctx *c)
{
	c->xfd = open(c->node, O_RDWR | O_CLOEXEC);
	return c->xfd < 0 ? -errno : 0;
}

static int check_open(struct ctx *c)
{
	struct drm_sushi_caps caps;
	int ok = sushi_is_ours(c->xfd) &&
		 !sushi_query_caps(c->xfd, &caps) &&
		 !memcmp(&caps, &c->caps, sizeof(caps));

	close(c->xfd);
	return ok ? 0 : -1;
}

/* A file with BOs, a program, a pin set and a launch in flight. */
static int prep_close(struct ctx *c)
{
	struct drm_sushi_pb_range r;
	__u32 pins;
	__u64 id;
	int ret;

	c->xfd = open(c->node, O_RDWR | O_CLOEXEC);
	if (c->xfd < 0)
		return -errno;
	ret = net_build(c->xfd, &c->caps, &c->net2, 77);
	if (ret)
		return ret;
	r = c->rl;
	r.handle = c->net2.wt.handle;
	ret = sushi_pb_pin(c->xfd, &r, 1, &pins, NULL);
	if (!ret)
		ret = sushi_launch_pinned(c->xfd, c->net2.prog, pins, &id);
	munmap(c->net2.act.map, c->net2.act.size);
	munmap(c->net2.wt.map, c->net2.wt.size);
	return ret;
}

static int call_close(struct ctx *c)
{
	return close(c->xfd) ? -errno : 0;
}

static int check_nothing(struct ctx *c)
{
	return c ? 0 : -1;
}

/* BO_CREATE */

static int call_bo_create(struct ctx *c)
{
	struct drm_sushi_bo_create b = { .size = BO_SIZE - 100 };
	int ret = sushi_ioctl(c->fd, DRM_IOCTL_SUSHI_BO_CREATE, &b);

	c->h = b.handle;
	c->off = b.size;
	return ret;
}

static int check_bo_create(struct ctx *c)
{
	struct sbo bo = { .handle = c->h, .size = BO_SIZE };
	struct drm_sushi_bo_mmap_offset m = { .handle = c->h };
	unsigned char *p;
	int ret = -1;

	if (c->off != BO_SIZE || !c->h)
		goto out;
	if (sushi_ioctl(c->fd, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m))
		goto out;
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
		 m.offset);
	if (p == MAP_FAILED)
		goto out;
	ret = p[0] || p[BO_SIZE - 1] ? -1 : 0;
	munmap(p, BO_SIZE);
out:
	sbo_close(c->fd, &bo);
	return ret;
}

/* BO_MMAP_OFFSET and mmap */

static int prep_bo(struct ctx *c)
{
	return bo_create(c->fd, &c->h);
}

static int undo_bo(struct ctx *c)
{
	return gem_close(c->fd, c->h);
}

static int call_mmap_offset(struct ctx *c)
{
	struct drm_sushi_bo_mmap_offset m = { .handle = c->h };
	int ret = sushi_ioctl(c->fd, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m);

	c->off = m.offset;
	return ret;
}

static int check_mapping(unsigned char *p)
{
	int ret;

	p[5] = 0x5a;
	ret = p[5] == 0x5a && !p[BO_SIZE - 1] ? 0 : -1;
	munmap(p, BO_SIZE);
	return ret;
}

static int check_mmap_offset(struct ctx *c)
{
	unsigned char *p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE,
				MAP_SHARED, c->fd, c->off);
	int ret = p == MAP_FAILED ? -1 : check_mapping(p);

	if (undo_bo(c))
		ret = -1;
	return ret;
}

static int prep_mmap(struct ctx *c)
{
	int ret = prep_bo(c);

	if (!ret)
		ret = call_mmap_offset(c);
	return ret;
}

static int call_mmap(struct ctx *c)
{
	c->map = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd, c->off);
	return c->map == MAP_FAILED ? -errno : 0;
}

static int check_mmap(struct ctx *c)
{
	int ret = check_mapping(c->map);

	if (undo_bo(c))
		ret = -1;
	return ret;
}

/* PROGRAM_CREATE / PROGRAM_DESTROY */

static __u32 next_prog;

static int prep_program(struct ctx *c)
{
	struct snap *s = malloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	ret = snap_take(c, s);
	next_prog = lowest_free(s->progs);
	free(s);
	return ret;
}

static int call_program_create(struct ctx *c)
{
	return sushi_program_create(c->fd, c->net.l, NET_LAYERS, &c->h);
}

static int check_program_create(struct ctx *c)
{
	int ret = c->h == next_prog ? 0 : -1;

	if (ret)
		fprintf(stderr, "# program handle %u, expected %u\n", c->h,
			next_prog);
	if (!ret)
		ret = run_net(c, c->h, 0);
	if (sushi_program_destroy(c->fd, c->h))
		ret = -1;
	return ret;
}

/* The same program on BOs no program or pin set has mapped yet. */
static int prep_program_fresh(struct ctx *c)
{
	struct drm_sushi_layer *l = c->net2.l;
	int ret, i;

	memcpy(l, c->net.l, sizeof(c->net.l));
	ret = sbo_create(c->fd, NET_ACT_SIZE, 0, &c->net2.act);
	if (!ret)
		ret = sbo_create(c->fd, NET_WT_SIZE,
				 DRM_SUSHI_BO_DEVICE_READ_ONLY, &c->net2.wt);
	if (ret)
		return ret;
	for (i = 0; i < NET_LAYERS; i++) {
		l[i].in.handle = c->net2.act.handle;
		l[i].out.handle = c->net2.act.handle;
		if (l[i].w.handle)
			l[i].w.handle = c->net2.wt.handle;
		if (l[i].epi.handle)
			l[i].epi.handle = c->net2.wt.handle;
	}
	return prep_program(c);
}

static int undo_program_fresh(struct ctx *c)
{
	int ret = sbo_close(c->fd, &c->net2.act);

	if (sbo_close(c->fd, &c->net2.wt))
		ret = -1;
	return ret;
}

static int call_program_fresh(struct ctx *c)
{
	return sushi_program_create(c->fd, c->net2.l, NET_LAYERS, &c->h);
}

static int check_program_fresh(struct ctx *c)
{
	int ret = c->h == next_prog ? 0 : -1;

	if (sushi_program_destroy(c->fd, c->h))
		ret = -1;
	if (undo_program_fresh(c))
		ret = -1;
	return ret;
}

static int prep_program_destroy(struct ctx *c)
{
	return sushi_program_create(c->fd, c->net.l, NET_LAYERS, &c->h);
}

static int call_program_destroy(struct ctx *c)
{
	return sushi_program_destroy(c->fd, c->h);
}

static int check_program_destroy(struct ctx *c)
{
	return program_exists(c->fd, c->h) ? -1 : 0;
}

static int undo_program_destroy(struct ctx *c)
{
	return sushi_program_destroy(c->fd, c->h);
}

/* LAUNCH with an in-syncobj, an out-syncobj and a pin set */

static int prep_launch(struct ctx *c)
{
	int ret;

	net_clear_outputs(&c->net);
	ret = syncobj_array(c->fd, DRM_IOCTL_SYNCOBJ_RESET, c->out);
	if (!ret)
		ret = syncobj_array(c->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, c->in);
	memset(&c->a.launch, 0, sizeof(c->a.launch));
	c->a.launch.program = c->net.prog;
	c->a.launch.in_syncobjs = (uintptr_t)&c->in;
	c->a.launch.in_syncobj_count = 1;
	c->a.launch.out_syncobj = c->out;
	c->a.launch.pin_set = c->pins;
	return ret;
}

static int call_launch(struct ctx *c)
{
	return sushi_ioctl(c->fd, DRM_IOCTL_SUSHI_LAUNCH, &c->a.launch);
}

static int check_launch(struct ctx *c)
{
	struct drm_sushi_job_stats st;
	int ret;

	if (c->a.launch.job_id != c->last_job + 1) {
		fprintf(stderr, "# job id %llu after %llu\n",
			(unsigned long long)c->a.launch.job_id,
			(unsigned long long)c->last_job);
		return -1;
	}
	c->last_job = c->a.launch.job_id;
	ret = sushi_job_wait(c->fd, c->last_job, sushi_deadline_ms(10000),
			     &st);
	if (ret || st.status != DRM_SUSHI_JOB_OK || !st.pb_rd) {
		fprintf(stderr, "# launch: %d, status %u, pb_rd %llu\n", ret,
			st.status, (unsigned long long)st.pb_rd);
		return -1;
	}
	if (!net_check(&c->net))
		return -1;
	/* the out-syncobj has the job's (signalled) fence */
	return sushi_syncobj_wait(c->fd, c->out, 0);
}

/* A failed launch did not touch the out-syncobj (it has no fence). */
static int fail_check_launch(struct ctx *c)
{
	return sushi_syncobj_wait(c->fd, c->out, 0) == -EINVAL ? 0 : -1;
}

/* JOB_WAIT, BO_WAIT */

static int prep_job(struct ctx *c)
{
	int ret = sushi_launch_pinned(c->fd, c->net.prog, 0, &c->id);

	if (!ret)
		c->last_job = c->id;
	return ret;
}

static int call_job_wait(struct ctx *c)
{
	static struct drm_sushi_job_stats st;

	memset(&c->a.jw, 0, sizeof(c->a.jw));
	c->a.jw.job_id = c->id;
	c->a.jw.timeout_ns = sushi_deadline_ms(10000);
	c->a.jw.stats = (uintptr_t)&st;
	c->a.jw.stats_size = sizeof(st);
	memset(&st, 0xff, sizeof(st));
	return sushi_ioctl(c->fd, DRM_IOCTL_SUSHI_JOB_WAIT, &c->a.jw);
}

static int check_job_wait(struct ctx *c)
{
	const struct drm_sushi_job_stats *st = (void *)(uintptr_t)c->a.jw.stats;

	return st->status == DRM_SUSHI_JOB_OK && !st->error && st->cycles ?
	       0 : -1;
}

static int undo_job(struct ctx *c)
{
	return wait_job(c, c->id);
}

static int call_bo_wait(struct ctx *c)
{
	return sushi_bo_wait(c->fd, c->net.act.handle, 0,
			     sushi_deadline_ms(10000));
}

static int check_bo_wait(struct ctx *c)
{
	struct drm_sushi_job_stats st;

	/* idle: the job is complete */
	return !sushi_job_wait(c->fd, c->id, 0, &st) &&
	       st.status == DRM_SUSHI_JOB_OK ? 0 : -1;
}

/* PB_PIN / PB_UNPIN / PB_QUERY */

static int call_pb_pin(struct ctx *c)
{
	return sushi_pb_pin(c->fd, c->r, 2, &c->h, &c->id);
}

static int check_pb_pin(struct ctx *c)
{
	__u64 want = 0, bytes = 0;
	int i, ret = 0;

	for (i = 0; i < 2; i++)
		want += (__u64)c->r[i].rows * c->r[i].row_bytes;
	if (c->id != c->last_job + 1 || wait_job(c, c->id) ||
	    set_listed(c, c->h, &bytes) != 1 || bytes != want)
		ret = -1;
	if (ret)
		fprintf(stderr, "# pin set %u job %llu bytes %llu/%llu\n",
			c->h, (unsigned long long)c->id,
			(unsigned long long)bytes, (unsigned long long)want);
	c->last_job = c->id;
	if (sushi_pb_unpin(c->fd, c->h))
		ret = -1;
	return ret;
}

static int prep_pb_unpin(struct ctx *c)
{
	int ret = syncobj_array(c->fd, DRM_IOCTL_SYNCOBJ_RESET, c->out);

	/* a set left by a failed unpin is unpinned again */
	if (ret || (c->h && set_listed(c, c->h, NULL) == 1))
		return ret;
	ret = sushi_pb_pin(c->fd, c->r, 2, &c->h, &c->id);
	if (!ret) {
		c->last_job = c->id;
		ret = wait_job(c, c->id);
	}
	return ret;
}

/* with an out-syncobj signalled when the set's space is free again */
static int call_pb_unpin(struct ctx *c)
{
	return sushi_pb_unpin_signal(c->fd, c->h, c->out);
}

static int check_pb_unpin(struct ctx *c)
{
	int ret = set_listed(c, c->h, NULL) ? -1 : 0;

	if (sushi_syncobj_wait(c->fd, c->out, sushi_deadline_ms(10000)))
		ret = -1;
	c->h = 0;
	return ret;
}

/* A failed unpin did not touch the out-syncobj (it has no fence). */
static int fail_check_pb_unpin(struct ctx *c)
{
	return sushi_syncobj_wait(c->fd, c->out, 0) == -EINVAL ? 0 : -1;
}

static int undo_pb_unpin(struct ctx *c)
{
	/* the set is still there (checked): unpin it without a fault */
	int ret = sushi_pb_unpin(c->fd, c->h);

	c->h = 0;
	return ret;
}

static int call_pb_query(struct ctx *c)
{
	memset(c->sets, 0, sizeof(c->sets));
	memset(&c->a.pq, 0, sizeof(c->a.pq));
	c->a.pq.sets = (uintptr_t)c->sets;
	c->a.pq.count = 8;
	c->a.pq.set_size = sizeof(c->sets[0]);
	return sushi_ioctl(c->fd, DRM_IOCTL_SUSHI_PB_QUERY, &c->a.pq);
}

static int check_pb_query(struct ctx *c)
{
	return c->a.pq.capacity == c->caps.pb_bytes && c->a.pq.count == 1 &&
	       c->sets[0].handle == c->pins && c->sets[0].bytes ? 0 : -1;
}

/* QUERY */

static int call_query_caps(struct ctx *c)
{
	memset(&c->caps2, 0, sizeof(c->caps2));
	return sushi_query_caps(c->fd, &c->caps2);
}

static int check_query_caps(struct ctx *c)
{
	return memcmp(&c->caps, &c->caps2, sizeof(c->caps)) ? -1 : 0;
}

static int call_query_counters(struct ctx *c)
{
	memset(&c->counters, 0, sizeof(c->counters));
	return sushi_query_counters(c->fd, &c->counters);
}

static int check_query_counters(struct ctx *c)
{
	return c->counters.launches ? 0 : -1;
}

/* RESET (root) */

static int call_reset(struct ctx *c)
{
	__u32 gen = 0;
	int ret = sushi_reset(c->fd, 0, &gen);

	c->h = gen;
	return ret;
}

static int check_reset(struct ctx *c)
{
	int ret = c->h > c->last_gen ? 0 : -1;

	c->last_gen = c->h;
	return ret;
}

/* GEM_CLOSE, PRIME */

static int call_gem_close(struct ctx *c)
{
	return gem_close(c->fd, c->h);
}

static int check_gem_close(struct ctx *c)
{
	return gem_exists(c->fd, c->h) ? -1 : 0;
}

static int call_prime_export(struct ctx *c)
{
	memset(&c->a.ph, 0, sizeof(c->a.ph));
	c->a.ph.handle = c->h;
	c->a.ph.flags = DRM_CLOEXEC | DRM_RDWR;
	c->a.ph.fd = -1;
	return sushi_ioctl(c->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &c->a.ph);
}

static int check_prime_export(struct ctx *c)
{
	struct stat st;
	int ret = fstat(c->a.ph.fd, &st) ? -1 : 0;

	close(c->a.ph.fd);
	if (undo_bo(c))
		ret = -1;
	return ret;
}

/* A dma-buf of a BO of the other file. */
static int prep_prime_import(struct ctx *c)
{
	int ret = bo_create(c->fd2, &c->h2);

	if (!ret)
		ret = prime_export(c->fd2, c->h2, &c->xfd2);
	return ret;
}

static int undo_prime_import(struct ctx *c)
{
	int ret = gem_close(c->fd2, c->h2);

	close(c->xfd2);
	return ret;
}

static int call_prime_import(struct ctx *c)
{
	memset(&c->a.ph, 0, sizeof(c->a.ph));
	c->a.ph.fd = c->xfd2;
	return sushi_ioctl(c->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &c->a.ph);
}

/* The import names the same BO: a byte written through one shows. */
static int check_prime_import(struct ctx *c)
{
	struct drm_sushi_bo_mmap_offset m1 = { .handle = c->a.ph.handle };
	struct drm_sushi_bo_mmap_offset m2 = { .handle = c->h2 };
	unsigned char *p1 = MAP_FAILED, *p2 = MAP_FAILED;
	int ret = -1;

	if (sushi_ioctl(c->fd, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m1) ||
	    sushi_ioctl(c->fd2, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m2))
		goto out;
	p1 = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
		  m1.offset);
	p2 = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, c->fd2, m2.offset);
	if (p1 == MAP_FAILED || p2 == MAP_FAILED)
		goto out;
	p1[100] = 0x33;
	ret = p2[100] == 0x33 ? 0 : -1;
out:
	if (p1 != MAP_FAILED)
		munmap(p1, BO_SIZE);
	if (p2 != MAP_FAILED)
		munmap(p2, BO_SIZE);
	if (gem_close(c->fd, c->a.ph.handle))
		ret = -1;
	if (undo_prime_import(c))
		ret = -1;
	return ret;
}

/* A dma-buf of the system DMA heap (another exporter). */
static int prep_heap_import(struct ctx *c)
{
	struct dma_heap_allocation_data a = {
		.len = 16 * 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int hfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	int ret;

	if (hfd < 0)
		return -errno;	/* the walk SKIPs without the heap */
	ret = ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &a) ? -errno : 0;
	close(hfd);
	c->xfd2 = a.fd;
	return ret;
}

static int undo_heap_import(struct ctx *c)
{
	return close(c->xfd2);
}

/* The import is a BO of this file that the device can use. */
static int check_heap_import(struct ctx *c)
{
	struct drm_sushi_pb_range r = {
		.handle = c->a.ph.handle, .rows = 1, .row_bytes = 4096,
	};
	__u32 pins;
	__u64 id;
	int ret;

	ret = sushi_pb_pin(c->fd, &r, 1, &pins, &id);
	if (!ret) {
		c->last_job = id;
		ret = wait_job(c, id);
		if (sushi_pb_unpin(c->fd, pins))
			ret = -1;
	}
	if (gem_close(c->fd, c->a.ph.handle))
		ret = -1;
	undo_heap_import(c);
	return ret;
}

/* SYNCOBJ_* */

static int call_syncobj_create(struct ctx *c)
{
	return syncobj_create(c->fd, DRM_SYNCOBJ_CREATE_SIGNALED, &c->h);
}

static int check_syncobj_create(struct ctx *c)
{
	int ret = sushi_syncobj_wait(c->fd, c->h, 0);

	if (sushi_syncobj_destroy(c->fd, c->h))
		ret = -1;
	return ret;
}

static int prep_syncobj(struct ctx *c)
{
	return syncobj_create(c->fd, DRM_SYNCOBJ_CREATE_SIGNALED, &c->h);
}

static int undo_syncobj(struct ctx *c)
{
	return sushi_syncobj_destroy(c->fd, c->h);
}

static int call_syncobj_destroy(struct ctx *c)
{
	return sushi_syncobj_destroy(c->fd, c->h);
}

static int check_syncobj_destroy(struct ctx *c)
{
	return syncobj_exists(c->fd, c->h) ? -1 : 0;
}

/* Wait for the out-syncobj of a launch still (maybe) running. */
static int prep_syncobj_wait(struct ctx *c)
{
	int ret = sushi_launch(c->fd, c->net.prog, c->out, NULL, 0, &c->id);

	if (!ret)
		c->last_job = c->id;
	return ret;
}

static int call_syncobj_wait(struct ctx *c)
{
	memset(&c->a.sw, 0, sizeof(c->a.sw));
	c->a.sw.handles = (uintptr_t)&c->out;
	c->a.sw.count_handles = 1;
	c->a.sw.timeout_nsec = sushi_deadline_ms(10000);
	c->a.sw.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
	return sushi_ioctl(c->fd, DRM_IOCTL_SYNCOBJ_WAIT, &c->a.sw);
}

static int check_syncobj_wait(struct ctx *c)
{
	return check_bo_wait(c);
}

static int call_syncobj_reset(struct ctx *c)
{
	return syncobj_array(c->fd, DRM_IOCTL_SYNCOBJ_RESET, c->h);
}

static int check_syncobj_reset(struct ctx *c)
{
	int ret = sushi_syncobj_wait(c->fd, c->h, 0) == -EINVAL ? 0 : -1;

	if (undo_syncobj(c))
		ret = -1;
	return ret;
}

static int prep_syncobj_unsignalled(struct ctx *c)
{
	return syncobj_create(c->fd, 0, &c->h);
}

static int call_syncobj_signal(struct ctx *c)
{
	return syncobj_array(c->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, c->h);
}

static int check_syncobj_signal(struct ctx *c)
{
	return check_syncobj_create(c);
}

static int fail_check_unsignalled(struct ctx *c)
{
	return sushi_syncobj_wait(c->fd, c->h, 0) == -EINVAL ? 0 : -1;
}

static int call_syncobj_export(struct ctx *c)
{
	memset(&c->a.sh, 0, sizeof(c->a.sh));
	c->a.sh.handle = c->h;
	c->a.sh.flags = 0;
	c->a.sh.fd = -1;
	return sushi_ioctl(c->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &c->a.sh);
}

static int call_syncobj_export_sync_file(struct ctx *c)
{
	memset(&c->a.sh, 0, sizeof(c->a.sh));
	c->a.sh.handle = c->h;
	c->a.sh.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	c->a.sh.fd = -1;
	return sushi_ioctl(c->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &c->a.sh);
}

static int check_syncobj_export(struct ctx *c)
{
	struct stat st;
	int ret = fstat(c->a.sh.fd, &st) ? -1 : 0;

	close(c->a.sh.fd);
	if (undo_syncobj(c))
		ret = -1;
	return ret;
}

/* A syncobj of the other file, as a syncobj fd or as a sync_file. */
static int prep_syncobj_import(struct ctx *c, __u32 flags)
{
	struct drm_syncobj_handle s = { .flags = flags, .fd = -1 };
	int ret = syncobj_create(c->fd2, DRM_SYNCOBJ_CREATE_SIGNALED, &c->h2);

	s.handle = c->h2;
	if (!ret)
		ret = sushi_ioctl(c->fd2, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &s);
	c->xfd2 = s.fd;
	if (!ret && flags)	/* a sync_file goes into an existing syncobj */
		ret = syncobj_create(c->fd, 0, &c->h);
	return ret;
}

static int prep_syncobj_import_fd(struct ctx *c)
{
	return prep_syncobj_import(c, 0);
}

static int prep_syncobj_import_sync_file(struct ctx *c)
{
	return prep_syncobj_import(c,
				   DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
}

static int undo_syncobj_import(struct ctx *c)
{
	int ret = sushi_syncobj_destroy(c->fd2, c->h2);

	close(c->xfd2);
	return ret;
}

static int undo_syncobj_import_sync_file(struct ctx *c)
{
	int ret = undo_syncobj_import(c);

	if (undo_syncobj(c))
		ret = -1;
	return ret;
}

static int call_syncobj_import(struct ctx *c)
{
	memset(&c->a.sh, 0, sizeof(c->a.sh));
	c->a.sh.fd = c->xfd2;
	return sushi_ioctl(c->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &c->a.sh);
}

static int check_syncobj_import(struct ctx *c)
{
	int ret = sushi_syncobj_wait(c->fd, c->a.sh.handle, 0);

	if (sushi_syncobj_destroy(c->fd, c->a.sh.handle))
		ret = -1;
	if (undo_syncobj_import(c))
		ret = -1;
	return ret;
}

static int call_syncobj_import_sync_file(struct ctx *c)
{
	memset(&c->a.sh, 0, sizeof(c->a.sh));
	c->a.sh.handle = c->h;
	c->a.sh.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	c->a.sh.fd = c->xfd2;
	return sushi_ioctl(c->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &c->a.sh);
}

static int check_syncobj_import_sync_file(struct ctx *c)
{
	int ret = sushi_syncobj_wait(c->fd, c->h, 0);

	if (undo_syncobj_import_sync_file(c))
		ret = -1;
	return ret;
}

/* VERSION, GET_CAP */

static int call_version(struct ctx *c)
{
	memset(&c->a.v, 0, sizeof(c->a.v));
	c->a.v.name = c->vname;
	c->a.v.name_len = sizeof(c->vname) - 1;
	c->a.v.date = c->vdate;
	c->a.v.date_len = sizeof(c->vdate) - 1;
	c->a.v.desc = c->vdesc;
	c->a.v.desc_len = sizeof(c->vdesc) - 1;
	memset(c->vname, 0, sizeof(c->vname));
	return sushi_ioctl(c->fd, DRM_IOCTL_VERSION, &c->a.v);
}

static int check_version(struct ctx *c)
{
	return strcmp(c->vname, "sushi") ? -1 : 0;
}

static int call_get_cap(struct ctx *c)
{
	memset(&c->a.cap, 0, sizeof(c->a.cap));
	c->a.cap.capability = DRM_CAP_SYNCOBJ;
	return sushi_ioctl(c->fd, DRM_IOCTL_GET_CAP, &c->a.cap);
}

static int check_get_cap(struct ctx *c)
{
	return c->a.cap.value == 1 ? 0 : -1;
}

static const struct scen s_open = {
	.name = "open",
	.call = call_open,
	.check = check_open,
};

static const struct scen s_close = {
	.name = "close (BOs, program, pin set, launch)",
	.prep = prep_close,
	.call = call_close,
	.check = check_nothing,
};

static const struct scen s_bo_create = {
	.name = "BO_CREATE",
	.call = call_bo_create,
	.check = check_bo_create,
};

static const struct scen s_bo_mmap_offset = {
	.name = "BO_MMAP_OFFSET",
	.prep = prep_bo,
	.call = call_mmap_offset,
	.check = check_mmap_offset,
	.undo = undo_bo,
};

static const struct scen s_mmap = {
	.name = "mmap",
	.prep = prep_mmap,
	.call = call_mmap,
	.check = check_mmap,
	.undo = undo_bo,
};

static const struct scen s_program_create = {
	.name = "PROGRAM_CREATE",
	.prep = prep_program,
	.call = call_program_create,
	.check = check_program_create,
};

static const struct scen s_program_fresh = {
	.name = "PROGRAM_CREATE (unmapped BOs)",
	.prep = prep_program_fresh,
	.call = call_program_fresh,
	.check = check_program_fresh,
	.undo = undo_program_fresh,
	.may_map = true,
};

static const struct scen s_program_destroy = {
	.name = "PROGRAM_DESTROY",
	.prep = prep_program_destroy,
	.call = call_program_destroy,
	.check = check_program_destroy,
	.undo = undo_program_destroy,
};

static const struct scen s_launch = {
	.name = "LAUNCH (in/out syncobjs, pin set)",
	.prep = prep_launch,
	.call = call_launch,
	.check = check_launch,
	.fail_check = fail_check_launch,
};

static const struct scen s_job_wait = {
	.name = "JOB_WAIT",
	.prep = prep_job,
	.call = call_job_wait,
	.check = check_job_wait,
	.undo = undo_job,
};

static const struct scen s_bo_wait = {
	.name = "BO_WAIT",
	.prep = prep_job,
	.call = call_bo_wait,
	.check = check_bo_wait,
	.undo = undo_job,
};

static const struct scen s_pb_pin = {
	.name = "PB_PIN",
	.call = call_pb_pin,
	.check = check_pb_pin,
};

static const struct scen s_pb_unpin = {
	.name = "PB_UNPIN (out-syncobj)",
	.prep = prep_pb_unpin,
	.call = call_pb_unpin,
	.check = check_pb_unpin,
	.fail_check = fail_check_pb_unpin,
	.undo = undo_pb_unpin,
};

static const struct scen s_pb_query = {
	.name = "PB_QUERY",
	.call = call_pb_query,
	.check = check_pb_query,
};

static const struct scen s_query_caps = {
	.name = "QUERY (caps)",
	.call = call_query_caps,
	.check = check_query_caps,
};

static const struct scen s_query_counters = {
	.name = "QUERY (counters)",
	.call = call_query_counters,
	.check = check_query_counters,
};

static const struct scen s_reset = {
	.name = "RESET",
	.call = call_reset,
	.check = check_reset,
	.rebase = true,
};

static const struct scen s_gem_close = {
	.name = "GEM_CLOSE",
	.prep = prep_bo,
	.call = call_gem_close,
	.check = check_gem_close,
	.undo = undo_bo,
};

static const struct scen s_prime_export = {
	.name = "PRIME_HANDLE_TO_FD",
	.prep = prep_bo,
	.call = call_prime_export,
	.check = check_prime_export,
	.undo = undo_bo,
};

static const struct scen s_prime_import = {
	.name = "PRIME_FD_TO_HANDLE (other file's BO)",
	.prep = prep_prime_import,
	.call = call_prime_import,
	.check = check_prime_import,
	.undo = undo_prime_import,
};

static const struct scen s_heap_import = {
	.name = "PRIME_FD_TO_HANDLE (dma-heap buffer)",
	.prep = prep_heap_import,
	.call = call_prime_import,
	.check = check_heap_import,
	.undo = undo_heap_import,
};

static const struct scen s_syncobj_create = {
	.name = "SYNCOBJ_CREATE",
	.call = call_syncobj_create,
	.check = check_syncobj_create,
};

static const struct scen s_syncobj_destroy = {
	.name = "SYNCOBJ_DESTROY",
	.prep = prep_syncobj,
	.call = call_syncobj_destroy,
	.check = check_syncobj_destroy,
	.undo = undo_syncobj,
};

static const struct scen s_syncobj_wait = {
	.name = "SYNCOBJ_WAIT (a launch's out-syncobj)",
	.prep = prep_syncobj_wait,
	.call = call_syncobj_wait,
	.check = check_syncobj_wait,
	.undo = undo_job,
};

static const struct scen s_syncobj_reset = {
	.name = "SYNCOBJ_RESET",
	.prep = prep_syncobj,
	.call = call_syncobj_reset,
	.check = check_syncobj_reset,
	.undo = undo_syncobj,
};

static const struct scen s_syncobj_signal = {
	.name = "SYNCOBJ_SIGNAL",
	.prep = prep_syncobj_unsignalled,
	.call = call_syncobj_signal,
	.check = check_syncobj_signal,
	.fail_check = fail_check_unsignalled,
	.undo = undo_syncobj,
};

static const struct scen s_syncobj_export = {
	.name = "SYNCOBJ_HANDLE_TO_FD",
	.prep = prep_syncobj,
	.call = call_syncobj_export,
	.check = check_syncobj_export,
	.undo = undo_syncobj,
};

static const struct scen s_syncobj_export_sf = {
	.name = "SYNCOBJ_HANDLE_TO_FD (sync_file)",
	.prep = prep_syncobj,
	.call = call_syncobj_export_sync_file,
	.check = check_syncobj_export,
	.undo = undo_syncobj,
	/* 6.12 drm_syncobj_export_sync_file(): sync_file_create() NULL */
	.quirk = EINVAL,
	.quirk_why = "DRM core quirk: a failed sync_file_create() is reported as EINVAL",
};

static const struct scen s_syncobj_import = {
	.name = "SYNCOBJ_FD_TO_HANDLE",
	.prep = prep_syncobj_import_fd,
	.call = call_syncobj_import,
	.check = check_syncobj_import,
	.undo = undo_syncobj_import,
};

static const struct scen s_syncobj_import_sf = {
	.name = "SYNCOBJ_FD_TO_HANDLE (sync_file)",
	.prep = prep_syncobj_import_sync_file,
	.call = call_syncobj_import_sync_file,
	.check = check_syncobj_import_sync_file,
	.fail_check = fail_check_unsignalled,
	.undo = undo_syncobj_import_sync_file,
};

static const struct scen s_version = {
	.name = "VERSION",
	.call = call_version,
	.check = check_version,
};

static const struct scen s_get_cap = {
	.name = "GET_CAP",
	.call = call_get_cap,
	.check = check_get_cap,
};

/* ------------------------------------------------------------ the walk */

static bool errno_clean(const struct ctx *c, const struct scen *s, int ret)
{
	int i;

	if (ret == -ENOMEM || (ret == -EFAULT && c->fi.usercopy) ||
	    (s->quirk && ret == -s->quirk))
		return true;
	for (i = 0; i < 4 && s->errnos[i]; i++)
		if (ret == -s->errnos[i])
			return true;
	return false;
}

/* debugfs bos: user BOs (kernel column 0) mapped since @a are allowed. */
static bool only_new_user_bos(const char *a, const char *b)
{
	char line[128];
	const char *p = b, *e;

	while (*p) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		snprintf(line, sizeof(line), "%.*s\n", (int)(e - p), p);
		if (!strstr(a, line) && line[strlen(line) - 2] != '0')
			return false;
		p = *e ? e + 1 : e;
	}
	return true;
}

static void count_line(const char *name, unsigned int sites)
{
	FILE *f = fopen(COUNTS_FILE, "a");

	if (f) {
		fprintf(f, "#   %-40s %4u\n", name, sites);
		fclose(f);
	}
}

/* What runs when a call hangs (alarm): say so, then die of SIGALRM. */
static const char *cur_name = "";
static unsigned int cur_n;

static void on_alarm(int sig)
{
	char msg[160];
	int len = snprintf(msg, sizeof(msg),
			   "# fail-nth %s: the call hung for %d s with fault %u armed\n",
			   cur_name, CALL_TIMEOUT, cur_n);

	if (write(2, msg, len) < 0)
		len = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A new run starts a new table and a new kmemleak log. */
static void __attribute__((constructor)) counts_reset(void)
{
	unlink(COUNTS_FILE);
	if (!access(KMEMLEAK, F_OK))
		file_write(KMEMLEAK, "clear");
}

static void walk(struct __test_metadata *_metadata, struct ctx *c,
		 const struct scen *s)
{
	static struct snap base, before, after;
	unsigned int n, failed = 0, absorbed = 0, mapped = 0, unclean = 0;
	int hist_errno[8] = { 0 }, hist_n[8] = { 0 };
	char hist[160] = "";
	long left = -1;
	int ret, i;

	if (s == &s_heap_import &&
	    access("/dev/dma_heap/system", F_OK))
		SKIP(return, "%s: no /dev/dma_heap/system (CONFIG_DMABUF_HEAPS_SYSTEM)",
		     s->name);
	ASSERT_EQ(0, snap_take(c, &base));
	if (c->fi.nth < 0) {
		/* no fault injection: the valid call, once */
		ASSERT_EQ(0, s->prep ? s->prep(c) : 0);
		ret = s->call(c);
		ASSERT_EQ(0, ret) TH_LOG("%s: the valid call failed: %s",
					 s->name, strerror(-ret));
		ASSERT_EQ(0, s->check(c)) TH_LOG("%s: wrong results", s->name);
		if (s->rebase)
			ASSERT_EQ(0, snap_take(c, &base));
		ASSERT_EQ(0, snap_settle(c, &base, s->name));
		SKIP(return, "%s: %s (ran the valid call once)", s->name,
		     c->fi.why);
	}

	for (n = 1; n <= WALK_MAX; n++) {
		if (s->prep) {
			ret = s->prep(c);
			ASSERT_EQ(0, ret) TH_LOG("%s: preparing: %s", s->name,
						 strerror(-ret));
		}
		ASSERT_EQ(0, snap_take(c, &before));
		cur_name = s->name;
		cur_n = n;
		alarm(CALL_TIMEOUT);
		ASSERT_EQ(0, fi_arm(&c->fi, n));
		ret = s->call(c);
		left = fi_left(&c->fi);
		ASSERT_EQ(0, fi_disarm(&c->fi));
		alarm(0);
		ASSERT_LE(0, left) TH_LOG("cannot read fail-nth");

		if (!ret) {
			absorbed += !left;
			ASSERT_EQ(0, s->check(c))
				TH_LOG("%s: fault %u %s: succeeded, wrong or missing results",
				       s->name, n, left ? "not reached" :
				       "injected");
			if (s->rebase)
				ASSERT_EQ(0, snap_take(c, &base));
		} else {
			ASSERT_EQ(0, left)
				TH_LOG("%s: valid call failed, no fault injected (n=%u): %s",
				       s->name, n, strerror(-ret));
			/* go on walking: report every unclean errno at once */
			if (!errno_clean(c, s, ret)) {
				unclean++;
				fprintf(stderr,
					"# fail-nth %s: fault %u: errno %d (%s) is not a clean errno\n",
					s->name, n, -ret, strerror(-ret));
			} else if (ret == -s->quirk) {
				fprintf(stderr,
					"# fail-nth %s: fault %u: %s (%s)\n",
					s->name, n, strerror(-ret), s->quirk_why);
			}
			failed++;
			for (i = 0; i < 7 && hist_errno[i] &&
			     hist_errno[i] != -ret; i++)
				;
			hist_errno[i] = -ret;
			hist_n[i]++;
			ASSERT_EQ(0, snap_take(c, &after));
			if (s->may_map && strcmp(before.bos, after.bos) &&
			    only_new_user_bos(before.bos, after.bos)) {
				mapped++;
				memcpy(after.bos, before.bos, sizeof(after.bos));
			}
			ASSERT_EQ(0, snap_diff(s->name, &before, &after, false))
				TH_LOG("%s: fault %u (%s): the failed call changed the state",
				       s->name, n, strerror(-ret));
			if (s->fail_check)
				ASSERT_EQ(0, s->fail_check(c))
					TH_LOG("%s: fault %u: the failed call left results",
					       s->name, n);
			if (s->undo)
				ASSERT_EQ(0, s->undo(c));
		}
		ASSERT_EQ(0, snap_settle(c, &base, s->name))
			TH_LOG("%s: fault %u: the state did not return to its start",
			       s->name, n);
		if (left)
			break;
	}
	ASSERT_GE(WALK_MAX, n) TH_LOG("%s: more than %d fault sites",
				      s->name, WALK_MAX);
	EXPECT_EQ(0, unclean) TH_LOG("%s: %u injected faults gave an unclean errno",
				     s->name, unclean);

	/* the device still computes the right bytes */
	ASSERT_EQ(0, run_net(c, c->net.prog, 0));

	for (i = 0; i < 8 && hist_errno[i]; i++)
		snprintf(hist + strlen(hist), sizeof(hist) - strlen(hist),
			 "%s%s x%d", i ? ", " : "", strerror(hist_errno[i]),
			 hist_n[i]);
	fprintf(stderr,
		"# fail-nth %s: %u fault sites: %u failed cleanly%s%s%s, %u absorbed (call succeeded)\n",
		s->name, n - 1, failed, failed ? " (" : "", hist,
		failed ? ")" : "", absorbed);
	if (mapped)
		fprintf(stderr,
			"# fail-nth %s: %u failed calls left their BOs mapped in the device (kept until the BOs are freed)\n",
			s->name, mapped);
	count_line(s->name, n - 1);
}

/* ------------------------------------------------------------- fixture */

FIXTURE(failnth) {
	struct ctx c;
};

FIXTURE_SETUP(failnth)
{
	struct ctx *c = &self->c;
	struct drm_sushi_pb_query q;
	char stack[128 * 1024];
	int minor, i;
	__u64 id;

	/* fault in a deep stack now: no page faults while a fault is armed */
	explicit_bzero(stack, sizeof(stack));
	signal(SIGALRM, on_alarm);
	memset(c, 0, sizeof(*c));
	c->fi.nth = -1;
	c->xfd = -1;
	c->xfd2 = -1;
	c->fd = sushi_open_minor(&minor);
	ASSERT_GE(c->fd, 0) TH_LOG("no sushi accel node");
	snprintf(c->node, sizeof(c->node), "/dev/accel/accel%d", minor);
	c->fd2 = open(c->node, O_RDWR | O_CLOEXEC);
	ASSERT_GE(c->fd2, 0);
	ASSERT_EQ(0, sushi_query_caps(c->fd, &c->caps));
	if (!(c->caps.flags & DRM_SUSHI_CAP_PB))
		SKIP(return, "device without a Persistent Buffer");
	ASSERT_EQ(0, net_build(c->fd, &c->caps, &c->net, 4242));
	/* PB_PIN pins layers 0 and 3; the launch's set holds layer 1 */
	for (i = 0; i < 3; i++) {
		static const int layer[3] = { 0, 3, 1 };
		const struct drm_sushi_layer *l = &c->net.l[layer[i]];
		struct drm_sushi_pb_range *r = i < 2 ? &c->r[i] : &c->rl;

		memset(r, 0, sizeof(*r));
		r->handle = l->w.handle;
		r->offset = l->w.offset;
		r->rows = l->out_c;
		r->row_bytes = l->in_c / l->groups * l->kernel * l->kernel;
		r->row_stride = l->w_stride;
	}
	ASSERT_EQ(0, sushi_pb_pin(c->fd, &c->rl, 1, &c->pins, &id));
	c->last_job = id;
	ASSERT_EQ(0, wait_job(c, id));
	ASSERT_EQ(0, syncobj_create(c->fd, DRM_SYNCOBJ_CREATE_SIGNALED,
				    &c->in));
	ASSERT_EQ(0, syncobj_create(c->fd, 0, &c->out));
	/* the file's first launch: BOs mapped, the output right */
	ASSERT_EQ(0, run_net(c, c->net.prog, c->pins));
	ASSERT_EQ(0, sushi_pb_query(c->fd, &q, NULL, 0));
	c->last_gen = q.generation;
	/* without fault injection, walk() runs the call once and SKIPs */
	fi_setup(&c->fi);
}

FIXTURE_TEARDOWN(failnth)
{
	fi_restore(&self->c.fi);
	if (self->c.fd2 >= 0)
		close(self->c.fd2);
	if (self->c.fd >= 0)
		close(self->c.fd);
}

TEST_F_TIMEOUT(failnth, open, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_open);
}

TEST_F_TIMEOUT(failnth, close, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_close);
}

TEST_F_TIMEOUT(failnth, bo_create, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_bo_create);
}

TEST_F_TIMEOUT(failnth, bo_mmap_offset, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_bo_mmap_offset);
}

TEST_F_TIMEOUT(failnth, mmap, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_mmap);
}

TEST_F_TIMEOUT(failnth, program_create, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_program_create);
}

TEST_F_TIMEOUT(failnth, program_create_unmapped_bos, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_program_fresh);
}

TEST_F_TIMEOUT(failnth, program_destroy, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_program_destroy);
}

TEST_F_TIMEOUT(failnth, launch, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_launch);
}

TEST_F_TIMEOUT(failnth, job_wait, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_job_wait);
}

TEST_F_TIMEOUT(failnth, bo_wait, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_bo_wait);
}

TEST_F_TIMEOUT(failnth, pb_pin, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_pb_pin);
}

TEST_F_TIMEOUT(failnth, pb_unpin, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_pb_unpin);
}

TEST_F_TIMEOUT(failnth, pb_query, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_pb_query);
}

TEST_F_TIMEOUT(failnth, query_caps, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_query_caps);
}

TEST_F_TIMEOUT(failnth, query_counters, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_query_counters);
}

TEST_F_TIMEOUT(failnth, reset, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_reset);
}

TEST_F_TIMEOUT(failnth, gem_close, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_gem_close);
}

TEST_F_TIMEOUT(failnth, prime_handle_to_fd, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_prime_export);
}

TEST_F_TIMEOUT(failnth, prime_fd_to_handle, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_prime_import);
}

TEST_F_TIMEOUT(failnth, prime_fd_to_handle_dma_heap, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_heap_import);
}

TEST_F_TIMEOUT(failnth, syncobj_create, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_create);
}

TEST_F_TIMEOUT(failnth, syncobj_destroy, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_destroy);
}

TEST_F_TIMEOUT(failnth, syncobj_wait, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_wait);
}

TEST_F_TIMEOUT(failnth, syncobj_reset, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_reset);
}

TEST_F_TIMEOUT(failnth, syncobj_signal, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_signal);
}

TEST_F_TIMEOUT(failnth, syncobj_handle_to_fd, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_export);
}

TEST_F_TIMEOUT(failnth, syncobj_handle_to_fd_sync_file, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_export_sf);
}

TEST_F_TIMEOUT(failnth, syncobj_fd_to_handle, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_import);
}

TEST_F_TIMEOUT(failnth, syncobj_fd_to_handle_sync_file, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_syncobj_import_sf);
}

TEST_F_TIMEOUT(failnth, version, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_version);
}

TEST_F_TIMEOUT(failnth, get_cap, WALK_TIMEOUT)
{
	walk(_metadata, &self->c, &s_get_cap);
}

/*
 * Reports after the walks (a fixture registered after "failnth", so its
 * tests run last): the table of fault sites, and what kmemleak found.
 */
FIXTURE(report) {
	int unused;
};

FIXTURE_SETUP(report)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(report)
{
}

/* The fault sites of every call walked above, as one table. */
TEST_F(report, fault_sites)
{
	char buf[8192];

	if (file_read(COUNTS_FILE, buf, sizeof(buf)))
		SKIP(return, "no walk completed (fault injection not run)");
	fprintf(stderr, "# fail-nth: fault sites on each call's path\n");
	fprintf(stderr, "%s", buf);
	unlink(COUNTS_FILE);
}

/*
 * Objects the failed calls leaked without a visible trace: a kmemleak
 * scan of what is unreferenced since the walks began (the log was
 * cleared when this program started).
 */
TEST_F_TIMEOUT(report, kmemleak, 600)
{
	static char buf[65536];
	int i;

	if (access(KMEMLEAK, F_OK))
		SKIP(return, "no %s (kernel without CONFIG_DEBUG_KMEMLEAK)",
		     KMEMLEAK);
	/* objects freed from RCU callbacks and workers need a moment */
	for (i = 0; i < 2; i++) {
		sleep(2);
		ASSERT_EQ(0, file_write(KMEMLEAK, "scan"));
	}
	ASSERT_EQ(0, file_read(KMEMLEAK, buf, sizeof(buf)));
	if (buf[0])
		fprintf(stderr, "# kmemleak after the walks:\n%s", buf);
	EXPECT_EQ(0, buf[0]) TH_LOG("kmemleak reports unreferenced objects");
}

TEST_HARNESS_MAIN
