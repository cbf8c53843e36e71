// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_fuzz.c - main of sushi-fuzz, the structure-aware fuzzer of the
 * SushiAccel driver (issue 12 item 9): options, the run's seed and the
 * command that replays it, the worker processes (fuzz_worker.c), the
 * optional sysfs unbind/rebind thread, the hang watchdog, the kernel log
 * check on /dev/kmsg, the statistics (calls per second, errnos per call)
 * and the TAP verdict.  Exit status 0 only if every TAP line is ok.
 */
#include <getopt.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fuzz.h"

struct opts opt = {
	.procs = 2,
	.threads = 2,
	.only_proc = -1,
	.only_thread = -1,
	.mutate_pct = 50,
	.unbind_period = 5,
	.resets = true,
	.users = true,
	.forks = true,
};

struct fz_shared *shm;

const char *const fz_call_name[FZ_N_CALLS] = {
	[FZ_QUERY] = "QUERY",
	[FZ_BO_CREATE] = "BO_CREATE",
	[FZ_BO_MMAP_OFFSET] = "BO_MMAP_OFFSET",
	[FZ_BO_WAIT] = "BO_WAIT",
	[FZ_PROGRAM_CREATE] = "PROGRAM_CREATE",
	[FZ_PROGRAM_DESTROY] = "PROGRAM_DESTROY",
	[FZ_LAUNCH] = "LAUNCH",
	[FZ_JOB_WAIT] = "JOB_WAIT",
	[FZ_PB_PIN] = "PB_PIN",
	[FZ_PB_UNPIN] = "PB_UNPIN",
	[FZ_PB_QUERY] = "PB_QUERY",
	[FZ_RESET] = "RESET",
	[FZ_DRV_UNKNOWN] = "driver-nr-unknown",
	[FZ_VERSION] = "VERSION",
	[FZ_GET_CAP] = "GET_CAP",
	[FZ_GEM_CLOSE] = "GEM_CLOSE",
	[FZ_PRIME_TO_FD] = "PRIME_HANDLE_TO_FD",
	[FZ_PRIME_FROM_FD] = "PRIME_FD_TO_HANDLE",
	[FZ_SYNCOBJ_CREATE] = "SYNCOBJ_CREATE",
	[FZ_SYNCOBJ_DESTROY] = "SYNCOBJ_DESTROY",
	[FZ_SYNCOBJ_TO_FD] = "SYNCOBJ_HANDLE_TO_FD",
	[FZ_SYNCOBJ_FROM_FD] = "SYNCOBJ_FD_TO_HANDLE",
	[FZ_SYNCOBJ_WAIT] = "SYNCOBJ_WAIT",
	[FZ_SYNCOBJ_RESET] = "SYNCOBJ_RESET",
	[FZ_SYNCOBJ_SIGNAL] = "SYNCOBJ_SIGNAL",
	[FZ_SYNCOBJ_TIMELINE] = "SYNCOBJ_timeline",
	[FZ_CORE_OTHER] = "core-other",
	[FZ_MMAP] = "mmap",
	[FZ_GOLDEN] = "golden",
	[FZ_FILE] = "file",
	[FZ_FORK] = "fork",
	[FZ_SLOW] = "slow-job",
	[FZ_RACE] = "arg-race",
};

uint64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void fz_lock(void)
{
	while (__atomic_exchange_n(&shm->print_lock, 1, __ATOMIC_ACQUIRE))
		usleep(100);
}

