// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_worker.c - one sushi-fuzz worker process and its threads.  Each
 * thread has its own PRNG (seeded from the run's seed, the process and the
 * thread), its own files (a golden one, a stable one, one it closes and
 * reopens with work in flight) plus a file shared by every thread of the
 * process, and pools of the objects it made (BOs, programs, syncobjs, pin
 * sets, jobs, dma-buf and syncobj descriptors).  A call is built valid from
 * live objects ("baseline"), then with opt.mutate_pct percent probability
 * one field of it (or of one array element, or the ioctl number) is
 * replaced by a hostile value.  Every errno is judged against the ones
 * documented for the call; a baseline call must succeed (or report
 * exhaustion: -ENOMEM, -ENOSPC of the shared PB).  Around the ioctls: CPU
 * mappings made, written and unmapped with work in flight, handles closed
 * while mapped, dup()ed descriptors, files closed with work in flight,
 * children forked on the inherited descriptors (killed, or exiting with
 * work in flight), and a golden network whose output must stay right.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/dma-heap.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>

#include "fuzz.h"

#define F_GOLDEN	0	/* the golden network only */
#define F_STABLE	1	/* open for the whole run */
#define F_CHURN		2	/* closed and reopened with work in flight */
#define F_SHARED	3	/* shared by every thread of the process */
#define N_FILES		4

#define MAX_BOS		32
#define MAX_PROGS	16
#define MAX_SYNCS	16
#define MAX_PINS	6
#define MAX_JOBS	32
#define MAX_XFDS	10
#define MAX_ORPHANS	6
#define MAX_KIDS	2
#define MAX_LAYERS	4
/*
 * Pool BOs: up to 256 KiB, so that contiguous pages give scatter-gather
 * segments over the PCI default 64 KiB (finding F5, fixed).
 */
#define BO_MAX		(256 * 1024)
#define SCRATCH		(64 * 1024)
#define OUT_SIZE	(64 * 1024)
#define WAIT_MS		20000		/* a baseline wait's deadline */


struct wfile {
	int fd;			/* -1: closed */
	int dup;		/* dup() of fd, or -1 */
	bool shared;		/* other threads use it too */
	bool foreign;		/* holds objects this thread does not know */
	__u64 last_job;		/* the highest job id this thread got on it */
};

struct wbo {
	int fi;
	__u32 h;
	__u64 size;
	__u32 flags;
	unsigned char *map;
	bool shared;		/* exported or imported: others may pin it */
};

struct wprog {
	int fi;
	__u32 h;
};

struct wsync {
	int fi;
	__u32 h;
	bool fenced;
};

struct wrange {
	__u32 h;
	__u64 off, span;
};

struct wpin {
	int fi;
	__u32 h;
	int n;
	struct wrange r[2];
};

struct wjob {
	int fi;
	__u64 id;
	__u64 at;		/* st->calls when it was queued */
	__u64 t_ns;		/* when it was queued */
	char what[48];		/* what queued it */
};

enum { XFD_DMABUF, XFD_HEAP, XFD_SYNCOBJ, XFD_SYNCFILE };

struct wxfd {
	int fd;
	int kind;
	__u64 size;		/* dma-bufs */
};

struct wmap {
	unsigned char *p;
	__u64 size;
};

struct w {
	unsigned int p, t;
	struct rng r;
	struct fz_stat *st;
	bool root;
	bool child;
	struct drm_sushi_caps caps;
	struct wfile f[N_FILES];
	struct wbo bo[MAX_BOS];
	int nbo;
	struct wprog prog[MAX_PROGS];
	int nprog;
	struct wsync sync[MAX_SYNCS];
	int nsync;
	struct wpin pin[MAX_PINS];
	int npin;
	struct wjob job[MAX_JOBS];
	int njob;
	struct wxfd xfd[MAX_XFDS];
	int nxfd;
	struct wmap orphan[MAX_ORPHANS];
	int norphan;
	pid_t kid[MAX_KIDS];
	bool kid_killed[MAX_KIDS];
	int nkid;
	struct tnet golden;
	bool have_golden, golden_pinned;
	__u32 golden_pins;
	unsigned char *guard;	/* a RW page followed by a PROT_NONE page */
	unsigned char *ro;	/* a read-only page */
	unsigned char *gone;	/* an unmapped address */
	/*
	 * Output arrays go here, never into memory the fuzzer uses: a
	 * hostile element size makes the kernel zero-fill up to 4 GiB from
	 * the pointer, and a PROT_NONE page after OUT_SIZE stops it.
	 */
	unsigned char *out;
	/*
	 * Handle arrays go here: whatever a hostile count reads past the
	 * real handles is ~0 (no such handle) up to a PROT_NONE page, never
	 * stack garbage that may name another thread's syncobj.
	 */
	__u32 *hbuf;
	int null_fd;		/* /dev/null: a descriptor of the wrong kind */
	unsigned char scratch[SCRATCH] __attribute__((aligned(64)));
	unsigned char scratch2[SCRATCH] __attribute__((aligned(64)));
	/* the call being built */
	char desc[112];
	char mut[64];
	bool mutated;
	bool cmd_mutated;
	unsigned int cmd_size;	/* the real struct size behind a mutated cmd */
	unsigned char bounce[1024];
	int reports;
	unsigned int kinds_seen;
};

static int shared_fd = -1, shared_dup = -1;
static uint64_t shared_gen;	/* shm->unbinds when shared_fd was opened */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------ utilities */

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void out_line(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* One line to stdout with one write() (children of threads use it too). */
static void out_line(const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(b) - 2)
		n = sizeof(b) - 2;
	b[n++] = '\n';
	if (write(1, b, n) < 0)
		return;
}

static void desc(struct w *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void desc(struct w *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->desc, sizeof(w->desc), fmt, ap);
	va_end(ap);
}

static void note_mut(struct w *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note_mut(struct w *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->mut, sizeof(w->mut), fmt, ap);
	va_end(ap);
	w->mutated = true;
}

static const char *errname(int e)
{
	static const char *const n[FZ_MAX_ERRNO] = {
		[0] = "0", [EPERM] = "EPERM", [ENOENT] = "ENOENT",
		[EINTR] = "EINTR", [EIO] = "EIO", [E2BIG] = "E2BIG",
		[EBADF] = "EBADF", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST", [ENODEV] = "ENODEV", [EINVAL] = "EINVAL",
		[ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
		[ENOSPC] = "ENOSPC", [ERANGE] = "ERANGE", [ENOSYS] = "ENOSYS",
		[ETIME] = "ETIME", [EOVERFLOW] = "EOVERFLOW",
		[EOPNOTSUPP] = "EOPNOTSUPP", [ETIMEDOUT] = "ETIMEDOUT",
		[ECANCELED] = "ECANCELED", [ESTALE] = "ESTALE",
		[ENXIO] = "ENXIO",
	};

	if (e >= 0 && e < FZ_MAX_ERRNO && n[e])
		return n[e];
	return "E?";
}

/* ------------------------------------------------- documented errnos */

static bool in_list(int e, const int *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == e)
			return true;
	return false;
}

#define IN(...) in_list(e, (const int[]){ __VA_ARGS__ }, \
			sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

/*
 * The errnos uapi/drm/sushi_accel.h and Documentation/uapi/sushi_accel.rst
 * give each driver ioctl, and the DRM core's for the core ioctls the driver
 * allows (drivers/gpu/drm/drm_syncobj.c, drm_prime.c, drm_gem.c,
 * drm_ioctl.c of 6.12).  ENOMEM (any allocation) and, with --unbind,
 * ENODEV are allowed everywhere.
 */
static bool documented(const struct w *w, enum fz_call c, int e)
{
	if (e == ENOMEM || (opt.unbind && e == ENODEV))
		return true;
	if (w->cmd_mutated && IN(EFAULT, EINVAL, ENOTTY))
		return true;
	switch (c) {
	case FZ_QUERY:		/* EACCES/EPERM: counters without CAP_PERFMON */
		return IN(EINVAL, EFAULT, EACCES, EPERM);
	case FZ_BO_CREATE:
		return IN(EINVAL);
	case FZ_BO_MMAP_OFFSET:
		return IN(EINVAL, ENOENT);
	case FZ_BO_WAIT:
		return IN(EINVAL, ENOENT, ETIME);
	case FZ_PROGRAM_CREATE:
		return IN(EINVAL, E2BIG, ENOENT, EOVERFLOW, ERANGE, EACCES,
			  EFAULT, ENOSPC);
	case FZ_PROGRAM_DESTROY:
	case FZ_PB_UNPIN:
		return IN(EINVAL, ENOENT);
	case FZ_LAUNCH:
		return IN(EINVAL, ENOENT, EFAULT);
	case FZ_JOB_WAIT:
		return IN(EINVAL, ENOENT, ETIME, EFAULT, E2BIG);
	case FZ_PB_PIN:
		return IN(EINVAL, E2BIG, ENOENT, EOVERFLOW, ERANGE, EEXIST,
			  ENOSPC, EFAULT);
	case FZ_PB_QUERY:
		return IN(EINVAL, EFAULT, E2BIG);
	case FZ_RESET:
		return IN(EACCES, EINVAL);
	case FZ_DRV_UNKNOWN:
		return IN(EINVAL, ENOTTY);
	case FZ_VERSION:
		return IN(EFAULT);
	case FZ_GET_CAP:
		return IN(EINVAL, EOPNOTSUPP);
	case FZ_GEM_CLOSE:
		return IN(EINVAL);
	case FZ_PRIME_TO_FD:
		return IN(EINVAL, ENOENT, EMFILE);
	case FZ_PRIME_FROM_FD:
		return IN(EBADF, EINVAL, ENOENT);
	case FZ_SYNCOBJ_CREATE:
	case FZ_SYNCOBJ_DESTROY:
		return IN(EINVAL);
	case FZ_SYNCOBJ_TO_FD:
		return IN(EINVAL, ENOENT, EMFILE);
	case FZ_SYNCOBJ_FROM_FD:
		return IN(EINVAL, ENOENT);
	case FZ_SYNCOBJ_WAIT:
		return IN(EINVAL, ENOENT, ETIME, EFAULT);
	case FZ_SYNCOBJ_RESET:
	case FZ_SYNCOBJ_SIGNAL:
		return IN(EINVAL, ENOENT, EFAULT);
	case FZ_SYNCOBJ_TIMELINE:
		return IN(EOPNOTSUPP, EINVAL);
	case FZ_CORE_OTHER:	/* judged by the caller */
		return true;
	case FZ_MMAP:		/* mmap(2) */
		return IN(EINVAL, EACCES, EPERM, ENODEV, EOVERFLOW);
	default:
		return false;
	}
}

/* A baseline call may fail only for shared resources running out. */
static bool exhausted(enum fz_call c, int e)
{
	if (e == ENOMEM || e == EMFILE || e == ENFILE ||
	    (opt.unbind && e == ENODEV))
		return true;
	/* the PB and the device address space are shared by everybody */
	return e == ENOSPC && (c == FZ_PB_PIN || c == FZ_PROGRAM_CREATE);
}

/* --------------------------------------------------------- reporting */

static void ring_add(struct w *w, const char *s)
{
	uint32_t pos = __atomic_fetch_add(&w->st->ring_pos, 1,
					  __ATOMIC_RELAXED);

	snprintf(w->st->ring[pos % FZ_RING], FZ_LINE, "%s", s);
}

enum { AN_UNDOC, AN_BASELINE, AN_RESULT, AN_GOLDEN, AN_CHILD };

static void anomaly(struct w *w, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void anomaly(struct w *w, int kind, const char *fmt, ...)
{
	static const char *const what[] = {
		"undocumented errno", "valid baseline call failed",
		"wrong result", "golden network", "child process",
	};
	char why[400];
	uint32_t i, pos;
	bool first;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&w->st->anomalies, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&w->st->an[kind], 1, __ATOMIC_RELAXED);
	w->reports++;
	if (w->reports > 20)
		return;
	first = !(w->kinds_seen & (1u << kind));
	w->kinds_seen |= 1u << kind;
	out_line("# ANOMALY worker %u.%u%s call %llu: %s: %s", w->p, w->t,
		 w->child ? " (forked child)" : "",
		 (unsigned long long)w->st->calls, what[kind], why);
	out_line("#   call: %s", w->st->current);
	if (!first)
		return;
	out_line("#   recent calls of worker %u.%u, oldest first:", w->p, w->t);
	pos = __atomic_load_n(&w->st->ring_pos, __ATOMIC_RELAXED);
	for (i = pos > 16 ? pos - 16 : 0; i < pos; i++)
		out_line("#     %s", w->st->ring[i % FZ_RING]);
}

static void begin(struct w *w, enum fz_call c)
{
	w->desc[0] = 0;
	w->mut[0] = 0;
	w->mutated = false;
	w->cmd_mutated = false;
	w->st->per_call[c]++;
	w->st->heartbeat_ns = fz_now_ns();
	(void)c;
}

/*
 * Record and issue one call; judge its errno.  @base: built only from
 * this thread's live objects, unmutated: it must succeed.
 */
static int issue(struct w *w, enum fz_call c, int fd, unsigned long cmd,
		 void *arg, bool base)
{
	char line[FZ_LINE];
	int ret, e, raw, cur_fi = -1, i;

	base = base && !w->mutated;
	for (i = 0; i < N_FILES; i++)
		if (fd >= 0 && (w->f[i].fd == fd || w->f[i].dup == fd))
			cur_fi = i;
	snprintf(line, sizeof(line), "#%llu %s %s%s%s",
		 (unsigned long long)w->st->calls, fz_call_name[c], w->desc,
		 w->mutated ? " MUT " : "", w->mut);
	snprintf(w->st->current, FZ_LINE, "%s", line);
	w->st->heartbeat_ns = fz_now_ns();
	errno = 0;
	if (w->cmd_mutated) {
		/* the kernel copies as many bytes as the number says */
		memset(w->bounce, 0, sizeof(w->bounce));
		memcpy(w->bounce, arg, w->cmd_size);
		raw = ioctl(fd, cmd, w->bounce);
		i = errno;
		memcpy(arg, w->bounce, w->cmd_size);
		errno = i;
	} else {
		raw = ioctl(fd, cmd, arg);
	}
	ret = raw < 0 ? -errno : 0;
	w->st->heartbeat_ns = fz_now_ns();
	e = -ret;
	snprintf(line + strlen(line), sizeof(line) - strlen(line), " = %s",
		 errname(e));
	ring_add(w, line);
	if (opt.verbose)
		out_line("# %u.%u %s", w->p, w->t, line);
	w->st->calls++;
	if (w->mutated)
		w->st->mutated++;
	if (base)
		w->st->baseline++;
	if (e >= 0 && e < FZ_MAX_ERRNO)
		w->st->errnos[c][e]++;
	/* what a call through another ioctl number made is unknown */
	if (!ret && w->cmd_mutated && cur_fi >= 0)
		w->f[cur_fi].foreign = true;
	/* every ioctl here returns 0 or -1 with errno */
	if (raw > 0)
		anomaly(w, AN_RESULT, "%s returned %d (errno %d)",
			fz_call_name[c], raw, errno);
	if (!ret)
		return 0;
	if (!documented(w, c, e))
		anomaly(w, AN_UNDOC, "%s returned %s (%d), not documented for it",
			fz_call_name[c], errname(e), e);
	else if (base && !exhausted(c, e))
		anomaly(w, AN_BASELINE, "%s returned %s", fz_call_name[c],
			errname(e));
	else if (base)
		w->st->exhausted++;
	return ret;
}

/* -------------------------------------------------------- mutations */

enum kind {
	K_FLAGS, K_MBZ, K_SIZE, K_COUNT, K_ELEM, K_HANDLE, K_PTR_IN,
	K_PTR_OUT, K_OFFSET, K_TIMEOUT, K_JOBID, K_ENUM, K_FD, K_S32, K_OUT,
};

