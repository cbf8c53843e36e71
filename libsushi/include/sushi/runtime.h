/* SPDX-License-Identifier: MIT */
/*
 * sushi/runtime.h - the serving runtime: one SuperNet served on one or more
 * SushiAccel devices.  Applications submit queries asynchronously (input,
 * accuracy floor, latency ceiling, a tag) and receive one completion per
 * accepted query, through a callback or a pollable file descriptor, with
 * the prediction, the SubNet and device that served it, its queueing and
 * service time, and a status (served, late, shed, failed).  Per device a
 * SushiSched decides the SubNet and the Persistent Buffer SubGraph; a
 * router (sushi/fleet.h) picks the device.
 *
 * Two clocks: LIVE serves queries as they come, timed on CLOCK_MONOTONIC;
 * REPLAY serves a trace with given arrival times on the virtual clock of
 * the devices' measured cycles, the model sushi_eval_fleet() evaluates, so
 * a replayed trace's metrics equal the evaluator's exactly.
 *
 * Every function is thread-safe.  Functions return 0 (or a count) on
 * success and a negative errno on failure.
 * Guide: Documentation/serving.rst.
 */
#ifndef SUSHI_RUNTIME_H
#define SUSHI_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sushi/device.h"
#include "sushi/eval.h"
#include "sushi/fleet.h"
#include "sushi/netdev.h"
#include "sushi/sched.h"
#include "sushi/supernet.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum sushi_rt_clock - the runtime's time base
 * @SUSHI_RT_LIVE: arrivals are the submission time, all times are
 *	CLOCK_MONOTONIC; SushiSched decides when the device takes the query,
 *	with the wait it really had
 * @SUSHI_RT_REPLAY: arrivals come with the request (non-decreasing);
 *	routing and decisions happen at submission on the devices' virtual
 *	clock (each job lasts the cycles the device reports), exactly as
 *	sushi_eval_fleet() models it
 */
enum sushi_rt_clock {
	SUSHI_RT_LIVE = 0,
	SUSHI_RT_REPLAY,
	SUSHI_RT_CLOCK_COUNT
};

/**
 * enum sushi_rt_status - how a query ended
 * @SUSHI_RT_SERVED: served within its latency ceiling
 * @SUSHI_RT_LATE: served, after its ceiling
 * @SUSHI_RT_SHED: not run: refused at admission, or no SubNet could meet
 *	its ceiling and the overload mode sheds
 * @SUSHI_RT_FAILED: the device failed it (&sushi_rt_completion.error)
 */
enum sushi_rt_status {
	SUSHI_RT_SERVED = 0,
	SUSHI_RT_LATE,
	SUSHI_RT_SHED,
	SUSHI_RT_FAILED,
	SUSHI_RT_STATUS_COUNT
};

/** sushi_rt_status_name() - "served", "late", "shed", "failed" */
const char *sushi_rt_status_name(enum sushi_rt_status s);

/**
 * struct sushi_rt_request - one query
 * @size: sizeof(struct sushi_rt_request) as the caller was built
 * @flags: must be 0
 * @input: the input tensor, sushi_rt_input_bytes() int8 values (NHWC);
 *	copied before sushi_rt_submit() returns
 * @in_len: its length in bytes
 * @acc_floor: lowest acceptable accuracy, [0, 1]
 * @lat_ceiling_ns: highest acceptable latency, from arrival to completion
 * @arrival_ns: REPLAY: the arrival on the trace's clock (not below the
 *	previous request's); LIVE: must be 0 (the arrival is now)
 * @tag: the caller's, returned in the completion
 */
struct sushi_rt_request {
	uint32_t size;
	uint32_t flags;
	const void *input;
	size_t in_len;
	double acc_floor;
	uint64_t lat_ceiling_ns;
	uint64_t arrival_ns;
	uint64_t tag;
};

/**
 * struct sushi_rt_pb_jobs - the PB jobs a device ran before a query
 * @ns: their time (load jobs' measured cycles at the device clock, plus
 *	the model's fixed cost of each invalidation, which the driver does
 *	not report)
 * @dram, @energy_fj, @offchip_fj: their off-chip bytes and energies
 * @n_loads: PB_LOAD jobs
 */
