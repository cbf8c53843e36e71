// SPDX-License-Identifier: MIT
/*
 * test_sushid.c - sushid's server (server.c, metrics.c) and options
 * (opts.c) on the host, against a fake runtime: a worker thread that
 * completes each submitted query after a set delay with a status and
 * prediction derived from the query (so every answer can be checked).
 * The server runs in a thread on a temporary socket; clients use
 * libsushi's client API or raw frames.  Covers: the socket (stale, live,
 * not a socket, modes), the handshake, every status, 4 clients x 1500
 * queries each answered exactly once, every malformed-frame class (ERROR
 * with its code, only that connection closed, accepted queries answered
 * first), truncated frames, disconnect mid-query (answers dropped and
 * counted), the per-connection cap, --max-clients, a client that does not
 * read (backpressure, bounded buffers), random junk on many connections,
 * the metrics text, and the graceful shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fake_rt.h"
#include "raw_client.h"
#include "sushi/client.h"
#include "sushid.h"
#include "tap.h"

#define IN_BYTES	16	/* the server's input: 4x4x1 */
#define OUTSTANDING	8
#define SEC		1000000000LL

static char sock_path[108];

static void srv_start(struct srv *s, uint32_t max_clients)
{
	fake_srv_start(s, sock_path, max_clients, OUTSTANDING, 4, 4);
}

static struct sushi_client *conn(void)
{
	struct sushi_client *c = NULL;
	int ret = sushi_client_connect(sock_path, 5 * SEC, &c);

	if (ret)
		printf("# connect: %s\n", sushi_client_strerror(ret));
	return c;
}

static struct sushi_client_query mkq(uint64_t tag, double floor, uint8_t *in)
{
	in[0] = (uint8_t)(tag * 7);
	in[1] = (uint8_t)(tag * 3);
	in[2] = (uint8_t)tag;
	in[3] = (uint8_t)tag;
	return (struct sushi_client_query){
		.size = sizeof(struct sushi_client_query), .tag = tag,
		.acc_floor = floor, .lat_ceiling_ns = 1000000, .input = in,
		.in_len = IN_BYTES,
	};
}

/* the answer the fake gives to mkq(tag, SERVED floor) */
static bool answer_ok(const struct sushi_client_result *r)
{
	return r->status == SUSHI_QUERY_SERVED && r->error == 0 &&
	       r->prediction == (uint8_t)(r->tag * 7) % 10 &&
	       r->subnet == (uint8_t)(r->tag * 3) % 20 && r->device == (uint8_t)r->tag % N_DEV &&
	       r->accuracy == 0.8 && r->queue_ns == 1000 &&
	       r->service_ns == 2000u + (uint8_t)r->tag;
}

static int raw(void)
{
	return raw_connect(sock_path);
}

/* one query round trip works (the daemon still serves) */
static bool still_serving(void)
{
	struct sushi_client_result r = { .size = sizeof(r) };
	uint8_t in[IN_BYTES] = { 0 };
	struct sushi_client_query q = mkq(4242, 0, in);
	struct sushi_client *c = conn();
	bool good = c && !sushi_client_query(c, &q, &r, 5 * SEC) && answer_ok(&r);

	sushi_client_close(c);
	return good;
}

static char *metrics(void)
{
	struct sushi_client *c = conn();
	char *t = NULL;

	if (c && sushi_client_metrics(c, &t, 5 * SEC))
		t = NULL;
	sushi_client_close(c);
	return t;
}

static double metric_now(const char *series)
{
	char *t = metrics();
	double v = metric(t, series);

	free(t);
	return v;
}

/* poll @series until it equals @want (the answers come asynchronously) */
static bool metric_becomes(const char *series, double want)
{
	for (int i = 0; i < 500; i++) {
		if (metric_now(series) == want)
			return true;
		usleep(10000);
	}
	return false;
}

/* -------------------------------------------------------------- the tests */

