/* SPDX-License-Identifier: MIT */
/*
 * sushi/client.h - talking to sushid, the SUSHI serving daemon, over its
 * Unix socket: connect (with the protocol handshake), one synchronous
 * query, asynchronous send and receive through a pollable file descriptor
 * (many queries in flight, answers matched by the caller's tag), the
 * daemon's Prometheus metrics.  The wire protocol and the daemon are
 * described in Documentation/sushid.rst.
 *
 * Threads: sushi_client_send() and sushi_client_recv() may run at the same
 * time in two threads (one sender, one receiver); each of them is
 * serialized against itself.  Functions return 0 (or a count) on success
 * and a negative errno on failure; sushi_client_strerror() explains it.
 */
#ifndef SUSHI_CLIENT_H
#define SUSHI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** SUSHI_CLIENT_SOCKET - where sushid listens unless told otherwise */
#define SUSHI_CLIENT_SOCKET	"/run/sushid/sushid.sock"

/**
 * enum sushi_query_status - how sushid answered a query
 * @SUSHI_QUERY_SERVED: served within its latency ceiling
 * @SUSHI_QUERY_LATE: served after its ceiling
 * @SUSHI_QUERY_SHED: not run (admission, no SubNet could meet the ceiling
 *	with overload "shed", the connection's outstanding-query limit
 *	(-EBUSY), or the daemon shutting down (-ESHUTDOWN))
 * @SUSHI_QUERY_FAILED: the device failed it (&sushi_client_result.error)
 * @SUSHI_QUERY_REJECTED: the daemon refused to submit it: a floor not in
 *	[0, 1] or a zero ceiling (-EINVAL), an input of the wrong size
 *	(-EMSGSIZE)
 */
enum sushi_query_status {
	SUSHI_QUERY_SERVED = 0,
	SUSHI_QUERY_LATE,
	SUSHI_QUERY_SHED,
	SUSHI_QUERY_FAILED,
	SUSHI_QUERY_REJECTED,
	SUSHI_QUERY_STATUS_COUNT
};

/** sushi_query_status_name() - "served", "late", "shed", "failed", "rejected" */
const char *sushi_query_status_name(enum sushi_query_status s);

/**
 * struct sushi_client_info - what the daemon serves (its INFO reply)
 * @size: set by the caller to sizeof(struct sushi_client_info); fields
 *	past it are not written
 * @proto_version: the protocol version spoken on this connection
 * @n_devices: devices serving
 * @n_subnets: SubNets of the SuperNet's catalog
 * @n_classes: classes a prediction is one of
 * @in_h, @in_w, @in_c: the input tensor (NHWC, int8)
 * @in_bytes: its size: every query's input must have exactly this many
 * @max_outstanding: queries one connection may have unanswered; more are
 *	answered SHED (-EBUSY) at once
 * @max_request: the largest request payload the daemon reads
 */
struct sushi_client_info {
	uint32_t size;
	uint32_t proto_version;
	uint32_t n_devices;
	uint32_t n_subnets;
	uint32_t n_classes;
	uint32_t in_h, in_w, in_c;
	uint32_t in_bytes;
	uint32_t max_outstanding;
	uint32_t max_request;
};

/**
 * struct sushi_client_query - one query
 * @size: sizeof(struct sushi_client_query) as the caller was built
 * @flags: must be 0
 * @tag: the caller's, returned in the answer (need not be unique, but
 *	matching answers to queries needs it to be)
 * @acc_floor: lowest acceptable accuracy, [0, 1]
 * @lat_ceiling_ns: highest acceptable latency, from the daemon receiving
 *	the query to its completion on a device (> 0)
 * @input: the input tensor, &sushi_client_info.in_bytes int8 values (NHWC)
 * @in_len: its length in bytes
 */
struct sushi_client_query {
	uint32_t size;
	uint32_t flags;
	uint64_t tag;
	double acc_floor;
	uint64_t lat_ceiling_ns;
	const void *input;
	size_t in_len;
};

/**
 * struct sushi_client_result - one answer
 * @size: set by the caller to sizeof(struct sushi_client_result); fields
 *	past it are not written
 * @status: enum sushi_query_status
 * @error: 0, or a negative errno (FAILED: the device's; SHED and REJECTED:
 *	why, see enum sushi_query_status)
 * @tag: the query's
 * @prediction: the class with the highest score (SERVED and LATE)
 * @subnet: the SubNet that ran (index in the catalog; UINT32_MAX: none)
 * @device: the device it ran on (UINT32_MAX: none)
 * @accuracy: the catalog accuracy of @subnet (0 if none ran)
 * @queue_ns: from its arrival at the daemon until a device took it
 * @service_ns: from then until it completed (PB jobs and the launch)
 */
