// SPDX-License-Identifier: MIT
/*
 * config.c - the default SushiAccel configuration and the check that
 * rejects impossible ones.  Every default is justified, with its source, in
 * Documentation/hardware/model.rst ("Configuration").
 */
#include <errno.h>

#include "sushi_model.h"

void sushi_model_config_default(struct sushi_model_config *cfg)
{
	*cfg = (struct sushi_model_config){
		.pe_k = 16,			/* HLS top K16_C9 */
		.pe_c = 9,
		.clock_hz = 100000000,		/* 100 MHz on the ZCU104 */
		.dram_bytes_per_cycle = 16,	/* one 128-bit AXI port */
		.overhead_cycles = 32,		/* descriptor fetch + fill */
		.overlap = true,		/* double-buffered streaming */
		.pb_bytes = 2u << 20,		/* 2 MiB of 3.375 MiB URAM */
		.pb_entries = 1024,
		.act_sram_bytes = (27u << 20) / 8 - (2u << 20),	/* URAM left */
		.e_mac_fj = 300,		/* 8b mul 0.2 pJ + 32b add 0.1 pJ */
		.e_dram_fj = 160000,		/* 640 pJ per 32-bit access */
		.e_pb_fj = 12500,		/* 1 MB SRAM: 100 pJ per 64 bit */
		.e_buf_fj = 1250,		/* 8 KB SRAM: 10 pJ per 64 bit */
		.p_static_uw = 0,		/* not modelled by default */
	};
}

int sushi_model_config_check(const struct sushi_model_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	if (!cfg->pe_k || cfg->pe_k > SUSHI_CFG_MAX_PE ||
	    !cfg->pe_c || cfg->pe_c > SUSHI_CFG_MAX_PE)
		return -EINVAL;
	if (cfg->clock_hz < SUSHI_CFG_MIN_CLOCK_HZ ||
	    cfg->clock_hz > SUSHI_CFG_MAX_CLOCK_HZ)
		return -EINVAL;
	if (!cfg->dram_bytes_per_cycle ||
	    cfg->dram_bytes_per_cycle > SUSHI_CFG_MAX_DRAM_BPC)
		return -EINVAL;
	if (cfg->overhead_cycles > SUSHI_CFG_MAX_OVERHEAD)
		return -EINVAL;
	/* the PB cannot hold more than the device can address */
	if (cfg->pb_bytes > (1ull << SUSHI_MMU_VA_BITS))
		return -EINVAL;
	if (!cfg->pb_entries || cfg->pb_entries > SUSHI_CFG_MAX_PB_ENTRIES)
		return -EINVAL;
	if (cfg->act_sram_bytes > SUSHI_CFG_MAX_ACT_SRAM)
		return -EINVAL;
	if (cfg->e_mac_fj > SUSHI_CFG_MAX_ENERGY ||
	    cfg->e_dram_fj > SUSHI_CFG_MAX_ENERGY ||
	    cfg->e_pb_fj > SUSHI_CFG_MAX_ENERGY ||
	    cfg->e_buf_fj > SUSHI_CFG_MAX_ENERGY ||
	    cfg->p_static_uw > SUSHI_CFG_MAX_ENERGY)
		return -EINVAL;
	return 0;
}
