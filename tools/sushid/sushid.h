/* SPDX-License-Identifier: MIT */
/*
 * sushid.h - the pieces of sushid, the SUSHI serving daemon: its options
 * (opts.c), the server loop over the Unix socket (server.c), its metrics
 * (metrics.c), and the backend the server submits queries to: the serving
 * runtime (main.c) or, in the host tests, a fake with the same interface.
 * Protocol and behaviour: Documentation/sushid.rst.
 */
#ifndef SUSHID_H
#define SUSHID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "proto.h"
#include "sushi/fleet.h"
#include "sushi/runtime.h"
#include "sushi/sched.h"

/* exit statuses (as sushictl's) */
enum {
	SUSHID_EXIT_OK = 0,
	SUSHID_EXIT_USAGE = 1,		/* bad command line */
	SUSHID_EXIT_DEVICE = 2,		/* a device or the runtime failed */
	SUSHID_EXIT_INPUT = 3,		/* a bad SuperNet file */
	SUSHID_EXIT_INTERNAL = 4,	/* out of memory, the event loop failed */
	SUSHID_EXIT_DENIED = 5,		/* the socket could not be made (path, group) */
};

#define SUSHID_DEFAULT_SOCKET		"/run/sushid/sushid.sock"
#define SUSHID_DEFAULT_CLIENTS		64u
#define SUSHID_DEFAULT_OUTSTANDING	64u
#define SUSHID_MAX_CLIENTS		4096u
#define SUSHID_MAX_OUTSTANDING		4096u
#define SUSHID_MAX_PENDING		(1u << 20)	/* clients x outstanding */

/**
 * struct sushid_opts - the command line
 * @socket: --socket PATH
 * @group: --group NAME or GID, or NULL (socket mode 0600, else 0660)
 * @devices: --device PATH (repeatable); none: every SushiAccel node
 * @supernet: --supernet FILE
 * @sched: --policy, --q, --w
 * @fleet: --router, --overload, --max-queue (n_devices set at open)
 * @max_clients: --max-clients N, connections served at once
 * @max_outstanding: --max-outstanding N, unanswered queries per connection
 */
struct sushid_opts {
	const char *socket;
	const char *group;
	const char *devices[SUSHI_FLEET_MAX_DEVICES];
	uint32_t n_devices;
	const char *supernet;
	struct sushi_sched_params sched;
	struct sushi_fleet_params fleet;
	uint32_t max_clients;
	uint32_t max_outstanding;
};

/*
 * sushid_parse() - parse argv (argv[0] the program): 0, or
 * SUSHID_EXIT_USAGE with a message in @err; --help and --version return 0
 * with *@help set to 1 or 2.
 */
int sushid_parse(int argc, char **argv, struct sushid_opts *o, int *help,
		 char *err, size_t errlen);
void sushid_usage(FILE *f);

/*
 * sushid_group() - --group as a gid: a group name (getgrnam) or a decimal
 * number.  0, or -ENOENT with a message in @err.
 */
int sushid_group(const char *group, gid_t *gid, char *err, size_t errlen);

/**
 * struct srv_backend - where the server sends queries (sushi_rt_* shaped)
 * @submit: sushi_rt_submit(); exactly one completion per 0 returned
 * @reap: sushi_rt_reap() into full-size completions
 * @fd: sushi_rt_fd(): readable while completions wait
 * @stats: sushi_rt_stats()
 * @drain: sushi_rt_drain()
 */
struct srv_backend {
	void *ctx;
	int (*submit)(void *ctx, const struct sushi_rt_request *req);
	int (*reap)(void *ctx, struct sushi_rt_completion *out, size_t max);
	int (*fd)(void *ctx);
	int (*stats)(void *ctx, struct sushi_rt_stats *st);
	int (*drain)(void *ctx, int64_t timeout_ns);
};

/**
 * struct srv_config - what the server serves and how
 * @listen_fd: the listening socket (srv_listen()); srv_run() closes it
 * @socket_path: its path, unlinked when the server stops listening (or NULL)
 * @stop_fd: readable when the server must shut down (a signalfd, a pipe)
 * @max_clients, @max_outstanding: as struct sushid_opts
 * @info: the INFO reply (max_outstanding and max_request are filled in)
 * @device_paths: n_devices names, for the metrics
 * @flush_ms: at shutdown, how long the last answers may take to be read
 */