static void test_listen(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char err[256], longp[200];
	struct stat st;
	int fd, fd2, probe;

	fd = srv_listen(sock_path, false, 0, err, sizeof(err));
	ok(fd >= 0 && !stat(sock_path, &st) && S_ISSOCK(st.st_mode) &&
	   (st.st_mode & 0777) == 0600, "a socket of mode 0600 without --group");
	fd2 = srv_listen(sock_path, false, 0, err, sizeof(err));
	is_int(fd2, -EADDRINUSE, "a live socket is not replaced");
	ok(strstr(err, "another sushid") != NULL, "and says so (%s)", err);
	close(fd);
	fd = srv_listen(sock_path, true, getgid(), err, sizeof(err));
	ok(fd >= 0 && !stat(sock_path, &st) && (st.st_mode & 0777) == 0660 &&
	   st.st_gid == getgid(), "a stale socket is replaced; mode 0660 and the group with --group");
	strcpy(sa.sun_path, sock_path);
	probe = socket(AF_UNIX, SOCK_STREAM, 0);
	ok(probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa)),
	   "and it accepts connections");
	close(probe);
	close(fd);
	unlink(sock_path);
	fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	is_int(srv_listen(sock_path, false, 0, err, sizeof(err)), -EEXIST,
	       "a regular file at the path is not replaced");
	ok(!stat(sock_path, &st) && S_ISREG(st.st_mode), "and is still there");
	unlink(sock_path);
	memset(longp, 'p', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	is_int(srv_listen(longp, false, 0, err, sizeof(err)), -ENAMETOOLONG,
	       "a path too long for a Unix socket");
	is_int(srv_listen("/nonexistent-dir/s", false, 0, err, sizeof(err)), -ENOENT,
	       "a directory that does not exist");
}

static void test_statuses(void)
{
	static const struct { double floor; uint64_t ceil; size_t len;
			      enum sushi_query_status st; int err; const char *what; } c[] = {
		{ 0, 1000, IN_BYTES, SUSHI_QUERY_SERVED, 0, "served" },
		{ 0.75, 1000, IN_BYTES, SUSHI_QUERY_LATE, 0, "late" },
		{ 0.5, 1000, IN_BYTES, SUSHI_QUERY_SHED, 0, "shed at admission" },
		{ 0.625, 1000, IN_BYTES, SUSHI_QUERY_SHED, 0, "shed by overload" },
		{ 0.25, 1000, IN_BYTES, SUSHI_QUERY_FAILED, -ECANCELED, "failed by the device" },
		{ 0.125, 1000, IN_BYTES, SUSHI_QUERY_FAILED, -ENOMEM, "submit failed" },
		{ 0, 1000, IN_BYTES - 1, SUSHI_QUERY_REJECTED, -EMSGSIZE, "input one byte short" },
		{ 0, 1000, 0, SUSHI_QUERY_REJECTED, -EMSGSIZE, "no input" },
		{ -0.1, 1000, IN_BYTES, SUSHI_QUERY_REJECTED, -EINVAL, "floor below 0" },
		{ 1.5, 1000, IN_BYTES, SUSHI_QUERY_REJECTED, -EINVAL, "floor above 1" },
		{ NAN, 1000, IN_BYTES, SUSHI_QUERY_REJECTED, -EINVAL, "floor NaN" },
		{ 0, 0, IN_BYTES, SUSHI_QUERY_REJECTED, -EINVAL, "ceiling 0" },
	};
	struct sushi_client_info info = { .size = sizeof(info) };
	struct sushi_client *cl = conn();
	uint8_t in[IN_BYTES] = { 0 };

	ok(cl && !sushi_client_info(cl, &info) && info.in_bytes == IN_BYTES &&
	   info.n_devices == N_DEV && info.max_outstanding == OUTSTANDING &&
	   info.max_request == SUSHID_PROTO_QUERY_FIXED + IN_BYTES && info.n_subnets == 20,
	   "INFO: input size, devices, per-connection limit, largest request");
	for (size_t i = 0; cl && i < sizeof(c) / sizeof(c[0]); i++) {
		struct sushi_client_result r = { .size = sizeof(r) };
		struct sushi_client_query q = mkq(100 + i, c[i].floor, in);
		int ret;

		q.lat_ceiling_ns = c[i].ceil;
		q.in_len = c[i].len;
		ret = sushi_client_query(cl, &q, &r, 5 * SEC);
		ok(!ret && r.tag == 100 + i && r.status == c[i].st && r.error == c[i].err,
		   "%s -> %s %d", c[i].what, sushi_query_status_name(c[i].st), c[i].err);
	}
	sushi_client_close(cl);
	ok(metric_now("sushid_shed_total{reason=\"admission\"}") == 1 &&
	   metric_now("sushid_shed_total{reason=\"overload\"}") == 1 &&
	   metric_now("sushid_rejected_total{reason=\"input_size\"}") == 2 &&
	   metric_now("sushid_rejected_total{reason=\"invalid\"}") == 4 &&
	   metric_now("sushid_queries_total{status=\"failed\"}") == 2,
	   "the metrics count each by reason");
}

