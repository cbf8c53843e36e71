/*
 * sushi-qtest.h - plumbing shared by the sushi-accel qtests: boot a q35
 * machine with the device, guest memory behind the device MMU (page
 * tables, buffers at device addresses), the command ring and completion
 * records, register access, entry builders, cost comparison.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SUSHI_QTEST_H
#define SUSHI_QTEST_H

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#include "standard-headers/linux/pci_regs.h"

#include "sushi_model.h"

#define RING_ENTRIES    64u
#define COMPL_STRIDE    128u
#define ARENA_BYTES     (8u << 20)
#define DVA_BASE        0x00400000ull   /* first DVA handed out */
#define POISON          0xa5a5a5a5u

typedef struct Buf {
    uint64_t dva;
    uint64_t gpa;
    uint64_t len;
} Buf;

typedef struct T {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t bar_size;
    struct sushi_model_config cfg;
    uint32_t max_layers;
    /* guest memory */
    uint64_t arena, arena_used;
    uint64_t l1;                        /* L1 table (gpa) */
    uint64_t l2[SUSHI_MMU_ENTRIES];     /* L2 tables (gpa), 0 = none */
    uint64_t next_dva;
    uint64_t ring, compl;
    uint64_t scratch;               /* MSI-X message target */
    uint32_t tail;
    uint64_t seqno;
} T;

/* ------------------------------------------------------------- plumbing */

static inline uint32_t rd(T *t, uint32_t off)
{
    return qpci_io_readl(t->dev, t->bar, off);
}

static inline void wr(T *t, uint32_t off, uint32_t v)
{
    qpci_io_writel(t->dev, t->bar, off, v);
}

static inline uint64_t rd64(T *t, uint32_t off)
{
    uint64_t lo = rd(t, off);

    return lo | (uint64_t)rd(t, off + 4) << 32;
}

static inline void save_fn(QPCIDevice *dev, int devfn, void *data)
{
    *(QPCIDevice **)data = dev;
}

static inline uint64_t gpage(T *t, uint64_t len)
{
    uint64_t a = t->arena + t->arena_used;

    len = ROUND_UP(len, SUSHI_MMU_PAGE_SIZE);
    g_assert_cmpuint(t->arena_used + len, <=, ARENA_BYTES);
    t->arena_used += len;
    qtest_memset(t->qts, a, 0, len);
    return a;
}

static inline void map_page(T *t, uint64_t dva, uint64_t pa, bool writable)
{
    unsigned i1 = (dva >> SUSHI_MMU_L1_SHIFT) & SUSHI_MMU_IDX_MASK;
    unsigned i2 = (dva >> SUSHI_MMU_L2_SHIFT) & SUSHI_MMU_IDX_MASK;
    uint64_t pte;

    if (!t->l2[i1]) {
        t->l2[i1] = gpage(t, SUSHI_MMU_PAGE_SIZE);
        qtest_writeq(t->qts, t->l1 + 8 * i1,
                     t->l2[i1] | SUSHI_MMU_PTE_VALID);
    }
    pte = pa | SUSHI_MMU_PTE_VALID | (writable ? SUSHI_MMU_PTE_WRITE : 0);
    qtest_writeq(t->qts, t->l2[i1] + 8 * i2, pte);
}

/* Guest memory mapped at a fresh DVA range (page granular). */
static inline Buf balloc(T *t, uint64_t len, bool writable)
{
    Buf b = { .dva = t->next_dva, .len = len };
    uint64_t pages = DIV_ROUND_UP(len ? len : 1, SUSHI_MMU_PAGE_SIZE);

    b.gpa = gpage(t, pages * SUSHI_MMU_PAGE_SIZE);
    for (uint64_t i = 0; i < pages; i++) {
        map_page(t, b.dva + i * SUSHI_MMU_PAGE_SIZE,
                 b.gpa + i * SUSHI_MMU_PAGE_SIZE, writable);
    }
    /* leave an unmapped guard page after every buffer */
    t->next_dva += (pages + 1) * SUSHI_MMU_PAGE_SIZE;
    return b;
}

