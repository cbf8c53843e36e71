// SPDX-License-Identifier: MIT
/*
 * server.c - sushid's server: the listening Unix socket (stale-socket
 * handling, mode and group), and the single-threaded epoll loop over
 * non-blocking connections.  Each connection has fixed buffers (one
 * request frame in, its answers out with room reserved for every query it
 * has outstanding) and a cap on outstanding queries; queries go to the
 * backend (the serving runtime) with an internal tag naming a pending slot
 * {connection index, connection serial, client tag}, so an answer whose
 * connection is gone is dropped in O(1).  A protocol error gets its ERROR
 * frame after the connection's accepted queries are answered, then the
 * connection (only it) is closed.  Shutdown: see srv_run() in sushid.h.
 */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sushid.h"

#define EV_LISTEN	0u
#define EV_STOP		1u
#define EV_BACKEND	2u
#define EV_CONN		3u	/* + connection index */
#define REAP_BATCH	64u

struct conn {
	int fd;			/* -1: a free slot */
	uint64_t serial;	/* distinguishes the slot's successive connections */
	uint8_t *in;		/* received bytes, at most one request frame + */
	size_t in_len;
	uint8_t *out;		/* answers not yet sent: [out_off, out_len) */
	size_t out_off, out_len;
	uint32_t outstanding;	/* queries submitted, not answered */
	uint32_t events;	/* what epoll watches now */
	bool eof;		/* the peer will send nothing more */
	bool stalled;		/* a frame waits for room in out */
	uint16_t error;		/* a protocol error: ERROR after the answers */
	uint32_t error_detail;
};

struct pending {
	uint32_t conn;
	uint32_t next_free;	/* free list */
	uint64_t serial;
	uint64_t tag;		/* the client's */
};

struct server {
	const struct srv_config *cfg;
	const struct srv_backend *be;
	int ep;
	bool stopping;		/* the shutdown began */
	bool listen_closed;
	struct conn *conns;
	uint32_t n_conns;	/* open */
	uint64_t next_serial;
	size_t in_cap, out_cap;
	struct pending *pend;
	uint32_t n_pend, free_pend;
	struct proto_info info;
	struct srv_metrics m;
	char *mbuf;		/* metrics text */
	size_t mcap;
	struct sushi_rt_completion *comp;	/* REAP_BATCH */
	uint32_t touched[REAP_BATCH];		/* their connections */
};

/* ------------------------------------------------------------ the socket */