struct fld {
	const char *name;
	unsigned short off, size;
	unsigned char kind;
};

#define FLD(s, m, k) { #m, offsetof(struct s, m), \
			sizeof(((struct s *)0)->m), k }

static __u64 get_field(const void *base, const struct fld *f)
{
	const unsigned char *p = (const unsigned char *)base + f->off;
	__u64 v = 0;

	memcpy(&v, p, f->size);
	return v;
}

static void set_field(void *base, const struct fld *f, __u64 v)
{
	memcpy((unsigned char *)base + f->off, &v, f->size);
}

static const __u64 kernel_ptrs[] = {
	0xffff888000000000ull, 0xffffffff81000000ull, 0xffffffffffffff00ull,
	0xffffc90000000000ull, 0x8000000000000000ull, 0x0000800000000000ull,
	0x00007ffffffff000ull,
};

/* A hostile value for a field of kind @k holding @cur. */
static __u64 bad_value(struct w *w, int k, int size, __u64 cur)
{
	struct rng *r = &w->r;
	__u64 max = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	__u64 v;

	switch (k) {
	case K_FLAGS:
		switch (rng_below(r, 4)) {
		case 0:
			v = cur | 1ull << rng_below(r, 8 * size);
			break;
		case 1:
			v = max;
			break;
		case 2:
			v = 1ull << (8 * size - 1);
			break;
		default:
			v = rng_next(r);
		}
		break;
	case K_MBZ:
	case K_OUT:
		v = rng_pct(r, 50) ? 1 + rng_below(r, 255) : rng_next(r);
		break;
	case K_TIMEOUT:
		switch (rng_below(r, 5)) {
		case 0:
			v = 0;
			break;
		case 1:
			v = (__u64)-1;
			break;
		case 2:
			v = 1ull << 63;
			break;
		case 3:
			v = sushi_deadline_ms(-1000);
			break;
		default:
			v = sushi_deadline_ms(rng_below(r, 200));
		}
		break;
	case K_FD:
		switch (rng_below(r, 6)) {
		case 0:
			v = (__u64)-1;
			break;
		case 1:
			v = w->null_fd;
			break;
		case 2:
			v = w->f[F_STABLE].fd;
			break;
		case 3:
			v = 4000 + rng_below(r, 1000);
			break;
		case 4:
			v = w->nxfd ? w->xfd[rng_below(r, w->nxfd)].fd : 1;
			break;
		default:
			v = 0x80000000u | rng_next(r);
		}
		break;
	case K_S32:
		switch (rng_below(r, 5)) {
		case 0:
			v = 128;
			break;
		case 1:
			v = (__u32)-129;
			break;
		case 2:
			v = 0x80000000u;
			break;
		case 3:
			v = 0x7fffffffu;
			break;
		default:
			v = rng_next(r);
		}
		break;
	case K_ELEM:
		switch (rng_below(r, 8)) {
		case 0:
			v = 0;
			break;
		case 1:
			v = cur - 1;
			break;
		case 2:
			v = cur + 1;
			break;
		case 3:
			v = cur + 8;
			break;
		case 4:
			v = cur * 2;
			break;
		case 5:
			v = 4096;
			break;
		case 6:
			v = cur / 2;
			break;
		default:
			v = max;
		}
		break;
	default:	/* sizes, counts, offsets, ids, enums, dims */
		switch (rng_below(r, 12)) {
		case 0:
			v = 0;
			break;
		case 1:
			v = 1;
			break;
		case 2:
			v = cur - 1;
			break;
		case 3:
			v = cur + 1;
			break;
		case 4:
			v = cur * 2 + 1;
			break;
		case 5:
			v = max;
			break;
		case 6:
			v = max / 2 + 1;
			break;
		case 7:
			v = 1ull << rng_below(r, 8 * size);
			break;
		case 8:
			v = cur + 4096;
			break;
		case 9:
			v = max - rng_below(r, 4096);
			break;
		case 10:
			v = cur + rng_below(r, 64);
			break;
		default:
			v = rng_next(r);
		}
	}
	return v & max;
}

/* Write @len bytes of @src where a hostile pointer says; return it. */
static __u64 bad_pointer(struct w *w, const void *src, size_t len, bool out)
{
	static const unsigned char zeros[4096];
	struct rng *r = &w->r;
	unsigned char *d;
	size_t fit;
	int i;

	if (!src || len > SCRATCH - 16) {
		src = zeros;
		if (len > sizeof(zeros))
			len = sizeof(zeros);
	}
	switch (rng_below(r, 12)) {
	case 0:
		note_mut(w, "ptr=NULL");
		return 0;
	case 1:
		note_mut(w, "ptr=small");
		return 1 + rng_below(r, 4095);
	case 2:
		note_mut(w, "ptr=PROT_NONE page");
		return (uintptr_t)w->guard + 4096 + rng_below(r, 64);
	case 3:	/* the array runs into the PROT_NONE page */
		fit = len > 1 ? rng_range(r, 1, len - 1) : 0;
		d = w->guard + 4096 - fit;
		memcpy(d, src, fit);
		note_mut(w, "ptr=%zu of %zu bytes before a PROT_NONE page",
			 fit, len);
		return (uintptr_t)d;
	case 4:
		note_mut(w, "ptr=unmapped");
		return (uintptr_t)w->gone + rng_below(r, 4096);
	case 5:
		i = rng_below(r, NELEM(kernel_ptrs));
		note_mut(w, "ptr=%#llx", (unsigned long long)kernel_ptrs[i]);
		return kernel_ptrs[i];
	case 6:	/* unaligned */
		if (len + 7 <= SCRATCH) {
			i = 1 + rng_below(r, 7);
			memcpy(w->scratch2 + i, src, len);
			note_mut(w, "ptr=unaligned +%d", i);
			return (uintptr_t)(w->scratch2 + i);
		}
		note_mut(w, "ptr=NULL");
		return 0;
	case 7:	/* read-only memory holding the data */
		if (len <= 4096) {
			mprotect(w->ro, 4096, PROT_READ | PROT_WRITE);
			memcpy(w->ro, src, len);
			mprotect(w->ro, 4096, PROT_READ);
			note_mut(w, "ptr=read-only page%s", out ? " (out)" : "");
			return (uintptr_t)w->ro;
		}
		note_mut(w, "ptr=NULL");
		return 0;
	case 8:	/* a BO's CPU mapping holding the data */
		for (i = 0; i < w->nbo; i++) {
			if (w->bo[i].map && w->bo[i].size >= len) {
				memcpy(w->bo[i].map, src, len);
				note_mut(w, "ptr=BO mapping");
				return (uintptr_t)w->bo[i].map;
			}
		}
		note_mut(w, "ptr=PROT_NONE page");
		return (uintptr_t)w->guard + 4096;
	case 9:
		note_mut(w, "ptr=~0");
		return ~0ull - rng_below(r, 64);
	case 10:	/* the top of the user address space */
		note_mut(w, "ptr=TASK_SIZE-8");
		return 0x00007ffffffff000ull - 8;
	default:	/* the array a few bytes off */
		i = 1 + rng_below(r, 16);
		if (len + i <= SCRATCH) {
			/*
			 * What the kernel reads past the array must not be
			 * old data: small numbers there would name other
			 * threads' objects (a handle array of SYNCOBJ_RESET).
			 */
			memset(w->scratch2, 0xff, len + i);
			memcpy(w->scratch2, src, len);
			note_mut(w, "ptr=array-%d", i);
			return (uintptr_t)w->scratch2 + i;
		}
		note_mut(w, "ptr=NULL");
		return 0;
	}
}

/* @n handles in w->hbuf, followed by ~0 (see struct w). */
static __u32 *handles_at(struct w *w, const __u32 *h, int n)
{
	memset(w->hbuf, 0xff, 64 * sizeof(*h));
	memcpy(w->hbuf, h, n * sizeof(*h));
	return w->hbuf;
}

/* ------------------------------------------------------------ pools */

static int fd_of(struct w *w, int fi)
{
	struct wfile *f = &w->f[fi];

	if (f->dup >= 0 && rng_pct(&w->r, 30))
		return f->dup;
	return f->fd;
}

/* May this thread name arbitrary handles of @fi in calls that destroy? */
static bool file_private(struct w *w, int fi)
{
	return !w->f[fi].shared && !w->nkid && !w->child;
}

static int pick_fi(struct w *w)
{
	int fi;

	do {
		switch (rng_below(&w->r, 10)) {
		case 0:
		case 1:
		case 2:
		case 3:
			fi = F_STABLE;
			break;
		case 4:
		case 5:
			fi = F_CHURN;
			break;
		default:
			fi = F_SHARED;
		}
	} while (w->f[fi].fd < 0);
	return fi;
}

static int count_fi(struct w *w, int kind, int fi)
{
	int i, n = 0;

	switch (kind) {
	case 0:
		for (i = 0; i < w->nbo; i++)
			n += w->bo[i].fi == fi;
		break;
	case 1:
		for (i = 0; i < w->nprog; i++)
			n += w->prog[i].fi == fi;
		break;
	case 2:
		for (i = 0; i < w->nsync; i++)
			n += w->sync[i].fi == fi;
		break;
	default:
		for (i = 0; i < w->npin; i++)
			n += w->pin[i].fi == fi;
	}
	return n;
}

/* Index of a random pool entry on @fi (-1 if none), by pool kind. */
static int pick_obj(struct w *w, int kind, int fi)
{
	int n = count_fi(w, kind, fi), k, i;

	if (!n)
		return -1;
	k = rng_below(&w->r, n);
	switch (kind) {
	case 0:
		for (i = 0; i < w->nbo; i++)
			if (w->bo[i].fi == fi && !k--)
				return i;
		break;
	case 1:
		for (i = 0; i < w->nprog; i++)
			if (w->prog[i].fi == fi && !k--)
				return i;
		break;
	case 2:
		for (i = 0; i < w->nsync; i++)
			if (w->sync[i].fi == fi && !k--)
				return i;
		break;
	default:
		for (i = 0; i < w->npin; i++)
			if (w->pin[i].fi == fi && !k--)
				return i;
	}
	return -1;
}

static void orphan_map(struct w *w, unsigned char *p, __u64 size)
{
	if (!p)
		return;
	if (w->norphan == MAX_ORPHANS) {
		munmap(w->orphan[0].p, w->orphan[0].size);
		memmove(w->orphan, w->orphan + 1,
			sizeof(w->orphan[0]) * (MAX_ORPHANS - 1));
		w->norphan--;
	}
	w->orphan[w->norphan].p = p;
	w->orphan[w->norphan].size = size;
	w->norphan++;
}

static void drop_bo(struct w *w, int i)
{
	orphan_map(w, w->bo[i].map, w->bo[i].size);
	w->bo[i] = w->bo[--w->nbo];
}

static void drop_prog(struct w *w, int i)
{
	w->prog[i] = w->prog[--w->nprog];
}

static void drop_sync(struct w *w, int i)
{
	w->sync[i] = w->sync[--w->nsync];
}

static void drop_pin(struct w *w, int i)
{
	w->pin[i] = w->pin[--w->npin];
}

static void drop_xfd(struct w *w, int i)
{
	close(w->xfd[i].fd);
	w->xfd[i] = w->xfd[--w->nxfd];
}

static void add_xfd(struct w *w, int fd, int kind, __u64 size)
{
	if (fd < 0)
		return;
	if (w->nxfd == MAX_XFDS)
		drop_xfd(w, rng_below(&w->r, MAX_XFDS));
	w->xfd[w->nxfd].fd = fd;
	w->xfd[w->nxfd].kind = kind;
	w->xfd[w->nxfd].size = size;
	w->nxfd++;
}

static int find_handle(struct w *w, int kind, int fi, __u32 h)
{
	int i;

	switch (kind) {
	case 0:
		for (i = 0; i < w->nbo; i++)
			if (w->bo[i].fi == fi && w->bo[i].h == h)
				return i;
		break;
	case 1:
		for (i = 0; i < w->nprog; i++)
			if (w->prog[i].fi == fi && w->prog[i].h == h)
				return i;
		break;
	case 2:
		for (i = 0; i < w->nsync; i++)
			if (w->sync[i].fi == fi && w->sync[i].h == h)
				return i;
		break;
	default:
		for (i = 0; i < w->npin; i++)
			if (w->pin[i].fi == fi && w->pin[i].h == h)
				return i;
	}
	return -1;
}

static __u32 handle_at(struct w *w, int kind, int i)
{
	switch (kind) {
	case 0:
		return w->bo[i].h;
	case 1:
		return w->prog[i].h;
	case 2:
		return w->sync[i].h;
	default:
		return w->pin[i].h;
	}
}

/* A hostile handle for a field naming an object of @kind on @fi. */
static __u32 bad_handle_raw(struct w *w, int kind, int fi, __u32 cur,
			    bool destroys)
{
	struct rng *r = &w->r;
	int i, k, other = (fi == F_STABLE) ? F_SHARED : F_STABLE;

	switch (rng_below(r, destroys && !file_private(w, fi) ? 3 : 8)) {
	case 0:
		note_mut(w, "handle=0");
		return 0;
	case 1:
		note_mut(w, "handle=~0");
		return ~0u;
	case 2:
		note_mut(w, "handle=high");
		return 0x40000000u | (__u32)rng_next(r);
	case 3:
		note_mut(w, "handle=cur+1");
		return cur + 1;
	case 4:
		note_mut(w, "handle=small");
		return 1 + rng_below(r, 64);
	case 5:	/* an object of another kind */
		k = (kind + 1 + rng_below(r, 3)) % 4;
		i = pick_obj(w, k, fi);
		note_mut(w, "handle=other kind");
		return i < 0 ? cur ^ 1 : handle_at(w, k, i);
	case 6:	/* the same kind on another file */
		i = pick_obj(w, kind, other);
		note_mut(w, "handle=other file's");
		return i < 0 ? cur + 2 : handle_at(w, kind, i);
	default:
		note_mut(w, "handle=cur-1");
		return cur - 1;
	}
}

static __u32 bad_handle(struct w *w, int kind, int fi, __u32 cur,
			bool destroys)
{
	return bad_handle_raw(w, kind, fi, cur, destroys);
}

/*
 * With opt.mutate_pct percent probability replace one field of @arg (a
 * struct described by @f) by a hostile value; pointers and handles get
 * their own kinds.  @ptr_len: bytes the pointer fields point to.
 * Returns the index of the field mutated, or -1.
 */
static int mutate(struct w *w, void *arg, const struct fld *f, int n,
		  int fi, const int *handle_kind, size_t ptr_len, bool destroys)
{
	int i;
	__u64 cur, v;

	i = rng_below(&w->r, n);
	cur = get_field(arg, &f[i]);
	switch (f[i].kind) {
	case K_PTR_IN:
	case K_PTR_OUT:
		v = bad_pointer(w, (const void *)(uintptr_t)cur, ptr_len,
				f[i].kind == K_PTR_OUT);
		set_field(arg, &f[i], v);
		return i;
	case K_HANDLE:
		v = bad_handle(w, handle_kind ? handle_kind[i] : 0, fi,
			       (__u32)cur, destroys);
		set_field(arg, &f[i], v);
		return i;
	default:
		v = bad_value(w, f[i].kind, f[i].size, cur);
		if (v == cur)
			v ^= 1;
		set_field(arg, &f[i], v);
		note_mut(w, "%s=%#llx", f[i].name, (unsigned long long)v);
		return i;
	}
}

static bool mutating(struct w *w)
{
	return rng_pct(&w->r, opt.mutate_pct);
}

