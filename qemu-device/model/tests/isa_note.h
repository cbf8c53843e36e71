/* SPDX-License-Identifier: MIT */
/*
 * isa_note.h - the one loud line a model test prints when the AVX-512
 * kernels cannot run here (the CPU, or valgrind, reports no AVX-512 VNNI),
 * so a run that skipped them never reads as a pass of them.
 */
#ifndef SUSHI_ISA_NOTE_H
#define SUSHI_ISA_NOTE_H

#include <stdio.h>

#include "sushi_model.h"

static inline void isa_note_avx512(const char *test)
{
	if (sushi_isa_supported(SUSHI_ISA_AVX512))
		return;
	printf("# NOTE: %s: AVX-512 kernels NOT tested: this CPU (or valgrind, "
	       "which implements no AVX-512) lacks avx512f/bw/vl/vnni, and no "
	       "emulator in Debian 12 implements AVX-512 (checked: qemu-user "
	       "7.2 and 10.0.2 from bookworm-backports, whose TCG lists no "
	       "AVX512F in target/i386/cpu.c TCG_7_0_EBX_FEATURES; valgrind "
	       "3.19); run make model-test on an AVX-512 VNNI host\n", test);
}

#endif /* SUSHI_ISA_NOTE_H */