void fz_unlock(void)
{
	__atomic_store_n(&shm->print_lock, 0, __ATOMIC_RELEASE);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ------------------------------------------------------------ options */

static void usage(int status)
{
	printf("usage: %s [options]\n"
	       "  -s, --seed N        seed (default: random, printed)\n"
	       "  -t, --time SECONDS  stop after this long (default 60 unless -n)\n"
	       "  -n, --calls N       stop each worker thread after N calls\n"
	       "  -p, --procs N       worker processes (default 2)\n"
	       "  -T, --threads N     threads per worker process (default 2)\n"
	       "      --only P.T      run only worker thread T of process P\n"
	       "                      (same seed: the same calls as in the full run)\n"
	       "  -m, --mutate PCT    calls with one hostile field (default 50)\n"
	       "      --core-all      also core DRM ioctls outside the allowlist\n"
	       "                      (GET_MAGIC/GET_UNIQUE oops before issue 12)\n"
	       "      --unbind[=S]    unbind/rebind the device every S s (root;\n"
	       "                      oopses with files open before issue 12)\n"
	       "      --timeouts      jobs longer than the timeout (slow clock)\n"
	       "      --known-bugs    also trigger the bugs this fuzzer found that\n"
	       "                      are not fixed yet (fuzzing.rst lists them)\n"
	       "      --no-resets     no RESET ioctl\n"
	       "      --no-users      every worker stays root\n"
	       "      --no-forks      no forked children on inherited fds\n"
	       "  -v, --verbose       print every call\n", opt.argv0);
	exit(status);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (!*s || *end)
		usage(2);
	return v;
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "calls", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 'T' },
		{ "only", required_argument, NULL, 'o' },
		{ "mutate", required_argument, NULL, 'm' },
		{ "core-all", no_argument, NULL, 'C' },
		{ "unbind", optional_argument, NULL, 'U' },
		{ "timeouts", no_argument, NULL, 'O' },
		{ "known-bugs", no_argument, NULL, 'K' },
		{ "no-resets", no_argument, NULL, 'R' },
		{ "no-users", no_argument, NULL, 'N' },
		{ "no-forks", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_seed = false;
	int c;

	opt.argv0 = argv[0];
	while ((c = getopt_long(argc, argv, "s:t:n:p:T:m:vh", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.seed = parse_u64(optarg);
			have_seed = true;
			break;
		case 't':
			opt.seconds = atof(optarg);
			break;
		case 'n':
			opt.calls = parse_u64(optarg);
			break;
		case 'p':
			opt.procs = parse_u64(optarg);
			break;
		case 'T':
			opt.threads = parse_u64(optarg);
			break;
		case 'o':
			if (sscanf(optarg, "%d.%d", &opt.only_proc,
				   &opt.only_thread) != 2)
				usage(2);
			break;
		case 'm':
			opt.mutate_pct = parse_u64(optarg);
			break;
		case 'C':
			opt.core_all = true;
			break;
		case 'U':
			opt.unbind = true;
			if (optarg)
				opt.unbind_period = atof(optarg);
			break;
		case 'O':
			opt.timeouts = true;
			break;
		case 'K':
			opt.known_bugs = true;
			break;
		case 'R':
			opt.resets = false;
			break;
		case 'N':
			opt.users = false;
			break;
		case 'F':
			opt.forks = false;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc || !opt.procs || !opt.threads ||
	    opt.threads > 64 || opt.mutate_pct > 100)
		usage(2);
	if (!opt.seconds && !opt.calls)
		opt.seconds = 60;
	if (!have_seed && getrandom(&opt.seed, sizeof(opt.seed), 0) !=
	    sizeof(opt.seed))
		opt.seed = fz_now_ns() ^ ((uint64_t)getpid() << 32);
	if (geteuid()) {
		opt.users = false;
		opt.unbind = false;
	}
}

/* The command line that runs the same workers with the same seed. */
static void replay_line(char *b, size_t n)
{
	size_t l;

	l = snprintf(b, n, "%s -s %#llx -p %u -T %u -m %u", opt.argv0,
		     (unsigned long long)opt.seed, opt.procs, opt.threads,
		     opt.mutate_pct);
	if (opt.seconds > 0)
		l += snprintf(b + l, n - l, " -t %g", opt.seconds);
	if (opt.calls)
		l += snprintf(b + l, n - l, " -n %llu",
			      (unsigned long long)opt.calls);
	if (opt.unbind)
		l += snprintf(b + l, n - l, " --unbind=%g", opt.unbind_period);
	snprintf(b + l, n - l, "%s%s%s%s%s%s",
		 opt.known_bugs ? " --known-bugs" : "",
		 opt.core_all ? " --core-all" : "",
		 opt.timeouts ? " --timeouts" : "",
		 opt.resets ? "" : " --no-resets",
		 opt.users ? "" : " --no-users",
		 opt.forks ? "" : " --no-forks");
}

/* ---------------------------------------------------------- kmsg */

static const char *const splats[] = {
	"WARNING:", "BUG:", "Oops", "Kernel panic", "general protection fault",
	"refcount_t:", "possible circular locking",
	"possible recursive locking", "UBSAN", "KASAN", "blocked for more than",
	"kernel BUG", "list_add corruption", "list_del corruption",
	"ODEBUG:", "use-after-free", "double-free", "stack-protector",
};

static int kmsg_fd = -1;
static int splat_lines;	/* >0: echo this many more records */
static int splat_count;

static void kmsg_poll(void)
{
	char rec[2048], *msg;
	ssize_t n;
	size_t i;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten: go on */
		if (n <= 0)
			return;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (n && rec[n - 1] == '\n')
			rec[n - 1] = 0;
		for (i = 0; i < sizeof(splats) / sizeof(splats[0]); i++) {
			if (strstr(msg, splats[i])) {
				if (!splat_count++)
					say("# kernel log splat:");
				splat_lines = 40;
				break;
			}
		}
		if (splat_lines > 0) {
			splat_lines--;
			say("# kmsg: %s", msg);
		}
	}
}

/* ---------------------------------------------------------- unbind */

static int find_node(char *node, size_t n, char *pci, size_t pn)
{
	char link[256], path[96];
	int fd, minor;
	ssize_t l;

	fd = sushi_open_minor(&minor);
	if (fd < 0)
		return fd;
	close(fd);
	snprintf(node, n, "/dev/accel/accel%d", minor);
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device", minor);
	l = readlink(path, link, sizeof(link) - 1);
	if (l < 0)
		return -errno;
	link[l] = 0;
	snprintf(pci, pn, "%s", basename(link));
	return 0;
}

static int sysfs_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void *unbind_main(void *arg)
{
	char node[64], pci[32];
	uint64_t t;
	int ret;

	(void)arg;
	while (!shm->stop) {
		t = fz_now_ns() + (uint64_t)(opt.unbind_period * 1e9);
		while (!shm->stop && fz_now_ns() < t)
			usleep(50000);
		if (shm->stop)
			break;
		shm->unbound = 1;
		ret = sysfs_write("/sys/bus/pci/drivers/sushi/unbind",
				  shm->pci_addr);
		usleep(200000);
		if (!ret)
			ret = sysfs_write("/sys/bus/pci/drivers/sushi/bind",
					  shm->pci_addr);
		for (t = 0; t < 100 && find_node(node, sizeof(node), pci,
						 sizeof(pci)); t++)
			usleep(50000);
		if (ret || t == 100) {
			say("# unbind/rebind of %s failed: %s", shm->pci_addr,
			    strerror(-ret));
			shm->stop = 1;
		} else {
			snprintf(shm->node, sizeof(shm->node), "%s", node);
			if (opt.users)
				chmod(node, 0666);
		}
		shm->unbinds++;
		shm->unbound = 0;
	}
	return NULL;
}

/* ---------------------------------------------------------- kmemleak */

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

/*
 * With a kmemleak kernel (the debug lane), forget what leaked before the
 * run, and after it (every worker gone, so every file closed) report what
 * the run left unreferenced.  Returns the bytes of the report, -1 without
 * kmemleak.
 */
static long kmemleak(bool start)
{
	static char buf[32768];
	ssize_t n, t = 0;
	int fd, i;

	if (access(KMEMLEAK, W_OK))
		return -1;
	if (start)
		return sysfs_write(KMEMLEAK, "clear") ? -1 : 0;
	/* jobs, RCU callbacks and workers free things a moment later */
	for (i = 0; i < 2; i++) {
		sleep(3);
		if (sysfs_write(KMEMLEAK, "scan"))
			return -1;
	}
	fd = open(KMEMLEAK, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + t, sizeof(buf) - 1 - t)) > 0)
		t += n;
	close(fd);
	buf[t] = 0;
	if (t) {
		char *line = strtok(buf, "\n");

		say("# kmemleak after the run:");
		for (i = 0; line && i < 60; i++, line = strtok(NULL, "\n"))
			say("#   %s", line);
	}
	return t;
}

