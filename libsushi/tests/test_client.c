// SPDX-License-Identifier: MIT
/*
 * test_client.c - libsushi's sushid client (sushi/client.h) against
 * scripted fake daemons on a Unix socket, one thread each: the handshake
 * and what it refuses (busy, another protocol version, not a sushid, no
 * answer, no socket), a synchronous query, 200 pipelined queries answered
 * out of order, metrics, the -EBUSY rules, and how a connection dies: an
 * ERROR frame, a frame cut by the close, a clean close, a bad status.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "raw_client.h"
#include "sushi/client.h"
#include "tap.h"

#define IN_BYTES 16

static char sock_path[108];

enum script {
	S_GOOD,		/* INFO, then answers every request (RESULT: reversed pairs) */
	S_BUSY,		/* ERROR busy on accept */
	S_VERSION,	/* INFO speaking only version 2 */
	S_HTTP,		/* not a sushid */
	S_SILENT,	/* reads, never answers */
	S_CUT,		/* INFO; half a RESULT, close */
	S_ERROR,	/* INFO; ERROR bad-length for the first query */
	S_CLOSE,	/* INFO; closes on the first query */
	S_BADSTATUS,	/* INFO; a RESULT with status 9 */
};

struct server {
	int lfd;
	enum script script;
	pthread_t thread;
};

/* one request frame into @b (header then payload): its header, or -1 */
static int read_frame(int fd, uint8_t *b, size_t cap, struct proto_hdr *h)
{
	return raw_frame(fd, b, cap, h) < 0 ? -1 : 0;
}

static void send_info(int fd, uint16_t vmin, uint16_t vmax)
{
	struct proto_info in = {
		.version_min = vmin, .version_max = vmax, .n_devices = 2,
		.n_subnets = 20, .n_classes = 10, .in_h = 4, .in_w = 4, .in_c = 1,
		.in_bytes = IN_BYTES, .max_outstanding = 8,
		.max_request = SUSHID_PROTO_QUERY_FIXED + IN_BYTES,
	};
	uint8_t b[64];

	if (write(fd, b, proto_enc_info(b, sizeof(b), &in)) < 0)
		return;
}

static void result_for(int fd, const struct proto_hdr *h, const uint8_t *p,
		       uint32_t status)
{
	struct proto_query q;
	struct proto_result r = { .status = status, .subnet = 5, .device = 1,
				  .accuracy = 0.875, .queue_ns = 10, .service_ns = 20 };
	uint8_t b[SUSHID_PROTO_RESULT_FRAME];

	proto_dec_query(h, p, &q);
	r.tag = q.tag;
	r.prediction = q.in_len ? q.input[0] : 99;
	if (write(fd, b, proto_enc_result(b, sizeof(b), &r)) < 0)
		return;
}

/* S_GOOD: answers queries in pairs, the second of each pair first */
static void serve_good(int fd)
{
	uint8_t b[256], held[256];
	struct proto_hdr h, hh;
	bool holding = false;

	send_info(fd, 1, 1);
	while (!read_frame(fd, b, sizeof(b), &h)) {
		if (h.type == PROTO_METRICS_REQ) {
			uint8_t m[64];

			if (write(fd, m, proto_enc_raw(m, sizeof(m), PROTO_METRICS,
						       "sushid_up 1\n", 12)) < 0)
				return;
		} else if (h.type == PROTO_QUERY && !holding) {
			memcpy(held, b, sizeof(b));
			hh = h;
			holding = true;
			/* a query sent alone (tag & 1) is answered at once */
			if (proto_get64(b + 16) & 1) {
				result_for(fd, &h, b + 16, PROTO_SERVED);
				holding = false;
			}
		} else if (h.type == PROTO_QUERY) {
			result_for(fd, &h, b + 16, PROTO_LATE);
			result_for(fd, &hh, held + 16, PROTO_SERVED);
			holding = false;
		}
	}
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	uint8_t b[256];
	struct proto_hdr h;
	size_t n;

	if (fd < 0)
		return NULL;
	switch (s->script) {
	case S_GOOD:
		serve_good(fd);
		break;
	case S_BUSY:
		n = proto_enc_error(b, sizeof(b), PROTO_ERR_BUSY, 64, "64 connections");
		if (write(fd, b, n) < 0)
			break;
		break;
	case S_VERSION:
		read_frame(fd, b, sizeof(b), &h);
		send_info(fd, 2, 2);
		break;
	case S_HTTP:
		if (write(fd, "HTTP/1.1 200 OK\r\n\r\n", 19) < 0)
			break;
		break;
	case S_SILENT:
		while (read(fd, b, sizeof(b)) > 0)
			;
		break;
	case S_CUT:
	case S_ERROR:
	case S_CLOSE:
	case S_BADSTATUS:
		read_frame(fd, b, sizeof(b), &h);
		send_info(fd, 1, 1);
		if (read_frame(fd, b, sizeof(b), &h))
			break;
		if (s->script == S_CUT) {
			struct proto_result r = { .tag = 1 };

			n = proto_enc_result(b, sizeof(b), &r);
			if (write(fd, b, n / 2) < 0)
				break;
		} else if (s->script == S_ERROR) {
			n = proto_enc_error(b, sizeof(b), PROTO_ERR_LENGTH, 40, "QUERY too short");
			if (write(fd, b, n) < 0)
				break;
		} else if (s->script == S_BADSTATUS) {
			result_for(fd, &h, b + 16, 9);
		}
		break;
	}
	close(fd);
	return NULL;
}

