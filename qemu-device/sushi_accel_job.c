/*
 * sushi_accel_job.c - the sushi-accel command ring engine.  A guarded bottom
 * half takes ONE ring entry, validates it, does all of its work (descriptor
 * and tensor DMA through the device MMU, int8 compute by the model library,
 * output DMA, PB loads) and its modelled cost; a QEMU_CLOCK_VIRTUAL timer
 * then publishes the completion record at exactly start + modelled latency,
 * advances RING_HEAD / PROGRESS / counters, raises the interrupt and starts
 * the next entry (jobs run back to back).  Every guest-supplied field is
 * checked before use; every failure becomes a status, never an abort.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/pci/pci_device.h"
#include "sushi_accel.h"
#include "trace.h"

/* ---------------------------------------------------------------- helpers */

static void sushi_job_fail(SushiJobResult *res, uint32_t status,
                           uint32_t layer, uint64_t fault)
{
    res->status = status;
    res->layer = layer;
    res->fault_addr = fault;
}

static uint32_t sushi_pb_errno_status(int rc)
{
    switch (rc) {
    case -ENOSPC:
        return SUSHI_HW_ST_PB_NO_SPACE;
    case -EEXIST:
        return SUSHI_HW_ST_PB_OVERLAP;
    case -ENFILE:
        return SUSHI_HW_ST_PB_TABLE_FULL;
    default:            /* -EINVAL, -EOVERFLOW: malformed range */
        return SUSHI_HW_ST_BAD_ENTRY;
    }
}

/* A range the MMU could never map: fail before allocating host memory. */
static bool sushi_va_range_ok(uint64_t dva, uint64_t len, uint64_t *fault)
{
    const uint64_t va = 1ull << SUSHI_MMU_VA_BITS;

    if (len <= va && dva <= va - len) {
        return true;
    }
    *fault = dva >= va ? dva : va;
    return false;
}

/* ------------------------------------------------------------------ NOP */

static void sushi_exec_nop(SushiAccelState *s,
                           const struct sushi_hw_ring_entry *e,
                           SushiJobResult *res)
{
    for (int i = 0; i < 5; i++) {
        if (e->arg.raw[i]) {
            sushi_job_fail(res, SUSHI_HW_ST_BAD_ENTRY, 0, 0);
            return;
        }
    }
}

/* -------------------------------------------------------------- PB_LOAD */

static void sushi_exec_pb_load(SushiAccelState *s,
                               const struct sushi_hw_ring_entry *e,
                               SushiJobResult *res)
{
    struct sushi_pb_range r = {
        .dva = le64_to_cpu(e->arg.pb_load.src),
        .row_stride = le64_to_cpu(e->arg.pb_load.row_stride),
        .row_bytes = le32_to_cpu(e->arg.pb_load.row_bytes),
        .rows = le32_to_cpu(e->arg.pb_load.rows),
        .pb_offset = le64_to_cpu(e->arg.pb_load.pb_offset),
    };
    uint64_t bytes, fault = 0;
    uint8_t *buf;
    uint32_t st = SUSHI_HW_ST_OK;
    int rc;

    if (e->arg.raw[4] || r.rows == 0 || r.row_bytes == 0) {
        sushi_job_fail(res, SUSHI_HW_ST_BAD_ENTRY, 0, 0);
        goto out;
    }
    rc = sushi_pb_check_load(s->pb, &r);
    if (rc) {
        sushi_job_fail(res, sushi_pb_errno_status(rc), 0, 0);
        goto out;
    }
    /* check_load bounded rows * row_bytes by the PB capacity */
    bytes = (uint64_t)r.rows * r.row_bytes;
    if (!sushi_va_range_ok(r.dva, (uint64_t)(r.rows - 1) * r.row_stride +
                           r.row_bytes, &fault)) {
        sushi_job_fail(res, SUSHI_HW_ST_PAGE_FAULT, 0, fault);
        goto out;
    }
    buf = g_try_malloc(bytes);
    if (!buf) {
        sushi_job_fail(res, SUSHI_HW_ST_PB_NO_SPACE, 0, 0);
        goto out;
    }
    for (uint32_t i = 0; i < r.rows && !st; i++) {
        st = sushi_mmu_read(s, r.dva + (uint64_t)i * r.row_stride,
                            buf + (uint64_t)i * r.row_bytes,
                            r.row_bytes, &fault);
    }
    if (st) {
        sushi_job_fail(res, st, 0, fault);
    } else {
        rc = sushi_pb_insert(s->pb, &r, buf);
        if (rc) {
            sushi_job_fail(res, sushi_pb_errno_status(rc), 0, 0);
        }
    }
    g_free(buf);
    if (!res->status) {
        sushi_model_pb_load_cost(&s->cfg, bytes, &res->cost);
    }
out:
    trace_sushi_pb_load(r.dva, r.rows, r.row_bytes, r.pb_offset,
                        res->status);
}