struct worker {
	unsigned int id, n;
	unsigned int answered, wrong, dup;
	int err;
};

/* @w->n queries, at most OUTSTANDING in flight, every answer checked */
static void *client_thread(void *arg)
{
	struct worker *w = arg;
	struct sushi_client *c = conn();
	uint8_t *seen = calloc(w->n, 1), in[IN_BYTES] = { 0 };
	unsigned int sent = 0;

	if (!c || !seen) {
		w->err = -ENOMEM;
		goto out;
	}
	while (w->answered < w->n) {
		struct sushi_client_result r = { .size = sizeof(r) };
		int ret;

		while (sent < w->n && sent - w->answered < OUTSTANDING) {
			struct sushi_client_query q = mkq((uint64_t)w->id << 32 | sent, 0, in);

			ret = sushi_client_send(c, &q);
			if (ret) {
				w->err = ret;
				goto out;
			}
			sent++;
		}
		ret = sushi_client_recv(c, &r, 10 * SEC);
		if (ret) {
			w->err = ret;
			goto out;
		}
		w->answered++;
		if ((r.tag >> 32) != w->id || (uint32_t)r.tag >= w->n) {
			w->wrong++;
		} else if (seen[(uint32_t)r.tag]++) {
			w->dup++;
		} else if (!answer_ok(&r)) {
			w->wrong++;
		}
	}
out:
	free(seen);
	sushi_client_close(c);
	return NULL;
}

static void test_many_clients(void)
{
	const unsigned int n = tap_quick ? 300 : 1500;
	struct worker w[4];
	pthread_t t[4];
	unsigned int answered = 0, wrong = 0, dup = 0, errs = 0;

	for (unsigned int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .id = i + 1, .n = n };
		pthread_create(&t[i], NULL, client_thread, &w[i]);
	}
	for (unsigned int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		answered += w[i].answered;
		wrong += w[i].wrong;
		dup += w[i].dup;
		errs += w[i].err != 0;
	}
	is_u64(answered, 4 * n, "4 clients x %u windowed queries: every one answered", n);
	is_u64(dup, 0, "none twice");
	is_u64(wrong, 0, "each with its own prediction, SubNet, device and times");
	is_u64(errs, 0, "no client error");
}