/* Sometimes call a driver ioctl through a different ioctl number. */
static unsigned long mutate_cmd(struct w *w, unsigned long cmd)
{
	struct rng *r = &w->r;
	unsigned long nr = _IOC_NR(cmd), size = _IOC_SIZE(cmd);
	unsigned long dir = _IOC_DIR(cmd), type = _IOC_TYPE(cmd);

	if (!rng_pct(r, 4))
		return cmd;
	switch (rng_below(r, 4)) {
	case 0:
		size = rng_pct(r, 50) ? size / 2 : size + 8 * (1 + rng_below(r, 8));
		break;
	case 1:
		dir = rng_below(r, 4);
		break;
	case 2:
		type = 'A' + rng_below(r, 26);
		break;
	default:
		size = 0;
	}
	w->cmd_mutated = true;
	w->cmd_size = _IOC_SIZE(cmd);
	note_mut(w, "cmd dir %lu type %#lx size %lu", dir, type, size);
	return _IOC(dir, type, nr, size);
}

/* ------------------------------------------------------------ files */

static int open_node(void)
{
	return open(shm->node, O_RDWR | O_CLOEXEC);
}

static void purge_file(struct w *w, int fi)
{
	int i;

	for (i = w->nbo - 1; i >= 0; i--)
		if (w->bo[i].fi == fi)
			drop_bo(w, i);	/* the mappings stay valid */
	for (i = w->nprog - 1; i >= 0; i--)
		if (w->prog[i].fi == fi)
			drop_prog(w, i);
	for (i = w->nsync - 1; i >= 0; i--)
		if (w->sync[i].fi == fi)
			drop_sync(w, i);
	for (i = w->npin - 1; i >= 0; i--)
		if (w->pin[i].fi == fi)
			drop_pin(w, i);
	for (i = w->njob - 1; i >= 0; i--)
		if (w->job[i].fi == fi)
			w->job[i] = w->job[--w->njob];
	w->f[fi].last_job = 0;
}

static void close_file(struct w *w, int fi)
{
	struct wfile *f = &w->f[fi];

	if (f->dup >= 0)
		close(f->dup);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->dup = -1;
	purge_file(w, fi);
}

static int reopen_file(struct w *w, int fi)
{
	w->f[fi].fd = open_node();
	w->f[fi].dup = -1;
	w->f[fi].foreign = false;
	return w->f[fi].fd < 0 ? -errno : 0;
}

/* ---------------------------------------------------------- the calls */

/* QUERY */
static const struct fld query_f[] = {
	FLD(drm_sushi_query, type, K_ENUM),
	FLD(drm_sushi_query, size, K_SIZE),
	FLD(drm_sushi_query, pointer, K_PTR_OUT),
	FLD(drm_sushi_query, flags, K_FLAGS),
	FLD(drm_sushi_query, pad, K_MBZ),
};

static void c_query(struct w *w)
{
	struct drm_sushi_query q = { 0 };
	int fi = pick_fi(w), ret;
	size_t info, asked;

	q.type = rng_pct(&w->r, 50) ? DRM_SUSHI_QUERY_CAPS :
				      DRM_SUSHI_QUERY_COUNTERS;
	info = q.type ? sizeof(struct drm_sushi_counters) :
			sizeof(struct drm_sushi_caps);
	if (rng_pct(&w->r, 85)) {
		q.size = rng_pct(&w->r, 50) ? info :
			 rng_range(&w->r, 1, DRM_SUSHI_QUERY_MAX_SIZE);
		q.pointer = (uintptr_t)w->out;
	}
	asked = q.pointer ? q.size : 0;
	desc(w, "fd%d type %u size %u", fi, q.type, q.size);
	if (mutating(w))
		mutate(w, &q, query_f, NELEM(query_f), fi, NULL, q.size, false);
	/* the counters need CAP_PERFMON: EACCES for nobody */
	ret = issue(w, FZ_QUERY, fd_of(w, fi), mutate_cmd(w, DRM_IOCTL_SUSHI_QUERY),
		    &q, !q.type || w->root);
	if (ret || w->mutated)
		return;
	if (q.size != info)
		anomaly(w, AN_RESULT, "QUERY type %u: size %u, want %zu",
			q.type, q.size, info);
	else if (!q.type && memcmp(w->out, &w->caps,
				   asked < info ? asked : info))
		anomaly(w, AN_RESULT, "QUERY caps changed");
}

/* BO_CREATE */
static const struct fld bo_create_f[] = {
	FLD(drm_sushi_bo_create, size, K_SIZE),
	FLD(drm_sushi_bo_create, flags, K_FLAGS),
	FLD(drm_sushi_bo_create, handle, K_OUT),
};

static int gem_close(struct w *w, int fi, __u32 h, bool base)
{
	struct drm_gem_close g = { .handle = h };

	begin(w, FZ_GEM_CLOSE);
	desc(w, "fd%d h %u", fi, h);
	return issue(w, FZ_GEM_CLOSE, fd_of(w, fi), DRM_IOCTL_GEM_CLOSE, &g,
		     base);
}

/* Create a BO of @size on @fi into the pool; its index or -1. */
static int new_bo(struct w *w, int fi, __u64 size, __u32 flags)
{
	struct drm_sushi_bo_create b = { .size = size, .flags = flags };
	int i;

	if (w->nbo == MAX_BOS) {
		i = rng_below(&w->r, MAX_BOS);
		if (gem_close(w, w->bo[i].fi, w->bo[i].h, true) == 0)
			drop_bo(w, i);
		else
			return -1;
	}
	begin(w, FZ_BO_CREATE);
	desc(w, "fd%d size %llu flags %u", fi, (unsigned long long)size,
	     flags);
	if (issue(w, FZ_BO_CREATE, fd_of(w, fi), DRM_IOCTL_SUSHI_BO_CREATE,
		  &b, true))
		return -1;
	if (b.size != ((size + 4095) & ~4095ull) || !b.handle)
		anomaly(w, AN_RESULT, "BO_CREATE size %llu -> %llu handle %u",
			(unsigned long long)size, (unsigned long long)b.size,
			b.handle);
	i = w->nbo++;
	memset(&w->bo[i], 0, sizeof(w->bo[i]));
	w->bo[i].fi = fi;
	w->bo[i].h = b.handle;
	w->bo[i].size = b.size;
	w->bo[i].flags = flags;
	return i;
}

static void c_bo_create(struct w *w)
{
	struct drm_sushi_bo_create b = { 0 };
	int fi = pick_fi(w), ret;

	if (!rng_pct(&w->r, opt.mutate_pct)) {
		new_bo(w, fi, rng_range(&w->r, 1, BO_MAX),
		       rng_pct(&w->r, 40) ? DRM_SUSHI_BO_DEVICE_READ_ONLY : 0);
		return;
	}
	b.size = rng_range(&w->r, 1, BO_MAX);
	b.flags = rng_pct(&w->r, 40) ? DRM_SUSHI_BO_DEVICE_READ_ONLY : 0;
	desc(w, "fd%d size %llu flags %u", fi, (unsigned long long)b.size,
	     b.flags);
	mutate(w, &b, bo_create_f, NELEM(bo_create_f), fi, NULL, 0, false);
	ret = issue(w, FZ_BO_CREATE, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_BO_CREATE), &b, false);
	/*
	 * A mutated size that was valid: do not keep a huge BO around.
	 * Through another ioctl size the handle may not have been copied
	 * out (b.handle is then whatever went in: maybe a live BO's).
	 */
	if (!ret && b.handle && !w->cmd_mutated)
		gem_close(w, fi, b.handle, false);
	else if (!ret && w->cmd_mutated)
		w->f[fi].foreign = true;
}

/* BO_MMAP_OFFSET, mmap */
static const struct fld mmap_offset_f[] = {
	FLD(drm_sushi_bo_mmap_offset, handle, K_HANDLE),
	FLD(drm_sushi_bo_mmap_offset, flags, K_FLAGS),
	FLD(drm_sushi_bo_mmap_offset, offset, K_OUT),
};

static int mmap_offset(struct w *w, int i, __u64 *off)
{
	struct drm_sushi_bo_mmap_offset m = { .handle = w->bo[i].h };
	int fi = w->bo[i].fi, ret;

	begin(w, FZ_BO_MMAP_OFFSET);
	desc(w, "fd%d h %u", fi, m.handle);
	if (mutating(w))
		mutate(w, &m, mmap_offset_f, NELEM(mmap_offset_f), fi, NULL, 0,
		       false);
	ret = issue(w, FZ_BO_MMAP_OFFSET, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET), &m, true);
	if (!ret && !w->mutated && (m.offset & 4095))
		anomaly(w, AN_RESULT, "BO_MMAP_OFFSET %#llx not page aligned",
			(unsigned long long)m.offset);
	*off = m.offset;
	return w->mutated ? -EINVAL : ret;
}

static void c_mmap_offset(struct w *w)
{
	int fi = pick_fi(w), i = pick_obj(w, 0, fi);
	__u64 off;

	if (i < 0) {
		new_bo(w, fi, rng_range(&w->r, 1, BO_MAX), 0);
		return;
	}
	mmap_offset(w, i, &off);
}

/* Map a BO (or hostile variants of the mmap), write it, unmap others. */
static void c_mmap(struct w *w)
{
	int fi = pick_fi(w), i = pick_obj(w, 0, fi), k, prot, flags;
	unsigned char *p;
	__u64 off, len;

	if (i < 0)
		return;
	switch (rng_below(&w->r, 6)) {
	case 0:	/* unmap with work in flight */
		if (w->bo[i].map) {
			munmap(w->bo[i].map, w->bo[i].size);
			w->bo[i].map = NULL;
		}
		return;
	case 1:	/* touch and unmap orphaned mappings (handle closed) */
		for (k = 0; k < w->norphan; k++) {
			w->orphan[k].p[rng_below(&w->r, w->orphan[k].size)]++;
			if (rng_pct(&w->r, 50)) {
				munmap(w->orphan[k].p, w->orphan[k].size);
				w->orphan[k] = w->orphan[--w->norphan];
				k--;
			}
		}
		return;
	case 2:	/* write the BO while the device may be using it */
		if (w->bo[i].map) {
			off = rng_below(&w->r, w->bo[i].size);
			len = rng_below(&w->r, w->bo[i].size - off + 1);
			memset(w->bo[i].map + off, (int)rng_next(&w->r), len);
		}
		return;
	default:
		break;
	}
	if (w->bo[i].map || mmap_offset(w, i, &off))
		return;
	begin(w, FZ_MMAP);
	len = w->bo[i].size;
	prot = PROT_READ | PROT_WRITE;
	flags = MAP_SHARED;
	if (rng_pct(&w->r, opt.mutate_pct)) {
		switch (rng_below(&w->r, 5)) {
		case 0:
			len += 4096;
			note_mut(w, "len=size+4096");
			break;
		case 1:
			off += 4096 * (1 + rng_below(&w->r, 64));
			note_mut(w, "offset+n pages");
			break;
		case 2:
			flags = MAP_PRIVATE;
			note_mut(w, "MAP_PRIVATE");
			break;
		case 3:
			prot |= PROT_EXEC;
			note_mut(w, "PROT_EXEC");
			break;
		default:	/* another file's descriptor */
			fi = fi == F_SHARED ? F_STABLE : F_SHARED;
			note_mut(w, "other file");
		}
	}
	desc(w, "fd%d h %u len %llu off %#llx", fi, w->bo[i].h,
	     (unsigned long long)len, (unsigned long long)off);
	snprintf(w->st->current, FZ_LINE, "#%llu mmap %s %s",
		 (unsigned long long)w->st->calls, w->desc, w->mut);
	p = mmap(NULL, len, prot, flags, fd_of(w, fi), off);
	w->st->calls++;
	if (p == MAP_FAILED) {
		k = errno;
		ring_add(w, w->st->current);
		w->st->errnos[FZ_MMAP][k < FZ_MAX_ERRNO ? k : 0]++;
		if (!w->mutated) {
			/* the BO's real size, through a dma-buf */
			struct drm_prime_handle ph = {
				.handle = w->bo[i].h, .flags = DRM_CLOEXEC,
				.fd = -1,
			};
			long real = -1;

			if (!ioctl(fd_of(w, fi), DRM_IOCTL_PRIME_HANDLE_TO_FD,
				   &ph)) {
				real = lseek(ph.fd, 0, SEEK_END);
				close(ph.fd);
			}
			anomaly(w, AN_BASELINE,
				"mmap of a BO: %s (pool: %llu bytes%s, dma-buf: %ld)",
				errname(k), (unsigned long long)w->bo[i].size,
				w->bo[i].shared ? ", shared" : "", real);
		} else if (!documented(w, FZ_MMAP, k)) {
			anomaly(w, AN_UNDOC, "mmap returned %s", errname(k));
		}
		return;
	}
	ring_add(w, w->st->current);
	w->st->errnos[FZ_MMAP][0]++;
	if (w->mutated) {
		/* MAP_PRIVATE/PROT_EXEC may be refused or not: just unmap */
		if (flags == MAP_SHARED && len == w->bo[i].size)
			p[0] = p[0];
		munmap(p, len);
		return;
	}
	w->bo[i].map = p;
	/* new BOs read as zeros until somebody writes them */
	memset(p, (int)rng_next(&w->r), rng_below(&w->r, len));
}

/* BO_WAIT */
static const struct fld bo_wait_f[] = {
	FLD(drm_sushi_bo_wait, handle, K_HANDLE),
	FLD(drm_sushi_bo_wait, flags, K_FLAGS),
	FLD(drm_sushi_bo_wait, timeout_ns, K_TIMEOUT),
};

static void c_bo_wait(struct w *w)
{
	struct drm_sushi_bo_wait b = { 0 };
	int fi = pick_fi(w), i = pick_obj(w, 0, fi), ret;
	bool poll = rng_pct(&w->r, 30);

	if (i < 0)
		return;
	b.handle = w->bo[i].h;
	b.flags = rng_pct(&w->r, 50) ? DRM_SUSHI_BO_WAIT_WRITERS : 0;
	b.timeout_ns = poll ? 0 : sushi_deadline_ms(WAIT_MS);
	desc(w, "fd%d h %u flags %u%s", fi, b.handle, b.flags,
	     poll ? " poll" : "");
	if (mutating(w))
		mutate(w, &b, bo_wait_f, NELEM(bo_wait_f), fi, NULL, 0, false);
	ret = issue(w, FZ_BO_WAIT, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_BO_WAIT), &b, !poll);
	(void)ret;
}

/* PROGRAM_CREATE: a valid random layer chain on BOs of the pool */

struct tensor {
	__u32 c, h, w;
	__u64 off;	/* in the activation BO, or in the SRAM */
	bool sram;	/* in the device's activation SRAM */
};

static __u64 tbytes(const struct tensor *t)
{
	return (__u64)t->c * t->h * t->w;
}

/* A BO of @fi with at least @size bytes (writable if @rw), or a new one. */
static int bo_for(struct w *w, int fi, __u64 size, bool rw)
{
	int i, tries;

	for (tries = 0; tries < 4; tries++) {
		i = pick_obj(w, 0, fi);
		/* an imported BO may be another file's read-only one */
		if (i >= 0 && w->bo[i].size >= size &&
		    (!rw || (!(w->bo[i].flags & DRM_SUSHI_BO_DEVICE_READ_ONLY) &&
			     !w->bo[i].shared)))
			return i;
	}
	return new_bo(w, fi, size + rng_below(&w->r, 8192),
		      rw ? 0 : (rng_pct(&w->r, 70) ?
				DRM_SUSHI_BO_DEVICE_READ_ONLY : 0));
}

static __u32 pick(struct rng *r, const __u32 *v, int n)
{
	return v[rng_below(r, n)];
}

