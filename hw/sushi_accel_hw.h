/* SPDX-License-Identifier: MIT */
/*
 * sushi_accel_hw.h - the SushiAccel hardware interface, the one header shared
 * by the QEMU device model (qemu-device/), the model library
 * (qemu-device/model/) and the kernel driver (driver/).
 *
 * It owns: the layer descriptor the DPE array executes, the per-channel
 * epilogue record, the BAR0 register map, the command ring entry, the
 * completion record, the device MMU page-table format and the status codes.
 * Every multi-byte field in guest memory is little-endian.  Documentation:
 * Documentation/hardware/ (model.rst, registers.rst).
 */
#ifndef SUSHI_ACCEL_HW_H
#define SUSHI_ACCEL_HW_H

#include <linux/types.h>

/* ---------------------------------------------------------------- PCI */
#define SUSHI_PCI_VENDOR_ID		0x1af4
#define SUSHI_PCI_DEVICE_ID		0x10f0
#define SUSHI_PCI_REVISION		0x01
#define SUSHI_BAR_REGS			0	/* 64-bit memory BAR, registers */
#define SUSHI_BAR_MSIX			2	/* MSI-X table and PBA */
#define SUSHI_BAR_REGS_SIZE		0x1000
#define SUSHI_MSIX_VECTORS		2
#define SUSHI_MSIX_VEC_JOB		0	/* job completion */
#define SUSHI_MSIX_VEC_ERROR		1	/* error (fault, bad ring) */

/* ------------------------------------------------------- layer descriptor */
/**
 * enum sushi_hw_op - operation of one layer descriptor
 * @SUSHI_OP_CONV: k x k convolution with groups (depthwise when groups ==
 *	in_c == out_c)
 * @SUSHI_OP_FC: fully connected layer on a 1x1 input of in_c features
 * @SUSHI_OP_ADD: element-wise residual add of two tensors with requantization
 * @SUSHI_OP_AVGPOOL: k x k average pooling (padding excluded from the count)
 * @SUSHI_OP_MAXPOOL: k x k max pooling (padding ignored)
 * @SUSHI_OP_GAP: global average pooling to 1x1
 * @SUSHI_OP_COUNT: number of operations (not an operation)
 */
enum sushi_hw_op {
	SUSHI_OP_CONV = 1,
	SUSHI_OP_FC = 2,
	SUSHI_OP_ADD = 3,
	SUSHI_OP_AVGPOOL = 4,
	SUSHI_OP_MAXPOOL = 5,
	SUSHI_OP_GAP = 6,
	SUSHI_OP_COUNT
};

/* Hardware limits a descriptor must respect (see model.rst, validation). */
#define SUSHI_HW_MAX_DIM		16384	/* in_h, in_w, out_h, out_w */
#define SUSHI_HW_MAX_CHANNELS		65536	/* in_c, out_c */
#define SUSHI_HW_MAX_KERNEL		7	/* conv: 1, 3, 5, 7 */
#define SUSHI_HW_MAX_POOL_KERNEL	8	/* pooling: 1..8 */
#define SUSHI_HW_MAX_STRIDE		8	/* conv: 1, 2; pooling: 1..8 */
#define SUSHI_HW_MAX_REDUCTION		65536	/* (in_c / groups) * k * k */
#define SUSHI_HW_MAX_SHIFT		62	/* requantization right shift */
/*
 * Work per layer: out_c * out_h * out_w * reduction MACs at most 2^34 (OFA-
 * ResNet50's largest layer is about 2^28), so no descriptor can make the
 * device model compute for hours under QEMU's big lock.
 */
#define SUSHI_HW_MAX_LAYER_MACS		(1ull << 34)

/*
 * Per-job host budgets of the device model (qemu-device/model/host_cost.c
 * computes what a job needs; Documentation/hardware/model.rst, "Host
 * budgets").  Work is counted in units of one dense int8 MAC on the host's
 * SIMD kernels; the other operations weigh what they cost the host beside
 * it: a depthwise MAC, a pooling tap or element-wise op, a byte moved or
 * staged, a PB table step, a piece a PB weight gather copies.  Memory is
 * the host bytes the largest layer needs at once.  The defaults are far
 * above any legal SubNet of the shipped SuperNets; the device's properties
 * may lower or raise them up to the limits.
 */
