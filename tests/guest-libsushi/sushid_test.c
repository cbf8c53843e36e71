// SPDX-License-Identifier: MIT
/*
 * sushid_test.c - in-guest TAP test of sushid, the serving daemon, on
 * every SushiAccel device of the guest (run on 2 and on 4): /bin/sushid
 * runs as a child; several client processes send queries and every query
 * gets exactly one answer whose prediction equals the model library's
 * reference computation of the SubNet that served it; the socket's group
 * and mode keep out a user outside the group; every malformed-frame class
 * and an oversized frame get their ERROR and the daemon keeps serving; a
 * wrong input size is rejected on a connection that goes on; a client
 * that disconnects mid-query costs nothing; a device reset under load
 * fails queries with an errno (or they are served), none is lost; a tiny
 * --max-queue with overload "shed" sheds and the metrics count it; the
 * daemon's resident memory stays flat over a long `sushictl loadgen` run;
 * SIGTERM with queries outstanding answers them all and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "guest_tap.h"
#include "guest_util.h"
#include "raw_client.h"
#include "sushi/client.h"
#include "sushi/device.h"
#include "sushi/netdev.h"
#include "sushi/supernet.h"

#define SUPERNET	"/data/fmnist-supernet.safetensors"
#define IMAGES		"/data/fmnist-test-1000-images.idx"
#define LABELS		"/data/fmnist-test-1000-labels.idx"
#define SOCK		"/tmp/sushid.sock"
#define SUSHID		"/bin/sushid"
#define SUSHICTL	"/bin/sushictl"
#define GID		4242
#define NIMG		64	/* images used (each computed by the reference) */
#define SEC		1000000000LL
#define CEIL_NS		(20 * SEC)	/* never late, even under TCG */

struct ctx {
	struct sushi_supernet *sn;
	struct sushi_supernet_info info;
	struct sushi_supernet_map map;
	struct sushi_device *devs[SUSHI_FLEET_MAX_DEVICES];
	uint32_t n_dev;
	uint8_t *images;	/* IDX file */
	int16_t *cls;		/* [SubNet][image] reference class, -1 not yet */
};

static struct ctx C;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void input_of(uint32_t img, int8_t *in)
{
	const size_t px = (size_t)C.info.in_h * C.info.in_w;
	const uint8_t *p = C.images + 16 + (size_t)img * px;

	for (size_t k = 0; k < px; k++)
		in[k] = (int8_t)((int)p[k] - 128);
}

/* the model library's class of SubNet @s on image @img (cached); -1 on error */
static int ref_class(uint32_t s, uint32_t img)
{
	int16_t *k;
	int8_t in[4096], out[256];

	if (s >= C.info.n_subnets || img >= NIMG)
		return -1;
	k = &C.cls[(size_t)s * NIMG + img];
	if (*k < 0) {
		uint32_t best = 0;

		input_of(img, in);
		if (ref_subnet(C.sn, &C.map, s, in, out))
			return -1;
		for (uint32_t i = 1; i < C.info.n_classes; i++)
			if (out[i] > out[best])
				best = i;
		*k = (int16_t)best;
	}
	return *k;
}

