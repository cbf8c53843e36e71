/*
 * sushi_accel.h - internal interface of the sushi-accel PCIe device: the
 * device state shared by the register file (sushi_accel.c), the device MMU
 * (sushi_accel_mmu.c) and the command ring engine (sushi_accel_job.c).
 * The guest-visible interface is hw/sushi_accel_hw.h in the SUSHI checkout;
 * Documentation/hardware/registers.rst describes it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_SUSHI_ACCEL_H
#define HW_SUSHI_ACCEL_H

#include "hw/pci/pci_device.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qom/object.h"

#include "sushi_model.h"

#define TYPE_SUSHI_ACCEL "sushi-accel"
OBJECT_DECLARE_SIMPLE_TYPE(SushiAccelState, SUSHI_ACCEL)

/* PCI class 0x12 sub 0x00: processing accelerator (not in QEMU's pci_ids.h) */
#define SUSHI_PCI_CLASS_ACCEL           0x1200

/* Device defaults that are not part of the model configuration. */
#define SUSHI_DEV_DEFAULT_MAX_RING      4096u   /* ring entries */
#define SUSHI_DEV_DEFAULT_MAX_LAYERS    1024u   /* descriptors per LAUNCH */
#define SUSHI_DEV_LIMIT_MAX_RING        65536u
#define SUSHI_DEV_LIMIT_MAX_LAYERS      65536u
/* activations a layer holds at once: output rows and their input rows */
#define SUSHI_DEV_TILE_BYTES            (1u << 20)

/* Indices of the 64-bit counters at SUSHI_REG_CNT_JOBS + 8 * i. */
enum {
    SUSHI_CNT_JOBS,
    SUSHI_CNT_CYCLES,
    SUSHI_CNT_MACS,
    SUSHI_CNT_DRAM_RD,
    SUSHI_CNT_DRAM_WR,
    SUSHI_CNT_PB_RD,
    SUSHI_CNT_ENERGY_FJ,
    SUSHI_CNT_ERRORS,
    SUSHI_CNT_NUM
};

/**
 * struct SushiJobResult - outcome of one ring entry, computed by the worker
 * thread and published at the modelled completion time
 * @status: enum sushi_hw_status
 * @layer: failing layer index (LAUNCH)
 * @fault_addr: faulting device or bus address (PAGE_FAULT, DMA_ERROR)
 * @cost: modelled cost (what ran before a failure, plus the job overhead)
 */
typedef struct SushiJobResult {
    uint32_t status;
    uint32_t layer;
    uint64_t fault_addr;
    struct sushi_cost cost;
} SushiJobResult;

struct SushiAccelState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    char *trace_id;     /* "<id or sushi-accel>@<slot>.<fn>" in trace events */
    QEMUBH *bh;         /* starts the entry at RING_HEAD */
    QEMUBH *done_bh;    /* the worker finished a job (asynchronous mode) */
    QEMUTimer timer;    /* publishes a job at its modelled completion */

    /* properties */
    struct sushi_model_config cfg;
    uint32_t max_ring;
    uint32_t max_layers;
    uint64_t work_budget;       /* host work units per job */
    uint64_t mem_budget;        /* host bytes per job */

    /*
     * The worker thread runs one job at a time without the BQL: it owns
     * pb, act_sram and job while w_busy; everything else it reads is
     * constant while it runs (properties, the latched job_* fields).
     * w_lock protects the w_* fields; the BQL holder waits on w_cond only
     * for a worker that never takes the BQL (its DMA reaches RAM only).
     */
    QemuThread worker;
    QemuMutex w_lock;
    QemuCond w_cond;
    bool w_busy;        /* a job handed to the worker and not yet collected */
    bool w_done;        /* the worker finished it */
    bool w_exit;        /* the worker thread must return */
    bool w_cancel;      /* abandon the job at the next check (atomic) */
    bool sync;          /* qtest or icount: wait for the worker, see job.c */
    struct sushi_hw_ring_entry w_entry;
    uint64_t job_pt_root;       /* PT_ROOT latched at the job's start */
    uint32_t job_pb_gen;        /* PB_GENERATION at the job's start */

    /* Persistent Buffer (SRAM content and pin table) */
    struct sushi_pb *pb;
    /* activation SRAM (cfg.act_sram_bytes; NULL when 0) */
    uint8_t *act_sram;

    /* registers */
    uint32_t control;
    uint32_t int_status;
    uint32_t int_mask;
    uint32_t error;
    uint64_t error_addr;
    uint32_t progress;
    uint32_t pb_generation;
    bool halted;
    uint64_t ring_base;
    uint32_t ring_size;
    uint32_t ring_head;
    uint32_t ring_tail;
    uint64_t pt_root;
    uint64_t cnt[SUSHI_CNT_NUM];
    uint32_t cnt_hi_latch[SUSHI_CNT_NUM];

    /* the job in flight (from its start to its publication) */
    bool busy;
    bool have_next_start;
    int64_t next_start_ns;      /* start of the next job when back to back */
    int64_t job_start_ns;       /* the job's start in model time */
    bool job_collected;         /* the worker's result is in job */
    int64_t deadline_ns;
    uint64_t job_seqno;
    uint64_t job_compl_addr;
    SushiJobResult job;
};

/* sushi_accel.c */
void sushi_accel_raise(SushiAccelState *s, uint32_t bits);
void sushi_accel_record_error(SushiAccelState *s, uint32_t status,
                              uint64_t addr);

/* sushi_accel_mmu.c: DMA through the device MMU (0 or a SUSHI_HW_ST_*) */
extern const MemTxAttrs sushi_dma_attrs;
uint32_t sushi_mmu_read(SushiAccelState *s, uint64_t dva, void *buf,
                        uint64_t len, uint64_t *fault);
uint32_t sushi_mmu_write(SushiAccelState *s, uint64_t dva, const void *buf,
                         uint64_t len, uint64_t *fault);

/* sushi_accel_job.c */
bool sushi_job_init(SushiAccelState *s, Error **errp);
void sushi_job_fini(SushiAccelState *s);
void sushi_job_kick(SushiAccelState *s);
void sushi_job_stop(SushiAccelState *s, bool write_aborted);

#endif /* HW_SUSHI_ACCEL_H */
