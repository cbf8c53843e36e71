// SPDX-License-Identifier: MIT
/*
 * isa.c - run-time choice of the compute kernel family from CPUID.
 */
#include "model_internal.h"

bool sushi_isa_supported(enum sushi_isa isa)
{
	switch (isa) {
	case SUSHI_ISA_REF:
	case SUSHI_ISA_AUTO:
		return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	case SUSHI_ISA_AVX2:
		return __builtin_cpu_supports("avx2");
	case SUSHI_ISA_AVX512:
		return __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl") &&
		       __builtin_cpu_supports("avx512vnni");
#endif
	default:
		return false;
	}
}

enum sushi_isa sushi_isa_best(void)
{
	if (sushi_isa_supported(SUSHI_ISA_AVX512))
		return SUSHI_ISA_AVX512;
	if (sushi_isa_supported(SUSHI_ISA_AVX2))
		return SUSHI_ISA_AVX2;
	return SUSHI_ISA_REF;
}

const char *sushi_isa_name(enum sushi_isa isa)
{
	switch (isa) {
	case SUSHI_ISA_REF:
		return "ref";
	case SUSHI_ISA_AVX2:
		return "avx2";
	case SUSHI_ISA_AVX512:
		return "avx512-vnni";
	case SUSHI_ISA_AUTO:
		return "auto";
	}
	return "unknown";
}