static void test_malformed(void)
{
	static const unsigned int kinds[] = {
		PROTO_ERR_MAGIC, PROTO_ERR_VERSION, PROTO_ERR_TYPE, PROTO_ERR_FLAGS,
		PROTO_ERR_RESERVED, PROTO_ERR_TOO_LARGE, PROTO_ERR_LENGTH,
	};
	uint8_t b[512], in[IN_BYTES] = { 0 };
	struct proto_error e;
	struct proto_hdr h;
	char *t;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct sushi_client *other = conn();
		int fd = raw();
		size_t n = bad_frame(b, kinds[k]);
		bool got;

		got = fd >= 0 && write(fd, b, n) == (ssize_t)n &&
		      raw_frame(fd, b, sizeof(b), &h) == PROTO_ERROR &&
		      !proto_dec_error(&h, b + 16, &e) && e.code == kinds[k];
		ok(got && raw_eof(fd), "%s: ERROR %s, then the connection is closed",
		   proto_err_name(kinds[k]), proto_err_name(kinds[k]));
		if (kinds[k] == PROTO_ERR_TOO_LARGE)
			is_u64(e.detail, SUSHID_PROTO_QUERY_FIXED + IN_BYTES,
			       "its detail is the largest request the daemon reads");
		ok(other && still_serving(), "another connection open meanwhile still works");
		sushi_client_close(other);
		close(fd);
	}
	t = metrics();
	ok(t && metric(t, "sushid_frame_errors_total{reason=\"bad-magic\"}") == 1 &&
	   metric(t, "sushid_frame_errors_total{reason=\"too-large\"}") == 1 &&
	   metric(t, "sushid_frame_errors_total{reason=\"bad-length\"}") == 1,
	   "the frame errors are counted by reason");
	free(t);

	/* queries accepted before the bad frame are answered before the ERROR */
	{
		int fd = raw();
		size_t n = 0;
		int results = 0, type;

		atomic_store(&fk.delay_us, 20000);
		for (uint64_t i = 0; i < 3; i++) {
			struct sushi_client_query q = mkq(i, 0, in);
			struct proto_query pq = { .tag = q.tag, .lat_ceiling_ns = 1000,
						  .input = in, .in_len = IN_BYTES };

			n += proto_enc_query(b + n, sizeof(b) - n, &pq);
		}
		n += bad_frame(b + n, PROTO_ERR_FLAGS);
		if (fd >= 0 && write(fd, b, n) == (ssize_t)n) {
			while ((type = raw_frame(fd, b, sizeof(b), &h)) == PROTO_RESULT)
				results++;
			ok(results == 3 && type == PROTO_ERROR && raw_eof(fd),
			   "3 queries then a bad frame: 3 RESULTs, then the ERROR, then close");
		} else {
			ok(0, "3 queries then a bad frame");
		}
		atomic_store(&fk.delay_us, 0);
		close(fd);
	}
	/* a frame cut by the client's close, and a lone partial header */
	{
		struct proto_query pq = { .tag = 1, .lat_ceiling_ns = 1000, .input = in,
					  .in_len = IN_BYTES };
		int fd = raw();
		size_t n = proto_enc_query(b, sizeof(b), &pq);

		if (fd >= 0 && write(fd, b, n - 5) < 0)
			n = 0;
		close(fd);
		fd = raw();
		if (fd >= 0 && write(fd, b, 7) < 0)
			n = 0;
		shutdown(fd, SHUT_WR);
		ok(raw_eof(fd), "half a header then end of input: closed without an answer");
		close(fd);
		ok(still_serving(), "the daemon still serves after truncated frames");
	}
}

static void test_disconnect(void)
{
	struct sushi_client *c = conn();
	uint8_t in[IN_BYTES] = { 0 };
	double before = metric_now("sushid_answers_dropped_total");
	unsigned int sent = 0;

	atomic_store(&fk.delay_us, 20000);
	for (uint64_t i = 0; c && i < OUTSTANDING; i++) {
		struct sushi_client_query q = mkq(i, 0, in);

		sent += !sushi_client_send(c, &q);
	}
	/* the daemon has read them all */
	ok(metric_becomes("sushid_queries_outstanding", OUTSTANDING),
	   "%u queries in flight", OUTSTANDING);
	sushi_client_close(c);	/* gone before any answer */
	ok(sent == OUTSTANDING && metric_becomes("sushid_queries_outstanding", 0),
	   "a client closing with %u queries in flight: they complete", OUTSTANDING);
	is_int(metric_now("sushid_answers_dropped_total") - before, OUTSTANDING,
	       "and their answers are dropped and counted");
	ok(still_serving(), "the daemon still serves");

	/* a new connection in the slot of one gone gets none of its answers */
	c = conn();
	for (uint64_t i = 0; c && i < OUTSTANDING; i++) {
		struct sushi_client_query q = mkq(i, 0, in);

		sushi_client_send(c, &q);
	}
	ok(metric_becomes("sushid_queries_outstanding", OUTSTANDING) &&
	   metric_becomes("sushid_connections", 2), "another client with %u in flight",
	   OUTSTANDING);
	sushi_client_close(c);
	if (metric_becomes("sushid_connections", 1)) {
		struct sushi_client_result r = { .size = sizeof(r) };
		struct sushi_client_query q = mkq(777, 0, in);
		int ret;

		c = conn();	/* the lowest free slot: the one just closed */
		ret = c ? sushi_client_query(c, &q, &r, 5 * SEC) : -1;
		ok(!ret && r.tag == 777 && answer_ok(&r),
		   "its successor's query gets its own answer (tag %llu)",
		   (unsigned long long)r.tag);
		ok(metric_becomes("sushid_queries_outstanding", 0) &&
		   sushi_client_recv(c, &r, 50000000) == -ETIME,
		   "and nothing of its predecessor's");
		sushi_client_close(c);
	} else {
		ok(0, "the connection closed");
	}
	atomic_store(&fk.delay_us, 0);
}