#define SUSHI_HW_WORK_PER_DW_MAC	16
#define SUSHI_HW_WORK_PER_TAP		32
#define SUSHI_HW_WORK_PER_BYTE		2
#define SUSHI_HW_WORK_PER_PB_STEP	4
#define SUSHI_HW_WORK_PER_PIECE		64
#define SUSHI_HW_DEFAULT_WORK_BUDGET	(1ull << 36)
#define SUSHI_HW_DEFAULT_MEM_BUDGET	(256ull << 20)
#define SUSHI_HW_MAX_WORK_BUDGET	(1ull << 40)
#define SUSHI_HW_MAX_MEM_BUDGET		(16ull << 30)

/*
 * The descriptor's fields in order, the one list both layouts come from:
 * struct sushi_hw_layer (little-endian, in memory) below and the host-order
 * struct sushi_layer_desc the validation reads (sushi_layer_check.h).
 * F32(name) is a 32-bit field, F64(name) a 64-bit one.
 */
#define SUSHI_HW_LAYER_FIELDS(F32, F64)					\
	F32(op) F32(flags) F32(in_c) F32(in_h) F32(in_w) F32(out_c)	\
	F32(out_h) F32(out_w) F32(kernel) F32(stride) F32(pad)		\
	F32(groups) F32(in_zp) F32(in2_zp) F32(out_zp) F32(act_min)	\
	F32(act_max) F32(add_shift) F32(add_mult_a) F32(add_mult_b)	\
	F64(in_addr) F64(in2_addr) F64(out_addr) F64(w_addr)		\
	F64(w_stride) F64(epi_addr)

#define SUSHI_HW_LE32(f)	__le32 f;
#define SUSHI_HW_LE64(f)	__le64 f;

/**
 * struct sushi_hw_layer - one layer as the DPE array executes it (128 bytes)
 * @op: enum sushi_hw_op
 * @flags: SUSHI_LAYER_F_* placement bits; other bits must be zero
 * @in_c: input channels
 * @in_h: input height
 * @in_w: input width
 * @out_c: output channels
 * @out_h: output height; must equal (in_h + 2 * pad - kernel) / stride + 1
 * @out_w: output width; must equal (in_w + 2 * pad - kernel) / stride + 1
 * @kernel: window size k (square) for CONV and pooling; 1 for FC; 0 for ADD
 *	and GAP
 * @stride: window stride; 1 for FC, ADD and GAP
 * @pad: zero padding on every side, < kernel
 * @groups: convolution groups; in_c and out_c are multiples of it; 1 for
 *	every other op
 * @in_zp: zero point of the input, in [-128, 127] (two's complement in a
 *	32-bit field)
 * @in2_zp: zero point of the second ADD input, 0 for every other op
 * @out_zp: zero point of the output, in [-128, 127]
 * @act_min: lower clamp of the output (ReLU: out_zp), in [-128, act_max]
 * @act_max: upper clamp of the output, in [act_min, 127]
 * @add_shift: ADD only: right shift of the requantization, 0..62
 * @add_mult_a: ADD only: signed multiplier of the first input
 * @add_mult_b: ADD only: signed multiplier of the second input
 * @in_addr: device address of the input tensor (NHWC, int8, dense), or
 *	its offset in the activation SRAM with SUSHI_LAYER_F_IN_SRAM
 * @in2_addr: device address (or SRAM offset, SUSHI_LAYER_F_IN2_SRAM) of the
 *	second ADD input, 0 otherwise
 * @out_addr: device address of the output tensor (NHWC, int8, dense), or
 *	its offset in the activation SRAM with SUSHI_LAYER_F_OUT_SRAM
 * @w_addr: CONV/FC: device address of the first weight row; 0 otherwise
 * @w_stride: CONV/FC: bytes between weight rows (one row per output channel,
 *	holding (in_c / groups) * kernel * kernel bytes in [c][ky][kx] order);
 *	at least the row length, so that a SubNet's rows are a strided prefix
 *	of the SuperNet's rows
 * @epi_addr: CONV/FC: device address of out_c &struct sushi_hw_epilogue
 *	records; 0 otherwise
 */
struct sushi_hw_layer {
	SUSHI_HW_LAYER_FIELDS(SUSHI_HW_LE32, SUSHI_HW_LE64)
};

/*
 * Tensor placement (struct sushi_hw_layer.flags): a tensor whose bit is set
 * lives in the on-chip activation SRAM (CAP_ACT_SRAM bytes) at the offset
 * its address field holds and never crosses the chip boundary; otherwise it
 * is in device memory at that address.  IN2 only for ADD.
 */
#define SUSHI_LAYER_F_IN_SRAM		(1u << 0)
#define SUSHI_LAYER_F_IN2_SRAM		(1u << 1)
#define SUSHI_LAYER_F_OUT_SRAM		(1u << 2)
#define SUSHI_LAYER_F_MASK		0x7u

