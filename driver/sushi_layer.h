/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_layer.h - the driver's interface to layer descriptors
 * (sushi_layer.c): which buffers a layer uses, validation with the
 * device's own checks, and encoding of the device's descriptor.
 */
#ifndef SUSHI_LAYER_H
#define SUSHI_LAYER_H

#include <linux/types.h>

#include <drm/sushi_accel.h>

#include "sushi_accel_hw.h"
#include "sushi_host_cost.h"

/* The five buffers a layer names, in this order. */
enum sushi_ref {
	SUSHI_REF_IN,
	SUSHI_REF_IN2,
	SUSHI_REF_OUT,
	SUSHI_REF_W,
	SUSHI_REF_EPI,
	SUSHI_REF_COUNT
};

bool sushi_layer_uses(u32 op, enum sushi_ref ref);
bool sushi_layer_in_sram(const struct drm_sushi_layer *u, enum sushi_ref ref);
int sushi_layer_validate(const struct drm_sushi_layer *u, u32 pb_entries,
			 u64 len[SUSHI_REF_COUNT], struct sushi_host_cost *hc);
void sushi_layer_encode(const struct drm_sushi_layer *u,
			const u64 dva[SUSHI_REF_COUNT],
			struct sushi_hw_layer *le);

#endif /* SUSHI_LAYER_H */