static void server_start(struct server *s, enum script script)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	unlink(sock_path);
	strcpy(sa.sun_path, sock_path);
	s->script = script;
	s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(s->lfd, 4) || pthread_create(&s->thread, NULL, server_main, s)) {
		perror("server");
		exit(2);
	}
}

static void server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->lfd);
	unlink(sock_path);
}

static struct sushi_client_query query(uint64_t tag, const uint8_t *in)
{
	return (struct sushi_client_query){
		.size = sizeof(struct sushi_client_query), .tag = tag,
		.acc_floor = 0.5, .lat_ceiling_ns = 1000000, .input = in,
		.in_len = IN_BYTES,
	};
}

static void test_good(void)
{
	struct sushi_client_result r = { .size = sizeof(r) };
	struct sushi_client_info info = { .size = sizeof(info) };
	struct sushi_client_query q;
	struct sushi_client *c;
	struct server s;
	uint8_t in[IN_BYTES] = { 7 };
	bool seen[200] = { false };
	unsigned int bad = 0;
	char *text;
	int ret;

	server_start(&s, S_GOOD);
	is_int(sushi_client_connect(sock_path, 2000000000, &c), 0, "connect and handshake");
	ok(!sushi_client_info(c, &info) && info.in_bytes == IN_BYTES &&
	   info.n_devices == 2 && info.max_outstanding == 8 && info.proto_version == 1,
	   "INFO: input size, devices, limits, version");
	ok(sushi_client_fd(c) >= 0, "a pollable descriptor");
	q = query(1, in);
	is_int(sushi_client_query(c, &q, &r, 2000000000), 0, "a synchronous query");
	ok(r.tag == 1 && r.status == SUSHI_QUERY_SERVED && r.prediction == 7 &&
	   r.subnet == 5 && r.device == 1 && r.accuracy == 0.875 &&
	   r.queue_ns == 10 && r.service_ns == 20, "its answer, every field");
	is_int(sushi_client_metrics(c, &text, 2000000000), 0, "metrics");
	ok(text && !strcmp(text, "sushid_up 1\n"), "the metrics text, NUL-terminated");
	free(text);
	for (unsigned int i = 0; i < 200; i++) {
		in[0] = (uint8_t)i;
		q = query(2 * i, in);	/* even tags: answered in pairs, reversed */
		if (sushi_client_send(c, &q))
			bad++;
	}
	is_u64(bad, 0, "200 pipelined sends");
	is_u64(sushi_client_outstanding(c), 200, "200 outstanding");
	is_int(sushi_client_query(c, &q, &r, 0), -EBUSY, "no synchronous query meanwhile");
	is_int(sushi_client_metrics(c, &text, 0), -EBUSY, "no metrics meanwhile");
	for (unsigned int i = 0; i < 200; i++) {
		ret = sushi_client_recv(c, &r, 2000000000);
		if (ret || r.tag % 2 || r.tag / 2 >= 200 || seen[r.tag / 2] ||
		    r.prediction != r.tag / 2)
			bad++;
		else
			seen[r.tag / 2] = true;
	}
	is_u64(bad, 0, "200 answers, out of order, each once, each its own");
	is_u64(sushi_client_outstanding(c), 0, "none outstanding");
	is_int(sushi_client_recv(c, &r, 0), -ETIME, "nothing more: -ETIME at once");
	is_int(sushi_client_recv(c, &r, 20000000), -ETIME, "or after the timeout");
	{
		struct timespec t0, t1;
		double el;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = sushi_client_recv(c, &r, 1500000000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		ok(ret == -ETIME && el >= 1.5 && el < 3, "a 1.5 s timeout: -ETIME after %.2f s",
		   el);
	}
	q.flags = 1;
	is_int(sushi_client_send(c, &q), -EINVAL, "flags must be 0");
	q = query(1, in);
	q.size = 8;
	is_int(sushi_client_send(c, &q), -EINVAL, "a too small size");
	q = query(1, in);
	q.in_len = IN_BYTES + 1;
	is_int(sushi_client_send(c, &q), -EMSGSIZE, "an input larger than the daemon reads");
	r.size = 4;
	is_int(sushi_client_recv(c, &r, 0), -EINVAL, "a too small result size");
	sushi_client_close(c);
	server_stop(&s);
}

/* connect to a server playing @script: the error */
static int connect_to(enum script script, int64_t timeout, char *err, size_t len)
{
	struct sushi_client *c = NULL;
	struct server s;
	int ret;

	server_start(&s, script);
	ret = sushi_client_connect(sock_path, timeout, &c);
	if (err)
		snprintf(err, len, "%s", sushi_client_strerror(ret));
	sushi_client_close(c);
	server_stop(&s);
	return ret;
}

static void test_refusals(void)
{
	struct sushi_client *c = (struct sushi_client *)&c;
	char err[256], longp[200];

	is_int(connect_to(S_BUSY, 2000000000, err, sizeof(err)), -EBUSY,
	       "a busy daemon: -EBUSY");
	ok(strstr(err, "maximum of connections") != NULL, "with its message (%s)", err);
	is_int(connect_to(S_VERSION, 2000000000, NULL, 0), -EPROTO,
	       "a daemon speaking only version 2: -EPROTO");
	is_int(connect_to(S_HTTP, 2000000000, NULL, 0), -EPROTO, "not a sushid: -EPROTO");
	is_int(connect_to(S_SILENT, 50000000, NULL, 0), -ETIME, "no answer: -ETIME");
	is_int(sushi_client_connect("/nonexistent/sushid.sock", 0, &c), -ENOENT,
	       "no socket: -ENOENT");
	ok(c == NULL, "and no client");
	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	is_int(sushi_client_connect(longp, 0, &c), -ENAMETOOLONG, "a path too long");
	is_int(sushi_client_connect("", 0, &c), -EINVAL, "an empty path");
	is_int(sushi_client_connect(sock_path, 0, NULL), -EINVAL, "NULL out");
	ok(!strcmp(sushi_query_status_name(SUSHI_QUERY_REJECTED), "rejected") &&
	   !strcmp(sushi_query_status_name(SUSHI_QUERY_STATUS_COUNT), "unknown"),
	   "status names");
}

/* after the handshake, one query to a server playing @script: recv's error */
static int die_with(enum script script, char *err, size_t len, int *again)
{
	struct sushi_client_result r = { .size = sizeof(r) };
	uint8_t in[IN_BYTES] = { 0 };
	struct sushi_client_query q = query(1, in);
	struct sushi_client *c;
	struct server s;
	int ret;

	server_start(&s, script);
	ret = sushi_client_connect(sock_path, 2000000000, &c);
	if (!ret)
		ret = sushi_client_send(c, &q);
	if (!ret)
		ret = sushi_client_recv(c, &r, 2000000000);
	snprintf(err, len, "%s", c ? sushi_client_error(c) : "");
	*again = c ? sushi_client_recv(c, &r, 0) : 0;
	sushi_client_close(c);
	server_stop(&s);
	return ret;
}

static void test_deaths(void)
{
	char err[300];
	int again;

	is_int(die_with(S_CUT, err, sizeof(err), &again), -EPROTO,
	       "a RESULT cut by the close: -EPROTO");
	ok(strstr(err, "truncated") != NULL, "said truncated (%s)", err);
	is_int(again, -EPROTO, "the connection stays dead");
	is_int(die_with(S_ERROR, err, sizeof(err), &again), -ECONNABORTED,
	       "an ERROR frame: -ECONNABORTED");
	ok(!strcmp(err, "bad-length: QUERY too short"), "its code and message (%s)", err);
	is_int(again, -ECONNABORTED, "the connection stays dead");
	is_int(die_with(S_CLOSE, err, sizeof(err), &again), -ECONNRESET,
	       "a clean close: -ECONNRESET");
	is_int(die_with(S_BADSTATUS, err, sizeof(err), &again), -EPROTO,
	       "a RESULT with an unknown status: -EPROTO");
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/sushi-client-XXXXXX";

	tap_init(argc, argv);
	if (!mkdtemp(dir))
		return 2;
	snprintf(sock_path, sizeof(sock_path), "%s/s", dir);
	test_good();
	test_refusals();
	test_deaths();
	rmdir(dir);
	return tap_done();
}