/* -------------------------------------------------------- PB_INVALIDATE */

static void sushi_exec_pb_inval(SushiAccelState *s,
                                const struct sushi_hw_ring_entry *e,
                                SushiJobResult *res)
{
    uint64_t dva = le64_to_cpu(e->arg.pb_inval.dva);
    uint64_t len = le64_to_cpu(e->arg.pb_inval.len);
    uint32_t n;

    if (e->arg.raw[2] || e->arg.raw[3] || e->arg.raw[4]) {
        sushi_job_fail(res, SUSHI_HW_ST_BAD_ENTRY, 0, 0);
        return;
    }
    if (len == UINT64_MAX) {
        dva = 0;
    }
    n = sushi_pb_invalidate(s->pb, dva, len);
    trace_sushi_pb_invalidate(dva, len, n);
}

/* --------------------------------------------------------------- LAUNCH */

typedef struct SushiReadCtx {
    SushiAccelState *s;
    uint32_t status;
    uint64_t fault;
} SushiReadCtx;

/* sushi_pb_gather() callback: weight bytes not in the PB come via the MMU */
static int sushi_gather_read(void *opaque, uint64_t dva, uint64_t len,
                             uint8_t *dst)
{
    SushiReadCtx *c = opaque;

    c->status = sushi_mmu_read(c->s, dva, dst, len, &c->fault);
    return c->status ? -EFAULT : 0;
}

/* g_try_malloc that also succeeds for 0 bytes */
static void *sushi_try_alloc(uint64_t len)
{
    return len > SIZE_MAX - 1 ? NULL : g_try_malloc(len ? len : 1);
}

/*
 * A tensor of a layer into host memory: from the activation SRAM (checked
 * to lie inside it) or through the MMU.  Returns 0 or a status.
 */
static uint32_t sushi_tensor_read(SushiAccelState *s, bool sram,
                                  uint64_t addr, int8_t *dst, uint64_t len,
                                  uint64_t *fault)
{
    if (sram) {
        memcpy(dst, s->act_sram + addr, len);
        return SUSHI_HW_ST_OK;
    }
    return sushi_mmu_read(s, addr, dst, len, fault);
}

/* Run one checked layer: returns 0 or a status (fault in *fault). */
static uint32_t sushi_run_layer(SushiAccelState *s,
                                const struct sushi_hw_layer *l,
                                const struct sushi_layer_geom *g,
                                uint64_t *fault)
{
    g_autofree int8_t *in = NULL, *in2 = NULL, *w = NULL, *out = NULL;
    g_autofree uint8_t *epi = NULL;
    struct sushi_layer_io io = { 0 };
    SushiReadCtx ctx = { .s = s };
    bool in_sram = l->flags & SUSHI_LAYER_F_IN_SRAM;
    bool in2_sram = l->flags & SUSHI_LAYER_F_IN2_SRAM;
    bool out_sram = l->flags & SUSHI_LAYER_F_OUT_SRAM;
    uint32_t st;

    /* SRAM tensors were checked against the SRAM by sushi_layer_check_sram */
    if ((!in_sram && !sushi_va_range_ok(l->in_addr, g->in_bytes, fault)) ||
        (g->in2_bytes && !in2_sram &&
         !sushi_va_range_ok(l->in2_addr, g->in2_bytes, fault)) ||
        (!out_sram && !sushi_va_range_ok(l->out_addr, g->out_bytes, fault)) ||
        (g->w_rows && !sushi_va_range_ok(l->w_addr, g->w_span, fault)) ||
        (g->epi_bytes &&
         !sushi_va_range_ok(l->epi_addr, g->epi_bytes, fault))) {
        return SUSHI_HW_ST_PAGE_FAULT;
    }
    in = sushi_try_alloc(g->in_bytes);
    out = sushi_try_alloc(g->out_bytes);
    if (g->in2_bytes) {
        in2 = sushi_try_alloc(g->in2_bytes);
    }
    if (g->w_rows) {
        w = sushi_try_alloc(g->w_bytes);
    }
    if (g->epi_bytes) {
        epi = sushi_try_alloc(g->epi_bytes);
    }
    if (!in || !out || (g->in2_bytes && !in2) || (g->w_rows && !w) ||
        (g->epi_bytes && !epi)) {
        return SUSHI_HW_ST_BAD_LAYER;   /* too large for this host */
    }
    st = sushi_tensor_read(s, in_sram, l->in_addr, in, g->in_bytes, fault);
    if (!st && g->in2_bytes) {
        st = sushi_tensor_read(s, in2_sram, l->in2_addr, in2, g->in2_bytes,
                               fault);
    }
    if (!st && g->epi_bytes) {
        st = sushi_mmu_read(s, l->epi_addr, epi, g->epi_bytes, fault);
    }
    if (!st && g->w_rows) {
        if (sushi_pb_gather(s->pb, l->w_addr, l->w_stride,
                            g->w_row_bytes, g->w_rows, (uint8_t *)w,
                            sushi_gather_read, &ctx)) {
            st = ctx.status ? ctx.status : SUSHI_HW_ST_BAD_LAYER;
            *fault = ctx.fault;
        }
    }
    if (st) {
        return st;
    }
    io.in = in;
    io.in2 = in2;
    io.w = w;
    io.w_stride = g->w_row_bytes;
    io.epi = epi;
    io.out = out;
    if (sushi_layer_compute(l, &io, SUSHI_ISA_AUTO)) {
        return SUSHI_HW_ST_BAD_LAYER;   /* e.g. an epilogue shift > 62 */
    }
    /* the whole input is read before the output is written, as for DRAM */
    if (out_sram) {
        memcpy(s->act_sram + l->out_addr, out, g->out_bytes);
        return SUSHI_HW_ST_OK;
    }
    return sushi_mmu_write(s, l->out_addr, out, g->out_bytes, fault);
}

