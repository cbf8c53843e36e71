/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_util.h - helpers for the SUSHI kselftests that run work on the
 * device: BOs with CPU mappings, programs, launches, job statistics,
 * syncobjs, and the model configuration matching the device's caps.
 * Every helper returns 0 or -errno (see sushi_ioctl()).
 */
#ifndef SUSHI_UTIL_H
#define SUSHI_UTIL_H

#include <dirent.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <time.h>
#include <linux/sync_file.h>

#include "sushi_model.h"
#include "sushi_test.h"

#define NSEC_PER_SEC	1000000000ll

/* A BO and its CPU mapping. */
struct sbo {
	__u32 handle;
	__u64 size;
	unsigned char *map;
};

static inline int sbo_create(int fd, __u64 size, __u32 flags, struct sbo *bo)
{
	struct drm_sushi_bo_create c = { .size = size, .flags = flags };
	struct drm_sushi_bo_mmap_offset m = { 0 };
	void *p;
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_CREATE, &c);
	if (ret)
		return ret;
	m.handle = c.handle;
	ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET, &m);
	if (ret)
		return ret;
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 m.offset);
	if (p == MAP_FAILED)
		return -errno;
	bo->handle = c.handle;
	bo->size = c.size;
	bo->map = p;
	return 0;
}

static inline int sbo_close(int fd, struct sbo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->map)
		munmap(bo->map, bo->size);
	bo->map = NULL;
	return sushi_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static inline __s64 sushi_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__s64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Absolute deadline @ms milliseconds from now. */
static inline __s64 sushi_deadline_ms(long ms)
{
	return sushi_now_ns() + (__s64)ms * 1000000;
}

static inline int sushi_program_create(int fd,
				       const struct drm_sushi_layer *layers,
				       __u32 n, __u32 *handle)
{
	struct drm_sushi_program_create c = {
		.layers = (uintptr_t)layers,
		.n_layers = n,
		.layer_size = sizeof(*layers),
	};
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_PROGRAM_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

static inline int sushi_program_destroy(int fd, __u32 handle)
{
	struct drm_sushi_program_destroy d = { .handle = handle };

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_PROGRAM_DESTROY, &d);
}

static inline int sushi_launch_pinned(int fd, __u32 program, __u32 pin_set,
				      __u64 *job_id)
{
	struct drm_sushi_launch l = { .program = program, .pin_set = pin_set };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_LAUNCH, &l);

	if (!ret && job_id)
		*job_id = l.job_id;
	return ret;
}

static inline int sushi_launch(int fd, __u32 program, __u32 out_syncobj,
			       const __u32 *in, __u32 n_in, __u64 *job_id)
{
	struct drm_sushi_launch l = {
		.program = program,
		.in_syncobjs = (uintptr_t)in,
		.in_syncobj_count = n_in,
		.out_syncobj = out_syncobj,
	};
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_LAUNCH, &l);

	if (!ret && job_id)
		*job_id = l.job_id;
	return ret;
}

static inline int sushi_job_wait(int fd, __u64 id, __s64 deadline,
				 struct drm_sushi_job_stats *st)
{
	struct drm_sushi_job_wait w = {
		.job_id = id,
		.timeout_ns = deadline,
		.stats = (uintptr_t)st,
		.stats_size = st ? sizeof(*st) : 0,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_JOB_WAIT, &w);
}

static inline int sushi_bo_wait(int fd, __u32 handle, __u32 flags,
				__s64 deadline)
{
	struct drm_sushi_bo_wait w = {
		.handle = handle,
		.flags = flags,
		.timeout_ns = deadline,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_BO_WAIT, &w);
}

