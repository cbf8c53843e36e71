/* SPDX-License-Identifier: MIT */
/*
 * serve.h - the pieces of `sushictl serve` below the command line: the
 * labelled image sample (serve_data.c), the Persistent Buffer content kept
 * as one pin set per weight layer (serve_pb.c), and the serving loop of one
 * policy on the device with its virtual clock and metrics (serve_loop.c),
 * and the table or JSON of the results (serve_out.c).
 * Functions return 0 or a negative errno.
 */
#ifndef SUSHICTL_SERVE_H
#define SUSHICTL_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "cmd_dev.h"
#include "sushi/eval.h"
#include "sushi/netdev.h"
#include "sushi/supernet.h"

/**
 * struct serve_images - an IDX image file and its IDX label file
 * @n: images (and labels)
 * @h, @w: image size (one channel)
 * @pixels: n * h * w uint8 pixels
 * @labels: n class labels
 */
struct serve_images {
	uint32_t n, h, w;
	uint8_t *pixels;
	uint8_t *labels;
};

/**
 * serve_images_load() - read @images (IDX magic 0x803) and @labels (IDX
 * magic 0x801) whose images are @h x @w
 * Returns 0; -EINVAL a malformed or mismatching file (@err says which and
 * why); -ENOMEM; the errno of opening or reading a file (@err names it).
 */
int serve_images_load(const char *images, const char *labels, uint32_t h,
		      uint32_t w, struct serve_images *im, char *err,
		      size_t errlen);

/** serve_images_free() - free what serve_images_load() read */
void serve_images_free(struct serve_images *im);

/** serve_images_input() - image @i as the network input (pixel - 128) */
void serve_images_input(const struct serve_images *im, uint32_t i,
			int8_t *in);

/**
 * struct serve_pb - the PB content of one netdev, one pin set per weight
 * layer, so that a SubGraph switch unpins and pins exactly the layers whose
 * slice changes (the PB jobs the scheduling space prices)
 * @nd: the netdev
 * @cfg: the device's model configuration (clock, invalidation job cost)
 * @L: SuperNet weight layers
 * @content: [L] slice pinned per layer ({0,0}: none)
 * @set: [L] its pin set (0: none)
 * @enospc_waits: pins that waited for an unpin's "space free" fence and
 *	were retried (the driver frees the bytes when the invalidation
 *	retires)
 */
struct serve_pb {
	struct sushi_netdev *nd;
	struct sushi_model_config cfg;
	uint32_t L;
	struct sushi_slice *content;
	uint32_t *set;
	uint64_t enospc_waits;
};

/**
 * struct serve_pb_jobs - the PB jobs of one switch as the device ran them
 * @ns: load jobs' measured cycles at the device clock, each converted on
 *	its own, plus the invalidations' (which the driver does not report:
 *	the model's fixed job cost under the device's caps, as in
 *	sushi_netdev_cost_ops())
 * @dram, @energy_fj, @offchip_fj: the same jobs' off-chip bytes and energy
 * @n_loads: PB_LOAD jobs run
 */
struct serve_pb_jobs {
	uint64_t ns;
	uint64_t dram;
	uint64_t energy_fj;
	uint64_t offchip_fj;
	uint32_t n_loads;
};

/** serve_pb_init() - empty content for @nd (@cfg: the device's) */
int serve_pb_init(struct serve_pb *pb, struct sushi_netdev *nd, uint32_t L,
		  const struct sushi_model_config *cfg);

/**
 * serve_pb_switch() - make the PB hold @to (L slices): unpin every layer
 * whose slice differs, then pin the new slices and wait for their loads
 * (a pin that finds the PB bytes of just-unpinned ranges not yet free is
 * retried every millisecond for up to SUSHI_NETDEV_TIMEOUT_NS)
 * @jobs: what the PB jobs cost (added to)
 * Returns 0 or the first unpin/pin error (the content then says what is
 * still pinned).
 */
int serve_pb_switch(struct serve_pb *pb, const struct sushi_slice *to,
		    struct serve_pb_jobs *jobs);

/** serve_pb_any_set() - a pin set of the content (for a launch), or 0 */
uint32_t serve_pb_any_set(const struct serve_pb *pb);

/** serve_pb_release() - unpin everything and free the content */
void serve_pb_release(struct serve_pb *pb);

/**
 * struct serve_stats - one policy served on the device
 * @ev: the evaluator's metrics (struct sushi_eval_stats), computed the way
 *	sushi_eval_run() does, from the device's job statistics
 * @correct: queries whose predicted class equals the image's label
 * @measured_accuracy: @correct / queries
 * @service_mismatches: queries whose launch statistics (cycles at the
 *	device clock, DRAM and PB bytes, energy) differ from the scheduler's
 *	predicted cell
 * @load_mismatches: queries whose PB jobs differ from the decision's
 * @enospc_waits: see struct serve_pb
 * @wall_ns: host wall-clock time serving the trace took (loading the
 *	SuperNet excluded): the emulated device's serving speed
 */
struct serve_stats {
	struct sushi_eval_stats ev;
	uint64_t correct;
	double measured_accuracy;
	uint64_t service_mismatches;
	uint64_t load_mismatches;
	uint64_t enospc_waits;
	uint64_t wall_ns;
};

/**
 * serve_policy() - serve @qs (arrival order) with policy @p on @nd: per
 * query SushiSched's decision, the SubGraph switch on the device when it
 * changes, the chosen SubNet launched on image (query mod im->n); one
 * accelerator and queries in arrival order as sushi_eval_run() models it,
 * on a virtual clock of the device's measured cycles
 * @sn: the SuperNet @nd holds
 * @sp: the space priced by the model under the device's caps
 * @cfg: the device's model configuration
 * @fail_query: on a device error, the query it happened at
 * Returns 0; -EINVAL bad arguments (LRU and the oracle are not served);
 * -ENOMEM; the device's error.
 */
int serve_policy(struct sushi_netdev *nd, const struct sushi_supernet *sn,
		 const struct sushi_sched_space *sp,
		 const struct sushi_sched_params *p,
		 const struct sushi_query *qs, size_t n,
		 const struct serve_images *im,
		 const struct sushi_model_config *cfg, struct serve_stats *st,
		 size_t *fail_query);

/**
 * serve_print() - the results of the policies in @o->policies (indexed by
 * enum sushi_policy) as a table, or JSON with @o->dev.json, on stdout
 * @path: the device node; @cfg: its model configuration; @tp: the trace
 */
void serve_print(const struct serve_opts *o, const char *path,
		 const struct sushi_model_config *cfg,
		 const struct sushi_trace_params *tp,
		 const struct serve_stats *st);

#endif /* SUSHICTL_SERVE_H */