static void test_conn_limit(void)
{
	struct sushi_client_result r = { .size = sizeof(r) };
	struct sushi_client *c = conn();
	uint8_t in[IN_BYTES] = { 0 };
	unsigned int shed = 0, served = 0, other = 0;
	double before = metric_now("sushid_shed_total{reason=\"connection_limit\"}");

	atomic_store(&fk.delay_us, 30000);
	for (uint64_t i = 0; c && i < 3 * OUTSTANDING; i++) {
		struct sushi_client_query q = mkq(i, 0, in);

		sushi_client_send(c, &q);
	}
	for (unsigned int i = 0; c && i < 3 * OUTSTANDING; i++) {
		if (sushi_client_recv(c, &r, 10 * SEC))
			break;
		if (r.status == SUSHI_QUERY_SHED && r.error == -EBUSY)
			shed++;
		else if (answer_ok(&r))
			served++;
		else
			other++;
	}
	atomic_store(&fk.delay_us, 0);
	ok(served >= OUTSTANDING && shed >= OUTSTANDING && served + shed == 3 * OUTSTANDING &&
	   !other, "%u queries at once on one connection: %u served, %u shed -EBUSY at the "
	   "cap of %u", 3 * OUTSTANDING, served, shed, OUTSTANDING);
	is_int(metric_now("sushid_shed_total{reason=\"connection_limit\"}") - before, shed,
	       "counted as connection_limit");
	sushi_client_close(c);
}

static void test_max_clients(void)
{
	struct sushi_client *c[3], *extra = NULL;
	bool all = true;

	for (int i = 0; i < 3; i++)
		all &= (c[i] = conn()) != NULL;
	ok(all, "3 connections, the maximum of this server");
	is_int(sushi_client_connect(sock_path, 5 * SEC, &extra), -EBUSY,
	       "a fourth is refused -EBUSY (ERROR busy)");
	sushi_client_close(c[0]);
	usleep(50000);
	extra = conn();
	ok(extra != NULL, "once one closes, another connects");
	sushi_client_close(extra);
	for (int i = 1; i < 3; i++)
		sushi_client_close(c[i]);
	ok(metric_now("sushid_connections_total{result=\"refused\"}") == 1,
	   "the refusal is counted");
}

struct flood {
	int fd;
	unsigned int n;
	bool done;
};

static void *flood_writer(void *arg)
{
	struct flood *f = arg;
	uint8_t b[128], in[IN_BYTES] = { 0 };

	for (unsigned int i = 0; i < f->n; i++) {
		struct proto_query q = { .tag = i, .lat_ceiling_ns = 1000, .input = in,
					 .in_len = IN_BYTES };
		size_t n = proto_enc_query(b, sizeof(b), &q);

		if (write(f->fd, b, n) != (ssize_t)n)
			return NULL;
	}
	f->done = true;
	return NULL;
}

