// SPDX-License-Identifier: MIT
/*
 * client.c - libsushi's sushid client (sushi/client.h): the connection and
 * its handshake, the frame reader over a growing receive buffer, sending
 * queries, receiving answers, metrics, and the messages of its errors.
 * The frames are proto.c's.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "sushi/client.h"

struct sushi_client {
	int fd;
	pthread_mutex_t send_lock, recv_lock;
	atomic_uint_fast64_t outstanding;
	atomic_int dead;		/* 0, or the error that ended it */
	struct sushi_client_info info;
	uint8_t *sbuf;			/* one QUERY frame */
	size_t scap;
	uint8_t *rbuf;			/* received, not yet consumed */
	size_t rcap, rlen, rprev;	/* rprev: the last frame returned */
	char err[SUSHID_PROTO_ERROR_MSG_MAX + 64];
};

static const char *const status_names[SUSHI_QUERY_STATUS_COUNT] = {
	"served", "late", "shed", "failed", "rejected",
};

const char *sushi_query_status_name(enum sushi_query_status s)
{
	return (unsigned int)s < SUSHI_QUERY_STATUS_COUNT ? status_names[s] : "unknown";
}

const char *sushi_client_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case -ENOENT: return "no socket at that path (is sushid running? --socket names another)";
	case -ECONNREFUSED: return "nothing listens on that socket (sushid stopped)";
	case -EACCES: return "no permission to connect (the socket's group must include you)";
	case -ENAMETOOLONG: return "socket path too long for a Unix socket";
	case -EBUSY: return "sushid serves its maximum of connections, or queries are outstanding";
	case -EPROTO: return "protocol error: not a sushid, another protocol version, or a malformed frame";
	case -ETIME: return "no answer in time";
	case -ECONNRESET: return "sushid closed the connection";
	case -ECONNABORTED: return "sushid closed the connection after an ERROR frame";
	case -EPIPE: return "sushid closed the connection (broken pipe)";
	case -EMSGSIZE: return "input larger than sushid reads";
	case -EINVAL: return "invalid argument";
	case -ENOMEM: return "out of memory";
	default: return err < 0 ? strerror(-err) : "unknown error";
	}
}

/* CLOCK_MONOTONIC in nanoseconds */
static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* @err ends the connection (the first error stays) */
static int kill_conn(struct sushi_client *c, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&c->dead, &zero, err);
	return atomic_load(&c->dead);
}

/* Everything of @b to the socket: 0 or -errno (the caller decides). */
static int send_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t k = send(fd, b, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EPIPE;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* send_all(); a failure ends the connection */
static int write_all(struct sushi_client *c, const uint8_t *b, size_t n)
{
	int ret = send_all(c->fd, b, n);

	return ret ? kill_conn(c, ret) : 0;
}

/* Wait for the socket to be readable until @deadline (< 0: none). */
static int wait_readable(struct sushi_client *c, int64_t deadline)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	for (;;) {
		int64_t left = deadline < 0 ? 0 : deadline - mono_ns();
		int ms = deadline < 0 ? -1 : left <= 0 ? 0 :
			 left >= (int64_t)INT_MAX * 1000000 ? INT_MAX :
			 (int)((left + 999999) / 1000000);
		int r = poll(&p, 1, ms);

		if (r > 0)
			return 0;
		if (r == 0 && (deadline < 0 || mono_ns() < deadline))
			continue;	/* woke early */
		if (r == 0)
			return -ETIME;
		if (errno != EINTR)
			return kill_conn(c, -errno);
	}
}

/*
 * The next whole frame, waiting until @deadline (< 0: none): 0 with @h and
 * *@payload (valid until the next call), -ETIME, or the connection's
 * fatal error.  Called with recv_lock held.
 */
static int next_frame(struct sushi_client *c, int64_t deadline,
		      struct proto_hdr *h, const uint8_t **payload)
{
	int dead = atomic_load(&c->dead);

	if (dead)
		return dead;
	if (c->rprev) {
		memmove(c->rbuf, c->rbuf + c->rprev, c->rlen - c->rprev);
		c->rlen -= c->rprev;
		c->rprev = 0;
	}
	for (;;) {
		size_t need;
		uint32_t detail;
		enum proto_err e = proto_frame(c->rbuf, c->rlen, SUSHID_PROTO_MAX_PAYLOAD,
					       h, &need, &detail);
		ssize_t k;
		int ret;

		if (e != PROTO_OK) {
			snprintf(c->err, sizeof(c->err), "%s: malformed frame from the daemon",
				 proto_err_name(e));
			return kill_conn(c, -EPROTO);
		}
		if (!need) {
			*payload = c->rbuf + SUSHID_PROTO_HDR;
			c->rprev = SUSHID_PROTO_HDR + (size_t)h->length;
			return 0;
		}
		if (c->rlen + need > c->rcap) {
			size_t cap = c->rlen + need;
			uint8_t *nb;

			cap = cap < 2 * c->rcap ? 2 * c->rcap : cap;
			nb = realloc(c->rbuf, cap);
			if (!nb)
				return -ENOMEM;
			c->rbuf = nb;
			c->rcap = cap;
		}
		ret = wait_readable(c, deadline);
		if (ret)
			return ret;
		k = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return kill_conn(c, -errno);
		if (k == 0) {
			if (c->rlen) {
				snprintf(c->err, sizeof(c->err), "%s: the daemon closed "
					 "in the middle of a frame",
					 proto_err_name(PROTO_ERR_TRUNCATED));
				return kill_conn(c, -EPROTO);
			}
			return kill_conn(c, -ECONNRESET);
		}
		c->rlen += (size_t)k;
	}
}

