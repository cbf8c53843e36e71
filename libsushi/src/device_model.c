/* SPDX-License-Identifier: MIT */
/*
 * device_model.c - a device's capabilities as a model-library
 * configuration, so that the model prices work exactly as this device
 * instance runs it (its own object: users of the device layer that need
 * the model's view link only this and the model library).
 */
#include "sushi/netdev.h"
#include "sushi_model.h"

void sushi_caps_model_config(const struct sushi_caps *c,
			     struct sushi_model_config *cfg)
{
	if (!c || !cfg)
		return;
	sushi_model_config_default(cfg);
	cfg->pe_k = c->pe_k;
	cfg->pe_c = c->pe_c;
	cfg->clock_hz = c->clock_hz;
	cfg->dram_bytes_per_cycle = c->dram_bytes_per_cycle;
	cfg->overhead_cycles = c->overhead_cycles;
	cfg->overlap = !!(c->flags & SUSHI_CAP_OVERLAP);
	cfg->pb_bytes = c->pb_bytes;
	cfg->pb_entries = c->pb_entries ? c->pb_entries : 1;
	cfg->act_sram_bytes = c->act_sram_bytes;
	cfg->e_mac_fj = c->e_mac_fj;
	cfg->e_dram_fj = c->e_dram_fj;
	cfg->e_pb_fj = c->e_pb_fj;
	cfg->e_buf_fj = c->e_buf_fj;
	cfg->p_static_uw = c->p_static_uw;
}