/* a client that writes much and reads nothing: the daemon stops reading it */
static void test_backpressure(void)
{
	struct flood f = { .fd = raw(), .n = tap_quick ? 20000 : 100000 };
	uint8_t b[256];
	struct proto_hdr h;
	pthread_t t;
	unsigned int answers = 0;
	bool blocked;

	pthread_create(&t, NULL, flood_writer, &f);
	usleep(300000);
	blocked = !f.done;
	ok(blocked, "%u queries without reading: the writer blocks (the daemon stopped "
	   "reading it)", f.n);
	ok(still_serving(), "meanwhile the daemon serves others");
	while (answers < f.n && raw_frame(f.fd, b, sizeof(b), &h) == PROTO_RESULT)
		answers++;
	pthread_join(t, NULL);
	is_u64(answers, f.n, "once it reads, every query is answered");
	close(f.fd);
}

/* random junk on many connections: no crash, the daemon keeps serving */
static void test_junk(void)
{
	const unsigned int conns = tap_quick ? 100 : 1000;
	uint64_t s = 42;
	uint8_t b[600];
	unsigned int errors = 0;

	for (unsigned int i = 0; i < conns; i++) {
		int fd = raw();
		size_t n = 1 + tap_rand(&s) % sizeof(b);
		struct proto_hdr h;

		if (fd < 0)
			break;
		for (size_t j = 0; j < n; j++)
			b[j] = (uint8_t)tap_rand(&s);
		if (i % 2) {	/* a valid header first, then junk */
			proto_put_hdr(b, PROTO_QUERY, (uint32_t)(tap_rand(&s) % 64));
			if (i % 4 == 1)
				b[16 + 8] = 0;	/* sometimes a plausible floor */
		}
		if (write(fd, b, n) == (ssize_t)n) {
			shutdown(fd, SHUT_WR);
			while (raw_frame(fd, b, sizeof(b), &h) > 0)
				errors += h.type == PROTO_ERROR;
		}
		close(fd);
	}
	ok(still_serving(), "%u connections of random bytes: the daemon still serves "
	   "(%u got an ERROR)", conns, errors);
	ok(metric_becomes("sushid_connections", 1),
	   "and holds no connection of theirs (1: the one asking)");
}

static void test_metrics_text(void)
{
	char *t = metrics();
	double served = metric(t, "sushid_queries_total{status=\"served\"}");

	ok(t && !strncmp(t, "# HELP sushid_queries_total ", 28), "metrics start with HELP");
	ok(served > 0, "sushid_queries_total{status=\"served\"} = %.0f", served);
	ok(metric(t, "sushid_device_latency_seconds_count{device=\"0\"}") +
	   metric(t, "sushid_device_latency_seconds_count{device=\"1\"}") ==
	   served + metric(t, "sushid_queries_total{status=\"late\"}"),
	   "the latency histograms count every served and late query");
	ok(metric(t, "sushid_device_latency_seconds_count{device=\"0\"}") > 0 &&
	   metric(t, "sushid_device_latency_seconds_bucket{device=\"0\",le=\"0.0001\"}") ==
	   metric(t, "sushid_device_latency_seconds_count{device=\"0\"}") &&
	   fabs(metric(t, "sushid_device_queue_seconds_sum{device=\"0\"}") -
		metric(t, "sushid_device_queue_seconds_count{device=\"0\"}") * 1e-6) < 1e-9,
	   "the fake's 3 us latencies all fall in le=0.0001; queueing sums 1 us each");
	ok(t && strstr(t, "sushid_device_info{device=\"1\",path=\"/dev/accel/\\\"odd\\\"\"} 1"),
	   "device paths are escaped label values");
	ok(metric(t, "sushid_device_pb_loads_total{device=\"0\"}") > 0 &&
	   metric(t, "process_resident_memory_bytes") > 0,
	   "the runtime's per-device counters and the RSS are there");
	free(t);
}