int srv_listen(const char *path, bool has_gid, gid_t gid, char *err,
	       size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, ret;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path '%s' is empty or longer than %zu bytes",
			 path ? path : "", sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (!lstat(path, &st)) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket: not replacing it", path);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			snprintf(err, errlen, "%s: another sushid is listening there", path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);	/* stale: nobody accepts on it */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return ret;
	}
	old = umask(0177);	/* nobody else between bind and chmod */
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (ret) {
		snprintf(err, errlen, "cannot bind %s: %s", path, strerror(-ret));
		goto fail;
	}
	if ((has_gid && chown(path, (uid_t)-1, gid)) ||
	    chmod(path, has_gid ? 0660 : 0600)) {
		ret = -errno;
		snprintf(err, errlen, "cannot give %s group %u and mode %o: %s", path,
			 (unsigned int)gid, has_gid ? 0660 : 0600, strerror(errno));
		unlink(path);
		goto fail;
	}
	if (listen(fd, 128)) {
		ret = -errno;
		snprintf(err, errlen, "listen on %s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

/* ------------------------------------------------------- the connections */

static void set_events(struct server *s, uint32_t idx)
{
	struct conn *c = &s->conns[idx];
	uint32_t ev = 0;
	struct epoll_event e = { .data.u64 = EV_CONN + idx };

	if (!c->eof && !c->stalled && !c->error)
		ev |= EPOLLIN;
	if (c->out_len > c->out_off)
		ev |= EPOLLOUT;
	if (ev == c->events)
		return;
	e.events = ev;
	epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &e);
	c->events = ev;
}

static void conn_close(struct server *s, uint32_t idx)
{
	struct conn *c = &s->conns[idx];

	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	s->n_conns--;
	s->m.conns_open--;
	/* its pending slots stay until their completions, which are dropped */
}

/* bytes of out free for new frames, the outstanding answers' room kept */
static size_t out_room(const struct conn *c, size_t cap)
{
	size_t used = c->out_len - c->out_off +
		      (size_t)c->outstanding * SUSHID_PROTO_RESULT_FRAME;

	return used < cap ? cap - used : 0;
}

/* room for @n contiguous bytes at the end of out (moving what is unsent) */
static uint8_t *out_tail(struct server *s, struct conn *c, size_t n)
{
	if (c->out_off && s->out_cap - c->out_len < n) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	return s->out_cap - c->out_len >= n ? c->out + c->out_len : NULL;
}

/* Send what out holds: false if the connection had to be closed. */
static bool conn_flush(struct server *s, uint32_t idx)
{
	struct conn *c = &s->conns[idx];

	while (c->out_len > c->out_off) {
		ssize_t k = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (k <= 0) {	/* the peer is gone */
			conn_close(s, idx);
			return false;
		}
		c->out_off += (size_t)k;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return true;
}

static void put_result(struct server *s, struct conn *c,
		       const struct proto_result *r)
{
	uint8_t *t = out_tail(s, c, SUSHID_PROTO_RESULT_FRAME);

	/* room is reserved (outstanding) or checked (immediate answers) */
	if (t)
		c->out_len += proto_enc_result(t, SUSHID_PROTO_RESULT_FRAME, r);
	s->m.answered[r->status < PROTO_STATUS_COUNT ? r->status : PROTO_FAILED]++;
}

/* an answer that needs no device: shed or rejected at once */
static void answer_now(struct server *s, struct conn *c, uint64_t tag,
		       uint32_t status, int error)
{
	struct proto_result r = {
		.tag = tag, .status = status, .error = error,
		.subnet = UINT32_MAX, .device = UINT32_MAX,
	};

	put_result(s, c, &r);
}

static void handle_query(struct server *s, uint32_t idx,
			 const struct proto_hdr *h, const uint8_t *p)
{
	struct conn *c = &s->conns[idx];
	struct sushi_rt_request req = { .size = sizeof(req) };
	struct proto_query q;
	struct pending *pe;
	uint32_t slot;
	int ret;

	proto_dec_query(h, p, &q);	/* the length was checked */
	if (s->stopping) {
		s->m.shed[SRV_SHED_SHUTDOWN]++;
		answer_now(s, c, q.tag, PROTO_SHED, -ESHUTDOWN);
		return;
	}
	if (q.in_len != s->info.in_bytes) {
		s->m.rejected[SRV_REJECT_INPUT_SIZE]++;
		answer_now(s, c, q.tag, PROTO_REJECTED, -EMSGSIZE);
		return;
	}
	if (!(q.acc_floor >= 0 && q.acc_floor <= 1) || !q.lat_ceiling_ns) {
		s->m.rejected[SRV_REJECT_INVALID]++;
		answer_now(s, c, q.tag, PROTO_REJECTED, -EINVAL);
		return;
	}
	if (c->outstanding >= s->cfg->max_outstanding ||
	    s->free_pend == UINT32_MAX) {
		s->m.shed[SRV_SHED_CONN_LIMIT]++;
		answer_now(s, c, q.tag, PROTO_SHED, -EBUSY);
		return;
	}
	slot = s->free_pend;
	pe = &s->pend[slot];
	req.input = q.input;
	req.in_len = q.in_len;
	req.acc_floor = q.acc_floor;
	req.lat_ceiling_ns = q.lat_ceiling_ns;
	req.tag = slot;
	ret = s->be->submit(s->be->ctx, &req);
	if (ret == -EINVAL) {
		s->m.rejected[SRV_REJECT_INVALID]++;
		answer_now(s, c, q.tag, PROTO_REJECTED, -EINVAL);
		return;
	}
	if (ret == -ESHUTDOWN) {
		s->m.shed[SRV_SHED_SHUTDOWN]++;
		answer_now(s, c, q.tag, PROTO_SHED, -ESHUTDOWN);
		return;
	}
	if (ret) {
		answer_now(s, c, q.tag, PROTO_FAILED, ret < 0 ? ret : -EIO);
		return;
	}
	s->free_pend = pe->next_free;
	pe->conn = idx;
	pe->serial = c->serial;
	pe->tag = q.tag;
	c->outstanding++;
	s->m.outstanding++;
}

static bool handle_metrics(struct server *s, struct conn *c)
{
	struct sushi_rt_stats st = { .size = sizeof(st) };
	bool have = !s->be->stats(s->be->ctx, &st);
	size_t n = srv_metrics_render(&s->m, have ? &st : NULL,
				      s->cfg->device_paths, s->mbuf, s->mcap);
	uint8_t *t;

	if (out_room(c, s->out_cap) < SUSHID_PROTO_HDR + n + SUSHID_PROTO_ERROR_FRAME_MAX)
		return false;	/* wait for the client to read */
	t = out_tail(s, c, SUSHID_PROTO_HDR + n);
	if (t)
		c->out_len += proto_enc_raw(t, SUSHID_PROTO_HDR + n, PROTO_METRICS,
					    s->mbuf, (uint32_t)n);
	return true;
}

/* protocol error @e: no more reading; ERROR once the answers are out */
static void conn_error(struct server *s, struct conn *c, enum proto_err e,
		       uint32_t detail)
{
	c->error = (uint16_t)e;
	c->error_detail = detail;
	c->in_len = 0;
	s->m.frame_errors[e]++;
}

static const char *error_text(enum proto_err e)
{
	switch (e) {
	case PROTO_ERR_MAGIC: return "not a sushid frame (magic is not SUSD)";
	case PROTO_ERR_VERSION: return "protocol version not spoken here (detail: lowest << 16 | highest)";
	case PROTO_ERR_TYPE: return "unknown message type, or not a request";
	case PROTO_ERR_FLAGS: return "flags must be 0";
	case PROTO_ERR_RESERVED: return "reserved bytes must be 0";
	case PROTO_ERR_TOO_LARGE: return "frame larger than this daemon reads (detail: the limit)";
	case PROTO_ERR_LENGTH: return "payload length wrong for the message type";
	default: return "protocol error";
	}
}

/*
 * Handle the whole frames in @c's input: false when one must wait for room
 * in out (stalled) or a protocol error ended the input.
 */
static void conn_parse(struct server *s, uint32_t idx)
{
	struct conn *c = &s->conns[idx];
	size_t off = 0;

	c->stalled = false;
	while (!c->error) {
		struct proto_hdr h;
		size_t need;
		uint32_t detail;
		enum proto_err e = proto_frame(c->in + off, c->in_len - off,
					       s->info.max_request, &h, &need, &detail);

		/* a reply type sent as a request is a bad type, whatever follows */
		if (c->in_len - off >= SUSHID_PROTO_HDR && e != PROTO_ERR_MAGIC &&
		    e != PROTO_ERR_VERSION && !proto_type_is_request(h.type)) {
			e = PROTO_ERR_TYPE;
			detail = 0;
		}
		if (e == PROTO_OK && need)
			break;
		if (e != PROTO_OK) {
			conn_error(s, c, e, detail);
			return;
		}
		/* every reply but METRICS is small: keep room for an ERROR too */
		if (out_room(c, s->out_cap) < SUSHID_PROTO_RESULT_FRAME +
		    SUSHID_PROTO_HDR + SUSHID_PROTO_INFO_LEN + SUSHID_PROTO_ERROR_FRAME_MAX) {
			c->stalled = true;
			break;
		}
		if (h.type == PROTO_QUERY) {
			handle_query(s, idx, &h, c->in + off + SUSHID_PROTO_HDR);
		} else if (h.type == PROTO_INFO_REQ) {
			uint8_t *t = out_tail(s, c, SUSHID_PROTO_HDR + SUSHID_PROTO_INFO_LEN);

			if (t)
				c->out_len += proto_enc_info(t, SUSHID_PROTO_HDR +
							     SUSHID_PROTO_INFO_LEN, &s->info);
		} else if (!handle_metrics(s, c)) {
			c->stalled = true;
			break;
		}
		off += SUSHID_PROTO_HDR + (size_t)h.length;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

/*
 * Bring @idx forward: read while allowed, parse, send, and close when it
 * is done.  Every event on a connection ends here.
 */
static void conn_pump(struct server *s, uint32_t idx)
{
	struct conn *c = &s->conns[idx];

	for (;;) {
		for (;;) {
			ssize_t k;

			conn_parse(s, idx);
			if (c->eof || c->stalled || c->error)
				break;
			k = recv(c->fd, c->in + c->in_len, s->in_cap - c->in_len,
				 MSG_DONTWAIT);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (k < 0) {
				conn_close(s, idx);
				return;
			}
			if (k == 0) {
				c->eof = true;	/* half a frame left is never answered */
				break;
			}
			c->in_len += (size_t)k;
		}
		if (c->error && c->error != UINT16_MAX && !c->outstanding) {
			uint8_t *t = out_tail(s, c, SUSHID_PROTO_ERROR_FRAME_MAX);

			if (t)
				c->out_len += proto_enc_error(t, SUSHID_PROTO_ERROR_FRAME_MAX,
							      c->error, c->error_detail,
							      error_text(c->error));
			c->error = UINT16_MAX;	/* sent: close once flushed */
		}
		if (!conn_flush(s, idx))
			return;
		/*
		 * A stalled frame fits once out is empty (out_cap keeps room
		 * for every reserved answer and the largest reply): go on.
		 */
		if (!c->stalled || c->out_len != c->out_off)
			break;
	}
	if (c->out_len == c->out_off &&
	    (c->error == UINT16_MAX || (c->eof && !c->outstanding))) {
		conn_close(s, idx);
		return;
	}
	set_events(s, idx);
}

static void accept_all(struct server *s)
{
	for (;;) {
		int fd = accept4(s->cfg->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event e = { .events = EPOLLIN };
		uint32_t idx;
		struct conn *c;

		if (fd < 0)
			return;	/* EAGAIN, or a transient error (EMFILE, ...) */
		if (s->n_conns >= s->cfg->max_clients) {
			uint8_t b[SUSHID_PROTO_ERROR_FRAME_MAX];
			size_t n = proto_enc_error(b, sizeof(b), PROTO_ERR_BUSY,
						   s->cfg->max_clients,
						   "too many connections (detail: --max-clients)");

			if (send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				n = 0;
			close(fd);
			s->m.conns_refused++;
			continue;
		}
		for (idx = 0; s->conns[idx].fd >= 0; idx++)
			;
		c = &s->conns[idx];
		*c = (struct conn){ .fd = fd, .serial = ++s->next_serial,
				    .in = c->in, .out = c->out, .events = EPOLLIN };
		e.data.u64 = EV_CONN + idx;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e)) {
			close(fd);
			c->fd = -1;
			continue;
		}
		s->n_conns++;
		s->m.conns_accepted++;
		s->m.conns_open++;
	}
}

/* the completions waiting in the backend, to their connections */
static void reap_all(struct server *s)
{
	int n;

	while ((n = s->be->reap(s->be->ctx, s->comp, REAP_BATCH)) > 0) {
		for (int i = 0; i < n; i++) {
			const struct sushi_rt_completion *k = &s->comp[i];
			uint32_t slot = (uint32_t)k->tag;
			struct pending *pe;
			struct conn *c;
			struct proto_result r;

			s->touched[i] = UINT32_MAX;
			if (k->tag >= s->n_pend || s->pend[slot].conn == UINT32_MAX)
				continue;	/* not an outstanding query: never happens */
			pe = &s->pend[slot];
			c = &s->conns[pe->conn];
			s->m.outstanding--;
			if (k->status == SUSHI_RT_SHED)
				s->m.shed[k->device == UINT32_MAX ? SRV_SHED_ADMISSION :
					  SRV_SHED_OVERLOAD]++;
			if (k->device < s->m.n_devices &&
			    (k->status == SUSHI_RT_SERVED || k->status == SUSHI_RT_LATE)) {
				srv_hist_add(&s->m.latency[k->device], k->queue_ns + k->service_ns);
				srv_hist_add(&s->m.queue[k->device], k->queue_ns);
			}
			r = (struct proto_result){
				.tag = pe->tag, .status = (uint32_t)k->status,
				.error = k->error, .prediction = k->prediction,
				.subnet = k->subnet, .device = k->device,
				.accuracy = k->accuracy, .queue_ns = k->queue_ns,
				.service_ns = k->service_ns,
			};
			s->touched[i] = pe->conn;
			if (c->fd >= 0 && c->serial == pe->serial) {
				c->outstanding--;
				put_result(s, c, &r);
			} else {
				s->m.dropped++;
				s->m.answered[r.status < PROTO_STATUS_COUNT ? r.status :
					      PROTO_FAILED]++;
			}
			pe->conn = UINT32_MAX;
			pe->next_free = s->free_pend;
			s->free_pend = slot;
		}
		/* send once per batch */
		for (int i = 0; i < n; i++)
			if (s->touched[i] != UINT32_MAX && s->conns[s->touched[i]].fd >= 0)
				conn_pump(s, s->touched[i]);
	}
}

static int setup(struct server *s, const struct srv_config *cfg,
		 const struct srv_backend *be)
{
	uint64_t np = (uint64_t)cfg->max_clients * cfg->max_outstanding;
	struct epoll_event e = { .events = EPOLLIN };

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->be = be;
	s->ep = -1;
	if (!cfg->max_clients || !cfg->max_outstanding || np > SUSHID_MAX_PENDING ||
	    !cfg->info.in_bytes || cfg->info.n_devices > SUSHI_FLEET_MAX_DEVICES ||
	    cfg->info.in_bytes > SUSHID_PROTO_MAX_PAYLOAD - SUSHID_PROTO_QUERY_FIXED)
		return -EINVAL;
	s->info = cfg->info;
	s->info.version_min = s->info.version_max = SUSHID_PROTO_VERSION;
	s->info.max_outstanding = cfg->max_outstanding;
	s->info.max_request = SUSHID_PROTO_QUERY_FIXED + cfg->info.in_bytes;
	s->m.n_devices = cfg->info.n_devices;
	s->mcap = srv_metrics_cap(cfg->info.n_devices);
	s->in_cap = SUSHID_PROTO_HDR + s->info.max_request;
	s->out_cap = (size_t)(cfg->max_outstanding + 1) * SUSHID_PROTO_RESULT_FRAME +
		     SUSHID_PROTO_HDR + s->mcap + SUSHID_PROTO_HDR + SUSHID_PROTO_INFO_LEN +
		     SUSHID_PROTO_ERROR_FRAME_MAX;
	s->n_pend = (uint32_t)np;
	s->pend = calloc(s->n_pend, sizeof(*s->pend));
	s->conns = calloc(cfg->max_clients, sizeof(*s->conns));
	s->mbuf = malloc(s->mcap);
	s->comp = calloc(REAP_BATCH, sizeof(*s->comp));
	if (!s->pend || !s->conns || !s->mbuf || !s->comp)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->n_pend; i++) {
		s->pend[i].conn = UINT32_MAX;
		s->pend[i].next_free = i + 1 < s->n_pend ? i + 1 : UINT32_MAX;
	}
	s->free_pend = 0;
	/* every buffer up front: memory does not move with the traffic */
	for (uint32_t i = 0; i < cfg->max_clients; i++) {
		s->conns[i].fd = -1;
		s->conns[i].in = malloc(s->in_cap);
		s->conns[i].out = malloc(s->out_cap);
		if (!s->conns[i].in || !s->conns[i].out)
			return -ENOMEM;
	}
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0)
		return -errno;
	e.data.u64 = EV_LISTEN;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, cfg->listen_fd, &e))
		return -errno;
	e.data.u64 = EV_STOP;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, cfg->stop_fd, &e))
		return -errno;
	e.data.u64 = EV_BACKEND;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, be->fd(be->ctx), &e))
		return -errno;
	return 0;
}