static int setup(void)
{
	struct sushi_caps caps;
	char err[256];
	FILE *f;
	long n;

	if (sushi_supernet_open(SUPERNET, &C.sn, err, sizeof(err)) ||
	    sushi_supernet_info(C.sn, &C.info) ||
	    sushi_device_open_all(C.devs, SUSHI_FLEET_MAX_DEVICES, &C.n_dev))
		return -1;
	sushi_device_caps(C.devs[0], &caps);
	sushi_netdev_map(&caps, &C.map);
	f = fopen(IMAGES, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	C.images = malloc((size_t)n);
	if (!C.images || fread(C.images, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if (be32(C.images) != 0x803 || be32(C.images + 4) < NIMG ||
	    be32(C.images + 8) != C.info.in_h || be32(C.images + 12) != C.info.in_w)
		return -1;
	C.cls = malloc((size_t)C.info.n_subnets * NIMG * sizeof(*C.cls));
	if (!C.cls)
		return -1;
	memset(C.cls, 0xff, (size_t)C.info.n_subnets * NIMG * sizeof(*C.cls));
	return 0;
}

/* ---------------------------------------------------------- the daemon */

/* start sushid with @extra options; wait for its socket: the pid or -1 */
static pid_t sushid_start(const char *extra)
{
	char cmd[512];
	pid_t pid;

	unlink(SOCK);
	snprintf(cmd, sizeof(cmd), "exec " SUSHID " --socket " SOCK " --supernet "
		 SUPERNET " %s", extra);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; pid > 0 && i < 1200; i++) {	/* up to 120 s */
		int fd = raw_connect(SOCK);
		int st;

		if (fd >= 0) {
			close(fd);
			return pid;
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			return -1;
		usleep(100000);
	}
	return -1;
}

/* SIGTERM; its exit status (-1: killed or not exiting within 120 s) */
static int sushid_stop(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	for (int i = 0; i < 1200; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static struct sushi_client *conn(void)
{
	struct sushi_client *c = NULL;

	if (sushi_client_connect(SOCK, 30 * SEC, &c))
		return NULL;
	return c;
}

static double metric_now(const char *series)
{
	struct sushi_client *c = conn();
	char *t = NULL;
	double v = -1;

	if (c && !sushi_client_metrics(c, &t, 30 * SEC))
		v = metric(t, series);
	free(t);
	sushi_client_close(c);
	return v;
}

static bool metric_becomes(const char *series, double want, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (metric_now(series) == want)
			return true;
		usleep(100000);
	}
	return false;
}

static struct sushi_client_query mkq(uint64_t tag, uint32_t img, int8_t *in,
				     uint64_t ceil)
{
	input_of(img, in);
	return (struct sushi_client_query){
		.size = sizeof(struct sushi_client_query), .tag = tag,
		.acc_floor = 0, .lat_ceiling_ns = ceil, .input = in,
		.in_len = (size_t)C.info.in_h * C.info.in_w,
	};
}

/* one query of image @img, served with the reference's class */
static bool serves(uint32_t img)
{
	struct sushi_client_result r = { .size = sizeof(r) };
	struct sushi_client *c = conn();
	int8_t in[4096];
	struct sushi_client_query q = mkq(img, img, in, CEIL_NS);
	bool good = c && !sushi_client_query(c, &q, &r, 60 * SEC) &&
		    r.status == SUSHI_QUERY_SERVED && r.tag == img &&
		    (int)r.prediction == ref_class(r.subnet, img);

	sushi_client_close(c);
	return good;
}

/* ------------------------------------------------------- client processes */

/* what a client process reports per answer, through a pipe */
struct rec {
	uint64_t tag;
	int32_t status, error;
	uint32_t prediction, subnet, device;
};

/*
 * A child that sends @n queries (tags @base.., images tag % NIMG), at most
 * @window outstanding, @gap_us apart, and writes one rec per answer to
 * @fd; exit status 0 if the connection lasted.
 */
static pid_t client_proc(int fd, uint64_t base, unsigned int n, unsigned int window,
			 unsigned int gap_us, uint64_t ceil)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	{
		struct sushi_client *c = conn();
		unsigned int sent = 0, got = 0;
		int8_t in[4096];

		while (c && got < n) {
			struct sushi_client_result r = { .size = sizeof(r) };
			struct rec rc;

			while (sent < n && sent - got < window) {
				struct sushi_client_query q = mkq(base + sent,
					(uint32_t)((base + sent) % NIMG), in, ceil);

				if (sushi_client_send(c, &q))
					_exit(2);
				sent++;
				if (gap_us)
					usleep(gap_us);
			}
			if (sushi_client_recv(c, &r, 120 * SEC))
				_exit(3);
			rc = (struct rec){ r.tag, (int32_t)r.status, r.error, r.prediction,
					   r.subnet, r.device };
			if (write(fd, &rc, sizeof(rc)) != sizeof(rc))
				_exit(4);
			got++;
		}
		_exit(c ? 0 : 1);
	}
}

/* read recs until every writer closed; how many (at most @max) */
static size_t collect(int fd, struct rec *recs, size_t max)
{
	size_t n = 0;
	struct rec r;

	while (read(fd, &r, sizeof(r)) == sizeof(r))
		if (n < max)
			recs[n++] = r;
	return n;
}

struct tally {
	unsigned int answered, dup, unknown, by_status[SUSHI_QUERY_STATUS_COUNT];
	unsigned int wrong, no_errno, per_dev[SUSHI_FLEET_MAX_DEVICES];
};

/* recs of tags base..base+n: once each, served ones with the reference class */
static void tally(const struct rec *recs, size_t nr, uint64_t base, unsigned int n,
		  struct tally *t)
{
	uint8_t *seen = calloc(n, 1);

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; seen && i < nr; i++) {
		const struct rec *r = &recs[i];

		if (r->tag < base || r->tag >= base + n) {
			t->unknown++;
			continue;
		}
		if (seen[r->tag - base]++) {
			t->dup++;
			continue;
		}
		t->answered++;
		if (r->status >= 0 && r->status < SUSHI_QUERY_STATUS_COUNT)
			t->by_status[r->status]++;
		if (r->status == SUSHI_QUERY_SERVED || r->status == SUSHI_QUERY_LATE) {
			if ((int)r->prediction != ref_class(r->subnet, (uint32_t)(r->tag % NIMG)))
				t->wrong++;
			if (r->device < SUSHI_FLEET_MAX_DEVICES)
				t->per_dev[r->device]++;
		}
		if (r->status == SUSHI_QUERY_FAILED && r->error >= 0)
			t->no_errno++;
	}
	free(seen);
}

/* @nproc client processes of @n queries each; the recs; children all exit 0 */
static size_t run_clients(unsigned int nproc, unsigned int n, unsigned int window,
			  unsigned int gap_us, uint64_t ceil, struct rec *recs,
			  size_t max, bool *clean, void (*meanwhile)(void))
{
	pid_t pids[8];
	int p[2];
	size_t nr;

	*clean = !pipe(p) && nproc <= 8;
	for (unsigned int k = 0; *clean && k < nproc; k++)
		pids[k] = client_proc(p[1], (uint64_t)k * n, n, window, gap_us, ceil);
	close(p[1]);
	if (meanwhile)
		meanwhile();
	nr = collect(p[0], recs, max);
	close(p[0]);
	for (unsigned int k = 0; k < nproc; k++) {
		int st;

		waitpid(pids[k], &st, 0);
		*clean &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	return nr;
}

/* --------------------------------------------------------------- the tests */

static void test_permissions(void)
{
	struct stat st;
	pid_t pid;
	int status;

	OK(!stat(SOCK, &st) && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0660 &&
	   st.st_gid == GID, "--group sushi: the socket has group %d and mode 0660", GID);
	for (int member = 0; member < 2; member++) {
		pid = fork();
		if (pid == 0) {
			gid_t g = GID;
			struct sushi_client *c = NULL;
			int ret;

			if (setgroups(member ? 1 : 0, &g) || setgid(65534) || setuid(65534))
				_exit(10);
			ret = sushi_client_connect(SOCK, 30 * SEC, &c);
			sushi_client_close(c);
			_exit(ret == -EACCES ? 1 : ret == 0 ? 0 : 11);
		}
		waitpid(pid, &status, 0);
		if (member)
			EQ(0, WEXITSTATUS(status), "uid 65534 in group %d connects", GID);
		else
			EQ(1, WEXITSTATUS(status), "uid 65534 outside the group gets -EACCES");
	}
}

static void test_info(void)
{
	struct sushi_client_info info = { .size = sizeof(info) };
	struct sushi_client *c = conn();
	int ret = c ? sushi_client_info(c, &info) : -1;

	OK(!ret && info.n_devices == C.n_dev &&
	   info.in_bytes == C.info.in_h * C.info.in_w && info.n_subnets == C.info.n_subnets &&
	   info.n_classes == C.info.n_classes && info.proto_version == 1,
	   "INFO: %u devices, %ux%u input, %u SubNets", info.n_devices, info.in_h,
	   info.in_w, info.n_subnets);
	sushi_client_close(c);
}

static void test_clients(void)
{
	const unsigned int nproc = 3, n = 40;
	struct rec recs[3 * 40 + 16];
	struct tally t;
	unsigned int used = 0;
	bool clean;
	size_t nr = run_clients(nproc, n, 8, 0, CEIL_NS, recs, 3 * 40 + 16, &clean, NULL);

	tally(recs, nr, 0, nproc * n, &t);
	OK(clean, "%u client processes x %u pipelined queries: every client finished", nproc, n);
	EQ(nproc * n, t.answered, "every query answered");
	EQ(0, t.dup + t.unknown, "exactly once each (no duplicate, no stray tag)");
	EQ(nproc * n, t.by_status[SUSHI_QUERY_SERVED], "all served within the ceiling");
	EQ(0, t.wrong, "every prediction equals the model library's for its SubNet and image");
	for (uint32_t d = 0; d < C.n_dev; d++)
		used += t.per_dev[d] > 0;
	printf("# per device:");
	for (uint32_t d = 0; d < C.n_dev; d++)
		printf(" %u", t.per_dev[d]);
	printf("\n");
	OK(used >= 2, "the queries were spread over %u of %u devices", used, C.n_dev);
}

static void test_malformed(void)
{
	static const unsigned int kinds[] = {
		PROTO_ERR_MAGIC, PROTO_ERR_VERSION, PROTO_ERR_TYPE, PROTO_ERR_FLAGS,
		PROTO_ERR_RESERVED, PROTO_ERR_TOO_LARGE, PROTO_ERR_LENGTH,
	};
	uint8_t b[8192];
	struct proto_error e;
	struct proto_hdr h;
	unsigned int good = 0;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int fd = raw_connect(SOCK);
		size_t n = bad_frame(b, kinds[k]);

		OK(fd >= 0 && write(fd, b, n) == (ssize_t)n &&
		   raw_frame(fd, b, sizeof(b), &h) == PROTO_ERROR &&
		   !proto_dec_error(&h, b + 16, &e) && e.code == kinds[k] && raw_eof(fd),
		   "%s: ERROR %s, then this connection is closed", proto_err_name(kinds[k]),
		   proto_err_name(kinds[k]));
		close(fd);
		good += serves((uint32_t)k);
	}
	EQ(7, good, "after each, a new connection is served (reference class)");
	{
		/* a QUERY declaring a 1 MiB input, its bytes actually sent */
		int fd = raw_connect(SOCK);
		uint8_t *big = calloc(1, 16 + (1 << 20));
		bool got = false;

		if (fd >= 0 && big) {
			proto_put_hdr(big, PROTO_QUERY, 1 << 20);
			/* the daemon may close before all of it is written */
			ssize_t wr = write(fd, big, 16 + (1 << 20));

			(void)wr;
			got = raw_frame(fd, b, sizeof(b), &h) == PROTO_ERROR &&
			      !proto_dec_error(&h, b + 16, &e) && e.code == PROTO_ERR_TOO_LARGE &&
			      e.detail == SUSHID_PROTO_QUERY_FIXED + C.info.in_h * C.info.in_w;
		}
		OK(got, "an oversized QUERY (1 MiB): ERROR too-large, detail the %u-byte limit",
		   SUSHID_PROTO_QUERY_FIXED + C.info.in_h * C.info.in_w);
		free(big);
		if (fd >= 0)
			close(fd);
		OK(serves(9), "and the daemon keeps serving");
	}
	{
		/* the wrong input size: REJECTED, the same connection goes on */
		struct sushi_client_result r = { .size = sizeof(r) };
		struct sushi_client *c = conn();
		int8_t in[4096];
		struct sushi_client_query q = mkq(5, 5, in, CEIL_NS);
		bool rej, next;

		q.in_len -= 1;
		rej = c && !sushi_client_query(c, &q, &r, 60 * SEC) &&
		      r.status == SUSHI_QUERY_REJECTED && r.error == -EMSGSIZE;
		q.in_len += 1;
		next = c && !sushi_client_query(c, &q, &r, 60 * SEC) &&
		       r.status == SUSHI_QUERY_SERVED && (int)r.prediction == ref_class(r.subnet, 5);
		OK(rej, "an input one byte short: REJECTED -EMSGSIZE");
		OK(next, "the same connection then serves the right input");
		sushi_client_close(c);
	}
	OK(metric_now("sushid_frame_errors_total{reason=\"too-large\"}") == 2 &&
	   metric_now("sushid_rejected_total{reason=\"input_size\"}") == 1,
	   "the metrics count the frame errors and the rejection");
}

static void test_disconnect(void)
{
	struct sushi_client *c = conn();
	double dropped0 = metric_now("sushid_answers_dropped_total");
	int8_t in[4096];
	unsigned int sent = 0;

	for (uint64_t i = 0; c && i < 32; i++) {
		struct sushi_client_query q = mkq(i, (uint32_t)i, in, CEIL_NS);

		sent += !sushi_client_send(c, &q);
	}
	/* once the daemon holds some of them, go */
	for (int i = 0; i < 300 && metric_now("sushid_queries_outstanding") < 4; i++)
		usleep(10000);
	sushi_client_close(c);
	OK(sent == 32 && metric_becomes("sushid_queries_outstanding", 0, 120),
	   "a client gone with 32 queries sent: the daemon finishes what it took");
	{
		double d = metric_now("sushid_answers_dropped_total") - dropped0;

		OK(d >= 1 && d <= 32, "their answers are dropped and counted (%.0f)", d);
	}
	OK(metric_becomes("sushid_connections", 1, 30), "no connection of it is left");
	OK(serves(11), "the daemon serves on");
}

static void do_reset(void)
{
	uint32_t gen;
	int ret;

	usleep(400000);	/* the clients are sending */
	ret = sushi_device_reset(C.devs[0], &gen);
	OK(!ret, "device 0 reset under load (PB generation %u)", gen);
}

static void test_reset(void)
{
	const unsigned int nproc = 2, n = 60;
	struct rec recs[2 * 60 + 16];
	struct tally t;
	bool clean;
	size_t nr = run_clients(nproc, n, 8, 20000, CEIL_NS, recs, 2 * 60 + 16, &clean,
				do_reset);
	unsigned int after = 0;

	tally(recs, nr, 0, nproc * n, &t);
	OK(clean, "2 clients x %u queries across the reset: both finished", n);
	EQ(nproc * n, t.answered, "every query answered, none lost");
	EQ(0, t.dup + t.unknown, "exactly once each");
	EQ(0, t.no_errno, "every failed query carries its errno");
	EQ(0, t.wrong, "every served prediction equals the reference");
	printf("# across the reset: %u served, %u late, %u shed, %u failed; errnos:",
	       t.by_status[0], t.by_status[1], t.by_status[2], t.by_status[3]);
	for (size_t i = 0; i < nr; i++)
		if (recs[i].status == SUSHI_QUERY_FAILED)
			printf(" %s", strerror(-recs[i].error));
	printf("\n");
	OK(t.by_status[SUSHI_QUERY_SERVED] + t.by_status[SUSHI_QUERY_FAILED] == nproc * n,
	   "each was served or failed with a clear status");
	/* a query that meets a PB the reset wiped fails (-ESTALE) once per device */
	for (uint32_t i = 0; i < 4 + C.n_dev; i++)
		after += serves(20 + i);
	OK(after >= 4, "after the reset the daemon serves correctly again (%u of %u "
	   "queries; pb_resets %.0f)", after, 4 + C.n_dev,
	   metric_now("sushid_device_pb_resets_total{device=\"0\"}"));
}

static void test_overload(void)
{
	pid_t pid = sushid_start("--max-queue 1 --overload shed --max-outstanding 64");
	const unsigned int n = 64;
	struct rec recs[64 + 16];
	struct tally t;
	bool clean;
	size_t nr;
	double shed_m, adm, ovl;

	OK(pid > 0, "sushid --max-queue 1 --overload shed");
	if (pid <= 0)
		return;
	/* 64 at once, ceilings of 5 ms: the devices hold 1 each */
	nr = run_clients(1, n, n, 0, 5000000, recs, n + 16, &clean, NULL);
	tally(recs, nr, 0, n, &t);
	OK(clean && t.answered == n && !t.dup && !t.unknown,
	   "%u queries at once: each answered once", n);
	OK(t.by_status[SUSHI_QUERY_SHED] > 0, "%u shed (%u served, %u late, %u failed)",
	   t.by_status[SUSHI_QUERY_SHED], t.by_status[0], t.by_status[1], t.by_status[3]);
	EQ(0, t.wrong, "the served ones equal the reference");
	shed_m = metric_now("sushid_queries_total{status=\"shed\"}");
	adm = metric_now("sushid_shed_total{reason=\"admission\"}");
	ovl = metric_now("sushid_shed_total{reason=\"overload\"}");
	OK(shed_m == t.by_status[SUSHI_QUERY_SHED] && adm + ovl == shed_m,
	   "the metrics count them: %.0f shed = %.0f at admission + %.0f by overload",
	   shed_m, adm, ovl);
	EQ(0, sushid_stop(pid), "that daemon stops with status 0");
}

/* `sushictl loadgen` for @secs at @rate: its JSON (or NULL) */
static cJSON *loadgen(double rate, double secs, int *rc)
{
	static char out[65536];
	char cmd[512];

	snprintf(cmd, sizeof(cmd), SUSHICTL " loadgen --socket " SOCK " --images " IMAGES
		 " --labels " LABELS " --rate %g --duration %g --ceiling-us 2000000 "
		 "--json", rate, secs);
	*rc = run_cmd(cmd, out, sizeof(out));
	return cJSON_Parse(out);
}

static double jnum(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/*
 * Memory: a warm-up run under overload (every device and many SubNets and
 * SubGraphs take their first use: programs, pin sets, allocator arenas,
 * the runtime's completion queue at its high-water mark), then two equal
 * runs; the second must not grow the daemon's resident set.
 */
static void test_memory(pid_t pid)
{
	const double warm_rate = 80, warm = 10, rate = 30, secs = 20;
	long r0, r1, r2 = -1, r3;
	double sent = 0;
	cJSON *j;
	int rc;

	r0 = rss_kb(pid);
	j = loadgen(warm_rate, warm, &rc);
	OK(rc == 0 && j && jnum(j, "lost") == 0,
	   "warm-up: loadgen %g/s for %g s, nothing lost", warm_rate, warm);
	cJSON_Delete(j);
	r1 = rss_kb(pid);
	for (int run = 0; run < 2; run++) {
		j = loadgen(rate, secs, &rc);
		OK(rc == 0 && j && jnum(j, "lost") == 0 && jnum(j, "extra_answers") == 0 &&
		   jnum(j, "sent") == jnum(j, "answered"),
		   "loadgen %g/s for %g s: %.0f queries, every one answered once", rate,
		   secs, jnum(j, "sent"));
		printf("# loadgen: %.0f sent, throughput %.1f/s, SLO %.3f, p50 %.2f ms, "
		       "p99 %.2f ms\n", jnum(j, "sent"), jnum(j, "throughput_qps"),
		       jnum(j, "slo_attainment"),
		       jnum(cJSON_GetObjectItem(j, "latency_ns"), "p50") / 1e6,
		       jnum(cJSON_GetObjectItem(j, "latency_ns"), "p99") / 1e6);
		sent += jnum(j, "sent");
		cJSON_Delete(j);
		if (run == 0)
			r2 = rss_kb(pid);
	}
	r3 = rss_kb(pid);
	printf("# sushid VmRSS: %ld kB at start, %ld kB after the warm-up, %ld kB and "
	       "%ld kB after each of the two runs (%.0f queries): %+ld kB over the "
	       "second\n", r0, r1, r2, r3, sent, r3 - r2);
	OK(r1 > 0 && r2 > 0 && r3 > 0 && labs(r3 - r2) <= 256,
	   "the daemon's resident memory stays flat: %+ld kB over the second run "
	   "(bound 256 kB; %+ld kB over the first)", r3 - r2, r2 - r1);
}

static void test_shutdown(pid_t pid)
{
	struct sushi_client *c[2] = { conn(), conn() };
	struct sushi_client_result r = { .size = sizeof(r) };
	unsigned int sent = 0, served = 0;
	int8_t in[4096];
	int ends = 0, rc;

	for (int k = 0; k < 2; k++)
		for (uint64_t i = 0; c[k] && i < 16; i++) {
			struct sushi_client_query q = mkq(i, (uint32_t)i, in, CEIL_NS);

			sent += !sushi_client_send(c[k], &q);
		}
	for (int i = 0; i < 300 && metric_now("sushid_queries_outstanding") < 4; i++)
		usleep(10000);	/* until the daemon holds some */
	kill(pid, SIGTERM);
	for (int k = 0; k < 2; k++) {
		int ret = 0;

		while (c[k] && !(ret = sushi_client_recv(c[k], &r, 120 * SEC)))
			served += r.status == SUSHI_QUERY_SERVED &&
				  (int)r.prediction == ref_class(r.subnet, (uint32_t)r.tag);
		ends += c[k] && ret == -ECONNRESET;
		sushi_client_close(c[k]);
	}
	EQ(sent, served, "SIGTERM with %u queries outstanding: each served, correctly", sent);
	EQ(2, ends, "then both connections are closed");
	rc = sushid_stop(pid);
	EQ(0, rc, "sushid exits with status 0");
	OK(access(SOCK, F_OK) && errno == ENOENT, "its socket is gone");
}

int main(void)
{
	FILE *g;
	pid_t pid;

	if (setup()) {
		OK(0, "setup: SuperNet, devices, images");
		return tap_done();
	}
	printf("# %u SushiAccel devices\n", C.n_dev);
	OK(C.n_dev >= 2, "several devices (%u)", C.n_dev);
	g = fopen("/etc/group", "a");
	if (g) {
		fprintf(g, "sushi:x:%d:\n", GID);
		fclose(g);
	}
	pid = sushid_start("--group sushi");
	OK(pid > 0, "sushid starts on every device and listens at " SOCK);
	if (pid <= 0)
		return tap_done();
	test_permissions();
	test_info();
	test_clients();
	test_malformed();
	test_disconnect();
	test_reset();
	test_memory(pid);
	test_shutdown(pid);
	test_overload();
	for (uint32_t i = 0; i < C.n_dev; i++)
		sushi_device_close(C.devs[i]);
	sushi_supernet_close(C.sn);
	return tap_done();
}
