// SPDX-License-Identifier: MIT
/*
 * compute_avx512.c - AVX-512 VNNI kernels (placeholder table: every op falls back to
 * the reference until the fast kernels land).
 */
#include "model_internal.h"

const struct sushi_kernel_set sushi_kernels_avx512 = {
	.name = "avx512",
};