static void test_shutdown(struct srv *s)
{
	struct sushi_client *c[2] = { conn(), conn() };
	struct sushi_client_result r = { .size = sizeof(r) };
	uint8_t in[IN_BYTES] = { 0 };
	unsigned int served = 0, sent = 0, shed = 0;
	int ret = 0, end[2];

	atomic_store(&fk.delay_us, 20000);
	for (int k = 0; k < 2; k++)
		for (uint64_t i = 0; c[k] && i < OUTSTANDING; i++) {
			struct sushi_client_query q = mkq(i, 0, in);

			sent += !sushi_client_send(c[k], &q);
		}
	usleep(5000);
	if (write(s->stop[1], "x", 1) != 1)
		return;
	usleep(5000);
	{
		struct sushi_client_query q = mkq(999, 0, in);
		struct sushi_client *late = NULL;

		ok(c[0] && !sushi_client_send(c[0], &q),
		   "a query sent after the stop, with others outstanding");
		is_int(sushi_client_connect(sock_path, SEC, &late), -ENOENT,
		       "no new connection: the socket is gone");
	}
	for (int k = 0; k < 2; k++) {
		while (c[k] && !(ret = sushi_client_recv(c[k], &r, 10 * SEC))) {
			served += answer_ok(&r);
			shed += r.tag == 999 && r.status == SUSHI_QUERY_SHED &&
				r.error == -ESHUTDOWN;
		}
		end[k] = ret;
	}
	is_u64(shed, 1, "it is answered shed, -ESHUTDOWN");
	pthread_join(s->thread, NULL);
	is_u64(served, sent, "stop with %u queries outstanding: every one served", sent);
	ok(end[0] == -ECONNRESET && end[1] == -ECONNRESET,
	   "then each connection is closed (-ECONNRESET)");
	is_int(s->ret, 0, "srv_run() returns 0");
	ok(access(sock_path, F_OK) && errno == ENOENT, "the socket is removed");
	ok(s->sum.answered[PROTO_SERVED] > 0, "the summary counts the answers");
	sushi_client_close(c[0]);
	sushi_client_close(c[1]);
	close(s->stop[0]);
	close(s->stop[1]);
	fake_stop();
}

static int parse(const char *line, struct sushid_opts *o, int *help, char *err)
{
	static char buf[1024];
	char *argv[32], *t;
	int argc = 0;

	strcpy(buf, line);
	for (t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return sushid_parse(argc, argv, o, help, err, 256);
}

static void test_opts(void)
{
	static const char *const bad[] = {
		"sushid --bogus", "sushid stray", "sushid --socket", "sushid --socket=",
		"sushid --policy oracle", "sushid --policy best-static", "sushid --policy x",
		"sushid --policy lru",
		"sushid --q 0", "sushid --q -1", "sushid --w 4097", "sushid --w 1x",
		"sushid --router rr", "sushid --overload drop", "sushid --max-queue -1",
		"sushid --max-clients 0", "sushid --max-clients 4097",
		"sushid --max-outstanding 0", "sushid --max-outstanding 99999",
		"sushid --select fastest", "sushid --device /a --device /a",
		"sushid --max-clients 4096 --max-outstanding 4096", "sushid --group=",
	};
	struct sushid_opts o;
	char err[256];
	int help;
	gid_t gid;

	is_int(parse("sushid", &o, &help, err), 0, "no options");
	ok(!strcmp(o.socket, SUSHID_DEFAULT_SOCKET) && !o.group && !o.n_devices &&
	   o.sched.policy == SUSHI_POLICY_SUSHI && o.sched.q == 32 && o.sched.w == 64 &&
	   o.fleet.router == SUSHI_ROUTER_JSQ && o.fleet.overload == SUSHI_OVERLOAD_LATE &&
	   o.fleet.max_queue == 0 && o.fleet.size == sizeof(o.fleet) &&
	   o.max_clients == 64 && o.max_outstanding == 64, "the defaults");
	is_int(parse("sushid --socket /tmp/s --group sushi --device /dev/accel/accel0 "
		     "--device=/dev/accel/accel1 --supernet f.st --policy no-pb --select floor "
		     "--q 8 --w=16 --router sgs --overload shed --max-queue 3 --max-clients 5 "
		     "--max-outstanding=7", &o, &help, err), 0, "every option");
	ok(!strcmp(o.socket, "/tmp/s") && !strcmp(o.group, "sushi") && o.n_devices == 2 &&
	   !strcmp(o.devices[1], "/dev/accel/accel1") && !strcmp(o.supernet, "f.st") &&
	   o.sched.policy == SUSHI_POLICY_NO_PB && o.sched.select == SUSHI_SELECT_FLOOR &&
	   o.sched.q == 8 && o.sched.w == 16 && o.fleet.router == SUSHI_ROUTER_SGS &&
	   o.fleet.overload == SUSHI_OVERLOAD_SHED && o.fleet.max_queue == 3 &&
	   o.max_clients == 5 && o.max_outstanding == 7, "each taken");
	ok(!parse("sushid --help", &o, &help, err) && help == 1, "--help");
	ok(!parse("sushid --version", &o, &help, err) && help == 2, "--version");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], &o, &help, err);

		ok(rc == SUSHID_EXIT_USAGE && err[0], "'%s' refused: %s", bad[i], err);
	}
	ok(!sushid_group("1234", &gid, err, sizeof(err)) && gid == 1234, "--group 1234");
	ok(!sushid_group("root", &gid, err, sizeof(err)) && gid == 0, "--group root");
	ok(sushid_group("no-such-group-xyz", &gid, err, sizeof(err)) == -ENOENT &&
	   strstr(err, "no such group"), "an unknown group: %s", err);
}

