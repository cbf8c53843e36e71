/* SPDX-License-Identifier: MIT */
/*
 * sushi/supernet.h - SuperNet files (Documentation/supernet/format.rst):
 * a strict loader, the SubNet catalog, each SubNet's layer list as model
 * descriptors, SubGraphs as per-layer nested slices and their PB ranges,
 * and the scheduling space of a SuperNet on a SushiAccel configuration.
 */
#ifndef SUSHI_SUPERNET_H
#define SUSHI_SUPERNET_H

#include <stddef.h>
#include <stdint.h>

#include "sushi/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sushi_supernet;

/**
 * sushi_supernet_parse() - load a SuperNet from memory (the bytes are copied)
 * @buf, @len: the file's bytes
 * @out: the SuperNet on success
 * @err, @errlen: on failure, a message naming the offending field
 * Returns 0, -EINVAL (malformed; see @err) or -ENOMEM.
 */
int sushi_supernet_parse(const void *buf, size_t len,
			 struct sushi_supernet **out, char *err, size_t errlen);

/**
 * sushi_supernet_open() - sushi_supernet_parse() of a file; -errno on I/O,
 * -EISDIR for a directory, -EINVAL for anything but a regular file,
 * -EFBIG for a file over 4 GiB (with the reason in @err)
 */
int sushi_supernet_open(const char *path, struct sushi_supernet **out,
			char *err, size_t errlen);

/** sushi_supernet_close() - free a loaded SuperNet (NULL is ignored) */
void sushi_supernet_close(struct sushi_supernet *sn);

/**
 * struct sushi_supernet_info - the SuperNet as a whole
 * @name: architecture name
 * @in_h, @in_w, @in_c: network input shape (NHWC int8)
 * @in_zp: input zero point
 * @in_scale: input scale (real = scale * (q - zp))
 * @n_classes: classifier outputs
 * @n_subnets: catalog entries
 * @n_weight_layers: SuperNet weight layers
 * @data_bytes: bytes of the data section (weights, scales, epilogues)
 */
struct sushi_supernet_info {
	const char *name;
	uint32_t in_h, in_w, in_c;
	int32_t in_zp;
	double in_scale;
	uint32_t n_classes;
	uint32_t n_subnets;
	uint32_t n_weight_layers;
	uint64_t data_bytes;
};

/** sushi_supernet_info() - the SuperNet as a whole; 0 or -EINVAL */
int sushi_supernet_info(const struct sushi_supernet *sn,
			struct sushi_supernet_info *info);

/** sushi_supernet_data() - the data section, to be placed in device memory */
const uint8_t *sushi_supernet_data(const struct sushi_supernet *sn);

/**
 * struct sushi_subnet_info - one catalog entry
 * @id: its identifier
 * @arch_name: canonical architecture name
 * @accuracy: measured int8 top-1 accuracy, [0, 1]
 * @macs: multiply-accumulates per inference
 * @weight_bytes: bytes of its weight slices
 * @n_layers: layers of its layer list
 */
struct sushi_subnet_info {
	const char *id;
	const char *arch_name;
	double accuracy;
	uint64_t macs;
	uint64_t weight_bytes;
	uint32_t n_layers;
};

/** sushi_supernet_subnet() - catalog entry @i (0..n_subnets-1), or -ENOENT */
int sushi_supernet_subnet(const struct sushi_supernet *sn, uint32_t i,
			  struct sushi_subnet_info *info);

/**
 * struct sushi_weight_layer_info - one SuperNet weight tensor
 * @tensor: its name in the file
 * @offset: byte offset of row 0 in the data section
 * @rows_max: rows (output channels) of the SuperNet
 * @row_stride: bytes per SuperNet row
 * @kernel: window size
 */
struct sushi_weight_layer_info {
	const char *tensor;
	uint64_t offset;
	uint32_t rows_max;
	uint64_t row_stride;
	uint32_t kernel;
};

/** sushi_supernet_weight_layer() - weight tensor @i; 0, -EINVAL or -ENOENT */
int sushi_supernet_weight_layer(const struct sushi_supernet *sn, uint32_t i,
				struct sushi_weight_layer_info *info);

/**
 * struct sushi_supernet_map - where a SubNet's data lives
 * @data_base: device address of the data section
 * @act_base: device address of the activation arena
 * @act_sram_bytes: the device's on-chip activation SRAM; intermediate
 *	activations are planned into it (0: every tensor in the DRAM arena)
 */
struct sushi_supernet_map {
	uint64_t data_base;
	uint64_t act_base;
	uint64_t act_sram_bytes;
};

/**
 * struct sushi_subnet_io - the activation arena of a SubNet
 * @arena_bytes: bytes the arena needs
 * @in_off: offset of the network input in the arena
 * @in_bytes: its size
 * @out_off: offset of the network output (class scores, int8)
 * @out_bytes: its size
 */
struct sushi_subnet_io {
	uint64_t arena_bytes;
	uint64_t in_off;
	uint64_t in_bytes;
	uint64_t out_off;
	uint64_t out_bytes;
};

/**
 * sushi_supernet_layers() - SubNet @i's layer list as host-order
 * descriptors at @map: the network input and output in the DRAM arena,
 * every other layer output in the activation SRAM when it fits for its
 * live range (first fit in program order), else in its own arena slot
 * @out: room for n_layers descriptors, or NULL to only fill @io
 * Returns 0, -ENOENT (no such SubNet) or -EOVERFLOW (addresses wrap).
 */
int sushi_supernet_layers(const struct sushi_supernet *sn, uint32_t i,
			  const struct sushi_supernet_map *map,
			  struct sushi_hw_layer *out,
			  struct sushi_subnet_io *io);

/** sushi_supernet_slices() - SubNet @i's slice of every weight layer */
int sushi_supernet_slices(const struct sushi_supernet *sn, uint32_t i,
			  struct sushi_slice *out);

/**
 * sushi_supernet_intersection() - the SubGraph shared by @n SubNets
 * (per layer, the fewest rows and row bytes; none if a SubNet skips it)
 */
int sushi_supernet_intersection(const struct sushi_supernet *sn,
				const uint32_t *subnets, uint32_t n,
				struct sushi_slice *out);

/**
 * sushi_supernet_subgraph_ranges() - the PB ranges of a SubGraph
 * @sg: one slice per weight layer
 * @out: room for n_weight_layers ranges (pb_offset packed from 0)
 * @n: ranges written
 * @bytes: total bytes
 * Returns 0 or -EINVAL (a slice larger than its layer).
 */
int sushi_supernet_subgraph_ranges(const struct sushi_supernet *sn,
				   const struct sushi_slice *sg,
				   const struct sushi_supernet_map *map,
				   struct sushi_pb_range *out, uint32_t *n,
				   uint64_t *bytes);

/**
 * sushi_supernet_sched_space() - the scheduling space of the catalog on
 * the SushiAccel @cfg, priced by the model library at @map
 */
int sushi_supernet_sched_space(const struct sushi_supernet *sn,
			       const struct sushi_model_config *cfg,
			       const struct sushi_supernet_map *map,
			       struct sushi_sched_space **out);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_SUPERNET_H */
