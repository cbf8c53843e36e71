/* SPDX-License-Identifier: MIT */
/*
 * serve.h - the pieces of `sushictl serve` below the command line: the
 * labelled image sample (serve_data.c), one policy serving a trace through
 * libsushi's runtime on one or more devices (serve_loop.c), and the table
 * or JSON of the results (serve_out.c).
 * Functions return 0 or a negative errno.
 */
#ifndef SUSHICTL_SERVE_H
#define SUSHICTL_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "cmd_dev.h"
#include "sushi/eval.h"
#include "sushi/netdev.h"
#include "sushi/runtime.h"
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
 * struct serve_stats - one policy served on the device
 * @ev: the evaluator's metrics (struct sushi_eval_stats), computed the way
 *	sushi_eval_run() does, from the device's job statistics
 * @correct: queries whose predicted class equals the image's label
 * @measured_accuracy: @correct / queries
 * @service_mismatches: queries whose launch statistics (cycles at the
 *	device clock, DRAM and PB bytes, energy) differ from the scheduler's
 *	predicted cell
 * @load_mismatches: queries whose PB jobs differ from the decision's
 * @enospc_waits: pins that waited for an unpin's "space free" fence and
 *	were retried (the driver frees the bytes when the invalidation
 *	retires), all devices
 * @wall_ns: host wall-clock time serving the trace took (loading the
 *	SuperNet excluded): the emulated devices' serving speed
 * @n_devices, @dev: the runtime's per-device counters
 */
struct serve_stats {
	struct sushi_eval_stats ev;
	uint64_t correct;
	double measured_accuracy;
	uint64_t service_mismatches;
	uint64_t load_mismatches;
	uint64_t enospc_waits;
	uint64_t wall_ns;
	uint32_t n_devices;
	struct sushi_rt_device_stats dev[SUSHI_FLEET_MAX_DEVICES];
};

/**
 * serve_policy() - serve @qs (arrival order) with policy @p through the
 * runtime in REPLAY mode on the fleet @fp of devices @devs: per query the
 * router's device, that device's SushiSched decision, the PB SubGraph
 * switch when it changes, the SubNet launched on image (query mod im->n);
 * the evaluator's metrics from the devices' figures
 * @fail_query: on a device error, the query it happened at
 * Returns 0; -EINVAL bad arguments (LRU and the offline policies are not
 * served); -ENOMEM; the runtime's or the device's error.
 */
int serve_policy(struct sushi_device *const *devs,
		 const struct sushi_supernet *sn,
		 const struct sushi_sched_params *p,
		 const struct sushi_fleet_params *fp,
		 const struct sushi_query *qs, size_t n,
		 const struct serve_images *im, struct serve_stats *st,
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