static inline int sushi_syncobj_create(int fd, __u32 *handle)
{
	struct drm_syncobj_create c = { 0 };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

static inline int sushi_syncobj_destroy(int fd, __u32 handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return sushi_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* Wait for a syncobj's fence (which must exist) until @deadline. */
static inline int sushi_syncobj_wait(int fd, __u32 handle, __s64 deadline)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
		.timeout_nsec = deadline,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static inline int sushi_pb_pin(int fd, const struct drm_sushi_pb_range *r,
			       __u32 n, __u32 *handle, __u64 *job_id)
{
	struct drm_sushi_pb_pin p = {
		.ranges = (uintptr_t)r,
		.count = n,
		.range_size = sizeof(*r),
	};
	int ret = sushi_ioctl(fd, DRM_IOCTL_SUSHI_PB_PIN, &p);

	if (!ret) {
		*handle = p.handle;
		if (job_id)
			*job_id = p.job_id;
	}
	return ret;
}

/*
 * The status of a syncobj's fence through a sync_file export: 1 signalled,
 * 0 still pending, a negative errno the fence's error (or the export's).
 */
static inline int sushi_syncobj_status(int fd, __u32 handle)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct sync_file_info info = { 0 };
	int ret = sushi_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);

	if (ret)
		return ret;
	ret = sushi_ioctl(h.fd, SYNC_IOC_FILE_INFO, &info);
	close(h.fd);
	return ret ? ret : info.status;
}

/* PB_UNPIN with an out-syncobj signalled when the set's space is free. */
static inline int sushi_pb_unpin_signal(int fd, __u32 handle, __u32 syncobj)
{
	struct drm_sushi_pb_unpin u = {
		.handle = handle, .out_syncobj = syncobj,
	};

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u);
}

/* PB_UNPIN, then wait until the set's PB space is free again. */
static inline int sushi_pb_unpin_wait(int fd, __u32 handle)
{
	__u32 s;
	int ret = sushi_syncobj_create(fd, &s);

	if (ret)
		return ret;
	ret = sushi_pb_unpin_signal(fd, handle, s);
	if (!ret)
		ret = sushi_syncobj_wait(fd, s, sushi_deadline_ms(20000));
	sushi_syncobj_destroy(fd, s);
	return ret;
}

static inline int sushi_pb_unpin(int fd, __u32 handle)
{
	struct drm_sushi_pb_unpin u = { .handle = handle };

	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_PB_UNPIN, &u);
}

static inline int sushi_pb_query(int fd, struct drm_sushi_pb_query *q,
				 struct drm_sushi_pb_set_info *sets, __u32 n)
{
	memset(q, 0, sizeof(*q));
	q->sets = (uintptr_t)sets;
	q->count = n;
	q->set_size = n ? sizeof(*sets) : 0;
	return sushi_ioctl(fd, DRM_IOCTL_SUSHI_PB_QUERY, q);
}

/* The model configuration of the device behind @caps. */
static inline void sushi_caps_config(const struct drm_sushi_caps *caps,
				     struct sushi_model_config *cfg)
{
	sushi_model_config_default(cfg);
	cfg->pe_k = caps->pe_k;
	cfg->pe_c = caps->pe_c;
	cfg->clock_hz = caps->clock_hz;
	cfg->dram_bytes_per_cycle = caps->dram_bytes_per_cycle;
	cfg->overhead_cycles = caps->overhead_cycles;
	cfg->overlap = !!(caps->flags & DRM_SUSHI_CAP_OVERLAP);
	cfg->pb_bytes = caps->pb_bytes;
	cfg->pb_entries = caps->pb_entries ? caps->pb_entries : 1;
	cfg->act_sram_bytes = caps->act_sram_bytes;
	cfg->e_mac_fj = caps->e_mac_fj;
	cfg->e_dram_fj = caps->e_dram_fj;
	cfg->e_pb_fj = caps->e_pb_fj;
	cfg->e_buf_fj = caps->e_buf_fj;
	cfg->p_static_uw = caps->p_static_uw;
}

/* Deterministic pseudo-random bytes (xorshift32). */
static inline void sushi_fill_random(void *buf, size_t n, __u32 seed)
{
	unsigned char *p = buf;
	__u32 x = seed ? seed : 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
}

