/* SPDX-License-Identifier: MIT */
/*
 * sushi_model.h - API of the SushiAccel model library: the single source
 * of truth for what the hardware computes (int8 ops) and what it costs
 * (cycles, MACs, DRAM / PB bytes, energy; sushi_model_cost.h, the part
 * libsushi installs).  Pure C11, no QEMU, no glib.  Linked by the QEMU
 * device and by libsushi's offline evaluator.
 *
 * Layer descriptors are struct sushi_hw_layer from hw/sushi_accel_hw.h, in
 * HOST byte order (sushi_layer_from_le() converts a descriptor read from
 * guest memory).  Every function returns 0 or a negative errno; none aborts
 * on bad input.  Arithmetic and timing: Documentation/hardware/model.rst.
 */
#ifndef SUSHI_MODEL_H
#define SUSHI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sushi_accel_hw.h"
#include "sushi_layer_check.h"
#include "sushi_host_cost.h"
#include "sushi_model_cost.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------- descriptor byte order */

/** sushi_layer_from_le() - convert a descriptor read from memory to host order */
void sushi_layer_from_le(struct sushi_hw_layer *dst,
			 const struct sushi_hw_layer *src);

/** sushi_layer_to_le() - convert a host-order descriptor to memory order */
void sushi_layer_to_le(struct sushi_hw_layer *dst,
		       const struct sushi_hw_layer *src);

/* ------------------------------------------------------ Persistent Buffer */


/**
 * sushi_pb_new() - create an empty Persistent Buffer
 * @capacity: bytes of SRAM
 * @max_entries: size of the pin table
 * @with_storage: keep the pinned bytes (device); false for accounting only
 *
 * Returns NULL on allocation failure or impossible arguments.
 */
struct sushi_pb *sushi_pb_new(uint64_t capacity, uint32_t max_entries,
			      bool with_storage);
/** sushi_pb_free() - free a PB (NULL is ignored) */
void sushi_pb_free(struct sushi_pb *pb);

/**
 * sushi_pb_check_load() - would loading @r succeed?
 *
 * Returns 0, -EINVAL (malformed range), -EOVERFLOW (range wraps),
 * -ENOSPC (past the capacity), -EEXIST (overlaps pinned DVA bytes or PB
 * bytes of another entry) or -ENFILE (table full).
 */
int sushi_pb_check_load(const struct sushi_pb *pb,
			const struct sushi_pb_range *r);

/**
 * sushi_pb_insert() - install @r, copying rows * row_bytes bytes of @data
 * (packed rows; may be NULL for an accounting-only PB).  Same errors as
 * sushi_pb_check_load().
 */
int sushi_pb_insert(struct sushi_pb *pb, const struct sushi_pb_range *r,
		    const uint8_t *data);

/** sushi_pb_invalidate() - drop entries intersecting [dva, dva + len); count */
uint32_t sushi_pb_invalidate(struct sushi_pb *pb, uint64_t dva, uint64_t len);

/** sushi_pb_reset() - drop every entry and wipe the SRAM */
void sushi_pb_reset(struct sushi_pb *pb);

/* Capacity in bytes, bytes pinned, entries in use. */
uint64_t sushi_pb_capacity(const struct sushi_pb *pb);
uint64_t sushi_pb_used(const struct sushi_pb *pb);
uint32_t sushi_pb_count(const struct sushi_pb *pb);
/** sushi_pb_entry() - the i-th entry (0..count-1), or -ENOENT */
int sushi_pb_entry(const struct sushi_pb *pb, uint32_t i,
		   struct sushi_pb_range *r);

/**
 * sushi_pb_covered() - bytes of a strided read covered by pinned entries
 * (partial overlaps counted exactly; entries never overlap each other)
 */
uint64_t sushi_pb_covered(const struct sushi_pb *pb, uint64_t dva,
			  uint64_t row_stride, uint64_t row_bytes,
			  uint64_t rows);

/** sushi_range_overlap() - bytes two strided ranges have in common */
uint64_t sushi_range_overlap(uint64_t a, uint64_t a_stride, uint64_t a_len,
			     uint64_t a_rows, uint64_t b, uint64_t b_stride,
			     uint64_t b_len, uint64_t b_rows);

/**
 * typedef sushi_read_fn - read @len bytes at device address @dva into @dst;
 * returns 0 or a negative error that the caller propagates.
 */
typedef int (*sushi_read_fn)(void *opaque, uint64_t dva, uint64_t len,
			     uint8_t *dst);

/**
 * sushi_pb_gather() - fetch a strided weight read, packed into @dst
 * (rows * row_bytes bytes): bytes covered by the PB come from its SRAM
 * snapshot, the others through @read.  @pieces_left (NULL: no limit)
 * bounds the pieces copied (pinned pieces and the reads between them,
 * counted per row before the row is copied) and is decreased by them.
 * Returns 0, @read's error, -E2BIG when a row would pass @pieces_left, or
 * -ENOMEM.
 */
int sushi_pb_gather(const struct sushi_pb *pb, uint64_t dva,
		    uint64_t row_stride, uint64_t row_bytes, uint64_t rows,
		    uint8_t *dst, sushi_read_fn read, void *opaque,
		    uint64_t *pieces_left);

/* -------------------------------------------------- functional int8 compute */

/**
 * enum sushi_isa - compute kernel families
 * @SUSHI_ISA_REF: plain C reference
 * @SUSHI_ISA_AVX2: AVX2
 * @SUSHI_ISA_AVX512: AVX-512 BW/VL with VNNI
 * @SUSHI_ISA_AUTO: best the CPU supports (CPUID at run time)
 */