static inline void ring_setup(T *t)
{
    wr(t, SUSHI_REG_CONTROL, 0);
    wr(t, SUSHI_REG_RING_BASE_LO, (uint32_t)t->ring);
    wr(t, SUSHI_REG_RING_BASE_HI, t->ring >> 32);
    wr(t, SUSHI_REG_RING_SIZE, RING_ENTRIES);
    wr(t, SUSHI_REG_PT_ROOT_LO, (uint32_t)t->l1);
    wr(t, SUSHI_REG_PT_ROOT_HI, t->l1 >> 32);
    wr(t, SUSHI_REG_INT_MASK, SUSHI_INT_JOB | SUSHI_INT_ERROR);
    wr(t, SUSHI_REG_CONTROL, SUSHI_CONTROL_ENABLE);
    t->tail = 0;
}

static inline T *start(const char *props)
{
    T *t = g_new0(T, 1);
    QPCIDevice *dev = NULL;
    uint64_t size;

    t->qs = qtest_pc_boot("-M q35 -nodefaults -nic none "
                          "-device sushi-accel%s%s",
                          props ? "," : "", props ? props : "");
    t->qts = t->qs->qts;
    qpci_device_foreach(t->qs->pcibus, SUSHI_PCI_VENDOR_ID,
                        SUSHI_PCI_DEVICE_ID, save_fn, &dev);
    g_assert_nonnull(dev);
    t->dev = dev;
    qpci_device_enable(dev);
    t->bar = qpci_iomap(dev, SUSHI_BAR_REGS, &size);
    t->bar_size = size;
    qpci_msix_enable(dev);

    t->arena = guest_alloc(&t->qs->alloc, ARENA_BYTES + SUSHI_MMU_PAGE_SIZE);
    t->arena = ROUND_UP(t->arena, SUSHI_MMU_PAGE_SIZE);
    t->l1 = gpage(t, SUSHI_MMU_PAGE_SIZE);
    t->ring = gpage(t, RING_ENTRIES * sizeof(struct sushi_hw_ring_entry));
    t->compl = gpage(t, RING_ENTRIES * COMPL_STRIDE);
    t->next_dva = DVA_BASE;
    sushi_model_config_default(&t->cfg);
    t->max_layers = 1024;
    ring_setup(t);
    return t;
}

static inline void stop(T *t)
{
    g_free(t->dev);
    qtest_shutdown(t->qs);
    g_free(t);
}

/* ------------------------------------------------------------ the ring */

static inline uint64_t compl_gpa(T *t, uint32_t slot)
{
    return t->compl + (uint64_t)slot * COMPL_STRIDE;
}

/* Write one entry at TAIL (seqno, completion slot filled in); no doorbell */
static inline uint32_t put(T *t, struct sushi_hw_ring_entry *e)
{
    uint32_t slot = t->tail;
    uint32_t poison[COMPL_STRIDE / 4];

    for (unsigned i = 0; i < ARRAY_SIZE(poison); i++) {
        poison[i] = POISON;
    }
    qtest_memwrite(t->qts, compl_gpa(t, slot), poison, sizeof(poison));
    e->seqno = cpu_to_le64(++t->seqno);
    if (!e->compl_addr) {
        e->compl_addr = cpu_to_le64(compl_gpa(t, slot));
    }
    qtest_memwrite(t->qts, t->ring + slot * sizeof(*e), e, sizeof(*e));
    t->tail = (t->tail + 1) % RING_ENTRIES;
    return slot;
}

static inline void doorbell(T *t)
{
    wr(t, SUSHI_REG_RING_TAIL, t->tail);
}

static inline void read_compl(T *t, uint32_t slot, struct sushi_hw_completion *c)
{
    qtest_memread(t->qts, compl_gpa(t, slot), c, sizeof(*c));
}