struct sushi_client_result {
	uint32_t size;
	enum sushi_query_status status;
	int error;
	uint64_t tag;
	uint32_t prediction;
	uint32_t subnet;
	uint32_t device;
	double accuracy;
	uint64_t queue_ns;
	uint64_t service_ns;
};

struct sushi_client;

/**
 * sushi_client_connect() - connect to sushid at @path (NULL:
 * SUSHI_CLIENT_SOCKET) and ask what it serves, waiting at most
 * @timeout_ns for the answer (< 0: no limit)
 * Returns 0; -EINVAL NULL @out; -ENAMETOOLONG a path too long for a Unix
 * socket; the errno of connect() (-ENOENT no socket, -ECONNREFUSED nobody
 * listening, -EACCES no permission); -EBUSY the daemon serves too many
 * connections; -EPROTO not a sushid, or one speaking another protocol
 * version; -ETIME no answer in time; -ENOMEM.
 */
int sushi_client_connect(const char *path, int64_t timeout_ns,
			 struct sushi_client **out);

/** sushi_client_close() - close the connection and free it (NULL is ignored) */
void sushi_client_close(struct sushi_client *c);

/** sushi_client_info() - what the daemon serves (0 or -EINVAL) */
int sushi_client_info(const struct sushi_client *c,
		      struct sushi_client_info *info);

/**
 * sushi_client_fd() - the connection's socket, to poll() for POLLIN: a
 * readable socket means sushi_client_recv() has bytes to look at (not
 * necessarily a whole answer).  Owned by the client; -EINVAL for NULL.
 */
int sushi_client_fd(const struct sushi_client *c);

/**
 * sushi_client_send() - send one query; its answer comes through
 * sushi_client_recv().  Blocks while the socket is full (the daemon reads
 * no more from a connection whose answers are not read).
 * Returns 0; -EINVAL a bad query (NULL, size, flags, no input);
 * -EMSGSIZE an input larger than the daemon reads; -EPIPE (or another
 * send() errno) the daemon closed the connection; the connection's
 * earlier fatal error.
 */
int sushi_client_send(struct sushi_client *c,
		      const struct sushi_client_query *q);

/**
 * sushi_client_recv() - the next answer, waiting at most @timeout_ns
 * (0: only if one is already there; < 0: no limit)
 * Returns 0; -ETIME none in time; -ECONNRESET the daemon closed the
 * connection (with no answer cut in half); -ECONNABORTED the daemon sent
 * an ERROR frame and closed (sushi_client_error() says what it found);
 * -EPROTO a malformed or unexpected frame, or a frame cut by the close;
 * -EINVAL bad arguments.  After any error but -ETIME and -EINVAL the
 * connection is dead: every later call returns the same error.
 */
int sushi_client_recv(struct sushi_client *c, struct sushi_client_result *r,
		      int64_t timeout_ns);

/**
 * sushi_client_outstanding() - queries sent and not yet answered
 */
uint64_t sushi_client_outstanding(const struct sushi_client *c);

/**
 * sushi_client_query() - send @q and wait at most @timeout_ns (< 0: no
 * limit) for its answer, on a connection with no query outstanding
 * Returns what sushi_client_send() and sushi_client_recv() return, and
 * -EBUSY when other queries are outstanding.
 */
int sushi_client_query(struct sushi_client *c,
		       const struct sushi_client_query *q,
		       struct sushi_client_result *r, int64_t timeout_ns);

/**
 * sushi_client_metrics() - the daemon's metrics in the Prometheus text
 * exposition format (version 0.0.4), in a NUL-terminated string the
 * caller frees with free(); on a connection with no query outstanding
 * Returns 0, -EBUSY (queries outstanding), -ENOMEM, or the errors of
 * sushi_client_recv().
 */
int sushi_client_metrics(struct sushi_client *c, char **text,
			 int64_t timeout_ns);

/**
 * sushi_client_error() - the ERROR frame that ended the connection, as
 * "CODE-NAME: message", or "" if none came
 */
const char *sushi_client_error(const struct sushi_client *c);

/** sushi_client_strerror() - a readable message for this API's errors */
const char *sushi_client_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_CLIENT_H */
