/* SPDX-License-Identifier: MIT */
/*
 * sushi/netdev.h - a SuperNet loaded on a SushiAccel device: its data
 * section in a read-only BO, an activation arena BO, one program per SubNet;
 * running a SubNet on an input, pinning a SubGraph in the Persistent Buffer,
 * and a device-profiled cost source for SushiSched's scheduling space.
 *
 * Every function returns 0 on success and a negative errno on failure.
 * A struct sushi_netdev is used by one thread at a time; several runs can
 * be in flight, one per activation arena (slot); the device handle may be
 * shared as device.h says.
 * Guide: Documentation/libsushi-device.rst ("SuperNets on the device").
 */
#ifndef SUSHI_NETDEV_H
#define SUSHI_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#include "sushi/device.h"
#include "sushi/sched.h"
#include "sushi/supernet.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * SUSHI_NETDEV_ACT_BASE - the activation arena's place in the address map
 * a netdev asks sushi_supernet_layers() for: the data section sits at 0, so
 * an address below this is an offset in the data BO and one at or above it
 * an offset (minus this) in the arena BO.
 */
#define SUSHI_NETDEV_ACT_BASE	(1ull << 40)

/** SUSHI_NETDEV_MAX_SLOTS - most activation arenas (runs in flight) */
#define SUSHI_NETDEV_MAX_SLOTS	8

/** SUSHI_NETDEV_TIMEOUT_NS - how long a netdev waits for one of its jobs */
#define SUSHI_NETDEV_TIMEOUT_NS	10000000000ll

struct sushi_netdev;

/**
 * sushi_netdev_create() - load @sn on @dev: copy the data section into a
 * read-only BO, allocate the arena for the largest SubNet, build every
 * SubNet's layer list (programs are created on first use)
 * @dev, @sn: must outlive the netdev
 * Returns 0; -EINVAL NULL arguments; -ENOMEM; a BO creation error.
 */
int sushi_netdev_create(struct sushi_device *dev,
			const struct sushi_supernet *sn,
			struct sushi_netdev **out);

/**
 * sushi_netdev_destroy() - drop the netdev's programs and BOs (NULL is
 * ignored); its pin sets stay pinned until sushi_netdev_unpin() or until
 * the device handle is closed
 */
void sushi_netdev_destroy(struct sushi_netdev *nd);

/**
 * sushi_netdev_map() - the address map a netdev on a device with @caps
 * builds its layer lists at (its activation SRAM included)
 */
void sushi_netdev_map(const struct sushi_caps *caps,
		      struct sushi_supernet_map *map);

/**
 * sushi_netdev_io() - SubNet @subnet's input and output places and sizes
 * Returns 0, -EINVAL or -ENOENT (no such SubNet).
 */
int sushi_netdev_io(const struct sushi_netdev *nd, uint32_t subnet,
		    struct sushi_subnet_io *io);

/**
 * sushi_netdev_run() - run SubNet @subnet on @input and wait for it
 * @pin_set: a pin set of this netdev the launch expects loaded, or 0
 * @input, @in_len: exactly io.in_bytes int8 values (NHWC)
 * @output, @out_len: room for io.out_bytes class scores (int8)
 * @stats: the job's statistics (also on a failed job; all zero when no
 *	job ran: bad arguments, or the launch itself refused), or NULL
 * Returns 0; -EINVAL bad arguments or sizes; -ENOENT no such SubNet or
 * pin set; -ETIME the job did not finish in SUSHI_NETDEV_TIMEOUT_NS; the
 * program creation error or the job's negative errno (e.g. -ESTALE).
 */
int sushi_netdev_run(struct sushi_netdev *nd, uint32_t subnet,
		     uint32_t pin_set, const void *input, size_t in_len,
		     void *output, size_t out_len,
		     struct sushi_job_stats *stats);

/**
 * sushi_netdev_slots() - give the netdev @n activation arenas ("slots",
 * each with its own programs), so that @n runs can be in flight; a netdev
 * starts with one and never shrinks.  The runs of one device handle still
 * execute in submission order; a PB pin or unpin is ordered after them.
 * Returns 0; -EINVAL @n not in 1..SUSHI_NETDEV_MAX_SLOTS; -ENOMEM; a BO
 * creation error.
 */
int sushi_netdev_slots(struct sushi_netdev *nd, uint32_t n);