/* Step virtual time until PROGRESS reaches @target (bounded). */
static inline void wait_progress(T *t, uint32_t target)
{
    for (int i = 0; i < 100000 && rd(t, SUSHI_REG_PROGRESS) != target; i++) {
        qtest_clock_step_next(t->qts);
    }
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, target);
}

/* Submit one entry, run it to completion, return its record. */
static inline void run1(T *t, struct sushi_hw_ring_entry *e,
                 struct sushi_hw_completion *c)
{
    uint32_t p = rd(t, SUSHI_REG_PROGRESS);
    uint32_t slot = put(t, e);

    doorbell(t);
    wait_progress(t, p + 1);
    read_compl(t, slot, c);
    g_assert_cmpuint(le64_to_cpu(c->seqno), ==, t->seqno);
}

static inline uint32_t run_status(T *t, struct sushi_hw_ring_entry *e)
{
    struct sushi_hw_completion c;

    run1(t, e, &c);
    return le32_to_cpu(c.status);
}

static inline void nop_ok(T *t)
{
    struct sushi_hw_ring_entry e = { .opcode = cpu_to_le32(SUSHI_CMD_NOP) };

    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
}

static inline struct sushi_hw_ring_entry launch_entry(uint64_t layers, uint32_t n)
{
    struct sushi_hw_ring_entry e = {
        .opcode = cpu_to_le32(SUSHI_CMD_LAUNCH),
    };

    e.arg.launch.layers = cpu_to_le64(layers);
    e.arg.launch.n_layers = cpu_to_le32(n);
    return e;
}

static inline struct sushi_hw_ring_entry pb_load_entry(uint64_t src, uint64_t stride,
                                                uint32_t row_bytes,
                                                uint32_t rows, uint64_t off)
{
    struct sushi_hw_ring_entry e = {
        .opcode = cpu_to_le32(SUSHI_CMD_PB_LOAD),
    };

    e.arg.pb_load.src = cpu_to_le64(src);
    e.arg.pb_load.row_stride = cpu_to_le64(stride);
    e.arg.pb_load.row_bytes = cpu_to_le32(row_bytes);
    e.arg.pb_load.rows = cpu_to_le32(rows);
    e.arg.pb_load.pb_offset = cpu_to_le64(off);
    return e;
}

static inline struct sushi_hw_ring_entry pb_inval_entry(uint64_t dva, uint64_t len)
{
    struct sushi_hw_ring_entry e = {
        .opcode = cpu_to_le32(SUSHI_CMD_PB_INVALIDATE),
    };

    e.arg.pb_inval.dva = cpu_to_le64(dva);
    e.arg.pb_inval.len = cpu_to_le64(len);
    return e;
}

static inline void assert_cost(const struct sushi_hw_completion *c,
                        const struct sushi_cost *x)
{
    g_assert_cmpuint(le64_to_cpu(c->cycles), ==, x->cycles);
    g_assert_cmpuint(le64_to_cpu(c->macs), ==, x->macs);
    g_assert_cmpuint(le64_to_cpu(c->dram_rd), ==, x->dram_rd);
    g_assert_cmpuint(le64_to_cpu(c->dram_wr), ==, x->dram_wr);
    g_assert_cmpuint(le64_to_cpu(c->pb_rd), ==, x->pb_rd);
    g_assert_cmpuint(le64_to_cpu(c->energy_fj), ==, x->energy_fj);
    g_assert_cmpuint(le64_to_cpu(c->offchip_fj), ==, x->offchip_fj);
}

/*
 * A PCIe function-level reset, then the BARs, bus mastering and MSI-X the
 * FLR cleared set up again.  Returns the PCIe capability's offset.
 */