/* An ERROR frame ends the connection: remember what it said. */
static int take_error(struct sushi_client *c, const struct proto_hdr *h,
		      const uint8_t *p)
{
	struct proto_error e;

	if (proto_dec_error(h, p, &e)) {
		snprintf(c->err, sizeof(c->err), "malformed ERROR frame");
		return kill_conn(c, -EPROTO);
	}
	snprintf(c->err, sizeof(c->err), "%s: %.*s", proto_err_name(e.code),
		 (int)e.msg_len, e.msg);
	return kill_conn(c, e.code == PROTO_ERR_BUSY ? -EBUSY :
			    e.code == PROTO_ERR_VERSION ? -EPROTO : -ECONNABORTED);
}

/* A reply of type @want (or an ERROR, which ends the connection). */
static int expect(struct sushi_client *c, int64_t deadline, unsigned int want,
		  struct proto_hdr *h, const uint8_t **p)
{
	int ret = next_frame(c, deadline, h, p);

	if (ret)
		return ret;
	if (h->type == PROTO_ERROR)
		return take_error(c, h, *p);
	if (h->type != want) {
		snprintf(c->err, sizeof(c->err), "unexpected frame of type %u", h->type);
		return kill_conn(c, -EPROTO);
	}
	return 0;
}

static int64_t deadline_of(int64_t timeout_ns)
{
	return timeout_ns < 0 ? -1 : mono_ns() + timeout_ns;
}

static int handshake(struct sushi_client *c, int64_t timeout_ns)
{
	uint8_t req[SUSHID_PROTO_HDR];
	struct proto_info in;
	struct proto_hdr h;
	const uint8_t *p;
	int ret;

	proto_enc_raw(req, sizeof(req), PROTO_INFO_REQ, NULL, 0);
	/*
	 * A daemon refusing the connection (ERROR busy) may close before the
	 * request arrives: its reason is still there to read.
	 */
	(void)send_all(c->fd, req, sizeof(req));
	ret = expect(c, deadline_of(timeout_ns), PROTO_INFO, &h, &p);
	if (ret)
		return ret;
	if (proto_dec_info(&h, p, &in) || in.version_min > SUSHID_PROTO_VERSION ||
	    in.version_max < SUSHID_PROTO_VERSION || !in.in_bytes ||
	    in.max_request < SUSHID_PROTO_QUERY_FIXED + (uint64_t)in.in_bytes ||
	    in.max_request > SUSHID_PROTO_MAX_PAYLOAD) {
		snprintf(c->err, sizeof(c->err), "the daemon's INFO is not one this "
			 "client understands");
		return kill_conn(c, -EPROTO);
	}
	c->info = (struct sushi_client_info){
		.size = sizeof(c->info), .proto_version = SUSHID_PROTO_VERSION,
		.n_devices = in.n_devices, .n_subnets = in.n_subnets,
		.n_classes = in.n_classes, .in_h = in.in_h, .in_w = in.in_w,
		.in_c = in.in_c, .in_bytes = in.in_bytes,
		.max_outstanding = in.max_outstanding, .max_request = in.max_request,
	};
	c->scap = SUSHID_PROTO_HDR + (size_t)in.max_request;
	c->sbuf = malloc(c->scap);
	return c->sbuf ? 0 : -ENOMEM;
}

int sushi_client_connect(const char *path, int64_t timeout_ns,
			 struct sushi_client **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sushi_client *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path)
		path = SUSHI_CLIENT_SOCKET;
	if (!*path)
		return -EINVAL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->rcap = 4096;
	c->rbuf = malloc(c->rcap);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!c->rbuf || c->fd < 0) {
		ret = c->rbuf ? -errno : -ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&c->send_lock, NULL);
	pthread_mutex_init(&c->recv_lock, NULL);
	if (connect(c->fd, (const struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		goto fail_locks;
	}
	ret = handshake(c, timeout_ns);
	if (ret)
		goto fail_locks;
	*out = c;
	return 0;

fail_locks:
	pthread_mutex_destroy(&c->send_lock);
	pthread_mutex_destroy(&c->recv_lock);
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c->sbuf);
	free(c->rbuf);
	free(c);
	return ret;
}

void sushi_client_close(struct sushi_client *c)
{
	if (!c)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->send_lock);
	pthread_mutex_destroy(&c->recv_lock);
	free(c->sbuf);
	free(c->rbuf);
	free(c);
}

int sushi_client_info(const struct sushi_client *c,
		      struct sushi_client_info *info)
{
	uint32_t n;