/* ------------------------------------------------------------ verdict */

static int n_tap, n_fail;

static void tap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	n_tap++;
	n_fail += !ok;
	printf("%s %d - ", ok ? "ok" : "not ok", n_tap);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *errstr(int e)
{
	static char b[16];

	if (!e)
		return "ok";
	snprintf(b, sizeof(b), "%s", strerrorname_np(e) ? strerrorname_np(e) :
		 "E?");
	return b;
}

static void print_stats(unsigned int nst, double secs)
{
	uint64_t calls = 0, base = 0, mut = 0, exh = 0, kids = 0, gok = 0;
	uint64_t gskip = 0, sram = 0, per[FZ_N_CALLS] = { 0 };
	static uint64_t err[FZ_N_CALLS][FZ_MAX_ERRNO];
	unsigned int i, c, e;
	char line[512];

	for (i = 0; i < nst; i++) {
		struct fz_stat *s = &shm->st[i];

		calls += s->calls;
		base += s->baseline;
		mut += s->mutated;
		exh += s->exhausted;
		kids += s->children;
		gok += s->golden_ok;
		gskip += s->golden_skipped;
		sram += s->sram_progs;
		for (c = 0; c < FZ_N_CALLS; c++) {
			per[c] += s->per_call[c];
			for (e = 0; e < FZ_MAX_ERRNO; e++)
				err[c][e] += s->errnos[c][e];
		}
	}
	say("# sushi-fuzz: %llu calls in %.1f s: %.0f calls/s (%u procs x %u threads)",
	    (unsigned long long)calls, secs, secs > 0 ? calls / secs : 0.0,
	    opt.only_proc >= 0 ? 1 : opt.procs,
	    opt.only_proc >= 0 ? 1 : opt.threads);
	say("# baseline %llu, mutated %llu, baseline calls that found a shared resource exhausted %llu, forked children %llu, golden launches right %llu (skipped after resets %llu), unbinds %llu",
	    (unsigned long long)base, (unsigned long long)mut,
	    (unsigned long long)exh, (unsigned long long)kids,
	    (unsigned long long)gok, (unsigned long long)gskip,
	    (unsigned long long)shm->unbinds);
	{
		uint64_t h[20] = { 0 };
		size_t l;

		for (i = 0; i < nst; i++)
			for (e = 0; e < 20; e++)
				h[e] += shm->st[i].status_hist[e];
		l = snprintf(line, sizeof(line), "# JOB_WAIT statuses:");
		for (e = 0; e < 20; e++)
			if (h[e])
				l += snprintf(line + l, sizeof(line) - l,
					      " %s%u=%llu", e >= 16 ? "0x10" : "",
					      e >= 16 ? e - 16 : e,
					      (unsigned long long)h[e]);
		say("%s", line);
	}
	say("# valid programs created with tensors in the activation SRAM: %llu",
	    (unsigned long long)sram);
	say("# results per call (picked / errno counts):");
	for (c = 0; c < FZ_N_CALLS; c++) {
		size_t l;

		if (!per[c])
			continue;
		l = snprintf(line, sizeof(line), "#   %-22s %8llu:", fz_call_name[c],
			     (unsigned long long)per[c]);
		for (e = 0; e < FZ_MAX_ERRNO && l < sizeof(line) - 32; e++)
			if (err[c][e])
				l += snprintf(line + l, sizeof(line) - l,
					      " %s %llu", errstr(e),
					      (unsigned long long)err[c][e]);
		say("%s", line);
	}
}