static inline uint8_t flr(T *t)
{
    uint8_t exp = qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0);

    g_assert_cmpuint(exp, !=, 0);
    qpci_config_writew(t->dev, exp + PCI_EXP_DEVCTL,
                       qpci_config_readw(t->dev, exp + PCI_EXP_DEVCTL) |
                       PCI_EXP_DEVCTL_BCR_FLR);
    t->bar = qpci_iomap(t->dev, SUSHI_BAR_REGS, NULL);
    qpci_device_enable(t->dev);
    qpci_msix_enable(t->dev);
    return exp;
}

/* ------------------------------------------------------ random entries */

/*
 * The buffers random entries use: a writable 64 KiB pool of random bytes
 * whose first 16 KiB are valid epilogue records, and room for 8
 * descriptors.
 */
static inline void random_pool(T *t, GRand *r, Buf *pool, Buf *descs)
{
    g_autofree uint8_t *junk = g_malloc(64 * 1024);

    *pool = balloc(t, 64 * 1024, true);
    *descs = balloc(t, 8 * sizeof(struct sushi_hw_layer), false);
    for (size_t i = 0; i < 64 * 1024; i++) {
        junk[i] = g_rand_int(r);
    }
    for (unsigned i = 0; i + 12 <= 16 * 1024; i += 12) {
        struct sushi_hw_epilogue ep = {
            .bias = cpu_to_le32(g_rand_int_range(r, -500, 500)),
            .mult = cpu_to_le32(g_rand_int_range(r, 1, 1 << 24)),
            .shift = cpu_to_le32(g_rand_int_range(r, 0, 63)),
        };
        memcpy(junk + i, &ep, sizeof(ep));
    }
    qtest_memwrite(t->qts, pool->gpa, junk, 64 * 1024);
}

static inline uint64_t pick64(GRand *r, const uint64_t *v, unsigned n)
{
    if (g_rand_int_range(r, 0, 8) == 0) {
        return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
    }
    return v[g_rand_int_range(r, 0, n)];
}

/*
 * A random descriptor: a valid small layer whose tensors lie in the pool
 * (epilogues in its first 16 KiB), then, half of the time, 1..3 mutations
 * (a random word, an unmapped or huge address, a broken shape).
 */