static void sushi_exec_launch(SushiAccelState *s,
                              const struct sushi_hw_ring_entry *e,
                              SushiJobResult *res)
{
    uint64_t addr = le64_to_cpu(e->arg.launch.layers);
    uint32_t n = le32_to_cpu(e->arg.launch.n_layers);
    uint32_t flags = le32_to_cpu(e->flags);
    g_autofree struct sushi_hw_layer *raw = NULL, *l = NULL;
    g_autofree struct sushi_layer_geom *g = NULL;
    uint64_t fault = 0;
    uint32_t st;

    if (e->arg.raw[2] || e->arg.raw[3] || e->arg.raw[4] ||
        n == 0 || n > s->max_layers) {
        sushi_job_fail(res, SUSHI_HW_ST_BAD_ENTRY, 0, 0);
        return;
    }
    if ((flags & SUSHI_CMD_F_CHECK_PB_GEN) &&
        le32_to_cpu(e->arg.launch.pb_gen) != s->pb_generation) {
        sushi_job_fail(res, SUSHI_HW_ST_STALE_PB, 0, 0);
        return;
    }
    /* n <= max_layers <= 65536: at most 8 MiB of descriptors */
    raw = g_new(struct sushi_hw_layer, n);
    l = g_new(struct sushi_hw_layer, n);
    g = g_new(struct sushi_layer_geom, n);
    st = sushi_mmu_read(s, addr, raw, (uint64_t)n * sizeof(*raw), &fault);
    if (st) {
        sushi_job_fail(res, st, 0, fault);
        return;
    }
    /* the whole list is validated before any layer runs */
    for (uint32_t i = 0; i < n; i++) {
        sushi_layer_from_le(&l[i], &raw[i]);
        if (sushi_layer_check_sram(&l[i], s->cfg.act_sram_bytes, &g[i])) {
            sushi_job_fail(res, SUSHI_HW_ST_BAD_LAYER, i, 0);
            return;
        }
    }
    /*
     * Activations do not outlive a job: the SRAM starts every LAUNCH
     * zeroed, so no job reads another's (isolation between tenants).
     */
    if (s->act_sram) {
        memset(s->act_sram, 0, s->cfg.act_sram_bytes);
    }
    for (uint32_t i = 0; i < n; i++) {
        struct sushi_cost c;

        if (sushi_model_layer_cost(&s->cfg, s->pb, &l[i], &c)) {
            sushi_job_fail(res, SUSHI_HW_ST_BAD_LAYER, i, 0);
            return;
        }
        st = sushi_run_layer(s, &l[i], &g[i], &fault);
        if (st) {
            sushi_job_fail(res, st, i, fault);
            return;
        }
        sushi_cost_add(&res->cost, &c);
    }
}

/* ------------------------------------------------------------- the ring */

static bool sushi_ring_pending(SushiAccelState *s)
{
    return (s->control & SUSHI_CONTROL_ENABLE) && !s->halted &&
           s->ring_head != s->ring_tail;
}