struct srv_config {
	int listen_fd;
	const char *socket_path;
	int stop_fd;
	uint32_t max_clients;
	uint32_t max_outstanding;
	struct proto_info info;
	const char *const *device_paths;
	int flush_ms;
};

/**
 * srv_listen() - a listening Unix socket at @path: a stale socket there
 * (nobody accepting) is replaced, a live one or any other file is not;
 * mode 0660 and group @gid with @has_gid, else 0600.  The descriptor, or
 * -errno with a message in @err.
 */
int srv_listen(const char *path, bool has_gid, gid_t gid, char *err,
	       size_t errlen);

/**
 * srv_run() - serve until @cfg->stop_fd is readable, then shut down
 * gracefully: no new connection, every query read from then on answered
 * SHED (-ESHUTDOWN), every accepted query's answer sent (waiting for the
 * backend), the answers flushed (at most flush_ms), every connection
 * closed.  Returns 0, or a negative errno if the loop itself failed.
 * @summary: if not NULL, gets the final counters (queries by status).
 */
struct srv_summary {
	uint64_t answered[PROTO_STATUS_COUNT];
	uint64_t dropped;
	uint64_t connections;
};
int srv_run(const struct srv_config *cfg, const struct srv_backend *be,
	    struct srv_summary *summary);

/* ---------------------------------------------------------------- metrics */

/* latency histogram bucket bounds, seconds (le), and the count */
#define SRV_BUCKETS 16
extern const double srv_bucket_le[SRV_BUCKETS];

/* why a query was shed (the label of sushid_shed_total) */
enum srv_shed {
	SRV_SHED_ADMISSION,	/* the runtime: every device held max-queue */
	SRV_SHED_OVERLOAD,	/* the runtime: no SubNet met the ceiling (overload shed) */
	SRV_SHED_CONN_LIMIT,	/* the connection's max-outstanding */
	SRV_SHED_SHUTDOWN,	/* read after the shutdown began */
	SRV_SHED_COUNT
};

/* why a query was rejected (sushid_rejected_total) */
enum srv_reject {
	SRV_REJECT_INPUT_SIZE,	/* -EMSGSIZE */
	SRV_REJECT_INVALID,	/* -EINVAL: floor, ceiling */
	SRV_REJECT_COUNT
};

struct srv_hist {
	uint64_t bucket[SRV_BUCKETS];	/* not cumulative */
	uint64_t count;
	uint64_t sum_ns;
};

/**
 * struct srv_metrics - the daemon's own counters (the runtime keeps the
 * per-device ones, read at each request)
 */
struct srv_metrics {
	uint64_t answered[PROTO_STATUS_COUNT];
	uint64_t shed[SRV_SHED_COUNT];
	uint64_t rejected[SRV_REJECT_COUNT];
	uint64_t frame_errors[PROTO_ERR_COUNT];
	uint64_t conns_accepted, conns_refused, conns_open;
	uint64_t dropped;		/* answers for connections gone */
	uint64_t outstanding;		/* submitted, not completed */
	uint32_t n_devices;
	struct srv_hist latency[SUSHI_FLEET_MAX_DEVICES];	/* queue + service */
	struct srv_hist queue[SUSHI_FLEET_MAX_DEVICES];
};

/* srv_hist_add() - one observation of @ns nanoseconds */
void srv_hist_add(struct srv_hist *h, uint64_t ns);

/* the largest text srv_metrics_render() writes for @n_devices devices */
size_t srv_metrics_cap(uint32_t n_devices);

/*
 * srv_metrics_render() - the Prometheus text exposition of @m, the
 * runtime's @st (NULL: left out) and the device @paths into @buf (@cap
 * bytes): its length, or 0 if it did not fit.
 */
size_t srv_metrics_render(const struct srv_metrics *m,
			  const struct sushi_rt_stats *st,
			  const char *const *paths, char *buf, size_t cap);

#endif /* SUSHID_H */