static inline void random_layer(GRand *r, const Buf *pool, struct sushi_hw_layer *l)
{
    static const uint32_t ks[] = { 1, 3, 5, 7 };
    const uint64_t addrs[] = { 0, pool->dva + pool->len - 64, 0x3000,
                               1ull << SUSHI_MMU_VA_BITS, UINT64_MAX,
                               pool->dva + pool->len + 1 };
    uint32_t op = g_rand_int_range(r, SUSHI_OP_CONV, SUSHI_OP_COUNT);
    uint32_t hw = g_rand_int_range(r, 1, 9);
    uint32_t c = g_rand_int_range(r, 1, 17);
    uint64_t data = pool->dva + 16 * 1024;

    memset(l, 0, sizeof(*l));
    l->op = op;
    l->in_c = l->out_c = c;
    l->in_h = l->in_w = hw;
    l->groups = 1;
    l->stride = 1;
    switch (op) {
    case SUSHI_OP_CONV:
        l->kernel = ks[g_rand_int_range(r, 0, 4)];
        l->stride = g_rand_int_range(r, 1, 3);
        l->pad = g_rand_int_range(r, 0, l->kernel);
        if (hw + 2 * l->pad < l->kernel) {
            l->pad = l->kernel - 1;
        }
        l->out_c = g_rand_int_range(r, 1, 17);
        if (g_rand_boolean(r)) {
            l->out_c = c;
            l->groups = c;
        }
        break;
    case SUSHI_OP_FC:
        l->in_h = l->in_w = 1;
        l->kernel = 1;
        l->in_c = g_rand_int_range(r, 1, 200);
        l->out_c = g_rand_int_range(r, 1, 40);
        break;
    case SUSHI_OP_AVGPOOL:
    case SUSHI_OP_MAXPOOL:
        l->kernel = g_rand_int_range(r, 1, SUSHI_HW_MAX_POOL_KERNEL + 1);
        l->stride = g_rand_int_range(r, 1, 4);
        l->pad = g_rand_int_range(r, 0, l->kernel);
        if (hw + 2 * l->pad < l->kernel) {
            l->pad = l->kernel - 1;
        }
        break;
    case SUSHI_OP_ADD:
        l->add_mult_a = g_rand_int(r) >> 8;
        l->add_mult_b = g_rand_int(r) >> 8;
        l->add_shift = g_rand_int_range(r, 0, SUSHI_HW_MAX_SHIFT + 1);
        l->in2_zp = g_rand_int_range(r, -128, 128);
        l->in2_addr = data + g_rand_int_range(r, 0, 16 * 1024);
        break;
    default:    /* GAP */
        break;
    }
    if (op == SUSHI_OP_GAP || op == SUSHI_OP_FC) {
        l->out_h = l->out_w = 1;
    } else if (op == SUSHI_OP_ADD) {
        l->out_h = l->out_w = hw;
    } else {
        l->out_h = l->out_w = (hw + 2 * l->pad - l->kernel) / l->stride + 1;
    }
    l->in_zp = g_rand_int_range(r, -128, 128);
    l->out_zp = g_rand_int_range(r, -128, 128);
    l->act_min = g_rand_int_range(r, -128, 0);
    l->act_max = g_rand_int_range(r, 0, 128);
    l->in_addr = data + g_rand_int_range(r, 0, 16 * 1024);
    l->out_addr = data + 16 * 1024 + g_rand_int_range(r, 0, 16 * 1024);
    /* a third of the layers keep some tensors in the (small) SRAM */
    if (!g_rand_int_range(r, 0, 3)) {
        l->flags = g_rand_int_range(r, 1, SUSHI_LAYER_F_MASK + 1);
        if (l->flags & SUSHI_LAYER_F_IN_SRAM) {
            l->in_addr = g_rand_int_range(r, 0, 8 * 1024);
        }
        if (l->flags & SUSHI_LAYER_F_OUT_SRAM) {
            l->out_addr = g_rand_int_range(r, 0, 8 * 1024);
        }
        if (l->flags & SUSHI_LAYER_F_IN2_SRAM) {
            l->in2_addr = g_rand_int_range(r, 0, 8 * 1024);
        }
    }
    if (op == SUSHI_OP_CONV || op == SUSHI_OP_FC) {
        l->w_addr = data + g_rand_int_range(r, 0, 8 * 1024);
        l->w_stride = l->in_c / l->groups * l->kernel * l->kernel +
                      g_rand_int_range(r, 0, 4);
        l->epi_addr = pool->dva + 12 * g_rand_int_range(r, 0, 64);
    }
    for (int m = g_rand_boolean(r) ? g_rand_int_range(r, 1, 4) : 0; m; m--) {
        uint32_t *words = (uint32_t *)l;
        uint64_t a = addrs[g_rand_int_range(r, 0, ARRAY_SIZE(addrs))];

        switch (g_rand_int_range(r, 0, 4)) {
        case 0:
            words[g_rand_int_range(r, 0, sizeof(*l) / 4)] =
                    g_rand_int(r);
            break;
        case 1:
            words[g_rand_int_range(r, 0, 20)] =
                    g_rand_int_range(r, 0, 3) ?
                    g_rand_int_range(r, 0, 70000) : UINT32_MAX;
            break;
        case 2:
            *(g_rand_boolean(r) ? &l->in_addr : &l->out_addr) = a;
            break;
        default:
            if (l->w_addr) {
                *(g_rand_boolean(r) ? &l->w_addr : &l->epi_addr) = a;
            } else {
                l->in2_addr = a;
            }
            break;
        }
    }
}

/*
 * A random ring entry (returned opcode): mostly NOP, PB_LOAD, PB_INVALIDATE
 * and LAUNCH with fields drawn around the pool (64 KiB, epilogue records in
 * its first 16 KiB) and the descriptor array (8 layers, rewritten for a
 * LAUNCH), sometimes garbage opcodes, flags or argument words.
 */