/* A reference into a BO. */
static inline struct drm_sushi_bo_ref sref(const struct sbo *bo, __u64 off)
{
	struct drm_sushi_bo_ref r = { .handle = bo->handle, .offset = off };

	return r;
}

/* The model's host-order descriptor of @u, with BO offsets as addresses. */
static inline void sushi_layer_to_model(const struct drm_sushi_layer *u,
					struct sushi_hw_layer *l)
{
	memset(l, 0, sizeof(*l));
	l->op = u->op;
	l->flags = u->flags;
	l->in_c = u->in_c;
	l->in_h = u->in_h;
	l->in_w = u->in_w;
	l->out_c = u->out_c;
	l->out_h = u->out_h;
	l->out_w = u->out_w;
	l->kernel = u->kernel;
	l->stride = u->stride;
	l->pad = u->padding;
	l->groups = u->groups;
	l->in_zp = (__u32)u->in_zp;
	l->in2_zp = (__u32)u->in2_zp;
	l->out_zp = (__u32)u->out_zp;
	l->act_min = (__u32)u->act_min;
	l->act_max = (__u32)u->act_max;
	l->add_shift = u->add_shift;
	l->add_mult_a = (__u32)u->add_mult_a;
	l->add_mult_b = (__u32)u->add_mult_b;
	l->in_addr = u->in.offset;
	l->in2_addr = u->in2.offset;
	l->out_addr = u->out.offset;
	l->w_addr = u->w.offset;
	l->w_stride = u->w_stride;
	l->epi_addr = u->epi.offset;
}

/*
 * Lines of the kernel log buffer that contain @needle (root; -errno when
 * the log cannot be read).
 */
static inline int kmsg_count(const char *needle)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n = 0;
	char *buf, *p;

	if (len <= 0)
		return len < 0 ? -errno : 0;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		free(buf);
		return -errno;
	}
	buf[len] = 0;
	for (p = buf; (p = strstr(p, needle)); p++)
		n++;
	free(buf);
	return n;
}

/* debugfs of the (only) sushi device */
#define DEBUGFS_ACCEL	"/sys/kernel/debug/accel"

/* Path of debugfs file @name of the (only) sushi device, or -ENOENT. */
static inline int debugfs_path(const char *name, char *path, size_t len)
{
	DIR *d = opendir(DEBUGFS_ACCEL);
	struct dirent *e;
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, len, "%s/%.64s/%s", DEBUGFS_ACCEL,
			     e->d_name, name) >= (int)len)
			continue;
		if (!access(path, F_OK)) {
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/* A user BO in the device address space (a row of debugfs "bos"). */
struct debugfs_bo {
	__u64 dva;
	__u64 size;
};

/*
 * The user BOs mapped for the device (debugfs "bos", the driver's own
 * excluded): the first @max in @bos; returns how many were stored, or -1.
 */
static inline int debugfs_user_bos(struct debugfs_bo *bos, int max)
{
	char path[192], line[128];
	unsigned long long dva, size;
	unsigned int flags;
	int kernel, n = 0;
	FILE *f;

	if (debugfs_path("bos", path, sizeof(path)))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < max)
		if (sscanf(line, "%llx %llu %x %d", &dva, &size, &flags,
			   &kernel) == 4 && !kernel) {
			bos[n].dva = dva;
			bos[n].size = size;
			n++;
		}
	fclose(f);
	return n;
}

static inline long debugfs_read_long(const char *name)
{
	char path[192], buf[32] = "";
	ssize_t n;
	int fd;

	if (debugfs_path(name, path, sizeof(path)))
		return -1;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static inline int force_reset(void)
{
	char path[192];
	int fd, ret = 0;

	if (debugfs_path("force_reset", path, sizeof(path)))
		return -ENOENT;
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

#endif /* SUSHI_UTIL_H */