/*
 * Fill @l with @n valid layers: activations chained in BO @a (from offset
 * 0) or, on a device with one, some of them in the activation SRAM
 * (alternating halves, so a layer's input and output do not overlap),
 * weights and epilogues in BO @wt.  Returns the bytes each BO needs, in
 * *a_need and *w_need.
 */
static void build_layers(struct w *w, struct drm_sushi_layer *l, int n,
			 __u32 a, __u32 wt, __u64 *a_need, __u64 *w_need)
{
	static const __u32 ks[] = { 1, 1, 3, 3, 3, 5, 7 };
	struct rng *r = &w->r;
	struct tensor cur, prev;
	__u64 woff = rng_below(r, 64), aoff;
	int i;

	__u64 half = w->caps.act_sram_bytes / 2;

	cur.c = rng_range(r, 1, 24);
	cur.h = rng_range(r, 1, 10);
	cur.w = rng_pct(r, 70) ? cur.h : rng_range(r, 1, 10);
	cur.off = rng_below(r, 64);
	cur.sram = false;
	aoff = cur.off + tbytes(&cur);
	prev = cur;
	for (i = 0; i < n; i++) {
		struct drm_sushi_layer *x = &l[i];
		__u32 op = rng_range(r, SUSHI_OP_CONV, SUSHI_OP_GAP);
		__u64 rb;

		memset(x, 0, sizeof(*x));
		if (op == SUSHI_OP_FC && (cur.h != 1 || cur.w != 1))
			op = SUSHI_OP_GAP;
		x->op = op;
		x->in_c = cur.c;
		x->in_h = cur.h;
		x->in_w = cur.w;
		x->in = (struct drm_sushi_bo_ref){ .handle = cur.sram ? 0 : a,
						   .offset = cur.off };
		if (cur.sram)
			x->flags |= DRM_SUSHI_LAYER_IN_SRAM;
		x->stride = 1;
		x->groups = 1;
		x->in_zp = (__s32)rng_range(r, 0, 255) - 128;
		x->out_zp = (__s32)rng_range(r, 0, 255) - 128;
		x->act_min = -128 + (__s32)rng_below(r, 128);
		x->act_max = x->act_min + (__s32)rng_below(r, 128 - x->act_min);
		switch (op) {
		case SUSHI_OP_CONV:
			do {
				x->kernel = pick(r, ks, NELEM(ks));
				x->padding = rng_below(r, x->kernel);
			} while (cur.h + 2 * x->padding < x->kernel ||
				 cur.w + 2 * x->padding < x->kernel);
			x->stride = rng_range(r, 1, 2);
			if (rng_pct(r, 25)) {
				x->groups = cur.c;	/* depthwise */
				x->out_c = cur.c;
			} else {
				x->out_c = rng_range(r, 1, 24);
			}
			x->out_h = (cur.h + 2 * x->padding - x->kernel) /
				   x->stride + 1;
			x->out_w = (cur.w + 2 * x->padding - x->kernel) /
				   x->stride + 1;
			break;
		case SUSHI_OP_FC:
			x->kernel = 1;
			x->out_c = rng_range(r, 1, 24);
			x->out_h = 1;
			x->out_w = 1;
			break;
		case SUSHI_OP_ADD:
			x->out_c = cur.c;
			x->out_h = cur.h;
			x->out_w = cur.w;
			x->add_shift = rng_below(r, SUSHI_HW_MAX_SHIFT + 1);
			x->add_mult_a = (__s32)rng_next(r) >> 2;
			x->add_mult_b = (__s32)rng_next(r) >> 2;
			x->in2_zp = (__s32)rng_range(r, 0, 255) - 128;
			/* the previous input if it has this shape */
			if (prev.c != cur.c || prev.h != cur.h ||
			    prev.w != cur.w)
				prev = cur;
			x->in2.handle = prev.sram ? 0 : a;
			x->in2.offset = prev.off;
			if (prev.sram)
				x->flags |= DRM_SUSHI_LAYER_IN2_SRAM;
			break;
		case SUSHI_OP_AVGPOOL:
		case SUSHI_OP_MAXPOOL:
			do {
				x->kernel = rng_range(r, 1, 4);
				x->padding = rng_below(r, x->kernel);
			} while (cur.h + 2 * x->padding < x->kernel ||
				 cur.w + 2 * x->padding < x->kernel);
			x->stride = rng_range(r, 1, 3);
			x->out_c = cur.c;
			x->out_h = (cur.h + 2 * x->padding - x->kernel) /
				   x->stride + 1;
			x->out_w = (cur.w + 2 * x->padding - x->kernel) /
				   x->stride + 1;
			break;
		default:	/* GAP */
			x->op = SUSHI_OP_GAP;
			x->out_c = cur.c;
			x->out_h = 1;
			x->out_w = 1;
		}
		if (x->op == SUSHI_OP_CONV || x->op == SUSHI_OP_FC) {
			rb = (__u64)(x->in_c / x->groups) * x->kernel *
			     x->kernel;
			x->w_stride = rb + (rng_pct(r, 50) ? 0 :
					    rng_below(r, 16));
			x->w = (struct drm_sushi_bo_ref){ .handle = wt,
							  .offset = woff };
			woff += (x->out_c - 1) * x->w_stride + rb;
			woff += rng_below(r, 16);
			x->epi = (struct drm_sushi_bo_ref){ .handle = wt,
							    .offset = woff };
			woff += 12ull * x->out_c + rng_below(r, 16);
		}
		prev = cur;
		cur.c = x->out_c;
		cur.h = x->out_h;
		cur.w = x->out_w;
		/* the SRAM half the input does not use */
		cur.sram = tbytes(&cur) <= half && rng_pct(r, 40);
		if (cur.sram) {
			cur.off = (prev.sram && prev.off < half ? half : 0) +
				  rng_below(r, half - tbytes(&cur) + 1);
			x->flags |= DRM_SUSHI_LAYER_OUT_SRAM;
			x->out = (struct drm_sushi_bo_ref){ .offset = cur.off };
			continue;
		}
		cur.off = aoff + rng_below(r, 16);
		x->out = (struct drm_sushi_bo_ref){ .handle = a,
						    .offset = cur.off };
		aoff = cur.off + tbytes(&cur);
	}
	*a_need = aoff;
	*w_need = woff;
}

static const struct fld program_f[] = {
	FLD(drm_sushi_program_create, layers, K_PTR_IN),
	FLD(drm_sushi_program_create, n_layers, K_COUNT),
	FLD(drm_sushi_program_create, layer_size, K_ELEM),
	FLD(drm_sushi_program_create, flags, K_FLAGS),
	FLD(drm_sushi_program_create, handle, K_OUT),
};

static const struct fld layer_f[] = {
	FLD(drm_sushi_layer, op, K_ENUM),
	FLD(drm_sushi_layer, flags, K_FLAGS),
	FLD(drm_sushi_layer, in_c, K_SIZE),
	FLD(drm_sushi_layer, in_h, K_SIZE),
	FLD(drm_sushi_layer, in_w, K_SIZE),
	FLD(drm_sushi_layer, out_c, K_SIZE),
	FLD(drm_sushi_layer, out_h, K_SIZE),
	FLD(drm_sushi_layer, out_w, K_SIZE),
	FLD(drm_sushi_layer, kernel, K_SIZE),
	FLD(drm_sushi_layer, stride, K_SIZE),
	FLD(drm_sushi_layer, padding, K_SIZE),
	FLD(drm_sushi_layer, groups, K_SIZE),
	FLD(drm_sushi_layer, in_zp, K_S32),
	FLD(drm_sushi_layer, in2_zp, K_S32),
	FLD(drm_sushi_layer, out_zp, K_S32),
	FLD(drm_sushi_layer, act_min, K_S32),
	FLD(drm_sushi_layer, act_max, K_S32),
	FLD(drm_sushi_layer, add_shift, K_SIZE),
	FLD(drm_sushi_layer, add_mult_a, K_S32),
	FLD(drm_sushi_layer, add_mult_b, K_S32),
	FLD(drm_sushi_layer, w_stride, K_SIZE),
	FLD(drm_sushi_layer, in.handle, K_HANDLE),
	FLD(drm_sushi_layer, in.pad, K_MBZ),
	FLD(drm_sushi_layer, in.offset, K_OFFSET),
	FLD(drm_sushi_layer, in2.handle, K_HANDLE),
	FLD(drm_sushi_layer, in2.pad, K_MBZ),
	FLD(drm_sushi_layer, in2.offset, K_OFFSET),
	FLD(drm_sushi_layer, out.handle, K_HANDLE),
	FLD(drm_sushi_layer, out.pad, K_MBZ),
	FLD(drm_sushi_layer, out.offset, K_OFFSET),
	FLD(drm_sushi_layer, w.handle, K_HANDLE),
	FLD(drm_sushi_layer, w.pad, K_MBZ),
	FLD(drm_sushi_layer, w.offset, K_OFFSET),
	FLD(drm_sushi_layer, epi.handle, K_HANDLE),
	FLD(drm_sushi_layer, epi.pad, K_MBZ),
	FLD(drm_sushi_layer, epi.offset, K_OFFSET),
};

/* Lay @n layers out at @esize bytes each (a zero, or random, tail). */
static void *layers_at(struct w *w, const struct drm_sushi_layer *l, int n,
		       __u32 esize, bool dirty_tail)
{
	unsigned char *p = w->scratch;
	int i;

	if ((__u64)esize * n > SCRATCH || esize < sizeof(*l))
		return (void *)l;
	memset(p, 0, (size_t)esize * n);
	for (i = 0; i < n; i++) {
		memcpy(p + (size_t)esize * i, &l[i], sizeof(*l));
		if (dirty_tail && esize > sizeof(*l))
			p[(size_t)esize * i + esize - 1] = 0xa5;
	}
	return p;
}

static void add_prog(struct w *w, int fi, __u32 h)
{
	if (find_handle(w, 1, fi, h) >= 0)
		return;
	if (w->nprog == MAX_PROGS) {
		struct drm_sushi_program_destroy d = { 0 };
		int i = rng_below(&w->r, MAX_PROGS);

		begin(w, FZ_PROGRAM_DESTROY);
		d.handle = w->prog[i].h;
		desc(w, "fd%d h %u (pool full)", w->prog[i].fi, d.handle);
		issue(w, FZ_PROGRAM_DESTROY, fd_of(w, w->prog[i].fi),
		      DRM_IOCTL_SUSHI_PROGRAM_DESTROY, &d, true);
		drop_prog(w, i);
	}
	w->prog[w->nprog].fi = fi;
	w->prog[w->nprog].h = h;
	w->nprog++;
}

static void c_program_create(struct w *w)
{
	static __thread struct drm_sushi_layer l[MAX_LAYERS + 1];
	struct drm_sushi_program_create c = { 0 };
	int fi = pick_fi(w), n = rng_range(&w->r, 1, MAX_LAYERS), a, wt, ret;
	__u64 an, wn;
	__u32 ah, wh;
	bool zero_tail = false;
	int mf = -1, want = 1;	/* 1: no expectation */

	/* lay the chain out against placeholder handles, then find BOs */
	build_layers(w, l, n, 1, 2, &an, &wn);
	if (an + 8192 > BO_MAX || wn + 8192 > BO_MAX)
		return;
	a = bo_for(w, fi, an, true);
	if (a < 0)
		return;
	ah = w->bo[a].h;
	wt = bo_for(w, fi, wn ? wn : 1, false);
	/*
	 * Making the second BO may have evicted (or moved) the first, and
	 * its handle may already name the new, read-only BO.
	 */
	if (wt < 0 || w->bo[wt].fi != fi)
		return;
	a = find_handle(w, 0, fi, ah);
	if (a < 0 || (w->bo[a].flags & DRM_SUSHI_BO_DEVICE_READ_ONLY) ||
	    w->bo[a].shared || w->bo[a].size < an)
		return;
	wh = w->bo[wt].h;
	for (ret = 0; ret < n; ret++) {
		if (l[ret].in.handle)
			l[ret].in.handle = ah;
		if (l[ret].out.handle)
			l[ret].out.handle = ah;
		if (l[ret].in2.handle)
			l[ret].in2.handle = ah;
		if (l[ret].w.handle)
			l[ret].w.handle = wh;
		if (l[ret].epi.handle)
			l[ret].epi.handle = wh;
	}
	memset(&l[n], 0x5a, sizeof(l[n]));	/* what lies past the array */
	begin(w, FZ_PROGRAM_CREATE);
	c.layers = (uintptr_t)l;
	c.n_layers = n;
	c.layer_size = sizeof(l[0]);
	desc(w, "fd%d %d layers ops %u%u%u%u a %u w %u", fi, n, l[0].op,
	     n > 1 ? l[1].op : 0, n > 2 ? l[2].op : 0, n > 3 ? l[3].op : 0,
	     ah, wh);
	if (mutating(w)) {
		if (rng_pct(&w->r, 60)) {
			static const int hk[NELEM(layer_f)];
			int k = rng_below(&w->r, n);

			mutate(w, &l[k], layer_f, NELEM(layer_f), fi, hk, 0,
			       false);
			snprintf(w->mut + strlen(w->mut),
				 sizeof(w->mut) - strlen(w->mut),
				 " (layer %d)", k);
		} else {
			mf = mutate(w, &c, program_f, NELEM(program_f), fi,
				    NULL, sizeof(l[0]) * n, false);
			if (c.layer_size != sizeof(l[0])) {
				zero_tail = rng_pct(&w->r, 50);
				c.layers = (uintptr_t)layers_at(w, l, n,
								c.layer_size,
								!zero_tail);
			}
		}
	}
	/* the growth rules (uapi: "Growing the uAPI") */
	if (mf == 2 && opt.allowlist)
		want = c.layer_size < sizeof(l[0]) ? -EINVAL :
		       c.layers != (uintptr_t)w->scratch ? 1 :
		       zero_tail ? 0 : -EINVAL;
	ret = issue(w, FZ_PROGRAM_CREATE, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_PROGRAM_CREATE), &c, true);
	if (want != 1 && !w->cmd_mutated && ret != want && ret != -ENOMEM &&
	    !(opt.unbind && ret == -ENODEV))
		anomaly(w, AN_RESULT,
			"PROGRAM_CREATE layer_size %u (%s tail): %s, want %s",
			c.layer_size, zero_tail ? "zero" : "non-zero",
			errname(-ret), errname(-want));
	if (ret == -ENOENT && !w->mutated) {
		/* which BO is gone: the fuzzer's bookkeeping or the driver? */
		struct drm_sushi_bo_wait bw = { .handle = ah };
		int ea, ew;

		ea = ioctl(fd_of(w, fi), DRM_IOCTL_SUSHI_BO_WAIT, &bw) ?
		     errno : 0;
		bw.handle = wh;
		ew = ioctl(fd_of(w, fi), DRM_IOCTL_SUSHI_BO_WAIT, &bw) ?
		     errno : 0;
		out_line("# worker %u.%u: PROGRAM_CREATE ENOENT: BO_WAIT of a %u: %s, w %u: %s",
			 w->p, w->t, ah, errname(ea), wh, errname(ew));
	}
	if (ret || w->cmd_mutated)
		return;
	if (!c.handle) {
		/* documented never 0 (finding F2, fixed) */
		anomaly(w, AN_RESULT, "PROGRAM_CREATE returned handle 0");
		return;
	}
	add_prog(w, fi, c.handle);
	for (ret = 0; ret < n; ret++)
		if (l[ret].flags)
			break;
	if (ret < n && !w->mutated)
		w->st->sram_progs++;
}

/* PROGRAM_DESTROY */
static const struct fld program_destroy_f[] = {
	FLD(drm_sushi_program_destroy, handle, K_HANDLE),
	FLD(drm_sushi_program_destroy, pad, K_MBZ),
};

