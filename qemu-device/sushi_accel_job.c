/*
 * sushi_accel_job.c - the sushi-accel command ring engine.  A guarded bottom
 * half takes ONE ring entry and hands it to the device's worker thread,
 * which validates it against the layer rules and the per-job host budgets
 * and does all of its work without the BQL (descriptor and weight DMA
 * through the device MMU, activations streamed in bands of output rows
 * through int8 compute by the model library, PB loads) and its modelled
 * cost.  The result is published under the BQL
 * at start + modelled latency in QEMU_CLOCK_VIRTUAL (a timer; at once when
 * the worker finished later than that): completion record, RING_HEAD,
 * PROGRESS, counters, interrupt; then a bottom half starts the next entry
 * (jobs run back to back in model time).  Under qtest and -icount the
 * result is collected at a fixed virtual time, waiting for the worker if
 * need be, so what the guest sees depends on virtual time only
 * (Documentation/hardware/model.rst, "Threading").  Every
 * guest-supplied field is checked before use; every failure becomes a
 * status, never an abort.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "system/cpu-timers.h"
#include "system/qtest.h"
#include "exec/replay-core.h"
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

/* A reset asked the worker to give up its job. */
static bool sushi_cancelled(SushiAccelState *s)
{
    return qatomic_read(&s->w_cancel);
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
    /* a page walk per row, every byte once */
    if (bytes > s->mem_budget ||
        (uint64_t)r.rows * SUSHI_HW_WORK_PER_PIECE +
        bytes * SUSHI_HW_WORK_PER_BYTE > s->work_budget) {
        sushi_job_fail(res, SUSHI_HW_ST_OVER_BUDGET, 0, 0);
        goto out;
    }
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
        if (sushi_cancelled(s)) {
            st = SUSHI_HW_ST_ABORTED;
            break;
        }
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
    trace_sushi_pb_load(s->trace_id, r.dva, r.rows, r.row_bytes, r.pb_offset,
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
    trace_sushi_pb_invalidate(s->trace_id, dva, len, n);
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

    if (sushi_cancelled(c->s)) {
        c->status = SUSHI_HW_ST_ABORTED;
        return -ECANCELED;
    }
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

/* Where a streamed layer's tensors are: the activation SRAM or the MMU. */
typedef struct SushiStreamCtx {
    SushiAccelState *s;
    const struct sushi_hw_layer *l;
    uint32_t status;
    uint64_t fault;
} SushiStreamCtx;

/* sushi_layer_compute_streamed() callback: input rows of a band */
static int sushi_stream_read(void *opaque, int which, uint64_t off,
                             uint64_t len, int8_t *dst)
{
    SushiStreamCtx *c = opaque;
    const struct sushi_hw_layer *l = c->l;
    bool sram = l->flags & (which ? SUSHI_LAYER_F_IN2_SRAM :
                                    SUSHI_LAYER_F_IN_SRAM);

    if (sushi_cancelled(c->s)) {
        c->status = SUSHI_HW_ST_ABORTED;
        return -ECANCELED;
    }
    c->status = sushi_tensor_read(c->s, sram,
                                  (which ? l->in2_addr : l->in_addr) + off,
                                  dst, len, &c->fault);
    return c->status ? -EFAULT : 0;
}

/* sushi_layer_compute_streamed() callback: output rows of a band */
static int sushi_stream_write(void *opaque, uint64_t off, uint64_t len,
                              const int8_t *src)
{
    SushiStreamCtx *c = opaque;
    const struct sushi_hw_layer *l = c->l;

    if (l->flags & SUSHI_LAYER_F_OUT_SRAM) {
        /* inside the SRAM: sushi_layer_check_sram() checked the tensor */
        memcpy(c->s->act_sram + l->out_addr + off, src, len);
        return 0;
    }
    c->status = sushi_mmu_write(c->s, l->out_addr + off, src, len,
                                &c->fault);
    return c->status ? -EFAULT : 0;
}

/*
 * Run one checked layer: returns 0 or a status (fault in *fault).  The
 * weights and the epilogue are gathered whole; the activations stream
 * through in bands of output rows (at most SUSHI_DEV_TILE_BYTES of them
 * and their input rows at once, or one output row), read and written
 * through the MMU or the activation SRAM as the band needs them.
 */
static uint32_t sushi_run_layer(SushiAccelState *s,
                                const struct sushi_hw_layer *l,
                                const struct sushi_layer_geom *g,
                                uint64_t *pieces_left, uint64_t *fault)
{
    g_autofree int8_t *w = NULL;
    g_autofree uint8_t *epi = NULL;
    SushiStreamCtx sc = { .s = s, .l = l };
    struct sushi_stream_io io = {
        .read = sushi_stream_read,
        .write = sushi_stream_write,
        .opaque = &sc,
        .w_stride = g->w_row_bytes,
    };
    SushiReadCtx ctx = { .s = s };
    bool in_sram = l->flags & SUSHI_LAYER_F_IN_SRAM;
    bool in2_sram = l->flags & SUSHI_LAYER_F_IN2_SRAM;
    bool out_sram = l->flags & SUSHI_LAYER_F_OUT_SRAM;
    uint32_t st = SUSHI_HW_ST_OK;
    int rc;

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
    if (g->w_rows) {
        w = sushi_try_alloc(g->w_bytes);
        epi = sushi_try_alloc(g->epi_bytes);
        if (!w || !epi) {
            return SUSHI_HW_ST_OVER_BUDGET;  /* within budget, not this host */
        }
        st = sushi_mmu_read(s, l->epi_addr, epi, g->epi_bytes, fault);
    }
    if (!st && g->w_rows) {
        rc = sushi_pb_gather(s->pb, l->w_addr, l->w_stride,
                             g->w_row_bytes, g->w_rows, (uint8_t *)w,
                             sushi_gather_read, &ctx, pieces_left);
        if (rc == -E2BIG || rc == -ENOMEM) {
            st = SUSHI_HW_ST_OVER_BUDGET;
        } else if (rc) {
            st = ctx.status ? ctx.status : SUSHI_HW_ST_BAD_LAYER;
            *fault = ctx.fault;
        }
    }
    if (st) {
        return st;
    }
    io.w = w;
    io.epi = epi;
    rc = sushi_layer_compute_streamed(l, &io, SUSHI_DEV_TILE_BYTES,
                                      SUSHI_ISA_AUTO);
    if (!rc) {
        return SUSHI_HW_ST_OK;
    }
    if (sc.status) {
        *fault = sc.fault;
        return sc.status;
    }
    /* a host allocation failed, or an epilogue shift > 62 */
    return rc == -ENOMEM ? SUSHI_HW_ST_OVER_BUDGET : SUSHI_HW_ST_BAD_LAYER;
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
    struct sushi_host_cost hc;
    uint64_t fault = 0, desc_mem, pieces_left;
    uint32_t st;

    if (e->arg.raw[2] || e->arg.raw[3] || e->arg.raw[4] ||
        n == 0 || n > s->max_layers) {
        sushi_job_fail(res, SUSHI_HW_ST_BAD_ENTRY, 0, 0);
        return;
    }
    if ((flags & SUSHI_CMD_F_CHECK_PB_GEN) &&
        le32_to_cpu(e->arg.launch.pb_gen) != s->job_pb_gen) {
        sushi_job_fail(res, SUSHI_HW_ST_STALE_PB, 0, 0);
        return;
    }
    /* n <= max_layers <= 65536: at most 8 MiB of descriptors */
    sushi_job_host_cost_init(n, &hc);
    desc_mem = hc.mem;
    if (sushi_host_cost_over(&hc, s->work_budget, s->mem_budget)) {
        sushi_job_fail(res, SUSHI_HW_ST_OVER_BUDGET, 0, 0);
        return;
    }
    raw = g_new(struct sushi_hw_layer, n);
    l = g_new(struct sushi_hw_layer, n);
    g = g_new(struct sushi_layer_geom, n);
    st = sushi_mmu_read(s, addr, raw, (uint64_t)n * sizeof(*raw), &fault);
    if (st) {
        sushi_job_fail(res, st, 0, fault);
        return;
    }
    /* the whole list is validated, and its host cost bounded, first */
    for (uint32_t i = 0; i < n; i++) {
        struct sushi_host_cost lc;

        sushi_layer_from_le(&l[i], &raw[i]);
        if (sushi_layer_check_sram(&l[i], s->cfg.act_sram_bytes, &g[i])) {
            sushi_job_fail(res, SUSHI_HW_ST_BAD_LAYER, i, 0);
            return;
        }
        sushi_hw_layer_host_cost(&l[i], &g[i], s->cfg.pb_entries, &lc);
        sushi_job_host_cost_add(&hc, desc_mem, &lc);
        if (sushi_host_cost_over(&hc, s->work_budget, s->mem_budget)) {
            sushi_job_fail(res, SUSHI_HW_ST_OVER_BUDGET, i, 0);
            return;
        }
    }
    /* what is left of the work budget pays for the PB gathers' pieces */
    pieces_left = (s->work_budget - hc.work) / SUSHI_HW_WORK_PER_PIECE;
    /*
     * Activations do not outlive a job: the SRAM starts every LAUNCH
     * zeroed, so no job reads another's (isolation between tenants).
     */
    if (s->act_sram) {
        memset(s->act_sram, 0, s->cfg.act_sram_bytes);
    }
    for (uint32_t i = 0; i < n; i++) {
        struct sushi_cost c;

        if (sushi_cancelled(s)) {
            sushi_job_fail(res, SUSHI_HW_ST_ABORTED, i, 0);
            return;
        }
        if (sushi_model_layer_cost(&s->cfg, s->pb, &l[i], &c)) {
            sushi_job_fail(res, SUSHI_HW_ST_BAD_LAYER, i, 0);
            return;
        }
        st = sushi_run_layer(s, &l[i], &g[i], &pieces_left, &fault);
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
    trace_sushi_ring_halt(s->trace_id, status, addr);
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

/* ------------------------------------------------------- the worker */

/* The worker thread: one entry at a time, without the BQL. */
static void *sushi_worker(void *opaque)
{
    SushiAccelState *s = opaque;
    struct sushi_hw_ring_entry e;

    rcu_register_thread();
    qemu_mutex_lock(&s->w_lock);
    for (;;) {
        while (!s->w_exit && (!s->w_busy || s->w_done)) {
            qemu_cond_wait(&s->w_cond, &s->w_lock);
        }
        if (s->w_exit) {
            break;
        }
        e = s->w_entry;
        qemu_mutex_unlock(&s->w_lock);

        sushi_exec_entry(s, &e, &s->job);

        qemu_mutex_lock(&s->w_lock);
        s->w_done = true;
        qemu_cond_broadcast(&s->w_cond);
        if (!s->sync) {
            qemu_bh_schedule(s->done_bh);
        }
    }
    qemu_mutex_unlock(&s->w_lock);
    rcu_unregister_thread();
    return NULL;
}

/* Under the BQL: wait until the worker has finished its job. */
static void sushi_worker_wait(SushiAccelState *s)
{
    qemu_mutex_lock(&s->w_lock);
    while (s->w_busy && !s->w_done) {
        qemu_cond_wait(&s->w_cond, &s->w_lock);
    }
    s->w_busy = false;
    s->w_done = false;
    qatomic_set(&s->w_cancel, false);
    qemu_mutex_unlock(&s->w_lock);
}

/* ------------------------------------------------------------- publish */

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
    r = pci_dma_rw(PCI_DEVICE(s), s->job_compl_addr, &c, sizeof(c),
                   DMA_DIRECTION_FROM_DEVICE, sushi_dma_attrs);
    if (r != MEMTX_OK) {
        trace_sushi_dma_error(s->trace_id, s->job_compl_addr,
                              "completion write");
        s->cnt[SUSHI_CNT_ERRORS]++;
        sushi_accel_record_error(s, SUSHI_HW_ST_DMA_ERROR,
                                 s->job_compl_addr);
    }
}

/*
 * The modelled latency has elapsed and the worker is done: publish the
 * job.  The next entry starts from the start bottom half, at this job's
 * completion in model time.
 */
static void sushi_job_publish(SushiAccelState *s)
{
    const SushiJobResult *res = &s->job;

    trace_sushi_job_finish(s->trace_id, s->job_seqno, res->status,
                           res->cost.cycles, s->deadline_ns);
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
        s->have_next_start = true;
        s->next_start_ns = s->deadline_ns;
        qemu_bh_schedule(s->bh);
    }
}

/*
 * The worker's result is collected: publish now if its modelled completion
 * has passed, else at that time.  Returns true if published.
 */
static bool sushi_job_collected(SushiAccelState *s)
{
    uint64_t ns = sushi_model_cycles_to_ns(&s->cfg, s->job.cost.cycles);

    s->job_collected = true;
    s->deadline_ns = ns > (uint64_t)(INT64_MAX - s->job_start_ns) ?
                     INT64_MAX : s->job_start_ns + (int64_t)ns;
    if (s->deadline_ns <= qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL)) {
        sushi_job_publish(s);
        return true;
    }
    timer_mod(&s->timer, s->deadline_ns);
    return false;
}

/* ------------------------------------------------------------ the start */

/*
 * Synchronous mode (qtest, -icount): the earliest virtual time at which the
 * job could complete (its start plus one job overhead).  The timer fires
 * there and collects the worker's result, waiting for it if need be: the
 * main loop stays free while virtual time stands before it, and what the
 * guest sees depends on virtual time only.
 */
static int64_t sushi_job_sync_point(SushiAccelState *s)
{
    struct sushi_cost c;
    uint64_t ns;

    sushi_model_simple_job_cost(&s->cfg, &c);
    ns = MAX(sushi_model_cycles_to_ns(&s->cfg, c.cycles), 1);
    return ns > (uint64_t)(INT64_MAX - s->job_start_ns) ?
           INT64_MAX : s->job_start_ns + (int64_t)ns;
}

/*
 * Start the entry at RING_HEAD: hand it to the worker.  Returns true if
 * the job was also published (synchronous mode, catching up with a clock
 * that is already past its sync point).
 */
static bool sushi_job_start(SushiAccelState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    struct sushi_hw_ring_entry e;
    int64_t sync_ns;
    uint64_t addr;
    MemTxResult r;

    if (s->busy || !sushi_ring_pending(s)) {
        s->have_next_start = false;
        return false;
    }
    if (!sushi_ring_valid(s)) {
        sushi_ring_halt(s, SUSHI_HW_ST_BAD_RING, s->ring_base);
        s->have_next_start = false;
        return false;
    }
    addr = s->ring_base + (uint64_t)s->ring_head * sizeof(e);
    r = pci_dma_rw(pdev, addr, &e, sizeof(e), DMA_DIRECTION_TO_DEVICE,
                   sushi_dma_attrs);
    if (r != MEMTX_OK) {
        trace_sushi_dma_error(s->trace_id, addr, "ring entry read");
        sushi_ring_halt(s, SUSHI_HW_ST_DMA_ERROR, addr);
        s->have_next_start = false;
        return false;
    }
    s->busy = true;
    s->job_seqno = le64_to_cpu(e.seqno);
    s->job_compl_addr = le64_to_cpu(e.compl_addr);
    s->job_start_ns = s->next_start_ns;
    s->job_collected = false;
    s->have_next_start = false;
    trace_sushi_job_start(s->trace_id, s->ring_head, le32_to_cpu(e.opcode),
                          s->job_seqno, s->job_start_ns);

    qemu_mutex_lock(&s->w_lock);
    s->job_pt_root = s->pt_root;
    s->job_pb_gen = s->pb_generation;
    s->w_entry = e;
    s->w_busy = true;
    s->w_done = false;
    qemu_cond_broadcast(&s->w_cond);
    qemu_mutex_unlock(&s->w_lock);

    if (!s->sync) {
        return false;   /* sushi_job_done_bh() collects */
    }
    sync_ns = sushi_job_sync_point(s);
    if (sync_ns > qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL)) {
        timer_mod(&s->timer, sync_ns);
        return false;   /* sushi_job_timer() collects */
    }
    sushi_worker_wait(s);
    return sushi_job_collected(s);
}