static inline uint32_t random_entry(T *t, GRand *r, const Buf *pool,
                                    const Buf *descs,
                                    struct sushi_hw_ring_entry *e)
{
    const uint64_t addrs[] = { pool->dva, descs->dva, pool->dva + 8,
                               0x3000, 1ull << SUSHI_MMU_VA_BITS, 0 };
    static const uint32_t ops[] = {
        0, 5, SUSHI_CMD_NOP, SUSHI_CMD_NOP,
        SUSHI_CMD_PB_LOAD, SUSHI_CMD_PB_LOAD,
        SUSHI_CMD_PB_LOAD, SUSHI_CMD_PB_INVALIDATE,
        SUSHI_CMD_PB_INVALIDATE, SUSHI_CMD_LAUNCH,
        SUSHI_CMD_LAUNCH, SUSHI_CMD_LAUNCH,
        SUSHI_CMD_LAUNCH, SUSHI_CMD_LAUNCH,
        SUSHI_CMD_LAUNCH, SUSHI_CMD_LAUNCH,
    };
    uint32_t op = ops[g_rand_int_range(r, 0, ARRAY_SIZE(ops))];
    struct sushi_hw_layer l[8], le[8];
    uint32_t nl = g_rand_int_range(r, 1, 4);

    if (g_rand_int_range(r, 0, 16) == 0) {
        op = g_rand_int(r);
    }
    e->opcode = cpu_to_le32(op);
    if (g_rand_int_range(r, 0, 16) == 0) {
        e->flags = cpu_to_le32(g_rand_int(r));
    } else if (op == SUSHI_CMD_LAUNCH && g_rand_boolean(r)) {
        e->flags = cpu_to_le32(SUSHI_CMD_F_CHECK_PB_GEN);
    }
    switch (op) {
    case SUSHI_CMD_PB_LOAD:
        e->arg.pb_load.src = cpu_to_le64(pick64(r, addrs, 6));
        e->arg.pb_load.row_stride =
                cpu_to_le64(g_rand_int_range(r, 0, 300));
        e->arg.pb_load.row_bytes =
                cpu_to_le32(g_rand_int_range(r, 0, 300));
        e->arg.pb_load.rows =
                cpu_to_le32(g_rand_int_range(r, 0, 40));
        e->arg.pb_load.pb_offset =
                cpu_to_le64(g_rand_int_range(r, 0, 70000));
        break;
    case SUSHI_CMD_PB_INVALIDATE:
        e->arg.pb_inval.dva = cpu_to_le64(pick64(r, addrs, 6));
        e->arg.pb_inval.len =
                cpu_to_le64(g_rand_boolean(r) ? UINT64_MAX :
                    g_rand_int_range(r, 0, 70000));
        break;
    case SUSHI_CMD_LAUNCH:
        for (uint32_t j = 0; j < nl; j++) {
            random_layer(r, pool, &l[j]);
            sushi_layer_to_le(&le[j], &l[j]);
        }
        qtest_memwrite(t->qts, descs->gpa, le,
                       nl * sizeof(le[0]));
        e->arg.launch.layers = cpu_to_le64(
                g_rand_int_range(r, 0, 8) ? descs->dva :
            pick64(r, addrs, 6));
        e->arg.launch.n_layers = cpu_to_le32(
                g_rand_int_range(r, 0, 16) ? nl :
            g_rand_int(r));
        e->arg.launch.pb_gen = cpu_to_le32(
                g_rand_boolean(r) ?
                rd(t, SUSHI_REG_PB_GENERATION) :
            g_rand_int(r));
        break;
    default:
        break;
    }
    if (g_rand_int_range(r, 0, 32) == 0) {
        e->arg.raw[g_rand_int_range(r, 0, 5)] =
                cpu_to_le64(g_rand_int(r));
    }
    return op;
}

#endif /* SUSHI_QTEST_H */