static void c_program_destroy(struct w *w)
{
	static const int hk[] = { 1, 0 };
	struct drm_sushi_program_destroy d = { 0 };
	int fi = pick_fi(w), i = pick_obj(w, 1, fi), ret, k;

	if (i < 0)
		return;
	d.handle = w->prog[i].h;
	desc(w, "fd%d h %u", fi, d.handle);
	if (mutating(w))
		mutate(w, &d, program_destroy_f, NELEM(program_destroy_f), fi,
		       hk, 0, true);
	ret = issue(w, FZ_PROGRAM_DESTROY, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_PROGRAM_DESTROY), &d, true);
	if (ret)
		return;
	k = find_handle(w, 1, fi, d.handle);
	if (k >= 0)
		drop_prog(w, k);
}

/* LAUNCH */
static const struct fld launch_f[] = {
	FLD(drm_sushi_launch, program, K_HANDLE),
	FLD(drm_sushi_launch, flags, K_FLAGS),
	FLD(drm_sushi_launch, in_syncobjs, K_PTR_IN),
	FLD(drm_sushi_launch, in_syncobj_count, K_COUNT),
	FLD(drm_sushi_launch, out_syncobj, K_HANDLE),
	FLD(drm_sushi_launch, pin_set, K_HANDLE),
	FLD(drm_sushi_launch, pad, K_MBZ),
	FLD(drm_sushi_launch, job_id, K_OUT),
};

static void add_job(struct w *w, int fi, __u64 id)
{
	struct wjob *j;

	if (w->njob == MAX_JOBS)
		memmove(w->job, w->job + 1, sizeof(w->job[0]) * --w->njob);
	j = &w->job[w->njob++];
	j->fi = fi;
	j->id = id;
	j->at = w->st->calls;
	j->t_ns = fz_now_ns();
	snprintf(j->what, sizeof(j->what), "%.47s", w->desc);
	if (id <= w->f[fi].last_job)
		anomaly(w, AN_RESULT, "job id %llu after %llu on fd%d",
			(unsigned long long)id,
			(unsigned long long)w->f[fi].last_job, fi);
	w->f[fi].last_job = id;
}

static void c_launch(struct w *w)
{
	static const int hk[] = { 1, 0, 0, 0, 2, 3, 0, 0 };
	struct drm_sushi_launch l = { 0 };
	__u32 in[4];
	int fi = pick_fi(w), i, k, n = 0, out = -1, ret;

	i = pick_obj(w, 1, fi);
	if (i < 0)
		return;
	l.program = w->prog[i].h;
	if (rng_pct(&w->r, 30)) {
		k = pick_obj(w, 3, fi);
		if (k >= 0)
			l.pin_set = w->pin[k].h;
	}
	for (k = rng_below(&w->r, 4); k > 0; k--) {
		i = pick_obj(w, 2, fi);
		if (i >= 0 && w->sync[i].fenced)
			in[n++] = w->sync[i].h;
	}
	l.in_syncobjs = n ? (uintptr_t)in : 0;
	l.in_syncobj_count = n;
	if (rng_pct(&w->r, 50)) {
		out = pick_obj(w, 2, fi);
		if (out >= 0)
			l.out_syncobj = w->sync[out].h;
	}
	desc(w, "fd%d prog %u pins %u in %d out %u", fi, l.program, l.pin_set,
	     n, l.out_syncobj);
	if (mutating(w)) {
		if (n && rng_pct(&w->r, 25)) {
			k = rng_below(&w->r, n);
			in[k] = bad_handle(w, 2, fi, in[k], false);
		} else {
			mutate(w, &l, launch_f, NELEM(launch_f), fi, hk,
			       sizeof(in[0]) * n, false);
		}
	}
	if (l.in_syncobjs == (uintptr_t)in)
		l.in_syncobjs = (uintptr_t)handles_at(w, in, n);
	ret = issue(w, FZ_LAUNCH, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_LAUNCH), &l, true);
	if (ret || w->cmd_mutated)
		return;
	add_job(w, fi, l.job_id);
	k = find_handle(w, 2, fi, l.out_syncobj);
	if (k >= 0)
		w->sync[k].fenced = true;
}

/* JOB_WAIT */
static const struct fld job_wait_f[] = {
	FLD(drm_sushi_job_wait, job_id, K_JOBID),
	FLD(drm_sushi_job_wait, timeout_ns, K_TIMEOUT),
	FLD(drm_sushi_job_wait, stats, K_PTR_OUT),
	FLD(drm_sushi_job_wait, stats_size, K_ELEM),
	FLD(drm_sushi_job_wait, flags, K_FLAGS),
};

static bool status_valid(__u32 s)
{
	return s <= DRM_SUSHI_JOB_ABORTED || s == DRM_SUSHI_JOB_TIMEOUT ||
	       s == DRM_SUSHI_JOB_CANCELED || s == DRM_SUSHI_JOB_PENDING;
}

static void c_job_wait(struct w *w)
{
	struct drm_sushi_job_stats *st = (void *)w->out;
	struct drm_sushi_job_wait j = { 0 };
	bool poll = rng_pct(&w->r, 30), base;
	int i, fi, ret;

	if (!w->njob)
		return;
	i = rng_below(&w->r, w->njob);
	fi = w->job[i].fi;
	j.job_id = w->job[i].id;
	j.timeout_ns = poll ? 0 : sushi_deadline_ms(WAIT_MS);
	if (rng_pct(&w->r, 80)) {
		j.stats = (uintptr_t)st;
		j.stats_size = sizeof(*st);
	}
	memset(w->out, 0xee, 4096);
	/* ids older than the kept window are gone: other threads share fd3 */
	base = w->st->calls - w->job[i].at < 50;
	desc(w, "fd%d id %llu%s", fi, (unsigned long long)j.job_id,
	     poll ? " poll" : "");
	if (mutating(w))
		mutate(w, &j, job_wait_f, NELEM(job_wait_f), fi, NULL,
		       sizeof(*st), false);
	ret = issue(w, FZ_JOB_WAIT, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_JOB_WAIT), &j, base && !poll);
	/* a larger stats_size gets its tail zeroed */
	if (opt.allowlist && (!ret || ret == -ETIME) && !w->cmd_mutated &&
	    j.stats == (uintptr_t)st && j.stats_size > sizeof(*st) &&
	    j.stats_size <= 4096) {
		__u32 k;

		for (k = sizeof(*st); k < j.stats_size; k++)
			if (w->out[k])
				break;
		if (k < j.stats_size)
			anomaly(w, AN_RESULT,
				"JOB_WAIT stats_size %u: byte %u not zeroed",
				j.stats_size, k);
	}
	if (w->mutated || !j.stats)
		return;
	if (!ret && st->status == DRM_SUSHI_JOB_TIMEOUT)
		/* a job of this thread run into the timeout: which one */
		out_line("# worker %u.%u: job %llu (%s) timed out, queued %.3f s ago",
			 w->p, w->t, (unsigned long long)j.job_id,
			 w->job[i].what,
			 (fz_now_ns() - w->job[i].t_ns) / 1e9);
	if (!ret && st->status < 16)
		w->st->status_hist[st->status]++;
	else if (!ret)
		w->st->status_hist[16 + (st->status & 3)]++;
	if ((!ret || ret == -ETIME) && !status_valid(st->status))
		anomaly(w, AN_RESULT, "JOB_WAIT status %#x", st->status);
	else if (!ret && (st->status == DRM_SUSHI_JOB_BAD_OPCODE ||
			  st->status == DRM_SUSHI_JOB_BAD_ENTRY ||
			  st->status == DRM_SUSHI_JOB_PAGE_FAULT ||
			  st->status == DRM_SUSHI_JOB_DMA_ERROR ||
			  st->status == DRM_SUSHI_JOB_PB_NO_SPACE ||
			  st->status == DRM_SUSHI_JOB_PB_OVERLAP ||
			  st->status == DRM_SUSHI_JOB_PB_TABLE_FULL))
		/* "do not happen with validated programs" (uapi guide) */
		anomaly(w, AN_RESULT, "JOB_WAIT: device status %u (layer %u)",
			st->status, st->layer);
	else if (!ret && (st->status == DRM_SUSHI_JOB_PENDING ||
			  (st->status == DRM_SUSHI_JOB_OK) != !st->error))
		anomaly(w, AN_RESULT, "JOB_WAIT complete: status %#x error %d",
			st->status, st->error);
	else if (ret == -ETIME && st->status != DRM_SUSHI_JOB_PENDING)
		anomaly(w, AN_RESULT, "JOB_WAIT ETIME: status %#x",
			st->status);
}

/* PB_PIN / PB_UNPIN / PB_QUERY */
static const struct fld pin_f[] = {
	FLD(drm_sushi_pb_pin, ranges, K_PTR_IN),
	FLD(drm_sushi_pb_pin, count, K_COUNT),
	FLD(drm_sushi_pb_pin, range_size, K_ELEM),
	FLD(drm_sushi_pb_pin, flags, K_FLAGS),
	FLD(drm_sushi_pb_pin, handle, K_OUT),
	FLD(drm_sushi_pb_pin, job_id, K_OUT),
};

static const struct fld range_f[] = {
	FLD(drm_sushi_pb_range, handle, K_HANDLE),
	FLD(drm_sushi_pb_range, rows, K_COUNT),
	FLD(drm_sushi_pb_range, offset, K_OFFSET),
	FLD(drm_sushi_pb_range, row_stride, K_SIZE),
	FLD(drm_sushi_pb_range, row_bytes, K_SIZE),
	FLD(drm_sushi_pb_range, pad, K_MBZ),
};

static bool pinned_overlap(struct w *w, int fi, __u32 h, __u64 off,
			   __u64 span)
{
	int i, k;

	for (i = 0; i < w->npin; i++) {
		if (w->pin[i].fi != fi)
			continue;
		for (k = 0; k < w->pin[i].n; k++) {
			const struct wrange *r = &w->pin[i].r[k];

			if (r->h == h && off < r->off + r->span &&
			    r->off < off + span)
				return true;
		}
	}
	return false;
}

/* PB_UNPIN's first version: 8 bytes, zero-extended by the DRM core */
#define PB_UNPIN_V1	_IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, \
			     DRM_COMMAND_BASE + DRM_SUSHI_PB_UNPIN, 8)

static int pb_unpin(struct w *w, int i, bool base)
{
	struct drm_sushi_pb_unpin u = { .handle = w->pin[i].h };
	int fi = w->pin[i].fi, ret, k = -1;
	bool v1 = rng_pct(&w->r, 15);

	begin(w, FZ_PB_UNPIN);
	if (!v1 && rng_pct(&w->r, 40)) {
		/* a fence that signals once the space is free */
		k = pick_obj(w, 2, fi);
		if (k >= 0)
			u.out_syncobj = w->sync[k].h;
	}
	desc(w, "fd%d h %u out %u%s", fi, u.handle, u.out_syncobj,
	     v1 ? " (8-byte v1)" : "");
	ret = issue(w, FZ_PB_UNPIN, fd_of(w, fi),
		    v1 ? PB_UNPIN_V1 : DRM_IOCTL_SUSHI_PB_UNPIN, &u, base);
	if (ret)
		return ret;
	drop_pin(w, i);
	if (k >= 0)
		w->sync[k].fenced = true;
	return 0;
}

static void c_pb_pin(struct w *w)
{
	static const int hk[] = { 0 };
	struct drm_sushi_pb_range r[2];
	struct drm_sushi_pb_pin p = { 0 };
	int fi = pick_fi(w), n = rng_range(&w->r, 1, 2), i, k, ret;
	/* unknown pins (a call through another number) may overlap */
	bool base = (w->caps.flags & DRM_SUSHI_CAP_PB) && !w->f[fi].foreign;

	if (w->npin == MAX_PINS && pb_unpin(w, rng_below(&w->r, MAX_PINS),
					    true))
		return;
	memset(r, 0, sizeof(r));
	for (k = 0; k < n; k++) {
		__u64 span;

		i = pick_obj(w, 0, fi);
		if (i < 0)
			return;
		r[k].handle = w->bo[i].h;
		r[k].rows = rng_range(&w->r, 1, 8);
		r[k].row_bytes = rng_range(&w->r, 1, 256);
		r[k].row_stride = r[k].row_bytes + rng_below(&w->r, 64);
		span = (r[k].rows - 1) * r[k].row_stride + r[k].row_bytes;
		if (span > w->bo[i].size)
			return;
		r[k].offset = rng_below(&w->r, w->bo[i].size - span + 1);
		if (w->bo[i].shared ||
		    pinned_overlap(w, fi, r[k].handle, r[k].offset, span) ||
		    (k == 1 && r[0].handle == r[1].handle &&
		     r[1].offset < r[0].offset + (r[0].rows - 1) *
		     r[0].row_stride + r[0].row_bytes &&
		     r[0].offset < r[1].offset + span))
			base = false;
	}
	begin(w, FZ_PB_PIN);
	p.ranges = (uintptr_t)r;
	p.count = n;
	p.range_size = sizeof(r[0]);
	desc(w, "fd%d %d ranges h %u rows %u x %u", fi, n, r[0].handle,
	     r[0].rows, r[0].row_bytes);
	if (mutating(w)) {
		if (rng_pct(&w->r, 50)) {
			mutate(w, &r[rng_below(&w->r, n)], range_f,
			       NELEM(range_f), fi, hk, 0, false);
		} else {
			mutate(w, &p, pin_f, NELEM(pin_f), fi, NULL,
			       sizeof(r[0]) * n, false);
			if (p.range_size != sizeof(r[0]) &&
			    p.ranges == (uintptr_t)r &&
			    (__u64)p.range_size * n <= SCRATCH &&
			    p.range_size > sizeof(r[0])) {
				memset(w->scratch, 0, (size_t)p.range_size * n);
				for (k = 0; k < n; k++)
					memcpy(w->scratch + (size_t)p.range_size * k,
					       &r[k], sizeof(r[0]));
				p.ranges = (uintptr_t)w->scratch;
			}
		}
	}
	ret = issue(w, FZ_PB_PIN, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_PB_PIN), &p, base);
	if (ret || w->cmd_mutated)
		return;
	add_job(w, fi, p.job_id);
	if (!p.handle) {
		/* documented never 0 (and 0 means "no pin set" in LAUNCH) */
		anomaly(w, AN_RESULT, "PB_PIN returned pin set handle 0");
		w->f[fi].foreign = true;
		return;
	}
	i = w->npin++;
	w->pin[i].fi = fi;
	w->pin[i].h = p.handle;
	w->pin[i].n = n;
	if (w->mutated) {
		/* what a mutated pin holds is unknown: let it go at once */
		pb_unpin(w, i, true);
		return;
	}
	for (k = 0; k < w->pin[i].n; k++) {
		w->pin[i].r[k].h = r[k].handle;
		w->pin[i].r[k].off = r[k].offset;
		w->pin[i].r[k].span = (r[k].rows - 1) * r[k].row_stride +
				      r[k].row_bytes;
	}
}

static const struct fld unpin_f[] = {
	FLD(drm_sushi_pb_unpin, handle, K_HANDLE),
	FLD(drm_sushi_pb_unpin, flags, K_FLAGS),
	FLD(drm_sushi_pb_unpin, out_syncobj, K_HANDLE),
	FLD(drm_sushi_pb_unpin, pad, K_MBZ),
};