static void test_metrics_cap(void)
{
	static struct srv_metrics m;
	static struct sushi_rt_stats st;
	static const char *paths[SUSHI_FLEET_MAX_DEVICES];
	static char path[4096];
	size_t cap = srv_metrics_cap(SUSHI_FLEET_MAX_DEVICES), n;
	char *buf = malloc(cap);

	memset(path, '"', sizeof(path) - 1);	/* every byte escaped: twice the size */
	m.n_devices = st.n_devices = SUSHI_FLEET_MAX_DEVICES;
	for (unsigned int i = 0; i < SUSHI_FLEET_MAX_DEVICES; i++) {
		paths[i] = i ? "/dev/accel/accel10" : path;
		for (unsigned int b = 0; b < SRV_BUCKETS; b++)
			m.latency[i].bucket[b] = m.queue[i].bucket[b] = UINT64_MAX / 32;
		m.latency[i].count = m.queue[i].count = UINT64_MAX;
		m.latency[i].sum_ns = m.queue[i].sum_ns = UINT64_MAX;
		st.dev[i].served = st.dev[i].late = st.dev[i].pb_hit_bytes = UINT64_MAX;
	}
	for (unsigned int s = 0; s < PROTO_STATUS_COUNT; s++)
		m.answered[s] = UINT64_MAX;
	n = buf ? srv_metrics_render(&m, &st, paths, buf, cap) : 0;
	ok(n > 0 && n < cap, "64 devices, a 4 KiB path of quotes, every counter at its "
	   "maximum: the text (%zu bytes) fits srv_metrics_cap() (%zu)", n, cap);
	is_u64(srv_metrics_render(&m, &st, paths, buf, n), 0,
	       "one byte less than needed: refused, not cut");
	free(buf);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/sushid-test-XXXXXX";
	struct srv s;

	tap_init(argc, argv);
	if (!mkdtemp(dir))
		return 2;
	snprintf(sock_path, sizeof(sock_path), "%s/sushid.sock", dir);
	test_opts();
	test_listen();
	test_metrics_cap();

	srv_start(&s, 16);
	test_statuses();
	test_many_clients();
	test_malformed();
	test_disconnect();
	test_conn_limit();
	test_backpressure();
	test_junk();
	test_metrics_text();
	test_shutdown(&s);

	srv_start(&s, 3);
	test_max_clients();
	is_int(srv_stop(&s), 0, "an idle server stops at once");
	rmdir(dir);
	return tap_done();
}