/*
 * struct sushi_layer_desc - the same descriptor in host byte order: what
 * the shared validation (sushi_layer_desc_check()) reads.
 */
#define SUSHI_HW_U32(f)		__u32 f;
#define SUSHI_HW_U64(f)		__u64 f;

struct sushi_layer_desc {
	SUSHI_HW_LAYER_FIELDS(SUSHI_HW_U32, SUSHI_HW_U64)
};

/**
 * struct sushi_hw_epilogue - per-output-channel requantization (12 bytes)
 * @bias: int32 bias added to the exact accumulator
 * @mult: signed fixed-point multiplier
 * @shift: rounding right shift, 0..62
 *
 * out = clamp(out_zp + round_half_away((acc + bias) * mult / 2^shift)).
 */
struct sushi_hw_epilogue {
	__le32 bias;
	__le32 mult;
	__le32 shift;
};

/* --------------------------------------------------------- BAR0 registers */
#define SUSHI_REG_ID			0x000	/* RO: SUSHI_HW_ID */
#define SUSHI_REG_VERSION		0x004	/* RO: interface version */
#define SUSHI_REG_STATUS		0x008	/* RO: SUSHI_STATUS_* */
#define SUSHI_REG_CONTROL		0x00c	/* RW: SUSHI_CONTROL_* */
#define SUSHI_REG_INT_STATUS		0x010	/* RW1C: SUSHI_INT_* */
#define SUSHI_REG_INT_MASK		0x014	/* RW: 1 = enabled */
#define SUSHI_REG_ERROR			0x018	/* RO: last SUSHI_HW_ST_* error */
#define SUSHI_REG_ERROR_ADDR_LO		0x020	/* RO: faulting address */
#define SUSHI_REG_ERROR_ADDR_HI		0x024
#define SUSHI_REG_PROGRESS		0x028	/* RO: entries completed */
#define SUSHI_REG_PB_GENERATION		0x02c	/* RO: bumped by every reset */
#define SUSHI_REG_RING_BASE_LO		0x040	/* RW: bus address, 64-B aligned */
#define SUSHI_REG_RING_BASE_HI		0x044
#define SUSHI_REG_RING_SIZE		0x048	/* RW: entries, power of two */
#define SUSHI_REG_RING_HEAD		0x04c	/* RO: next entry the device reads */
#define SUSHI_REG_RING_TAIL		0x050	/* RW: doorbell */
#define SUSHI_REG_PT_ROOT_LO		0x058	/* RW: bus address of the L1 table */
#define SUSHI_REG_PT_ROOT_HI		0x05c

/* Device-wide counters, 64-bit, read LO then HI (HI latched by the LO read) */
#define SUSHI_REG_CNT_JOBS		0x100
#define SUSHI_REG_CNT_CYCLES		0x108
#define SUSHI_REG_CNT_MACS		0x110
#define SUSHI_REG_CNT_DRAM_RD		0x118
#define SUSHI_REG_CNT_DRAM_WR		0x120
#define SUSHI_REG_CNT_PB_RD		0x128
#define SUSHI_REG_CNT_ENERGY_FJ		0x130
#define SUSHI_REG_CNT_ERRORS		0x138

/* Capability block, read-only, 64-bit values as LO/HI pairs */
#define SUSHI_REG_CAP_PE_K		0x200	/* output-channel lanes (Kp) */
#define SUSHI_REG_CAP_PE_C		0x204	/* input-channel lanes (Cp) */
#define SUSHI_REG_CAP_WINDOW		0x208	/* taps per lane: 9 (3x3) */
#define SUSHI_REG_CAP_DRAM_BPC		0x20c	/* DRAM bytes per cycle */
#define SUSHI_REG_CAP_OVERHEAD		0x210	/* cycles per layer / job */
#define SUSHI_REG_CAP_FLAGS		0x214	/* SUSHI_CAP_F_* */
#define SUSHI_REG_CAP_PB_ENTRIES	0x218	/* PB table entries */
#define SUSHI_REG_CAP_MAX_LAYERS	0x21c	/* layers per LAUNCH */
#define SUSHI_REG_CAP_MAX_RING		0x220	/* ring entries */
#define SUSHI_REG_CAP_VA_BITS		0x224	/* device virtual address bits */
#define SUSHI_REG_CAP_CLOCK_HZ		0x240	/* 64-bit */
#define SUSHI_REG_CAP_PB_BYTES		0x248	/* 64-bit */
#define SUSHI_REG_CAP_E_MAC_FJ		0x250	/* 64-bit, fJ per MAC */
#define SUSHI_REG_CAP_E_DRAM_FJ		0x258	/* 64-bit, fJ per DRAM byte */
#define SUSHI_REG_CAP_E_PB_FJ		0x260	/* 64-bit, fJ per PB byte */
#define SUSHI_REG_CAP_E_BUF_FJ		0x268	/* 64-bit, fJ per buffer byte */
#define SUSHI_REG_CAP_P_STATIC_UW	0x270	/* 64-bit, static power in uW */
#define SUSHI_REG_CAP_ACT_SRAM		0x278	/* 64-bit, activation SRAM bytes */
#define SUSHI_REG_CAP_WORK_BUDGET	0x280	/* 64-bit, host work per job */
#define SUSHI_REG_CAP_MEM_BUDGET	0x288	/* 64-bit, host bytes per job */