static void c_pb_unpin(struct w *w)
{
	static const int hk[] = { 3, 0, 2, 0 };
	struct drm_sushi_pb_unpin u = { 0 };
	int fi = pick_fi(w), i = pick_obj(w, 3, fi), ret;

	if (i < 0)
		return;
	if (!mutating(w)) {
		pb_unpin(w, i, true);
		return;
	}
	u.handle = w->pin[i].h;
	desc(w, "fd%d h %u", fi, u.handle);
	mutate(w, &u, unpin_f, NELEM(unpin_f), fi, hk, 0, true);
	ret = issue(w, FZ_PB_UNPIN, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_PB_UNPIN), &u, false);
	if (ret)
		return;
	/*
	 * Through a shorter ioctl size the handle still went in (the set is
	 * gone) but the out-syncobj may not have.
	 */
	i = find_handle(w, 3, fi, u.handle);
	if (i >= 0)
		drop_pin(w, i);
	i = find_handle(w, 2, fi, u.out_syncobj);
	if (i >= 0 && !w->cmd_mutated)
		w->sync[i].fenced = true;
}

static const struct fld pb_query_f[] = {
	FLD(drm_sushi_pb_query, capacity, K_OUT),
	FLD(drm_sushi_pb_query, used, K_OUT),
	FLD(drm_sushi_pb_query, sets, K_PTR_OUT),
	FLD(drm_sushi_pb_query, count, K_COUNT),
	FLD(drm_sushi_pb_query, set_size, K_ELEM),
	FLD(drm_sushi_pb_query, flags, K_FLAGS),
	FLD(drm_sushi_pb_query, pad, K_MBZ),
};

static void c_pb_query(struct w *w)
{
	struct drm_sushi_pb_query q = { 0 };
	int fi = pick_fi(w), ret, mine = count_fi(w, 3, fi);

	q.count = rng_below(&w->r, 9);
	if (q.count) {
		q.sets = (uintptr_t)w->out;
		q.set_size = sizeof(struct drm_sushi_pb_set_info);
	}
	desc(w, "fd%d count %u", fi, q.count);
	if (mutating(w))
		mutate(w, &q, pb_query_f, NELEM(pb_query_f), fi, NULL,
		       q.count * sizeof(struct drm_sushi_pb_set_info), false);
	ret = issue(w, FZ_PB_QUERY, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_PB_QUERY), &q, true);
	if (ret || w->mutated)
		return;
	if (q.capacity != w->caps.pb_bytes || q.used > q.capacity)
		anomaly(w, AN_RESULT, "PB_QUERY capacity %llu used %llu",
			(unsigned long long)q.capacity,
			(unsigned long long)q.used);
	/* a private file has exactly this thread's sets */
	if (file_private(w, fi) && !w->f[fi].foreign && (int)q.count != mine)
		anomaly(w, AN_RESULT, "PB_QUERY: %u sets on fd%d, this thread pinned %d",
			q.count, fi, mine);
}

/* RESET */
static const struct fld reset_f[] = {
	FLD(drm_sushi_reset, flags, K_FLAGS),
	FLD(drm_sushi_reset, pb_gen, K_MBZ),
};

static void c_reset(struct w *w)
{
	struct drm_sushi_reset r = { 0 };
	int fi = pick_fi(w), ret;

	if (!opt.resets)
		return;
	desc(w, "fd%d%s", fi, w->root ? "" : " (no CAP_SYS_ADMIN)");
	if (mutating(w))
		mutate(w, &r, reset_f, NELEM(reset_f), fi, NULL, 0, false);
	ret = issue(w, FZ_RESET, fd_of(w, fi),
		    mutate_cmd(w, DRM_IOCTL_SUSHI_RESET), &r, w->root);
	if (!w->root && ret != -EACCES && !w->cmd_mutated &&
	    !(opt.unbind && ret == -ENODEV))
		anomaly(w, AN_RESULT, "RESET without CAP_SYS_ADMIN: %s",
			errname(-ret));
	if (!ret)
		w->golden_pinned = false;
}

/* Driver ioctl numbers the driver does not have. */
static void c_drv_unknown(struct w *w)
{
	int fi = pick_fi(w);
	unsigned long nr = DRM_COMMAND_BASE + 0x0c +
			   rng_below(&w->r, 0xa0 - DRM_COMMAND_BASE - 0x0c);
	unsigned long cmd = _IOC(rng_below(&w->r, 4), DRM_IOCTL_BASE, nr,
				 rng_below(&w->r, 257));

	memset(w->scratch, (int)rng_next(&w->r), 256);
	desc(w, "fd%d nr %#lx", fi, nr);
	issue(w, FZ_DRV_UNKNOWN, fd_of(w, fi), cmd, w->scratch, false);
}

/* VERSION, GET_CAP */
static const struct fld version_f[] = {
	FLD(drm_version, name_len, K_SIZE),
	FLD(drm_version, name, K_PTR_OUT),
	FLD(drm_version, date_len, K_SIZE),
	FLD(drm_version, date, K_PTR_OUT),
	FLD(drm_version, desc_len, K_SIZE),
	FLD(drm_version, desc, K_PTR_OUT),
};

static void c_version(struct w *w)
{
	struct drm_version v = { 0 };
	int fi = pick_fi(w), ret;
	size_t asked;

	v.name_len = rng_below(&w->r, 64);
	asked = v.name_len;
	v.name = (char *)w->out;
	v.date_len = rng_below(&w->r, 64);
	v.date = (char *)w->out + 64;
	v.desc_len = rng_below(&w->r, 128);
	v.desc = (char *)w->out + 128;
	memset(w->out, 0, 256);
	desc(w, "fd%d", fi);
	if (mutating(w))
		mutate(w, &v, version_f, NELEM(version_f), fi, NULL, 64, false);
	ret = issue(w, FZ_VERSION, fd_of(w, fi), DRM_IOCTL_VERSION, &v, true);
	if (!ret && !w->mutated && asked >= 5 &&
	    memcmp(w->out, "sushi", 5))
		anomaly(w, AN_RESULT, "VERSION name %.8s", (char *)w->out);
}

static void c_get_cap(struct w *w)
{
	static const __u64 caps[] = {
		DRM_CAP_PRIME, DRM_CAP_SYNCOBJ, DRM_CAP_SYNCOBJ_TIMELINE,
		DRM_CAP_TIMESTAMP_MONOTONIC, DRM_CAP_DUMB_BUFFER,
		DRM_CAP_ADDFB2_MODIFIERS, 0, 0x1234567,
	};
	struct drm_get_cap c = { 0 };
	int fi = pick_fi(w), ret;

	c.capability = caps[rng_below(&w->r, NELEM(caps))];
	desc(w, "fd%d cap %#llx", fi, (unsigned long long)c.capability);
	ret = issue(w, FZ_GET_CAP, fd_of(w, fi), DRM_IOCTL_GET_CAP, &c,
		    c.capability == DRM_CAP_PRIME ||
		    c.capability == DRM_CAP_SYNCOBJ);
	if (!ret && c.capability == DRM_CAP_SYNCOBJ && c.value != 1)
		anomaly(w, AN_RESULT, "GET_CAP SYNCOBJ = %llu",
			(unsigned long long)c.value);
}

/* GEM_CLOSE */
static void c_gem_close(struct w *w)
{
	struct drm_gem_close g = { 0 };
	int fi = pick_fi(w), i = pick_obj(w, 0, fi), ret;

	if (i < 0)
		return;
	if (!mutating(w)) {
		if (!gem_close(w, fi, w->bo[i].h, true))
			drop_bo(w, i);
		return;
	}
	if (rng_pct(&w->r, 50)) {
		g.handle = bad_handle(w, 0, fi, w->bo[i].h, true);
	} else {
		g.handle = w->bo[i].h;
		g.pad = 1 + rng_below(&w->r, ~0u);
		note_mut(w, "pad=%#x", g.pad);
	}
	desc(w, "fd%d h %u", fi, w->bo[i].h);
	ret = issue(w, FZ_GEM_CLOSE, fd_of(w, fi), DRM_IOCTL_GEM_CLOSE, &g,
		    false);
	if (!ret) {
		i = find_handle(w, 0, fi, g.handle);
		if (i >= 0)
			drop_bo(w, i);
	}
}

/* PRIME */
static void c_prime_to_fd(struct w *w)
{
	struct drm_prime_handle p = { 0 };
	int fi = pick_fi(w), i = pick_obj(w, 0, fi), ret;

	if (i < 0)
		return;
	p.handle = w->bo[i].h;
	p.flags = DRM_CLOEXEC | (rng_pct(&w->r, 50) ? DRM_RDWR : 0);
	p.fd = -1;
	desc(w, "fd%d h %u flags %#x", fi, p.handle, p.flags);
	if (mutating(w)) {
		if (rng_pct(&w->r, 50)) {
			p.handle = bad_handle(w, 0, fi, p.handle, false);
		} else {
			p.flags = (__u32)bad_value(w, K_FLAGS, 4, p.flags);
			note_mut(w, "flags=%#x", p.flags);
		}
	}
	ret = issue(w, FZ_PRIME_TO_FD, fd_of(w, fi),
		    DRM_IOCTL_PRIME_HANDLE_TO_FD, &p, true);
	if (ret)
		return;
	if (!w->mutated)
		w->bo[i].shared = true;
	add_xfd(w, p.fd, XFD_DMABUF, w->mutated ? 0 : w->bo[i].size);
}

/* A dma-buf from the system DMA heap or from udmabuf (root only). */
static int other_dmabuf(struct w *w, __u64 *size)
{
	struct udmabuf_create u = { 0 };
	int fd, mfd, ret = -1;

	*size = 4096 * rng_range(&w->r, 1, 8);
	if (rng_pct(&w->r, 50)) {
		struct dma_heap_allocation_data a = {
			.len = *size, .fd_flags = O_RDWR | O_CLOEXEC,
		};

		fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (!ioctl(fd, DMA_HEAP_IOCTL_ALLOC, &a))
			ret = a.fd;
		close(fd);
		return ret;
	}
	fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	mfd = syscall(SYS_memfd_create, "sushi-fuzz", MFD_ALLOW_SEALING);
	if (mfd >= 0 && !ftruncate(mfd, *size) &&
	    !fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		u.memfd = mfd;
		u.size = *size;
		u.flags = UDMABUF_FLAGS_CLOEXEC;
		ret = ioctl(fd, UDMABUF_CREATE, &u);
	}
	if (mfd >= 0)
		close(mfd);
	close(fd);
	return ret;
}

static void c_prime_from_fd(struct w *w)
{
	struct drm_prime_handle p = { 0 };
	int fi = pick_fi(w), i, ret, dfd = -1;
	__u64 size = 0;

	if (rng_pct(&w->r, 25) && w->root) {
		dfd = other_dmabuf(w, &size);
		if (dfd >= 0)
			add_xfd(w, dfd, XFD_HEAP, size);
	} else {
		for (i = 0; i < w->nxfd; i++)
			if (w->xfd[i].kind <= XFD_HEAP && w->xfd[i].size &&
			    rng_pct(&w->r, 50)) {
				dfd = w->xfd[i].fd;
				size = w->xfd[i].size;
			}
	}
	if (dfd < 0)
		return;
	p.fd = dfd;
	desc(w, "fd%d dmabuf %d (%llu bytes)", fi, dfd,
	     (unsigned long long)size);
	if (mutating(w)) {
		if (rng_pct(&w->r, 70)) {
			p.fd = (__s32)bad_value(w, K_FD, 4, p.fd);
			note_mut(w, "fd=%d", p.fd);
		} else {
			p.flags = (__u32)rng_next(&w->r);
			note_mut(w, "flags=%#x", p.flags);
		}
	}
	ret = issue(w, FZ_PRIME_FROM_FD, fd_of(w, fi),
		    DRM_IOCTL_PRIME_FD_TO_HANDLE, &p, true);
	if (ret || (w->mutated && p.fd != dfd))
		return;
	i = find_handle(w, 0, fi, p.handle);
	if (i >= 0) {
		w->bo[i].shared = true;
		return;
	}
	if (w->nbo == MAX_BOS)
		return;
	i = w->nbo++;
	memset(&w->bo[i], 0, sizeof(w->bo[i]));
	w->bo[i].fi = fi;
	w->bo[i].h = p.handle;
	w->bo[i].size = size;
	w->bo[i].shared = true;
}

/* SYNCOBJ_* */
static int new_syncobj(struct w *w, int fi, bool signalled)
{
	struct drm_syncobj_create c = { 0 };
	int i;

	if (w->nsync == MAX_SYNCS) {
		struct drm_syncobj_destroy d = { 0 };

		i = rng_below(&w->r, MAX_SYNCS);
		d.handle = w->sync[i].h;
		begin(w, FZ_SYNCOBJ_DESTROY);
		desc(w, "fd%d h %u (pool full)", w->sync[i].fi, d.handle);
		issue(w, FZ_SYNCOBJ_DESTROY, fd_of(w, w->sync[i].fi),
		      DRM_IOCTL_SYNCOBJ_DESTROY, &d, true);
		drop_sync(w, i);
	}
	c.flags = signalled ? DRM_SYNCOBJ_CREATE_SIGNALED : 0;
	begin(w, FZ_SYNCOBJ_CREATE);
	desc(w, "fd%d flags %u", fi, c.flags);
	if (issue(w, FZ_SYNCOBJ_CREATE, fd_of(w, fi), DRM_IOCTL_SYNCOBJ_CREATE,
		  &c, true))
		return -1;
	i = w->nsync++;
	w->sync[i].fi = fi;
	w->sync[i].h = c.handle;
	w->sync[i].fenced = signalled;
	return i;
}

