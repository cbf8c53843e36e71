/* SPDX-License-Identifier: MIT */
/*
 * sushi_model.h - public API of the SushiAccel model library: the single
 * source of truth for what the hardware computes (int8 ops) and what it
 * costs (cycles, MACs, DRAM / PB bytes, energy).  Pure C11, no QEMU, no glib.
 * Linked by the QEMU device and by libsushi's offline evaluator.
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

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------- configuration */

/**
 * struct sushi_model_config - one SushiAccel hardware configuration
 * @pe_k: output-channel lanes of the DPE array (Kp), 1..4096
 * @pe_c: input-channel lanes (Cp), each with a 3x3 window of taps, 1..4096
 * @clock_hz: clock in Hz, 1 kHz..100 GHz
 * @dram_bytes_per_cycle: off-chip bytes per cycle, 1..65536
 * @overhead_cycles: fixed cycles per layer and per non-launch job
 * @overlap: DRAM traffic overlaps compute (double buffering)
 * @pb_bytes: Persistent Buffer capacity, 0..2^SUSHI_MMU_VA_BITS
 * @pb_entries: PB table entries, 1..65536
 * @act_sram_bytes: on-chip activation SRAM, 0..SUSHI_CFG_MAX_ACT_SRAM (0:
 *	every tensor goes through DRAM)
 * @e_mac_fj: energy per MAC, femtojoules
 * @e_dram_fj: energy per off-chip byte, femtojoules
 * @e_pb_fj: energy per byte read or written in a large on-chip SRAM (the
 *	PB, the activation SRAM), femtojoules
 * @e_buf_fj: energy per byte staged through the on-chip buffers, fJ
 * @p_static_uw: static power, microwatts
 */
struct sushi_model_config {
	uint32_t pe_k;
	uint32_t pe_c;
	uint64_t clock_hz;
	uint32_t dram_bytes_per_cycle;
	uint32_t overhead_cycles;
	bool overlap;
	uint64_t pb_bytes;
	uint32_t pb_entries;
	uint64_t act_sram_bytes;
	uint64_t e_mac_fj;
	uint64_t e_dram_fj;
	uint64_t e_pb_fj;
	uint64_t e_buf_fj;
	uint64_t p_static_uw;
};

/* Limits of a valid configuration. */
#define SUSHI_CFG_MAX_PE		4096u
#define SUSHI_CFG_MIN_CLOCK_HZ		1000ull
#define SUSHI_CFG_MAX_CLOCK_HZ		100000000000ull
#define SUSHI_CFG_MAX_DRAM_BPC		65536u
#define SUSHI_CFG_MAX_OVERHEAD		1000000u
#define SUSHI_CFG_MAX_PB_ENTRIES	65536u
#define SUSHI_CFG_MAX_ACT_SRAM		(256ull << 20)
#define SUSHI_CFG_MAX_ENERGY		1000000000ull	/* per unit, fJ / uW */

/*
 * The default configuration (justified, with sources, in
 * Documentation/hardware/model.rst, "Configuration"): the values of
 * sushi_model_config_default() and the QEMU device's property defaults.
 */
#define SUSHI_CFG_DEF_PE_K		16u		/* HLS top K16_C9 */
#define SUSHI_CFG_DEF_PE_C		9u
#define SUSHI_CFG_DEF_CLOCK_HZ		100000000ull	/* ZCU104 */
#define SUSHI_CFG_DEF_DRAM_BPC		16u		/* 128-bit AXI */
#define SUSHI_CFG_DEF_OVERHEAD		32u		/* fetch + fill */
#define SUSHI_CFG_DEF_OVERLAP		true		/* double buffers */
#define SUSHI_CFG_DEF_PB_BYTES		(2ull << 20)	/* of 3.375 MiB URAM */
#define SUSHI_CFG_DEF_PB_ENTRIES	1024u
#define SUSHI_CFG_DEF_ACT_SRAM		((27ull << 20) / 8 - (2ull << 20))
#define SUSHI_CFG_DEF_E_MAC_FJ		300ull		/* 0.2 + 0.1 pJ */
#define SUSHI_CFG_DEF_E_DRAM_FJ		160000ull	/* 640 pJ / 32 bit */
#define SUSHI_CFG_DEF_E_PB_FJ		12500ull	/* 1 MB SRAM */
#define SUSHI_CFG_DEF_E_BUF_FJ		1250ull		/* 8 KB SRAM */
#define SUSHI_CFG_DEF_P_STATIC_UW	0ull		/* not modelled */

/** sushi_model_config_default() - the default SushiAccel (K16_C9, 100 MHz) */
void sushi_model_config_default(struct sushi_model_config *cfg);