struct sushi_rt_pb_jobs {
	uint64_t ns;
	uint64_t dram;
	uint64_t energy_fj;
	uint64_t offchip_fj;
	uint32_t n_loads;
};

/**
 * struct sushi_rt_completion - how one query ended
 * @size: sizeof(struct sushi_rt_completion) of the library
 * @status: enum sushi_rt_status
 * @error: SUSHI_RT_FAILED: the negative errno; else 0
 * @tag: the request's
 * @device: the device it went to (UINT32_MAX: shed at admission)
 * @subnet: the SubNet that ran (UINT32_MAX: none)
 * @prediction: the class with the highest score (SERVED and LATE)
 * @accuracy: the catalog accuracy of @subnet (0 if none ran)
 * @arrival_ns: arrival, on the runtime's clock
 * @queue_ns: from arrival until the device took it
 * @service_ns: from then until it completed: PB jobs and the launch
 * @finish_ns: @arrival_ns + @queue_ns + @service_ns
 * @decision: what the device's SushiSched decided (costs as predicted)
 * @run: the launch's statistics as the device reported them
 * @pb: the PB jobs run for it
 */
struct sushi_rt_completion {
	uint32_t size;
	enum sushi_rt_status status;
	int error;
	uint64_t tag;
	uint32_t device;
	uint32_t subnet;
	uint32_t prediction;
	double accuracy;
	uint64_t arrival_ns;
	uint64_t queue_ns;
	uint64_t service_ns;
	uint64_t finish_ns;
	struct sushi_decision decision;
	struct sushi_job_stats run;
	struct sushi_rt_pb_jobs pb;
};

/**
 * typedef sushi_rt_complete_fn - completion callback
 * Called once per accepted query, from a device's worker thread (or, for
 * a query shed at submission, from within sushi_rt_submit()), with no
 * runtime lock held; it may call sushi_rt_submit().  @c is valid during
 * the call only.
 */
typedef void (*sushi_rt_complete_fn)(void *arg,
				     const struct sushi_rt_completion *c);

/**
 * struct sushi_rt_config - what sushi_rt_create() builds
 * @size: sizeof(struct sushi_rt_config) as the caller was built
 * @clock: enum sushi_rt_clock
 * @sn: the SuperNet (must outlive the runtime)
 * @devices: fleet.n_devices open device handles with identical caps (must
 *	outlive the runtime; the runtime uses them from its threads)
 * @sched: SushiSched's parameters (an online policy; q and w)
 * @fleet: routing, overload and admission (fleet.n_devices devices)
 * @complete: the completion callback, or NULL: completions then queue up
 *	for sushi_rt_reap() and sushi_rt_fd() becomes readable
 * @complete_arg: its first argument
 * @inflight: launches each device may have in flight, 1..
 *	SUSHI_NETDEV_MAX_SLOTS (0: 2); each has its own activation arena
 *	(added after the first layout: a config of the first layout's size
 *	gets the default)
 */
struct sushi_rt_config {
	uint32_t size;
	enum sushi_rt_clock clock;
	const struct sushi_supernet *sn;
	struct sushi_device *const *devices;
	struct sushi_sched_params sched;
	struct sushi_fleet_params fleet;
	sushi_rt_complete_fn complete;
	void *complete_arg;
	uint32_t inflight;
};

struct sushi_rt;

/**
 * sushi_rt_create() - load the SuperNet on every device, price the
 * scheduling space with the model under the devices' caps, start one
 * worker thread per device
 * Returns 0; -EINVAL a bad config (NULL, size, an offline policy, devices
 * with different caps); -ENOMEM; a device's error (loading the SuperNet).
 */
int sushi_rt_create(const struct sushi_rt_config *cfg, struct sushi_rt **out);

/**
 * sushi_rt_submit() - hand one query to the runtime; exactly one
 * completion follows for every 0 returned
 * Returns 0; -EINVAL a bad request (size, flags, input length, floor not
 * in [0, 1], LIVE with an arrival, REPLAY with a decreasing arrival);
 * -ESHUTDOWN the runtime is shutting down; -ENOMEM.
 */