static bool sushi_ring_valid(SushiAccelState *s)
{
    return s->ring_size && is_power_of_2(s->ring_size) &&
           s->ring_size <= s->max_ring && !(s->ring_base & 63) &&
           s->ring_head < s->ring_size && s->ring_tail < s->ring_size;
}

static void sushi_ring_halt(SushiAccelState *s, uint32_t status,
                            uint64_t addr)
{
    trace_sushi_ring_halt(status, addr);
    s->halted = true;
    s->cnt[SUSHI_CNT_ERRORS]++;
    sushi_accel_record_error(s, status, addr);
}

static void sushi_exec_entry(SushiAccelState *s,
                             const struct sushi_hw_ring_entry *e,
                             SushiJobResult *res)
{
    uint32_t op = le32_to_cpu(e->opcode);
    uint32_t flags = le32_to_cpu(e->flags);
    uint32_t allowed = op == SUSHI_CMD_LAUNCH ? SUSHI_CMD_F_CHECK_PB_GEN : 0;

    memset(res, 0, sizeof(*res));
    if (op < SUSHI_CMD_NOP || op > SUSHI_CMD_LAUNCH) {
        sushi_job_fail(res, SUSHI_HW_ST_BAD_OPCODE, 0, 0);
    } else if ((flags & ~allowed) || (le64_to_cpu(e->compl_addr) & 7)) {
        sushi_job_fail(res, SUSHI_HW_ST_BAD_ENTRY, 0, 0);
    } else if (op == SUSHI_CMD_NOP) {
        sushi_exec_nop(s, e, res);
    } else if (op == SUSHI_CMD_PB_LOAD) {
        sushi_exec_pb_load(s, e, res);
    } else if (op == SUSHI_CMD_PB_INVALIDATE) {
        sushi_exec_pb_inval(s, e, res);
    } else {
        sushi_exec_launch(s, e, res);
    }
    /*
     * NOP, PB_INVALIDATE and every failed entry cost one job overhead on
     * top of what ran (a failed LAUNCH keeps the layers that completed).
     */
    if (res->status || op == SUSHI_CMD_NOP || op == SUSHI_CMD_PB_INVALIDATE) {
        struct sushi_cost c;

        sushi_model_simple_job_cost(&s->cfg, &c);
        sushi_cost_add(&res->cost, &c);
    }
}

/* Start the entry at RING_HEAD: all of its work, then arm the timer. */
static void sushi_job_start(SushiAccelState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    struct sushi_hw_ring_entry e;
    uint64_t addr, ns;
    MemTxResult r;

    if (s->busy || !sushi_ring_pending(s)) {
        s->have_next_start = false;
        return;
    }
    if (!sushi_ring_valid(s)) {
        sushi_ring_halt(s, SUSHI_HW_ST_BAD_RING, s->ring_base);
        s->have_next_start = false;
        return;
    }
    addr = s->ring_base + (uint64_t)s->ring_head * sizeof(e);
    r = pci_dma_read(pdev, addr, &e, sizeof(e));
    if (r != MEMTX_OK) {
        trace_sushi_dma_error(addr, "ring entry read");
        sushi_ring_halt(s, SUSHI_HW_ST_DMA_ERROR, addr);
        s->have_next_start = false;
        return;
    }
    s->busy = true;
    s->job_seqno = le64_to_cpu(e.seqno);
    s->job_compl_addr = le64_to_cpu(e.compl_addr);
    trace_sushi_job_start(s->ring_head, le32_to_cpu(e.opcode),
                          s->job_seqno, s->next_start_ns);
    sushi_exec_entry(s, &e, &s->job);
    ns = sushi_model_cycles_to_ns(&s->cfg, s->job.cost.cycles);
    s->deadline_ns = ns > (uint64_t)(INT64_MAX - s->next_start_ns) ?
                     INT64_MAX : s->next_start_ns + (int64_t)ns;
    s->have_next_start = false;
    timer_mod(&s->timer, s->deadline_ns);
}

/* Guarded bottom half: a doorbell (or ENABLE) made the ring runnable. */
static void sushi_job_bh(void *opaque)
{
    sushi_job_start(opaque);
}