int main(int argc, char **argv)
{
	unsigned int nproc, nst, i, p;
	uint64_t an[5] = { 0 }, deadline = 0, t0, t_end;
	pid_t pids[64] = { 0 };
	int deaths = 0, setup_fail = 0, hung = 0, status, fd;
	long leaks;
	char replay[1024];
	pthread_t ut;
	struct stat node_st;
	bool chmodded = false;
	size_t sz;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse(argc, argv);
	nproc = opt.only_proc >= 0 ? 1 : opt.procs;
	if (nproc > 64)
		usage(2);
	nst = opt.only_proc >= 0 ? 1 : opt.procs * opt.threads;
	sz = sizeof(*shm) + sizeof(struct fz_stat) * nst;
	shm = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (shm == MAP_FAILED)
		return 2;
	printf("TAP version 13\n");
	if (find_node(shm->node, sizeof(shm->node), shm->pci_addr,
		      sizeof(shm->pci_addr))) {
		printf("1..0 # SKIP no sushi accel node\n");
		return 4;
	}
	fd = open(shm->node, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		struct drm_client cl = { 0 };

		/* a harmless core ioctl outside the allowlist */
		opt.allowlist = ioctl(fd, DRM_IOCTL_GET_CLIENT, &cl) &&
				errno == ENOTTY;
		close(fd);
	}
	replay_line(replay, sizeof(replay));
	say("# sushi-fuzz: seed %#llx, %u procs x %u threads, %s%g s, %llu calls/thread, mutate %u%%",
	    (unsigned long long)opt.seed, opt.procs, opt.threads,
	    opt.seconds > 0 ? "" : "no limit ", opt.seconds,
	    (unsigned long long)opt.calls, opt.mutate_pct);
	say("# device %s (%s), core ioctl allowlist %s; known-bugs %s, core-all %s, unbind %s, timeouts %s, resets %s, unprivileged workers %s, forks %s",
	    shm->node, shm->pci_addr, opt.allowlist ? "present" : "absent",
	    opt.known_bugs ? "on" : "off", opt.core_all ? "on" : "off", opt.unbind ? "on" : "off",
	    opt.timeouts ? "on" : "off", opt.resets ? "on" : "off",
	    opt.users ? "odd processes" : "none", opt.forks ? "on" : "off");
	say("# replay: %s", replay);
	if (opt.users && !stat(shm->node, &node_st)) {
		chmod(shm->node, 0666);
		chmodded = true;
	}
	leaks = kmemleak(true);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	else
		say("# cannot read /dev/kmsg (%s): the harness must check the console",
		    strerror(errno));

	t0 = fz_now_ns();
	shm->start_ns = t0;
	if (opt.seconds > 0)
		deadline = t0 + (uint64_t)(opt.seconds * 1e9);
	for (i = 0; i < nproc; i++) {
		p = opt.only_proc >= 0 ? (unsigned int)opt.only_proc : i;
		pids[i] = fork();
		if (pids[i] == 0) {
			if (kmsg_fd >= 0)
				close(kmsg_fd);
			fz_worker_process(p);
		}
		if (pids[i] < 0) {
			say("# fork: %s", strerror(errno));
			return 2;
		}
	}
	if (opt.unbind && pthread_create(&ut, NULL, unbind_main, NULL))
		opt.unbind = false;

	for (;;) {
		unsigned int alive = 0;
		uint64_t now = fz_now_ns();

		kmsg_poll();
		for (i = 0; i < nproc; i++) {
			pid_t r;

			if (!pids[i])
				continue;
			r = waitpid(pids[i], &status, WNOHANG);
			if (r == 0) {
				alive++;
				continue;
			}
			if (WIFSIGNALED(status)) {
				say("# worker process %u died from signal %d (%s)",
				    i, WTERMSIG(status),
				    strsignal(WTERMSIG(status)));
				deaths++;
			} else if (WIFEXITED(status) &&
				   WEXITSTATUS(status) == 2) {
				setup_fail++;
			}
			pids[i] = 0;
		}
		if (!alive)
			break;
		/* a worker making no progress for 90 s hangs */
		for (i = 0; i < nst && !hung; i++) {
			struct fz_stat *s = &shm->st[i];

			if (!s->done && s->heartbeat_ns &&
			    now > s->heartbeat_ns + 90000000000ull) {
				say("# worker %u.%u hangs in: %s",
				    opt.only_proc >= 0 ? (unsigned int)opt.only_proc :
				    i / opt.threads,
				    opt.only_proc >= 0 ? (unsigned int)opt.only_thread :
				    i % opt.threads, s->current);
				hung = 1;
				shm->stop = 1;
			}
		}
		if (splat_count)
			shm->stop = 1;
		if (deadline && now > deadline + 120000000000ull && !hung) {
			say("# workers still running 120 s after the deadline");
			hung = 1;
			shm->stop = 1;
		}
		if (hung && now > deadline + 150000000000ull) {
			for (i = 0; i < nproc; i++)
				if (pids[i])
					kill(pids[i], SIGKILL);
		}
		usleep(200000);
	}
	shm->stop = 1;
	t_end = fz_now_ns();	/* the calls' time, not kmemleak's scan */
	if (opt.unbind)
		pthread_join(ut, NULL);
	usleep(500000);
	if (leaks >= 0 && !hung && !deaths)
		leaks = kmemleak(false);
	else
		leaks = -1;
	kmsg_poll();
	if (chmodded)
		chmod(shm->node, node_st.st_mode & 07777);

	for (i = 0; i < nst; i++)
		for (p = 0; p < 5; p++)
			an[p] += shm->st[i].an[p];
	print_stats(nst, (t_end - t0) / 1e9);
	tap(!setup_fail, "worker set-up (%d failed)", setup_fail);
	tap(!an[0], "every errno is documented for its call (%llu not)",
	    (unsigned long long)an[0]);
	tap(!an[1], "every valid baseline call succeeded (%llu failed)",
	    (unsigned long long)an[1]);
	tap(!an[2], "results consistent (%llu wrong)", (unsigned long long)an[2]);
	tap(!an[3], "golden network computed the model's bytes (%llu wrong)",
	    (unsigned long long)an[3]);
	tap(!deaths && !an[4],
	    "no process died from a signal (%d workers, %llu children)",
	    deaths, (unsigned long long)an[4]);
	tap(!hung, "no worker hung");
	tap(!splat_count, "kernel log clean (%d splat records)", splat_count);
	if (leaks >= 0)
		tap(!leaks, "kmemleak: nothing unreferenced after the run");
	printf("1..%d\n", n_tap);
	if (n_fail) {
		say("# FAILED: replay the run with: %s", replay);
		for (i = 0; i < nst; i++)
			if (shm->st[i].anomalies && opt.only_proc < 0)
				say("#   or worker %u.%u alone: %s --only %u.%u -n %llu",
				    i / opt.threads, i % opt.threads, replay,
				    i / opt.threads, i % opt.threads,
				    (unsigned long long)shm->st[i].calls);
	}
	return n_fail ? 1 : 0;
}