/*
 * Start bottom half (guarded): a doorbell, ENABLE or a published job made
 * the ring runnable.  In synchronous mode it also runs every job whose
 * modelled completion has already passed, so that a clock step over
 * several deadlines completes them all before the next qtest command.
 */
static void sushi_job_bh(void *opaque)
{
    SushiAccelState *s = opaque;

    while (sushi_job_start(s)) {
        /* published: the next one starts at its completion */
    }
}

/* Done bottom half (guarded, asynchronous mode): the worker finished. */
static void sushi_job_done_bh(void *opaque)
{
    SushiAccelState *s = opaque;
    bool done;

    qemu_mutex_lock(&s->w_lock);
    done = s->w_busy && s->w_done;
    qemu_mutex_unlock(&s->w_lock);
    if (!s->busy || !done) {
        return;         /* a reset collected it */
    }
    sushi_worker_wait(s);
    sushi_job_collected(s);
}

/*
 * Timer callback: publish at the modelled completion, or (synchronous
 * mode) collect at the sync point.  It runs in the same main-loop context
 * as the bottom halves and engages the same re-entrancy guard.
 */
static void sushi_job_timer(void *opaque)
{
    SushiAccelState *s = opaque;
    MemReentrancyGuard *guard = &DEVICE(s)->mem_reentrancy_guard;
    bool engaged = guard->engaged_in_io;

    if (!s->busy) {
        return;
    }
    guard->engaged_in_io = true;
    if (s->job_collected) {
        sushi_job_publish(s);
    } else {
        sushi_worker_wait(s);
        sushi_job_collected(s);
    }
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

/*
 * Reset: cancel the worker's job and wait for it (at most the layer in
 * progress: the worker checks between layers, PB rows and gather reads).
 */
void sushi_job_stop(SushiAccelState *s, bool write_aborted)
{
    timer_del(&s->timer);
    qemu_bh_cancel(s->bh);
    qemu_bh_cancel(s->done_bh);
    qatomic_set(&s->w_cancel, true);
    sushi_worker_wait(s);
    if (s->busy && write_aborted) {
        SushiJobResult none = { 0 };

        sushi_write_completion(s, SUSHI_HW_ST_ABORTED, &none);
    }
    s->busy = false;
    s->have_next_start = false;
}

bool sushi_job_init(SushiAccelState *s, Error **errp)
{
    /* the worker's DMA and timing are not recorded: no replay */
    if (replay_mode != REPLAY_MODE_NONE) {
        error_setg(errp, "sushi-accel: record/replay is not supported "
                   "(jobs run on a worker thread whose DMA is not "
                   "recorded)");
        return false;
    }
    s->sync = qtest_enabled() || icount_enabled();
    s->bh = qemu_bh_new_guarded(sushi_job_bh, s,
                                &DEVICE(s)->mem_reentrancy_guard);
    s->done_bh = qemu_bh_new_guarded(sushi_job_done_bh, s,
                                     &DEVICE(s)->mem_reentrancy_guard);
    timer_init_ns(&s->timer, QEMU_CLOCK_VIRTUAL, sushi_job_timer, s);
    qemu_mutex_init(&s->w_lock);
    qemu_cond_init(&s->w_cond);
    s->w_busy = s->w_done = s->w_exit = false;
    qemu_thread_create(&s->worker, "sushi-accel", sushi_worker, s,
                       QEMU_THREAD_JOINABLE);
    return true;
}

void sushi_job_fini(SushiAccelState *s)
{
    sushi_job_stop(s, false);
    qemu_mutex_lock(&s->w_lock);
    s->w_exit = true;
    qemu_cond_broadcast(&s->w_cond);
    qemu_mutex_unlock(&s->w_lock);
    qemu_thread_join(&s->worker);
    qemu_cond_destroy(&s->w_cond);
    qemu_mutex_destroy(&s->w_lock);
    timer_del(&s->timer);
    qemu_bh_delete(s->bh);
    s->bh = NULL;
    qemu_bh_delete(s->done_bh);
    s->done_bh = NULL;
}