static void sushi_write_completion(SushiAccelState *s, uint32_t status,
                                   const SushiJobResult *res)
{
    struct sushi_hw_completion c = {
        .status = cpu_to_le32(status),
        .layer = cpu_to_le32(res->layer),
        .seqno = cpu_to_le64(s->job_seqno),
        .cycles = cpu_to_le64(res->cost.cycles),
        .macs = cpu_to_le64(res->cost.macs),
        .dram_rd = cpu_to_le64(res->cost.dram_rd),
        .dram_wr = cpu_to_le64(res->cost.dram_wr),
        .pb_rd = cpu_to_le64(res->cost.pb_rd),
        .energy_fj = cpu_to_le64(res->cost.energy_fj),
        .offchip_fj = cpu_to_le64(res->cost.offchip_fj),
        .fault_addr = cpu_to_le64(res->fault_addr),
        .pb_gen = cpu_to_le32(s->pb_generation),
    };
    MemTxResult r;

    if (s->job_compl_addr & 7) {
        return;         /* BAD_ENTRY: reported through ERROR only */
    }
    r = pci_dma_write(PCI_DEVICE(s), s->job_compl_addr, &c, sizeof(c));
    if (r != MEMTX_OK) {
        trace_sushi_dma_error(s->job_compl_addr, "completion write");
        s->cnt[SUSHI_CNT_ERRORS]++;
        sushi_accel_record_error(s, SUSHI_HW_ST_DMA_ERROR,
                                 s->job_compl_addr);
    }
}

/* The modelled latency has elapsed: publish, then start the next entry. */
static void sushi_job_complete(SushiAccelState *s)
{
    const SushiJobResult *res = &s->job;

    if (!s->busy) {
        return;
    }
    trace_sushi_job_finish(s->job_seqno, res->status, res->cost.cycles,
                           s->deadline_ns);
    sushi_write_completion(s, res->status, res);
    s->cnt[SUSHI_CNT_JOBS]++;
    s->cnt[SUSHI_CNT_CYCLES] += res->cost.cycles;
    s->cnt[SUSHI_CNT_MACS] += res->cost.macs;
    s->cnt[SUSHI_CNT_DRAM_RD] += res->cost.dram_rd;
    s->cnt[SUSHI_CNT_DRAM_WR] += res->cost.dram_wr;
    s->cnt[SUSHI_CNT_PB_RD] += res->cost.pb_rd;
    s->cnt[SUSHI_CNT_ENERGY_FJ] += res->cost.energy_fj;
    s->ring_head = (s->ring_head + 1) & (s->ring_size - 1);
    s->progress++;
    s->busy = false;
    if (res->status) {
        s->cnt[SUSHI_CNT_ERRORS]++;
        sushi_accel_record_error(s, res->status, res->fault_addr);
    }
    sushi_accel_raise(s, SUSHI_INT_JOB);
    if (sushi_ring_pending(s)) {
        /*
         * Back to back: the next job starts when this one completed,
         * right here rather than one bottom-half hop later, so that
         * jobs follow the model exactly even while qtest (or icount)
         * warps the virtual clock past several deadlines.
         */
        s->have_next_start = true;
        s->next_start_ns = s->deadline_ns;
        sushi_job_start(s);
    }
}

/*
 * Timer callback.  It runs in the same main-loop context as the bottom half
 * and engages the same re-entrancy guard, so a completion record or a layer
 * output aimed at the device's own BAR fails as a DMA error instead of
 * re-entering the register file.
 */
static void sushi_job_timer(void *opaque)
{
    SushiAccelState *s = opaque;
    MemReentrancyGuard *guard = &DEVICE(s)->mem_reentrancy_guard;
    bool engaged = guard->engaged_in_io;

    guard->engaged_in_io = true;
    sushi_job_complete(s);
    guard->engaged_in_io = engaged;
}

void sushi_job_kick(SushiAccelState *s)
{
    if (s->busy || s->have_next_start || !sushi_ring_pending(s)) {
        return;
    }
    /* a job made runnable by a doorbell starts at the doorbell */
    s->have_next_start = true;
    s->next_start_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    qemu_bh_schedule(s->bh);
}

void sushi_job_stop(SushiAccelState *s, bool write_aborted)
{
    timer_del(&s->timer);
    qemu_bh_cancel(s->bh);
    if (s->busy && write_aborted) {
        SushiJobResult none = { 0 };

        sushi_write_completion(s, SUSHI_HW_ST_ABORTED, &none);
    }
    s->busy = false;
    s->have_next_start = false;
}

void sushi_job_init(SushiAccelState *s)
{
    s->bh = qemu_bh_new_guarded(sushi_job_bh, s,
                                &DEVICE(s)->mem_reentrancy_guard);
    timer_init_ns(&s->timer, QEMU_CLOCK_VIRTUAL, sushi_job_timer, s);
}

void sushi_job_fini(SushiAccelState *s)
{
    timer_del(&s->timer);
    qemu_bh_delete(s->bh);
    s->bh = NULL;
}
