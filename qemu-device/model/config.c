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
		.pe_k = SUSHI_CFG_DEF_PE_K,
		.pe_c = SUSHI_CFG_DEF_PE_C,
		.clock_hz = SUSHI_CFG_DEF_CLOCK_HZ,
		.dram_bytes_per_cycle = SUSHI_CFG_DEF_DRAM_BPC,
		.overhead_cycles = SUSHI_CFG_DEF_OVERHEAD,
		.overlap = SUSHI_CFG_DEF_OVERLAP,
		.pb_bytes = SUSHI_CFG_DEF_PB_BYTES,
		.pb_entries = SUSHI_CFG_DEF_PB_ENTRIES,
		.act_sram_bytes = SUSHI_CFG_DEF_ACT_SRAM,
		.e_mac_fj = SUSHI_CFG_DEF_E_MAC_FJ,
		.e_dram_fj = SUSHI_CFG_DEF_E_DRAM_FJ,
		.e_pb_fj = SUSHI_CFG_DEF_E_PB_FJ,
		.e_buf_fj = SUSHI_CFG_DEF_E_BUF_FJ,
		.p_static_uw = SUSHI_CFG_DEF_P_STATIC_UW,
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