#define SUSHI_HW_ID			0x53555348	/* "SUSH" */
#define SUSHI_HW_VERSION		0x00010002	/* 1.2: host budgets */

#define SUSHI_STATUS_READY		(1u << 0)
#define SUSHI_STATUS_BUSY		(1u << 1)
#define SUSHI_STATUS_HALTED		(1u << 2)	/* bad ring state */

#define SUSHI_CONTROL_ENABLE		(1u << 0)	/* process the ring */
#define SUSHI_CONTROL_RESET		(1u << 1)	/* self-clearing */

#define SUSHI_INT_JOB			(1u << 0)
#define SUSHI_INT_ERROR			(1u << 1)

#define SUSHI_CAP_F_OVERLAP		(1u << 0)	/* DRAM overlaps compute */

/* ----------------------------------------------------------- command ring */
/**
 * enum sushi_hw_opcode - command ring entry opcodes
 * @SUSHI_CMD_NOP: complete with status OK, costs the job overhead
 * @SUSHI_CMD_PB_LOAD: copy a strided device-address range into the PB and
 *	install it in the PB table
 * @SUSHI_CMD_PB_INVALIDATE: drop every PB entry whose range intersects
 *	[dva, dva + len)
 * @SUSHI_CMD_LAUNCH: run n_layers descriptors in order
 */
enum sushi_hw_opcode {
	SUSHI_CMD_NOP = 1,
	SUSHI_CMD_PB_LOAD = 2,
	SUSHI_CMD_PB_INVALIDATE = 3,
	SUSHI_CMD_LAUNCH = 4,
};

#define SUSHI_CMD_F_CHECK_PB_GEN	(1u << 0)	/* LAUNCH: check pb_gen */

/**
 * struct sushi_hw_ring_entry - one command ring entry (64 bytes)
 * @opcode: enum sushi_hw_opcode
 * @flags: SUSHI_CMD_F_*; other bits must be zero
 * @seqno: echoed in the completion record
 * @compl_addr: bus address (not translated) of the completion record,
 *	8-byte aligned
 * @arg: opcode-specific arguments, unused words zero
 * @arg.launch.layers: device address of the descriptor array
 * @arg.launch.n_layers: number of descriptors, 1..CAP_MAX_LAYERS
 * @arg.launch.pb_gen: expected PB generation (with CHECK_PB_GEN)
 * @arg.pb_load.src: device address of the first row
 * @arg.pb_load.row_stride: bytes between rows, >= row_bytes if rows > 1
 * @arg.pb_load.row_bytes: bytes per row, > 0
 * @arg.pb_load.rows: rows, > 0
 * @arg.pb_load.pb_offset: PB byte offset where the rows land, packed
 * @arg.pb_inval.dva: first device address of the range to invalidate
 * @arg.pb_inval.len: length of the range; ~0 invalidates everything
 * @arg.raw: the argument words as raw little-endian values
 */
struct sushi_hw_ring_entry {
	__le32 opcode;
	__le32 flags;
	__le64 seqno;
	__le64 compl_addr;
	union {
		struct {
			__le64 layers;
			__le32 n_layers;
			__le32 pb_gen;
		} launch;
		struct {
			__le64 src;
			__le64 row_stride;
			__le32 row_bytes;
			__le32 rows;
			__le64 pb_offset;
		} pb_load;
		struct {
			__le64 dva;
			__le64 len;
		} pb_inval;
		__le64 raw[5];
	} arg;
};

