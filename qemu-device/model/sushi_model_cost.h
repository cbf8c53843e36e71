/* SPDX-License-Identifier: MIT */
/*
 * sushi_model_cost.h - the part of the SushiAccel model library that
 * libsushi's public API shows: a hardware configuration, what work costs
 * on it (cycles, MACs, DRAM / PB bytes, energy) and the strided range the
 * Persistent Buffer pins.  Installed with libsushi; the simulator itself
 * (int8 kernels, PB table, streaming, descriptor byte order, host budgets)
 * is in sushi_model.h, which includes this file, and is not exported.
 * Pure C11.  Arithmetic and timing: Documentation/hardware/model.rst.
 */
#ifndef SUSHI_MODEL_COST_H
#define SUSHI_MODEL_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sushi_accel_hw.h"
#include "sushi_layer_check.h"

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

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_MODEL_COST_H */
