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

#endif /* SUSHI_QTEST_H */