int sushi_rt_submit(struct sushi_rt *rt, const struct sushi_rt_request *req);

/**
 * sushi_rt_fd() - a file descriptor readable while completions wait for
 * sushi_rt_reap() (owned by the runtime); -EINVAL with a callback
 */
int sushi_rt_fd(struct sushi_rt *rt);

/**
 * sushi_rt_reap() - move up to @max waiting completions into @out (each
 * @out_size bytes, at least offsetof(..., decision)); never blocks
 * Returns how many (0: none waiting), or -EINVAL.
 */
int sushi_rt_reap(struct sushi_rt *rt, struct sushi_rt_completion *out,
		  size_t max, size_t out_size);

/**
 * sushi_rt_drain() - wait until every accepted query has completed (its
 * callback returned, or it waits for reaping), at most @timeout_ns (< 0:
 * no limit).  Returns 0 or -ETIME.
 */
int sushi_rt_drain(struct sushi_rt *rt, int64_t timeout_ns);

/**
 * struct sushi_rt_device_stats - one device's counters
 * @served, @late, @shed, @failed: completions by status (shed at admission
 *	counts on no device)
 * @pb_loads: PB_LOAD jobs run
 * @pb_hit_bytes: weight bytes its launches read from the PB
 * @weight_bytes: weight bytes its launches read (PB and DRAM)
 * @pb_enospc_waits: pins that found the bytes of a just-unpinned range not
 *	yet free and waited for the unpin to retire
 * @pb_resets: times the runtime dropped its PB content after a device
 *	error that may have wiped it (a reset, a stale pin set)
 * @held: queries queued or running on it now
 * @inflight_max: the most launches it had in flight at once
 */
struct sushi_rt_device_stats {
	uint64_t served, late, shed, failed;
	uint64_t pb_loads;
	uint64_t pb_hit_bytes;
	uint64_t weight_bytes;
	uint64_t pb_enospc_waits;
	uint64_t pb_resets;
	uint32_t held;
	uint32_t inflight_max;
};

/**
 * struct sushi_rt_stats - the runtime's counters
 * @size: set by the caller to sizeof(struct sushi_rt_stats); fields past
 *	it are not written
 * @submitted: queries accepted
 * @completed: completions delivered
 * @served, @late, @shed, @failed: completions by status
 * @shed_admission: among @shed, refused at admission
 * @service_mismatches: launches whose measured cost (cycles, DRAM and PB
 *	bytes, energies) differs from the scheduler's prediction
 * @load_mismatches: PB switches whose jobs differ from the prediction
 * @eval: REPLAY: the evaluator's metrics of the completed queries in
 *	arrival order, from the devices' measured figures (equal to
 *	sushi_eval_fleet()'s when every query has completed and nothing
 *	mismatched); LIVE: zero
 * @n_devices: devices
 * @dev: per device (the first n_devices entries)
 */
struct sushi_rt_stats {
	uint32_t size;
	uint64_t submitted, completed;
	uint64_t served, late, shed, failed;
	uint64_t shed_admission;
	uint64_t service_mismatches, load_mismatches;
	struct sushi_eval_stats eval;
	uint32_t n_devices;
	struct sushi_rt_device_stats dev[SUSHI_FLEET_MAX_DEVICES];
};

/** sushi_rt_stats() - a snapshot of the counters (0 or -EINVAL) */
int sushi_rt_stats(struct sushi_rt *rt, struct sushi_rt_stats *st);

/**
 * sushi_rt_space() - the scheduling space the runtime decides with (for
 * sushi_eval_fleet() on the same trace); valid while the runtime lives
 */
const struct sushi_sched_space *sushi_rt_space(const struct sushi_rt *rt);

/** sushi_rt_input_bytes() - the input size every request must have */
size_t sushi_rt_input_bytes(const struct sushi_rt *rt);

/**
 * sushi_rt_destroy() - stop accepting queries, complete every accepted
 * one (callbacks run; reaped completions are dropped), stop the workers,
 * unpin and free everything (NULL is ignored)
 */
void sushi_rt_destroy(struct sushi_rt *rt);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_RUNTIME_H */