/** sushi_model_config_check() - 0, or -EINVAL for an impossible configuration */
int sushi_model_config_check(const struct sushi_model_config *cfg);

/* ------------------------------------------------------- layer validation */

/** sushi_layer_from_le() - convert a descriptor read from memory to host order */
void sushi_layer_from_le(struct sushi_hw_layer *dst,
			 const struct sushi_hw_layer *src);

/** sushi_layer_to_le() - convert a host-order descriptor to memory order */
void sushi_layer_to_le(struct sushi_hw_layer *dst,
		       const struct sushi_hw_layer *src);

/* ------------------------------------------------------------- cost model */

/**
 * struct sushi_cost - what a layer, a job or a list of jobs costs
 * @compute_cycles: cycles the DPE array computes
 * @cycles: total cycles (overhead and DRAM streaming included)
 * @macs: multiply-accumulates
 * @dram_rd: bytes read from DRAM
 * @dram_wr: bytes written to DRAM
 * @pb_rd: weight bytes read from the Persistent Buffer
 * @pb_wr: bytes written into the Persistent Buffer (PB loads)
 * @sram_bytes: activation SRAM bytes read and written
 * @w_dram: weight bytes of @dram_rd (not in the PB; PB loads' bytes)
 * @act_dram: activation bytes of @dram_rd + @dram_wr (tensors not in the
 *	activation SRAM)
 * @epi_dram: epilogue bytes of @dram_rd
 * @buf_bytes: bytes staged through the on-chip buffers
 * @energy_fj: total energy, femtojoules
 * @offchip_fj: off-chip part of @energy_fj (e_dram * DRAM bytes)
 */
struct sushi_cost {
	uint64_t compute_cycles;
	uint64_t cycles;
	uint64_t macs;
	uint64_t dram_rd;
	uint64_t dram_wr;
	uint64_t pb_rd;
	uint64_t pb_wr;
	uint64_t sram_bytes;
	uint64_t w_dram;
	uint64_t act_dram;
	uint64_t epi_dram;
	uint64_t buf_bytes;
	uint64_t energy_fj;
	uint64_t offchip_fj;
};

struct sushi_pb;

/** sushi_cost_add() - acc += c, field by field, saturating */
void sushi_cost_add(struct sushi_cost *acc, const struct sushi_cost *c);

/**
 * sushi_model_layer_cost() - cost of one host-order layer
 * @cfg: a checked configuration
 * @pb: the Persistent Buffer content (NULL: nothing pinned)
 * @l: the descriptor
 * @cost: filled on success
 *
 * Returns 0 or the error of sushi_layer_check_sram() with the
 * configuration's activation SRAM.
 */
int sushi_model_layer_cost(const struct sushi_model_config *cfg,
			   const struct sushi_pb *pb,
			   const struct sushi_hw_layer *l,
			   struct sushi_cost *cost);

/**
 * sushi_model_layers_cost() - cost of a layer list run as one LAUNCH
 * @cfg: configuration
 * @pb: PB content or NULL
 * @layers: host-order descriptors
 * @n: number of descriptors
 * @total: the sum over layers
 * @per_layer: n costs, or NULL
 * @bad_layer: index of the first invalid layer on error, or NULL
 */
int sushi_model_layers_cost(const struct sushi_model_config *cfg,
			    const struct sushi_pb *pb,
			    const struct sushi_hw_layer *layers, size_t n,
			    struct sushi_cost *total,
			    struct sushi_cost *per_layer, size_t *bad_layer);

/** sushi_model_pb_load_cost() - cost of loading @bytes into the PB */
void sushi_model_pb_load_cost(const struct sushi_model_config *cfg,
			      uint64_t bytes, struct sushi_cost *cost);

/** sushi_model_simple_job_cost() - cost of a NOP or PB_INVALIDATE job */
void sushi_model_simple_job_cost(const struct sushi_model_config *cfg,
				 struct sushi_cost *cost);

/** sushi_model_cycles_to_ns() - ceil(cycles * 1e9 / clock_hz), saturating */
uint64_t sushi_model_cycles_to_ns(const struct sushi_model_config *cfg,
				  uint64_t cycles);

/* ------------------------------------------------------ Persistent Buffer */

/**
 * struct sushi_pb_range - a strided device-address range (one PB entry)
 * @dva: device address of the first row
 * @row_stride: bytes between rows (>= row_bytes when rows > 1)
 * @row_bytes: bytes per row, > 0
 * @rows: number of rows, > 0
 * @pb_offset: where the rows land in the PB, packed (PB loads only)
 */
struct sushi_pb_range {
	uint64_t dva;
	uint64_t row_stride;
	uint32_t row_bytes;
	uint32_t rows;
	uint64_t pb_offset;
};

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
