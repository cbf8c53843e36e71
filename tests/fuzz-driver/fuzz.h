/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - shared types of sushi-fuzz, the structure-aware fuzzer of the
 * SushiAccel driver's ioctls (tests/fuzz-driver/): the seeded PRNG, the
 * options, the statistics every worker keeps in shared memory, the table of
 * ioctls with their documented errnos, and the worker's object pools.
 * See Documentation/driver/fuzzing.rst.
 */
#ifndef SUSHI_FUZZ_H
#define SUSHI_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include "sushi_net.h"

/* ------------------------------------------------------------- PRNG */

/* xoshiro256** seeded with splitmix64: fast, and the same on every host. */
struct rng {
	uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return res;
}

/* Uniform in [0, n) (n > 0). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* Uniform in [lo, hi]. */
static inline uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True with probability pct percent. */
static inline bool rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/* ---------------------------------------------------------- options */

struct opts {
	uint64_t seed;
	unsigned int procs;		/* worker processes */
	unsigned int threads;		/* threads per worker process */
	double seconds;			/* run time bound (0: none) */
	uint64_t calls;			/* calls per worker thread (0: none) */
	int only_proc, only_thread;	/* --only P.T: that worker alone */
	unsigned int mutate_pct;	/* calls with one field mutated */
	bool core_all;		/* also non-allowlisted core DRM ioctls */
	bool unbind;		/* unbind/rebind the PCI device now and then */
	double unbind_period;	/* seconds between unbinds */
	bool timeouts;		/* launch jobs longer than the timeout */
	bool resets;		/* DRM_IOCTL_SUSHI_RESET and debugfs resets */
	bool users;		/* odd worker processes run as nobody */
	bool forks;		/* forked children on inherited fds */
	bool verbose;		/* print every call */
	bool allowlist;		/* the driver refuses non-allowlisted core */
	bool known_bugs;	/* also trigger bugs found and not yet fixed */
	const char *argv0;
};

extern struct opts opt;

/* ----------------------------------------------------------- ioctls */

/* What the fuzzer calls: driver ioctls, core DRM ioctls, and actions. */
enum fz_call {
	FZ_QUERY,
	FZ_BO_CREATE,
	FZ_BO_MMAP_OFFSET,
	FZ_BO_WAIT,
	FZ_PROGRAM_CREATE,
	FZ_PROGRAM_DESTROY,
	FZ_LAUNCH,
	FZ_JOB_WAIT,
	FZ_PB_PIN,
	FZ_PB_UNPIN,
	FZ_PB_QUERY,
	FZ_RESET,
	FZ_DRV_UNKNOWN,		/* driver ioctl numbers past the table */
	FZ_VERSION,
	FZ_GET_CAP,
	FZ_GEM_CLOSE,
	FZ_PRIME_TO_FD,
	FZ_PRIME_FROM_FD,
	FZ_SYNCOBJ_CREATE,
	FZ_SYNCOBJ_DESTROY,
	FZ_SYNCOBJ_TO_FD,
	FZ_SYNCOBJ_FROM_FD,
	FZ_SYNCOBJ_WAIT,
	FZ_SYNCOBJ_RESET,
	FZ_SYNCOBJ_SIGNAL,
	FZ_SYNCOBJ_TIMELINE,	/* timeline ioctls: the driver has none */
	FZ_CORE_OTHER,		/* --core-all: every other core ioctl */
	FZ_MMAP,		/* mmap/munmap/touch of BOs */
	FZ_GOLDEN,		/* launch the golden network, check bytes */
	FZ_FILE,		/* close/reopen files, dup, work in flight */
	FZ_FORK,		/* a child on inherited descriptors */
	FZ_SLOW,		/* --timeouts: a job longer than the timeout */
	FZ_RACE,		/* a second thread rewrites the argument */
	FZ_N_CALLS
};

extern const char *const fz_call_name[FZ_N_CALLS];

#define FZ_MAX_ERRNO	134

/* ------------------------------------------------------ statistics */

#define FZ_RING		48	/* recent calls kept per worker */
#define FZ_LINE		256

/* One worker thread's counters, in memory shared by every process. */
struct fz_stat {
	uint64_t calls, baseline, mutated, anomalies, exhausted;
	uint64_t golden_ok, golden_skipped, children, unbinds_seen;
	uint64_t sram_progs;		/* valid programs with SRAM tensors */
	uint64_t an[5];			/* anomalies by kind */
	uint64_t status_hist[20];	/* JOB_WAIT statuses seen */
	uint64_t heartbeat_ns;		/* last progress */
	uint64_t per_call[FZ_N_CALLS];
	uint64_t errnos[FZ_N_CALLS][FZ_MAX_ERRNO];
	char current[FZ_LINE];		/* the call in progress */
	char ring[FZ_RING][FZ_LINE];	/* the most recent calls */
	uint32_t ring_pos;
	int done;
};

struct fz_shared {
	volatile int stop;
	volatile int unbound;		/* the device is unbound right now */
	uint64_t start_ns;
	volatile uint64_t unbinds;
	char pci_addr[32];
	char node[64];
	int print_lock;			/* spin lock for multi-line reports */
	struct fz_stat st[];		/* procs * threads */
};

extern struct fz_shared *shm;

static inline struct fz_stat *fz_stat_of(unsigned int p, unsigned int t)
{
	return &shm->st[p * opt.threads + t];
}

void fz_lock(void);
void fz_unlock(void);
uint64_t fz_now_ns(void);

/* Per-thread seed: the run's seed, the process and the thread. */
static inline uint64_t fz_worker_seed(uint64_t seed, unsigned int p,
				      unsigned int t)
{
	uint64_t x = seed ^ ((uint64_t)p << 32 | t) * 0x9e3779b97f4a7c15ull;

	return splitmix64(&x);
}

/* fuzz_worker.c */
void fz_worker_process(unsigned int p);

#endif /* SUSHI_FUZZ_H */