enum sushi_isa {
	SUSHI_ISA_REF = 0,
	SUSHI_ISA_AVX2 = 1,
	SUSHI_ISA_AVX512 = 2,
	SUSHI_ISA_AUTO = 3,
};

/** sushi_isa_supported() - does this CPU (and build) run @isa? */
bool sushi_isa_supported(enum sushi_isa isa);
/** sushi_isa_name() - "ref", "avx2", "avx512-vnni" */
const char *sushi_isa_name(enum sushi_isa isa);
/** sushi_isa_best() - the fastest supported family */
enum sushi_isa sushi_isa_best(void);

/**
 * struct sushi_layer_io - host buffers of one layer
 * @in: input, geom.in_bytes
 * @in2: second ADD input, geom.in2_bytes, else NULL
 * @w: weight rows, packed at @w_stride (CONV/FC), else NULL
 * @w_stride: bytes between rows of @w (>= geom.w_row_bytes)
 * @epi: geom.epi_bytes of little-endian sushi_hw_epilogue records
 * @out: output, geom.out_bytes
 */
struct sushi_layer_io {
	const int8_t *in;
	const int8_t *in2;
	const int8_t *w;
	size_t w_stride;
	const uint8_t *epi;
	int8_t *out;
};

/**
 * sushi_layer_compute() - compute one host-order layer
 * @l: the descriptor (checked again here)
 * @io: its buffers
 * @isa: kernel family; SUSHI_ISA_AUTO picks the best
 *
 * Returns 0, a sushi_layer_check() error, -EINVAL for a bad epilogue
 * (shift > 62) or missing buffer, -ENOTSUP for an unsupported @isa,
 * -ENOMEM. Every family gives the same bytes.
 */
int sushi_layer_compute(const struct sushi_hw_layer *l,
			const struct sushi_layer_io *io, enum sushi_isa isa);

/* ------------------------------------------- row-streamed (tiled) compute */

/**
 * typedef sushi_stream_read_fn - read @len bytes at byte offset @off of
 * input @which (0: in, 1: in2, ADD only) into @dst; returns 0 or a negative
 * error, which sushi_layer_compute_streamed() returns as is.
 */
typedef int (*sushi_stream_read_fn)(void *opaque, int which, uint64_t off,
				    uint64_t len, int8_t *dst);

/**
 * typedef sushi_stream_write_fn - write @len bytes of @src at byte offset
 * @off of the output; returns 0 or a negative error (returned as is).
 */
typedef int (*sushi_stream_write_fn)(void *opaque, uint64_t off, uint64_t len,
				     const int8_t *src);

/**
 * struct sushi_stream_io - where a streamed layer's tensors are
 * @read: reads input rows (whole NHWC rows: offsets and lengths are
 *	multiples of in_w * in_c, inside the input)
 * @write: writes output rows (whole rows, each once, top to bottom)
 * @opaque: passed to @read and @write
 * @w: weight rows, in memory as for sushi_layer_compute() (CONV/FC)
 * @w_stride: bytes between rows of @w
 * @epi: the epilogue records, in memory (CONV/FC)
 */
struct sushi_stream_io {
	sushi_stream_read_fn read;
	sushi_stream_write_fn write;
	void *opaque;
	const int8_t *w;
	size_t w_stride;
	const uint8_t *epi;
};

/**
 * sushi_layer_compute_streamed() - compute @l band by band
 * @l: the descriptor (checked here)
 * @io: the callbacks, weights and epilogues
 * @tile_bytes: activation bytes a band may hold (a band holds at least one
 *	output row whatever @tile_bytes: see sushi_stream_band_bytes())
 * @isa: kernel family; SUSHI_ISA_AUTO picks the best
 *
 * Each band reads its input rows (every input byte its windows touch, as
 * whole NHWC rows inside the input; at most ceil(kernel / stride) + 1
 * bands read any input row, one band for ADD, GAP and FC), computes, then
 * writes its output rows in one call, bands in order top to bottom.  A
 * band holds as many output rows as fit @tile_bytes with its input rows
 * (GAP: as many input rows; its 1x1 output is written after the last).
 * The output bytes are those of sushi_layer_compute() on the whole
 * tensors, for every valid layer and every family.
 *
 * Returns 0, an error of sushi_layer_compute() (-EINVAL also for a missing
 * callback; all checked before the first read), -ENOMEM, or a callback's
 * error, after which no callback is called (rows already written stay).
 */
int sushi_layer_compute_streamed(const struct sushi_hw_layer *l,
				 const struct sushi_stream_io *io,
				 uint64_t tile_bytes, enum sushi_isa isa);

/**
 * sushi_stream_band_bytes() - host activation bytes one band of @l holds
 * @l: the descriptor
 * @tile_bytes: as for sushi_layer_compute_streamed()
 *
 * The largest band's input rows (with explicit padding), output rows,
 * strips and per-band accumulators: all sushi_layer_compute_streamed()
 * allocates for activations (the kernels' own scratch, sized by the band,
 * comes on top).  At most max(@tile_bytes, sushi_stream_band_bytes(@l, 0)).
 * Returns 0 for an invalid layer.
 */
uint64_t sushi_stream_band_bytes(const struct sushi_hw_layer *l,
				 uint64_t tile_bytes);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_MODEL_H */