static void teardown(struct server *s)
{
	if (s->conns) {
		for (uint32_t i = 0; i < s->cfg->max_clients; i++) {
			if (s->conns[i].fd >= 0)
				conn_close(s, i);
			free(s->conns[i].in);
			free(s->conns[i].out);
		}
	}
	if (s->ep >= 0)
		close(s->ep);
	if (!s->listen_closed) {
		if (s->cfg->socket_path)
			unlink(s->cfg->socket_path);
		close(s->cfg->listen_fd);
	}
	free(s->conns);
	free(s->pend);
	free(s->mbuf);
	free(s->comp);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void begin_stop(struct server *s)
{
	uint8_t b[128];

	if (read(s->cfg->stop_fd, b, sizeof(b)) < 0)
		b[0] = 0;	/* the signal, or the test's byte: consumed */
	if (s->stopping)
		return;
	s->stopping = true;
	/* nobody connects from now on (connections waiting in the backlog
	 * are reset) */
	epoll_ctl(s->ep, EPOLL_CTL_DEL, s->cfg->listen_fd, NULL);
	epoll_ctl(s->ep, EPOLL_CTL_DEL, s->cfg->stop_fd, NULL);
	if (s->cfg->socket_path)
		unlink(s->cfg->socket_path);
	close(s->cfg->listen_fd);
	s->listen_closed = true;
}

int srv_run(const struct srv_config *cfg, const struct srv_backend *be,
	    struct srv_summary *summary)
{
	struct epoll_event ev[64];
	struct server s;
	int64_t flush_deadline = -1;
	int ret = setup(&s, cfg, be);

	while (!ret) {
		int timeout = flush_deadline < 0 ? -1 :
			      (int)(flush_deadline - mono_ms() > 0 ? flush_deadline - mono_ms() : 0);
		int n = epoll_wait(s.ep, ev, 64, timeout);

		if (n < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t d = ev[i].data.u64;

			if (d == EV_LISTEN) {
				accept_all(&s);
			} else if (d == EV_STOP) {
				begin_stop(&s);
			} else if (d == EV_BACKEND) {
				reap_all(&s);
			} else if (d - EV_CONN < cfg->max_clients &&
				   s.conns[d - EV_CONN].fd >= 0) {
				uint32_t idx = (uint32_t)(d - EV_CONN);

				if (ev[i].events & (EPOLLHUP | EPOLLERR))
					conn_close(&s, idx);	/* gone: nobody to answer */
				else
					conn_pump(&s, idx);
			}
		}
		if (s.stopping && !s.m.outstanding && flush_deadline < 0) {
			/* every accepted query completed: read nothing more */
			be->drain(be->ctx, 0);
			for (uint32_t i = 0; i < cfg->max_clients; i++) {
				if (s.conns[i].fd >= 0) {
					s.conns[i].eof = true;
					conn_pump(&s, i);
				}
			}
			flush_deadline = mono_ms() + cfg->flush_ms;
		}
		if (flush_deadline >= 0 && (!s.n_conns || mono_ms() >= flush_deadline))
			break;
	}
	if (summary) {
		memcpy(summary->answered, s.m.answered, sizeof(summary->answered));
		summary->dropped = s.m.dropped;
		summary->connections = s.m.conns_accepted;
	}
	teardown(&s);
	return ret;
}
