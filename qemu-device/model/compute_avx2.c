// SPDX-License-Identifier: MIT
/*
 * compute_avx2.c - AVX2 kernels (placeholder table: every op falls back to
 * the reference until the fast kernels land).
 */
#include "model_internal.h"

const struct sushi_kernel_set sushi_kernels_avx2 = {
	.name = "avx2",
};