static void c_syncobj_create(struct w *w)
{
	struct drm_syncobj_create c = { 0 };
	int fi = pick_fi(w);

	if (!mutating(w)) {
		new_syncobj(w, fi, rng_pct(&w->r, 50));
		return;
	}
	c.flags = (__u32)bad_value(w, K_FLAGS, 4, 0);
	note_mut(w, "flags=%#x", c.flags);
	desc(w, "fd%d", fi);
	if (!issue(w, FZ_SYNCOBJ_CREATE, fd_of(w, fi),
		   DRM_IOCTL_SYNCOBJ_CREATE, &c, false)) {
		struct drm_syncobj_destroy d = { .handle = c.handle };

		ioctl(fd_of(w, fi), DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	}
}

static void c_syncobj_destroy(struct w *w)
{
	struct drm_syncobj_destroy d = { 0 };
	int fi = pick_fi(w), i = pick_obj(w, 2, fi), ret;

	if (i < 0)
		return;
	d.handle = w->sync[i].h;
	desc(w, "fd%d h %u", fi, d.handle);
	if (mutating(w)) {
		if (rng_pct(&w->r, 50)) {
			d.handle = bad_handle(w, 2, fi, d.handle, true);
		} else {
			d.pad = 1;
			note_mut(w, "pad=1");
		}
	}
	ret = issue(w, FZ_SYNCOBJ_DESTROY, fd_of(w, fi),
		    DRM_IOCTL_SYNCOBJ_DESTROY, &d, true);
	if (!ret) {
		i = find_handle(w, 2, fi, d.handle);
		if (i >= 0)
			drop_sync(w, i);
	}
}

static void c_syncobj_to_fd(struct w *w)
{
	struct drm_syncobj_handle s = { 0 };
	int fi = pick_fi(w), i = pick_obj(w, 2, fi), ret;
	bool sf = rng_pct(&w->r, 40);

	if (i < 0)
		return;
	s.handle = w->sync[i].h;
	s.flags = sf ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE : 0;
	s.fd = -1;
	desc(w, "fd%d h %u%s", fi, s.handle, sf ? " sync_file" : "");
	if (mutating(w)) {
		switch (rng_below(&w->r, 3)) {
		case 0:
			s.handle = bad_handle(w, 2, fi, s.handle, false);
			break;
		case 1:
			s.flags = (__u32)bad_value(w, K_FLAGS, 4, s.flags);
			note_mut(w, "flags=%#x", s.flags);
			break;
		default:
			s.pad = 1;
			note_mut(w, "pad=1");
		}
	}
	/* a sync_file needs a fence: without one, EINVAL is documented */
	ret = issue(w, FZ_SYNCOBJ_TO_FD, fd_of(w, fi),
		    DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &s,
		    !sf || w->sync[i].fenced);
	/* what was exported follows the flags actually passed */
	if (!ret)
		add_xfd(w, s.fd, s.flags &
			DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE ?
			XFD_SYNCFILE : XFD_SYNCOBJ, 0);
}

static void c_syncobj_from_fd(struct w *w)
{
	struct drm_syncobj_handle s = { 0 };
	int fi = pick_fi(w), i, k = -1, ret;

	for (i = 0; i < w->nxfd; i++)
		if (w->xfd[i].kind >= XFD_SYNCOBJ && rng_pct(&w->r, 60))
			k = i;
	if (k < 0)
		return;
	s.fd = w->xfd[k].fd;
	if (w->xfd[k].kind == XFD_SYNCFILE) {
		i = pick_obj(w, 2, fi);
		if (i < 0)
			return;
		s.handle = w->sync[i].h;
		s.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	}
	desc(w, "fd%d from %d%s", fi, s.fd, s.flags ? " sync_file" : "");
	if (mutating(w)) {
		switch (rng_below(&w->r, 3)) {
		case 0:
			s.fd = (__s32)bad_value(w, K_FD, 4, s.fd);
			note_mut(w, "fd=%d", s.fd);
			break;
		case 1:
			s.flags ^= 1 << rng_below(&w->r, 32);
			note_mut(w, "flags=%#x", s.flags);
			break;
		default:
			s.pad = 1;
			note_mut(w, "pad=1");
		}
	}
	ret = issue(w, FZ_SYNCOBJ_FROM_FD, fd_of(w, fi),
		    DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &s, true);
	if (ret || w->mutated)
		return;
	if (s.flags) {
		i = find_handle(w, 2, fi, s.handle);
		if (i >= 0)
			w->sync[i].fenced = true;
	} else {
		/* the same syncobj as the exported one: drop this handle */
		struct drm_syncobj_destroy d = { .handle = s.handle };

		begin(w, FZ_SYNCOBJ_DESTROY);
		desc(w, "fd%d h %u (imported)", fi, d.handle);
		issue(w, FZ_SYNCOBJ_DESTROY, fd_of(w, fi),
		      DRM_IOCTL_SYNCOBJ_DESTROY, &d, true);
	}
}

static const struct fld syncobj_wait_f[] = {
	FLD(drm_syncobj_wait, handles, K_PTR_IN),
	FLD(drm_syncobj_wait, timeout_nsec, K_TIMEOUT),
	FLD(drm_syncobj_wait, count_handles, K_COUNT),
	FLD(drm_syncobj_wait, flags, K_FLAGS),
	FLD(drm_syncobj_wait, first_signaled, K_OUT),
	FLD(drm_syncobj_wait, pad, K_MBZ),
};

static void c_syncobj_wait(struct w *w)
{
	struct drm_syncobj_wait s = { 0 };
	__u32 h[4];
	int fi = pick_fi(w), i, n = 0, k;
	bool base = true, submit = rng_pct(&w->r, 30);

	for (k = rng_range(&w->r, 1, 4); k > 0; k--) {
		i = pick_obj(w, 2, fi);
		if (i < 0)
			break;
		h[n++] = w->sync[i].h;
		if (!w->sync[i].fenced)
			base = false;	/* EINVAL, or waiting for a submit */
	}
	if (!n)
		return;
	s.handles = (uintptr_t)handles_at(w, h, n);
	s.count_handles = n;
	s.flags = (rng_pct(&w->r, 50) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL : 0) |
		  (submit ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT : 0);
	/* unfenced with WAIT_FOR_SUBMIT waits the whole timeout: keep it short */
	s.timeout_nsec = sushi_deadline_ms(base ? WAIT_MS : 50);
	desc(w, "fd%d %d handles flags %#x", fi, n, s.flags);
	if (mutating(w)) {
		mutate(w, &s, syncobj_wait_f, NELEM(syncobj_wait_f), fi, NULL,
		       sizeof(h[0]) * n, false);
		/* never an unbounded wait for a submit that may not come */
		if (s.timeout_nsec > sushi_deadline_ms(2000) ||
		    s.timeout_nsec < 0)
			s.timeout_nsec = sushi_deadline_ms(100);
	}
	issue(w, FZ_SYNCOBJ_WAIT, fd_of(w, fi), DRM_IOCTL_SYNCOBJ_WAIT, &s,
	      base);
}

static void c_syncobj_array(struct w *w, bool reset)
{
	enum fz_call c = reset ? FZ_SYNCOBJ_RESET : FZ_SYNCOBJ_SIGNAL;
	struct drm_syncobj_array a = { 0 };
	__u32 h[4];
	int fi = pick_fi(w), i, n = 0, k, ret;

	for (k = rng_range(&w->r, 1, 3); k > 0; k--) {
		i = pick_obj(w, 2, fi);
		if (i >= 0)
			h[n++] = w->sync[i].h;
	}
	if (!n)
		return;
	a.handles = (uintptr_t)h;
	a.count_handles = n;
	desc(w, "fd%d %d handles", fi, n);
	if (mutating(w)) {
		switch (rng_below(&w->r, 4)) {
		case 0:
			a.handles = bad_pointer(w, h, sizeof(h[0]) * n, false);
			break;
		case 1:
			a.count_handles = (__u32)bad_value(w, K_COUNT, 4, n);
			note_mut(w, "count=%u", a.count_handles);
			break;
		case 2:
			a.pad = 1;
			note_mut(w, "pad=1");
			break;
		default:
			/* RESET changes what others wait for: own files only */
			h[0] = bad_handle(w, 2, fi, h[0], reset);
		}
	}
	if (a.handles == (uintptr_t)h)
		a.handles = (uintptr_t)handles_at(w, h, n);
	ret = issue(w, c, fd_of(w, fi), reset ? DRM_IOCTL_SYNCOBJ_RESET :
		    DRM_IOCTL_SYNCOBJ_SIGNAL, &a, true);
	if (ret)
		return;
	for (k = 0; k < n && !w->mutated; k++) {
		i = find_handle(w, 2, fi, h[k]);
		if (i >= 0)
			w->sync[i].fenced = !reset;
	}
	if (w->mutated && reset)	/* which ones changed is unknown */
		for (i = 0; i < w->nsync; i++)
			if (w->sync[i].fi == fi)
				w->sync[i].fenced = false;
}

/* Timeline syncobj ioctls: the driver has no DRIVER_SYNCOBJ_TIMELINE. */
static void c_syncobj_timeline(struct w *w)
{
	static const unsigned long cmds[] = {
		DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, DRM_IOCTL_SYNCOBJ_QUERY,
		DRM_IOCTL_SYNCOBJ_TRANSFER, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
	};
	int fi = pick_fi(w), k = rng_below(&w->r, NELEM(cmds));
	__u32 h = 1;
	__u64 pt = 1;
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&pt,
		.count_handles = 1,
	};

	desc(w, "fd%d nr %#x", fi, (unsigned int)_IOC_NR(cmds[k]));
	memcpy(w->scratch, &a, sizeof(a));
	issue(w, FZ_SYNCOBJ_TIMELINE, fd_of(w, fi), cmds[k], w->scratch,
	      false);
}

/* --core-all: every core ioctl number (the allowlist's business). */
static void c_core_other(struct w *w)
{
	int fi = pick_fi(w), ret;
	unsigned long nr, size = rng_below(&w->r, 129);
	unsigned long cmd;

	do {
		nr = rng_pct(&w->r, 70) ? rng_below(&w->r, 0x40) :
					  0xa0 + rng_below(&w->r, 0x30);
	} while (nr == _IOC_NR(DRM_IOCTL_VERSION) ||
		 nr == _IOC_NR(DRM_IOCTL_GET_CAP) ||
		 nr == _IOC_NR(DRM_IOCTL_GEM_CLOSE) ||
		 nr == _IOC_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD) ||
		 nr == _IOC_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE) ||
		 (nr >= 0xbf && nr <= 0xcf));	/* syncobj */
	cmd = _IOC(rng_below(&w->r, 4), DRM_IOCTL_BASE, nr, size);
	/* plausible small values: handles, lengths, our own buffers */
	for (ret = 0; ret < 16; ret++)
		((__u64 *)w->scratch)[ret] = rng_pct(&w->r, 50) ?
			rng_below(&w->r, 8) : (uintptr_t)w->out;
	desc(w, "fd%d nr %#lx size %lu", fi, nr, size);
	ret = issue(w, FZ_CORE_OTHER, fd_of(w, fi), cmd, w->scratch, false);
	if (opt.allowlist && ret != -ENOTTY)
		anomaly(w, AN_UNDOC, "core ioctl %#lx outside the allowlist: %s",
			nr, errname(-ret));
}

/* ------------------------------------------------------ golden network */

static void golden_setup(struct w *w)
{
	w->have_golden = !net_build(w->f[F_GOLDEN].fd, &w->caps, &w->golden,
				    (unsigned int)rng_next(&w->r));
	if (!w->have_golden)
		out_line("# worker %u.%u: cannot build the golden network",
			 w->p, w->t);
}

/* Launch the golden network (its weights pinned or not), check bytes. */
static void c_golden(struct w *w)
{
	struct drm_sushi_job_stats st;
	struct drm_sushi_pb_range r = { 0 };
	const struct drm_sushi_layer *l = &w->golden.l[0];
	int fd = w->f[F_GOLDEN].fd, ret;
	__u64 id;

	if (!w->have_golden)
		return;
	if (w->caps.flags & DRM_SUSHI_CAP_PB && rng_pct(&w->r, 40) &&
	    !w->golden_pinned) {
		if (w->golden_pins)
			sushi_pb_unpin(fd, w->golden_pins);
		w->golden_pins = 0;
		r.handle = l->w.handle;
		r.offset = l->w.offset;
		r.rows = l->out_c;
		r.row_bytes = l->in_c * l->kernel * l->kernel;
		r.row_stride = l->w_stride;
		w->golden_pinned = !sushi_pb_pin(fd, &r, 1, &w->golden_pins,
						 NULL);
	}
	begin(w, FZ_GOLDEN);
	net_clear_outputs(&w->golden);
	desc(w, "fd0 golden%s", w->golden_pinned ? " pinned" : "");
	snprintf(w->st->current, FZ_LINE, "#%llu golden %s",
		 (unsigned long long)w->st->calls, w->desc);
	ret = sushi_launch_pinned(fd, w->golden.prog,
				  w->golden_pinned ? w->golden_pins : 0, &id);
	if (!ret)
		ret = sushi_job_wait(fd, id, sushi_deadline_ms(WAIT_MS), &st);
	w->st->calls += 2;
	ring_add(w, w->st->current);
	if (ret && !(opt.unbind && ret == -ENODEV)) {
		anomaly(w, AN_GOLDEN, "launch/wait: %s", errname(-ret));
		return;
	}
	if (ret || st.status != DRM_SUSHI_JOB_OK) {
		/* a reset by somebody (canceled, aborted, stale pins) */
		w->st->golden_skipped++;
		if (st.status == DRM_SUSHI_JOB_STALE_PB)
			w->golden_pinned = false;
		return;
	}
	if (!net_check(&w->golden)) {
		anomaly(w, AN_GOLDEN, "the output bytes differ from the model's");
		return;
	}
	w->st->golden_ok++;
}

/* ------------------------------------------------- files, children */

static void c_file(struct w *w)
{
	int fi = rng_pct(&w->r, 50) ? F_CHURN : F_STABLE, i;

	switch (rng_below(&w->r, 4)) {
	case 0:		/* dup, or drop the dup */
		if (w->f[fi].dup >= 0) {
			close(w->f[fi].dup);
			w->f[fi].dup = -1;
		} else if (w->f[fi].fd >= 0) {
			w->f[fi].dup = fcntl(w->f[fi].fd, F_DUPFD_CLOEXEC, 0);
		}
		break;
	case 1:		/* close the churn file with its work in flight */
		if (w->child || w->f[F_CHURN].fd < 0)
			break;
		i = pick_obj(w, 1, F_CHURN);
		if (i >= 0)
			sushi_launch(w->f[F_CHURN].fd, w->prog[i].h, 0, NULL,
				     0, NULL);
		close_file(w, F_CHURN);
		if (reopen_file(w, F_CHURN) && !opt.unbind)
			anomaly(w, AN_BASELINE, "reopening the node failed");
		break;
	case 2:		/* open and close at once */
		i = open_node();
		if (i >= 0)
			close(i);
		else if (!opt.unbind && errno != EMFILE && errno != ENFILE)
			anomaly(w, AN_BASELINE, "open: %s", errname(errno));
		break;
	default:	/* reap finished or kill running children */
		for (i = 0; i < w->nkid; i++) {
			if (rng_pct(&w->r, 30) && !w->kid_killed[i]) {
				kill(w->kid[i], SIGKILL);
				w->kid_killed[i] = true;
			}
		}
	}
}

static void reap(struct w *w, bool all)
{
	int i, status;
	pid_t r;

	for (i = 0; i < w->nkid; i++) {
		r = waitpid(w->kid[i], &status, all ? 0 : WNOHANG);
		if (r == 0)
			continue;
		if (r == w->kid[i] && WIFSIGNALED(status) &&
		    !(WTERMSIG(status) == SIGKILL && w->kid_killed[i]))
			anomaly(w, AN_CHILD, "child %d died from signal %d",
				(int)w->kid[i], WTERMSIG(status));
		w->kid[i] = w->kid[--w->nkid];
		w->kid_killed[i] = w->kid_killed[w->nkid];
		i--;
	}
}

static void run_calls(struct w *w, uint64_t n);

/* A child on the inherited descriptors, with its own objects only. */
static void c_fork(struct w *w)
{
	uint64_t seed = rng_next(&w->r), n = rng_range(&w->r, 20, 200);
	pid_t pid;
	int i;

	reap(w, false);
	if (w->child || w->nkid == MAX_KIDS || !opt.forks)
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (pid) {
		for (i = 0; i < N_FILES; i++)
			w->f[i].foreign = true;
		w->kid[w->nkid] = pid;
		w->kid_killed[w->nkid] = false;
		w->nkid++;
		w->st->children++;
		return;
	}
	/* the child: forget the parent's objects, keep its descriptors */
	w->child = true;
	w->nkid = 0;
	w->reports = 0;
	w->kinds_seen = 0;
	rng_seed(&w->r, seed);
	for (i = 0; i < w->nbo; i++)
		w->bo[i].map = NULL;	/* the parent's mappings: leave them */
	w->nbo = w->nprog = w->nsync = w->npin = w->njob = 0;
	w->norphan = 0;
	w->nxfd = 0;
	w->have_golden = false;
	run_calls(w, n);
	/* exit with work in flight, or after it finished */
	_exit(w->reports ? 1 : 0);
}