/**
 * enum sushi_hw_status - completion and error status codes
 * @SUSHI_HW_ST_OK: success
 * @SUSHI_HW_ST_BAD_OPCODE: unknown opcode
 * @SUSHI_HW_ST_BAD_ENTRY: reserved bits or unused argument words non-zero,
 *	or a bad argument (zero rows, zero layers, too many layers)
 * @SUSHI_HW_ST_BAD_LAYER: a layer descriptor failed validation
 * @SUSHI_HW_ST_PAGE_FAULT: a device address is not mapped, or a write hit a
 *	read-only page; ERROR_ADDR holds the address
 * @SUSHI_HW_ST_DMA_ERROR: a bus access failed; ERROR_ADDR holds the address
 * @SUSHI_HW_ST_PB_NO_SPACE: a PB load past the PB capacity
 * @SUSHI_HW_ST_PB_OVERLAP: a PB load overlapping a pinned range or PB bytes
 * @SUSHI_HW_ST_PB_TABLE_FULL: no free PB table entry
 * @SUSHI_HW_ST_STALE_PB: LAUNCH expected another PB generation
 * @SUSHI_HW_ST_BAD_RING: ring base, size or tail is invalid (register only)
 * @SUSHI_HW_ST_ABORTED: the job was stopped by a reset
 * @SUSHI_HW_ST_OVER_BUDGET: the job needs more host work or host memory
 *	than the device's per-job budgets (CAP_WORK_BUDGET, CAP_MEM_BUDGET);
 *	@layer names the layer that passed a budget
 */
enum sushi_hw_status {
	SUSHI_HW_ST_OK = 0,
	SUSHI_HW_ST_BAD_OPCODE = 1,
	SUSHI_HW_ST_BAD_ENTRY = 2,
	SUSHI_HW_ST_BAD_LAYER = 3,
	SUSHI_HW_ST_PAGE_FAULT = 4,
	SUSHI_HW_ST_DMA_ERROR = 5,
	SUSHI_HW_ST_PB_NO_SPACE = 6,
	SUSHI_HW_ST_PB_OVERLAP = 7,
	SUSHI_HW_ST_PB_TABLE_FULL = 8,
	SUSHI_HW_ST_STALE_PB = 9,
	SUSHI_HW_ST_BAD_RING = 10,
	SUSHI_HW_ST_ABORTED = 11,
	SUSHI_HW_ST_OVER_BUDGET = 12,
};

/**
 * struct sushi_hw_completion - completion record written by DMA (88 bytes)
 * @status: enum sushi_hw_status
 * @layer: index of the failing layer for LAUNCH errors, else 0
 * @seqno: the entry's seqno
 * @cycles: modelled cycles of the job
 * @macs: multiply-accumulates
 * @dram_rd: bytes read from DRAM
 * @dram_wr: bytes written to DRAM
 * @pb_rd: weight bytes read from the Persistent Buffer
 * @energy_fj: total modelled energy in femtojoules
 * @offchip_fj: off-chip (DRAM) part of @energy_fj
 * @fault_addr: faulting address for PAGE_FAULT and DMA_ERROR
 * @pb_gen: PB generation when the job ran
 * @rsvd: zero
 */
struct sushi_hw_completion {
	__le32 status;
	__le32 layer;
	__le64 seqno;
	__le64 cycles;
	__le64 macs;
	__le64 dram_rd;
	__le64 dram_wr;
	__le64 pb_rd;
	__le64 energy_fj;
	__le64 offchip_fj;
	__le64 fault_addr;
	__le32 pb_gen;
	__le32 rsvd;
};

/* ------------------------------------------------------------- device MMU */
/*
 * Two levels, 4 KiB pages, 30-bit device virtual addresses (1 GiB).
 * PT_ROOT holds the bus address of the L1 table (512 x 64-bit entries,
 * 4 KiB aligned); L1 index = dva[29:21], L2 index = dva[20:12].
 * An entry: bit 0 valid, bit 1 writable (L2 only), bits 51:12 the bus
 * address of the next table (L1) or of the page (L2); other bits zero.
 */
#define SUSHI_MMU_PAGE_SHIFT		12
#define SUSHI_MMU_PAGE_SIZE		(1u << SUSHI_MMU_PAGE_SHIFT)
#define SUSHI_MMU_VA_BITS		30
#define SUSHI_MMU_ENTRIES		512
#define SUSHI_MMU_L1_SHIFT		21
#define SUSHI_MMU_L2_SHIFT		12
#define SUSHI_MMU_IDX_MASK		0x1ffull
#define SUSHI_MMU_PTE_VALID		(1ull << 0)
#define SUSHI_MMU_PTE_WRITE		(1ull << 1)
#define SUSHI_MMU_PTE_ADDR_MASK		0x000ffffffffff000ull

#endif /* SUSHI_ACCEL_HW_H */