/**
 * sushi_netdev_submit() - start SubNet @subnet on @input in slot @slot
 * without waiting (sushi_netdev_run() is submit and finish on slot 0)
 * Returns 0; -EINVAL bad arguments, a slot not given; -ENOENT no such
 * SubNet; -EBUSY the slot's earlier run has not finished; the program
 * creation or launch error.
 */
int sushi_netdev_submit(struct sushi_netdev *nd, uint32_t slot,
			uint32_t subnet, uint32_t pin_set, const void *input,
			size_t in_len);

/**
 * sushi_netdev_finish() - wait for slot @slot's run and copy its class
 * scores (io.out_bytes) into @output
 * @stats: as for sushi_netdev_run()
 * Returns 0; -EINVAL no run submitted in the slot or @out_len too small;
 * -ETIME not finished in SUSHI_NETDEV_TIMEOUT_NS (the slot stays busy:
 * finish it again); the job's negative errno (the slot is free again).
 */
int sushi_netdev_finish(struct sushi_netdev *nd, uint32_t slot, void *output,
			size_t out_len, struct sushi_job_stats *stats);

/**
 * sushi_netdev_pin() - pin a SubGraph (one slice per SuperNet weight layer)
 * of the data BO in the Persistent Buffer and wait until it is loaded
 * @pin_set: its handle, for sushi_netdev_run() and sushi_netdev_unpin()
 * @load: the statistics of its PB loads (summed), or NULL
 * Returns 0; -EINVAL NULL arguments, an empty SubGraph or a slice larger
 * than its layer; -ENOSPC more bytes than the PB has (checked against the
 * capacity first) or than are free; -EEXIST overlap with a pinned range
 * (e.g. another SubGraph of this netdev still pinned); a load job's error.
 */
int sushi_netdev_pin(struct sushi_netdev *nd, const struct sushi_slice *sg,
		     uint32_t *pin_set, struct sushi_job_stats *load);

/** sushi_netdev_unpin() - unpin a set of this netdev (0, -EINVAL, -ENOENT) */
int sushi_netdev_unpin(struct sushi_netdev *nd, uint32_t pin_set);

/**
 * sushi_netdev_wait_unpinned() - wait until the PB space of the set the
 * last sushi_netdev_unpin() dropped is free (at most @timeout_ns): what a
 * pin that got -ENOSPC right after an unpin waits for.  Returns 0 (also
 * when nothing was unpinned), -EINVAL, -ETIME.
 */
int sushi_netdev_wait_unpinned(struct sushi_netdev *nd, int64_t timeout_ns);

/** sushi_caps_model_config() - the model library's view of a device's caps */
void sushi_caps_model_config(const struct sushi_caps *caps,
			     struct sushi_model_config *cfg);

/**
 * sushi_netdev_model_cost() - what the model library says a run of
 * @subnet costs on this device with SubGraph @sg pinned (NULL: nothing)
 * Returns 0, -EINVAL, -ENOENT, -ENOMEM or the model's error.
 */
int sushi_netdev_model_cost(const struct sushi_netdev *nd, uint32_t subnet,
			    const struct sushi_slice *sg,
			    struct sushi_cost *out);

/**
 * sushi_netdev_cost_ops() - SushiSched cost source measured on the device
 * (ctx: the struct sushi_netdev): a weight layer's cost is that of its
 * descriptor launched alone with the pinned slice in the PB; the rest of a
 * SubNet, its weight-free layers launched as one program; a load, the
 * PB_LOAD job of the slice.  The device gives no statistics for the
 * invalidation it runs on unpin, so that cost ({0,0} slice) is the model's
 * fixed job cost under the device's caps.  Measurements are cached per
 * distinct descriptor and slice.  Needs no other pin set of the netdev
 * overlapping the SuperNet (they are pinned and unpinned per measurement).
 * Only cycles, macs, DRAM / PB bytes and energies are filled.
 */
const struct sushi_sched_cost_ops *sushi_netdev_cost_ops(void);

/**
 * sushi_netdev_sched_space() - the scheduling space of the SuperNet's
 * catalog with its cost tables profiled on the device
 * @pb_bytes: PB capacity the candidate SubGraphs must fit in (at most the
 *	device's)
 * Returns 0, -EINVAL, -ENOMEM or a measurement's error.
 */
int sushi_netdev_sched_space(struct sushi_netdev *nd, uint64_t pb_bytes,
			     struct sushi_sched_space **out);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_NETDEV_H */