	if (!c || !info || info->size < sizeof(uint32_t))
		return -EINVAL;
	n = info->size < sizeof(*info) ? info->size : (uint32_t)sizeof(*info);
	memcpy(info, &c->info, n);
	info->size = n;
	return 0;
}

int sushi_client_fd(const struct sushi_client *c)
{
	return c ? c->fd : -EINVAL;
}

uint64_t sushi_client_outstanding(const struct sushi_client *c)
{
	return c ? atomic_load(&c->outstanding) : 0;
}

const char *sushi_client_error(const struct sushi_client *c)
{
	return c ? c->err : "";
}

int sushi_client_send(struct sushi_client *c,
		      const struct sushi_client_query *q)
{
	struct proto_query pq;
	size_t n;
	int ret;

	if (!c || !q || q->size < sizeof(*q) || q->flags ||
	    (!q->input && q->in_len))
		return -EINVAL;
	if (q->in_len > c->info.max_request - SUSHID_PROTO_QUERY_FIXED)
		return -EMSGSIZE;
	pq = (struct proto_query){
		.tag = q->tag, .acc_floor = q->acc_floor,
		.lat_ceiling_ns = q->lat_ceiling_ns, .input = q->input,
		.in_len = (uint32_t)q->in_len,
	};
	pthread_mutex_lock(&c->send_lock);
	ret = atomic_load(&c->dead);
	if (!ret) {
		n = proto_enc_query(c->sbuf, c->scap, &pq);
		/* counted first: the answer may be read before send() returns */
		atomic_fetch_add(&c->outstanding, 1);
		ret = n ? write_all(c, c->sbuf, n) : -EMSGSIZE;
		if (ret)
			atomic_fetch_sub(&c->outstanding, 1);
	}
	pthread_mutex_unlock(&c->send_lock);
	return ret;
}

/* the next answer; recv_lock held */
static int recv_locked(struct sushi_client *c, struct sushi_client_result *r,
		       int64_t deadline)
{
	struct sushi_client_result full;
	struct proto_result pr;
	struct proto_hdr h;
	const uint8_t *p;
	int ret = expect(c, deadline, PROTO_RESULT, &h, &p);

	if (ret)
		return ret;
	if (proto_dec_result(&h, p, &pr) || pr.status >= PROTO_STATUS_COUNT ||
	    pr.error > 0) {
		snprintf(c->err, sizeof(c->err), "malformed RESULT frame");
		return kill_conn(c, -EPROTO);
	}
	if (atomic_load(&c->outstanding))
		atomic_fetch_sub(&c->outstanding, 1);
	full = (struct sushi_client_result){
		.size = r->size < sizeof(full) ? r->size : (uint32_t)sizeof(full),
		.status = (enum sushi_query_status)pr.status, .error = pr.error,
		.tag = pr.tag, .prediction = pr.prediction, .subnet = pr.subnet,
		.device = pr.device, .accuracy = pr.accuracy,
		.queue_ns = pr.queue_ns, .service_ns = pr.service_ns,
	};
	memcpy(r, &full, full.size);
	return 0;
}

int sushi_client_recv(struct sushi_client *c, struct sushi_client_result *r,
		      int64_t timeout_ns)
{
	int ret;

	if (!c || !r || r->size < offsetof(struct sushi_client_result, tag))
		return -EINVAL;
	pthread_mutex_lock(&c->recv_lock);
	ret = recv_locked(c, r, deadline_of(timeout_ns));
	pthread_mutex_unlock(&c->recv_lock);
	return ret;
}

int sushi_client_query(struct sushi_client *c,
		       const struct sushi_client_query *q,
		       struct sushi_client_result *r, int64_t timeout_ns)
{
	int ret;

	if (!c || !r || r->size < offsetof(struct sushi_client_result, tag))
		return -EINVAL;
	if (atomic_load(&c->outstanding))
		return -EBUSY;
	ret = sushi_client_send(c, q);
	return ret ? ret : sushi_client_recv(c, r, timeout_ns);
}

int sushi_client_metrics(struct sushi_client *c, char **text,
			 int64_t timeout_ns)
{
	uint8_t req[SUSHID_PROTO_HDR];
	struct proto_hdr h;
	const uint8_t *p;
	int ret;

	if (!c || !text)
		return -EINVAL;
	*text = NULL;
	if (atomic_load(&c->outstanding))
		return -EBUSY;
	proto_enc_raw(req, sizeof(req), PROTO_METRICS_REQ, NULL, 0);
	pthread_mutex_lock(&c->send_lock);
	ret = atomic_load(&c->dead);
	if (!ret)
		ret = write_all(c, req, sizeof(req));
	pthread_mutex_unlock(&c->send_lock);
	if (ret)
		return ret;
	pthread_mutex_lock(&c->recv_lock);
	ret = expect(c, deadline_of(timeout_ns), PROTO_METRICS, &h, &p);
	if (ret == -ETIME)	/* the late reply would come as an answer */
		ret = kill_conn(c, -ETIME);
	if (!ret) {
		*text = malloc((size_t)h.length + 1);
		if (*text) {
			memcpy(*text, p, h.length);
			(*text)[h.length] = '\0';
		} else {
			ret = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&c->recv_lock);
	return ret;
}