/* --timeouts: a job longer than the driver's timeout (slow clock only). */
static void c_slow(struct w *w)
{
	/*
	 * SLOW_N 1x1 max-poolings of a SLOW_HW^2 tensor: about 4.6 s on a
	 * 1 MHz device, in one ring entry (no progress until it ends), with
	 * every BO (and the kernel's descriptor BO) under 64 KiB (see BO_MAX).
	 */
	enum { SLOW_N = 500, SLOW_HW = 96 };
	static __thread struct drm_sushi_layer l[SLOW_N];
	__u64 t = SLOW_HW * SLOW_HW, id;
	int fd = w->f[F_CHURN].fd, i;
	struct sbo src, act;
	__u32 prog;

	if (!opt.timeouts || w->child || fd < 0 ||
	    w->caps.clock_hz > SLOW_MAX_CLOCK_HZ || w->caps.max_layers < SLOW_N)
		return;
	begin(w, FZ_SLOW);
	snprintf(w->st->current, FZ_LINE, "#%llu slow job on fd2",
		 (unsigned long long)w->st->calls);
	ring_add(w, w->st->current);
	if (sbo_create(fd, t, DRM_SUSHI_BO_DEVICE_READ_ONLY, &src))
		return;
	if (sbo_create(fd, 2 * t, 0, &act)) {
		sbo_close(fd, &src);
		return;
	}
	memset(l, 0, sizeof(l));
	for (i = 0; i < SLOW_N; i++) {
		l[i].op = SUSHI_OP_MAXPOOL;
		l[i].in_c = 1;
		l[i].in_h = SLOW_HW;
		l[i].in_w = SLOW_HW;
		l[i].out_c = 1;
		l[i].out_h = SLOW_HW;
		l[i].out_w = SLOW_HW;
		l[i].kernel = 1;
		l[i].stride = 1;
		l[i].groups = 1;
		l[i].act_min = -128;
		l[i].act_max = 127;
		l[i].in = i ? sref(&act, (i % 2) * t) : sref(&src, 0);
		l[i].out = sref(&act, ((i + 1) % 2) * t);
	}
	if (!sushi_program_create(fd, l, SLOW_N, &prog))
		sushi_launch(fd, prog, 0, NULL, 0, &id);
	/* the program and its BOs stay with the file until it is closed */
	munmap(src.map, src.size);
	munmap(act.map, act.size);
	w->st->calls++;
}

/*
 * Double fetches: a second thread rewrites the count of a syncobj array
 * call (between 1 and 2^21) while this one makes the call a few hundred
 * times.  A check that reads the argument from user memory before the DRM
 * core copies it again lets a huge count through: finding F1b, only with
 * --known-bugs until it is fixed (the core then WARNs, as in F1).
 */
struct race {
	struct drm_syncobj_array a;
	volatile int stop;
};

static void *race_flip(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		__atomic_store_n(&r->a.count_handles, 1u << 21,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&r->a.count_handles, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void c_race(struct w *w)
{
	static __thread struct race r;
	int fi = pick_fi(w), i = pick_obj(w, 2, fi), k, e;
	pthread_t t;

	if (!opt.known_bugs || w->child || i < 0)
		return;
	begin(w, FZ_RACE);
	memset(&r, 0, sizeof(r));
	r.a.handles = (uintptr_t)handles_at(w, &w->sync[i].h, 1);
	r.a.count_handles = 1;
	snprintf(w->st->current, FZ_LINE,
		 "#%llu arg-race SYNCOBJ_SIGNAL fd%d h %u, count flipped",
		 (unsigned long long)w->st->calls, fi, w->sync[i].h);
	ring_add(w, w->st->current);
	if (pthread_create(&t, NULL, race_flip, &r))
		return;
	for (k = 0; k < 300; k++) {
		e = ioctl(fd_of(w, fi), DRM_IOCTL_SYNCOBJ_SIGNAL, &r.a) ?
		    errno : 0;
		w->st->calls++;
		if (e < FZ_MAX_ERRNO)
			w->st->errnos[FZ_RACE][e]++;
		if (e && e != EINVAL && e != ENOMEM)
			anomaly(w, AN_UNDOC, "SYNCOBJ_SIGNAL (count racing): %s",
				errname(e));
	}
	r.stop = 1;
	pthread_join(t, NULL);
	w->sync[i].fenced = true;	/* signalled by the calls with count 1 */
}

/* --------------------------------------------------------- the loop */

struct wt_call {
	enum fz_call c;
	unsigned int weight;
};

static const struct wt_call table[] = {
	{ FZ_QUERY, 30 }, { FZ_BO_CREATE, 50 }, { FZ_BO_MMAP_OFFSET, 30 },
	{ FZ_BO_WAIT, 30 }, { FZ_PROGRAM_CREATE, 90 },
	{ FZ_PROGRAM_DESTROY, 30 }, { FZ_LAUNCH, 120 }, { FZ_JOB_WAIT, 60 },
	{ FZ_PB_PIN, 50 }, { FZ_PB_UNPIN, 30 }, { FZ_PB_QUERY, 25 },
	{ FZ_RESET, 1 }, { FZ_DRV_UNKNOWN, 8 }, { FZ_VERSION, 8 },
	{ FZ_GET_CAP, 8 }, { FZ_GEM_CLOSE, 40 }, { FZ_PRIME_TO_FD, 20 },
	{ FZ_PRIME_FROM_FD, 20 }, { FZ_SYNCOBJ_CREATE, 30 },
	{ FZ_SYNCOBJ_DESTROY, 15 }, { FZ_SYNCOBJ_TO_FD, 15 },
	{ FZ_SYNCOBJ_FROM_FD, 15 }, { FZ_SYNCOBJ_WAIT, 25 },
	{ FZ_SYNCOBJ_RESET, 10 }, { FZ_SYNCOBJ_SIGNAL, 15 },
	{ FZ_SYNCOBJ_TIMELINE, 4 }, { FZ_CORE_OTHER, 15 }, { FZ_MMAP, 40 },
	{ FZ_GOLDEN, 6 }, { FZ_FILE, 10 }, { FZ_FORK, 2 }, { FZ_SLOW, 2 },
	{ FZ_RACE, 2 },
};

/* The fuzzer's own bookkeeping must stay sane (a bug here is ours). */
static void pool_check(struct w *w, enum fz_call c)
{
	const char *bad = NULL;
	int i;

	if (w->nbo > MAX_BOS || w->nprog > MAX_PROGS || w->nsync > MAX_SYNCS ||
	    w->npin > MAX_PINS || w->njob > MAX_JOBS || w->nxfd > MAX_XFDS)
		bad = "pool count";
	for (i = 0; i < w->nbo && !bad; i++)
		if (!w->bo[i].h || w->bo[i].fi < F_STABLE)
			bad = "BO pool";
	for (i = 0; i < w->nprog && !bad; i++)
		if (!w->prog[i].h || w->prog[i].fi < F_STABLE)
			bad = "program pool";
	for (i = 0; i < w->nsync && !bad; i++)
		if (!w->sync[i].h || w->sync[i].fi < F_STABLE)
			bad = "syncobj pool";
	for (i = 0; i < w->npin && !bad; i++)
		if (!w->pin[i].h || w->pin[i].fi < F_STABLE)
			bad = "pin pool";
	if (!bad)
		return;
	out_line("# worker %u.%u: fuzzer bug: %s corrupt after %s (%s)", w->p,
		 w->t, bad, fz_call_name[c], w->st->current);
	abort();
}

static void one_call(struct w *w)
{
	static __thread unsigned int total;
	unsigned int k, i;
	enum fz_call c;

	if (!total)
		for (i = 0; i < NELEM(table); i++)
			total += table[i].weight;
	k = rng_below(&w->r, total);
	for (i = 0; k >= table[i].weight; i++)
		k -= table[i].weight;
	c = table[i].c;
	begin(w, c);
	switch (c) {
	case FZ_QUERY:
		c_query(w);
		break;
	case FZ_BO_CREATE:
		c_bo_create(w);
		break;
	case FZ_BO_MMAP_OFFSET:
		c_mmap_offset(w);
		break;
	case FZ_BO_WAIT:
		c_bo_wait(w);
		break;
	case FZ_PROGRAM_CREATE:
		c_program_create(w);
		break;
	case FZ_PROGRAM_DESTROY:
		c_program_destroy(w);
		break;
	case FZ_LAUNCH:
		c_launch(w);
		break;
	case FZ_JOB_WAIT:
		c_job_wait(w);
		break;
	case FZ_PB_PIN:
		c_pb_pin(w);
		break;
	case FZ_PB_UNPIN:
		c_pb_unpin(w);
		break;
	case FZ_PB_QUERY:
		c_pb_query(w);
		break;
	case FZ_RESET:
		c_reset(w);
		break;
	case FZ_DRV_UNKNOWN:
		c_drv_unknown(w);
		break;
	case FZ_VERSION:
		c_version(w);
		break;
	case FZ_GET_CAP:
		c_get_cap(w);
		break;
	case FZ_GEM_CLOSE:
		c_gem_close(w);
		break;
	case FZ_PRIME_TO_FD:
		c_prime_to_fd(w);
		break;
	case FZ_PRIME_FROM_FD:
		c_prime_from_fd(w);
		break;
	case FZ_SYNCOBJ_CREATE:
		c_syncobj_create(w);
		break;
	case FZ_SYNCOBJ_DESTROY:
		c_syncobj_destroy(w);
		break;
	case FZ_SYNCOBJ_TO_FD:
		c_syncobj_to_fd(w);
		break;
	case FZ_SYNCOBJ_FROM_FD:
		c_syncobj_from_fd(w);
		break;
	case FZ_SYNCOBJ_WAIT:
		c_syncobj_wait(w);
		break;
	case FZ_SYNCOBJ_RESET:
		c_syncobj_array(w, true);
		break;
	case FZ_SYNCOBJ_SIGNAL:
		c_syncobj_array(w, false);
		break;
	case FZ_SYNCOBJ_TIMELINE:
		c_syncobj_timeline(w);
		break;
	case FZ_CORE_OTHER:
		if (opt.core_all)
			c_core_other(w);
		break;
	case FZ_MMAP:
		c_mmap(w);
		break;
	case FZ_GOLDEN:
		if (!w->child)
			c_golden(w);
		break;
	case FZ_FILE:
		c_file(w);
		break;
	case FZ_FORK:
		c_fork(w);
		break;
	case FZ_SLOW:
		c_slow(w);
		break;
	case FZ_RACE:
		c_race(w);
		break;
	default:
		break;
	}
	pool_check(w, c);
}

/* Reopen what an unbind closed under us. */
static void recover(struct w *w)
{
	int fi;

	for (fi = 0; fi < N_FILES; fi++) {
		if (fi == F_SHARED)
			continue;
		close_file(w, fi);
		reopen_file(w, fi);
	}
	/*
	 * The first thread to get here opens the process's new shared file;
	 * the old one stays open (other threads may be in a call on it).
	 */
	pthread_mutex_lock(&shared_lock);
	if (shared_gen != shm->unbinds) {
		int fd = open_node();

		if (fd >= 0) {
			shared_fd = fd;
			shared_dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		}
		shared_gen = shm->unbinds;
	}
	purge_file(w, F_SHARED);
	w->f[F_SHARED].fd = shared_fd;
	w->f[F_SHARED].dup = shared_dup;
	pthread_mutex_unlock(&shared_lock);
	w->have_golden = false;
	if (w->f[F_GOLDEN].fd >= 0)
		golden_setup(w);
	w->golden_pinned = false;
	w->golden_pins = 0;
	w->st->unbinds_seen++;
}

static void run_calls(struct w *w, uint64_t n)
{
	uint64_t i, deadline = opt.seconds > 0 ?
		shm->start_ns + (uint64_t)(opt.seconds * 1e9) : 0;
	uint64_t seen = shm->unbinds;

	for (i = 0; !n || i < n; i++) {
		if (shm->stop || (deadline && fz_now_ns() >= deadline))
			break;
		if (opt.unbind && (shm->unbound || seen != shm->unbinds)) {
			while (shm->unbound && !shm->stop)
				usleep(10000);
			seen = shm->unbinds;
			recover(w);
		}
		one_call(w);
		if (!w->child && (i & 63) == 0)
			reap(w, false);
	}
}

/* ----------------------------------------------------------- set-up */

static int worker_init(struct w *w, unsigned int p, unsigned int t)
{
	int fi;

	memset(w, 0, offsetof(struct w, scratch));
	w->p = p;
	w->t = t;
	w->st = fz_stat_of(opt.only_proc >= 0 ? 0 : p,
			   opt.only_proc >= 0 ? 0 : t);
	rng_seed(&w->r, fz_worker_seed(opt.seed, p, t));
	w->root = geteuid() == 0;
	w->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	w->guard = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w->ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		     0);
	w->gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	w->out = mmap(NULL, OUT_SIZE + 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->guard == MAP_FAILED || w->ro == MAP_FAILED ||
	    w->gone == MAP_FAILED || w->out == MAP_FAILED)
		return -ENOMEM;
	mprotect(w->out + OUT_SIZE, 4096, PROT_NONE);
	w->hbuf = mmap(NULL, OUT_SIZE + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->hbuf == MAP_FAILED)
		return -ENOMEM;
	memset(w->hbuf, 0xff, OUT_SIZE);
	mprotect((unsigned char *)w->hbuf + OUT_SIZE, 4096, PROT_NONE);
	mprotect(w->guard + 4096, 4096, PROT_NONE);
	munmap(w->gone, 4096);
	for (fi = 0; fi < N_FILES; fi++) {
		w->f[fi].dup = -1;
		if (fi == F_SHARED) {
			w->f[fi].fd = shared_fd;
			w->f[fi].dup = shared_dup;
			w->f[fi].shared = true;
		} else if (reopen_file(w, fi)) {
			return -errno;
		}
	}
	if (sushi_query_caps(w->f[F_STABLE].fd, &w->caps))
		return -EIO;
	golden_setup(w);
	return 0;
}

static __thread struct w *self_w;

/* A crash of the fuzzer itself, or SIGBUS from a mapping: say where. */
static void on_crash(int sig)
{
	char b[FZ_LINE + 96];
	struct w *w = self_w;
	int n;

	n = snprintf(b, sizeof(b), "# worker %u.%u%s: signal %d in: %s\n",
		     w ? w->p : 0, w ? w->t : 0,
		     w && w->child ? " (child)" : "", sig,
		     w ? w->st->current : "?");
	if (write(2, b, n) < 0)
		n = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void *thread_main(void *arg)
{
	struct w *w = arg;

	self_w = w;

	run_calls(w, opt.calls);
	reap(w, false);
	/* children still running: stop them, then wait */
	while (w->nkid) {
		int i;

		for (i = 0; i < w->nkid; i++)
			if (!w->kid_killed[i]) {
				kill(w->kid[i], SIGKILL);
				w->kid_killed[i] = true;
			}
		reap(w, true);
	}
	w->st->done = 1;
	return NULL;
}

/* The body of worker process @p (forked by main): its threads. */
void fz_worker_process(unsigned int p)
{
	unsigned int nt = opt.only_proc >= 0 ? 1 : opt.threads, t;
	pthread_t tid[64];
	struct w *ws;
	int ret;

	if (opt.users && (p & 1)) {
		/* an ordinary user: no CAP_SYS_ADMIN, no CAP_PERFMON */
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			out_line("# worker %u: cannot become nobody", p);
			_exit(2);
		}
	}
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGILL, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGABRT, on_crash);
	shared_gen = shm->unbinds;
	shared_fd = open_node();
	if (shared_fd < 0) {
		out_line("# worker %u: open %s: %s", p, shm->node,
			 strerror(errno));
		_exit(2);
	}
	shared_dup = fcntl(shared_fd, F_DUPFD_CLOEXEC, 0);
	ws = mmap(NULL, sizeof(*ws) * nt, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ws == MAP_FAILED)
		_exit(2);
	for (t = 0; t < nt; t++) {
		unsigned int tt = opt.only_proc >= 0 ? (unsigned int)opt.only_thread : t;

		ret = worker_init(&ws[t], p, tt);
		if (ret) {
			out_line("# worker %u.%u: set-up failed: %s", p, tt,
				 strerror(-ret));
			_exit(2);
		}
	}
	for (t = 1; t < nt; t++)
		if (pthread_create(&tid[t], NULL, thread_main, &ws[t]))
			_exit(2);
	thread_main(&ws[0]);
	for (t = 1; t < nt; t++)
		pthread_join(tid[t], NULL);
	for (t = 0; t < nt; t++)
		if (ws[t].reports)
			_exit(1);
	_exit(0);
}
