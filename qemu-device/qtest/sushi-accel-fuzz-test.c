/*
 * sushi-accel-fuzz-test.c - a seeded, structure-aware fuzzer of the
 * sushi-accel device over the qtest protocol, bounded in time.  It
 * interleaves what a hostile guest can do: ring entries (random but mostly
 * well-formed NOP / PB_LOAD / PB_INVALIDATE / LAUNCH, garbage too),
 * doorbells in and out of range, writes of any size to any BAR0 offset,
 * page-table entries rewritten to point at other pages, at the device's own
 * BAR, at nothing, completion records aimed at MMIO, CONTROL.RESET, FLR,
 * clock steps, and QMP commands, on devices of several configurations.
 * After every step the device must still answer (ID register, QMP) and
 * every completion record must carry a documented status; QEMU must not
 * crash or report (run under the ASan/UBSan build, `make qemu-fuzz-san`,
 * any sanitizer report kills QEMU and fails the test).
 *
 * SUSHI_FUZZ_SEED replays a run (the seed is printed), SUSHI_FUZZ_SECONDS
 * bounds it (default 20).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sushi-qtest.h"
#include "qobject/qdict.h"

#define FUZZ_DEFAULT_SECONDS    20

/* Device configurations the fuzzer cycles through. */
static const char *const fuzz_props[] = {
    NULL,
    "pb-bytes=65536,pb-entries=8,max-layers=8,act-sram-bytes=4096",
    "job-work-budget=200000,job-mem-budget=65536,max-ring=64",
    "act-sram-bytes=0,clock-hz=1000000,overlap=off",
};

/* BAR0 offsets worth hitting: every register, and some that are none. */
static const uint32_t fuzz_regs[] = {
    SUSHI_REG_ID, SUSHI_REG_STATUS, SUSHI_REG_CONTROL, SUSHI_REG_INT_STATUS,
    SUSHI_REG_INT_MASK, SUSHI_REG_ERROR, SUSHI_REG_PROGRESS,
    SUSHI_REG_RING_BASE_LO, SUSHI_REG_RING_BASE_HI, SUSHI_REG_RING_SIZE,
    SUSHI_REG_RING_HEAD, SUSHI_REG_RING_TAIL, SUSHI_REG_PT_ROOT_LO,
    SUSHI_REG_PT_ROOT_HI, SUSHI_REG_CNT_JOBS, SUSHI_REG_CAP_PE_K,
    SUSHI_REG_CAP_WORK_BUDGET, 0x3, 0x7fe, SUSHI_BAR_REGS_SIZE - 4,
};

typedef struct Fuzz {
    T *t;
    GRand *r;
    Buf pool, descs;
    uint64_t steps, entries, mmio, ptes, resets, flrs, qmps;
} Fuzz;

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *v = g_getenv(name);

    return v && *v ? g_ascii_strtoull(v, NULL, 0) : def;
}

/* The device still answers and its state is one it documents. */
static void fuzz_check(Fuzz *f)
{
    T *t = f->t;

    g_assert_cmphex(rd(t, SUSHI_REG_ID), ==, SUSHI_HW_ID);
    g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), <=, SUSHI_HW_ST_OVER_BUDGET);
}

/* Completion records of the ring: poison or a documented status. */
static void fuzz_check_records(Fuzz *f)
{
    for (uint32_t i = 0; i < RING_ENTRIES; i++) {
        struct sushi_hw_completion c;
        uint32_t st;

        read_compl(f->t, i, &c);
        st = le32_to_cpu(c.status);
        g_assert_true(st == POISON || st <= SUSHI_HW_ST_OVER_BUDGET);
    }
}

static void fuzz_entries(Fuzz *f)
{
    T *t = f->t;
    unsigned n = g_rand_int_range(f->r, 1, 9);

    for (unsigned i = 0; i < n; i++) {
        struct sushi_hw_ring_entry e = { 0 };

        random_entry(t, f->r, &f->pool, &f->descs, &e);
        switch (g_rand_int_range(f->r, 0, 16)) {
        case 0:     /* a completion record aimed at the device's BAR */
            e.compl_addr = cpu_to_le64(t->bar.addr +
                                       8 * g_rand_int_range(f->r, 0, 512));
            break;
        case 1:     /* at nothing, or misaligned */
            e.compl_addr = cpu_to_le64(g_rand_boolean(f->r) ?
                                       0xfffffffff000ull :
                                       compl_gpa(t, t->tail) + 4);
            break;
        }
        put(t, &e);
        f->entries++;
    }
    if (g_rand_int_range(f->r, 0, 16) == 0) {
        wr(t, SUSHI_REG_RING_TAIL, RING_ENTRIES + g_rand_int_range(f->r, 0, 9));
    }
    doorbell(t);
}

static void fuzz_mmio(Fuzz *f)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    T *t = f->t;
    uint32_t off = fuzz_regs[g_rand_int_range(f->r, 0,
                                              ARRAY_SIZE(fuzz_regs))];
    unsigned size = sizes[g_rand_int_range(f->r, 0, 4)];
    uint64_t v = (uint64_t)g_rand_int(f->r) << 32 | g_rand_int(f->r);

    if (off == SUSHI_REG_CONTROL && (v & SUSHI_CONTROL_RESET)) {
        f->resets++;
    }
    if (g_rand_int_range(f->r, 0, 4)) {
        off = QEMU_ALIGN_DOWN(off, size);
    }
    switch (size) {
    case 1:
        qpci_io_writeb(t->dev, t->bar, off, v);
        break;
    case 2:
        qpci_io_writew(t->dev, t->bar, off, v);
        break;
    case 4:
        qpci_io_writel(t->dev, t->bar, off, v);
        break;
    default:
        qpci_io_writeq(t->dev, t->bar, off, v);
        break;
    }
    f->mmio++;
}

/* Rewrite a page-table entry of the pool or the descriptors. */
static void fuzz_pte(Fuzz *f)
{
    T *t = f->t;
    const Buf *b = g_rand_boolean(f->r) ? &f->pool : &f->descs;
    uint64_t pages = DIV_ROUND_UP(b->len, SUSHI_MMU_PAGE_SIZE);
    uint64_t dva = b->dva + SUSHI_MMU_PAGE_SIZE *
                   g_rand_int_range(f->r, 0, pages);
    uint64_t targets[] = {
        b->gpa, t->ring, t->l1, t->bar.addr, 0,
        0xfffffffff000ull, t->arena + ARENA_BYTES - SUSHI_MMU_PAGE_SIZE,
    };
    uint64_t pa = targets[g_rand_int_range(f->r, 0, ARRAY_SIZE(targets))];
    unsigned i1 = (dva >> SUSHI_MMU_L1_SHIFT) & SUSHI_MMU_IDX_MASK;
    unsigned i2 = (dva >> SUSHI_MMU_L2_SHIFT) & SUSHI_MMU_IDX_MASK;
    uint64_t pte = (pa & SUSHI_MMU_PTE_ADDR_MASK) |
                   (g_rand_int_range(f->r, 0, 8) ? SUSHI_MMU_PTE_VALID : 0) |
                   (g_rand_boolean(f->r) ? SUSHI_MMU_PTE_WRITE : 0);

    if (g_rand_int_range(f->r, 0, 16) == 0) {
        pte = (uint64_t)g_rand_int(f->r) << 32 | g_rand_int(f->r);
    }
    qtest_writeq(t->qts, t->l2[i1] + 8 * i2, pte);
    f->ptes++;
}

/* CONTROL.RESET or an FLR, then the driver's set-up again. */
static void fuzz_reset(Fuzz *f)
{
    T *t = f->t;

    if (g_rand_boolean(f->r)) {
        wr(t, SUSHI_REG_CONTROL, SUSHI_CONTROL_RESET);
        f->resets++;
    } else {
        flr(t);
        f->flrs++;
    }
    ring_setup(t);
}

static void fuzz_qmp(Fuzz *f)
{
    QDict *rsp = qtest_qmp(f->t->qts, "{'execute': 'query-status'}");

    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    f->qmps++;
}

static void fuzz_step(Fuzz *f)
{
    T *t = f->t;

    switch (g_rand_int_range(f->r, 0, 20)) {
    case 0 ... 7:
        fuzz_entries(f);
        break;
    case 8 ... 10:
        fuzz_mmio(f);
        break;
    case 11 ... 12:
        fuzz_pte(f);
        break;
    case 13:
        fuzz_reset(f);
        break;
    case 14:
        fuzz_qmp(f);
        break;
    case 15:
        /* the driver's set-up again (a fuzzed register may have broken it) */
        ring_setup(t);
        break;
    default:
        if (g_rand_boolean(f->r)) {
            qtest_clock_step_next(t->qts);
        } else {
            qtest_clock_step(t->qts, g_rand_int_range(f->r, 1, 1 << 20));
        }
        break;
    }
    f->steps++;
    fuzz_check(f);
}

static void test_fuzz(void)
{
    uint64_t seconds = env_u64("SUSHI_FUZZ_SECONDS", FUZZ_DEFAULT_SECONDS);
    uint64_t seed = env_u64("SUSHI_FUZZ_SEED", (guint32)g_test_rand_int());
    int64_t end = g_get_monotonic_time() + (int64_t)seconds * 1000000;
    g_autoptr(GRand) r = g_rand_new_with_seed((guint32)seed);
    Fuzz total = { 0 };
    unsigned round = 0;

    g_test_message("seed %" PRIu64 " (SUSHI_FUZZ_SEED=%" PRIu64
                   " replays), %" PRIu64 " s", seed, seed, seconds);
    do {
        const char *props = fuzz_props[round % ARRAY_SIZE(fuzz_props)];
        int64_t round_end = MIN(end, g_get_monotonic_time() +
                                (int64_t)seconds * 1000000 /
                                ARRAY_SIZE(fuzz_props));
        Fuzz f = { .r = r };

        f.t = start(props);
        random_pool(f.t, r, &f.pool, &f.descs);
        while (g_get_monotonic_time() < round_end) {
            fuzz_step(&f);
        }
        fuzz_check_records(&f);
        /* after all that, a clean set-up still runs a NOP */
        wr(f.t, SUSHI_REG_CONTROL, SUSHI_CONTROL_RESET);
        ring_setup(f.t);
        nop_ok(f.t);
        stop(f.t);
        total.steps += f.steps;
        total.entries += f.entries;
        total.mmio += f.mmio;
        total.ptes += f.ptes;
        total.resets += f.resets;
        total.flrs += f.flrs;
        total.qmps += f.qmps;
        round++;
    } while (g_get_monotonic_time() < end);
    g_test_message("%u devices, %" PRIu64 " steps: %" PRIu64 " ring entries, "
                   "%" PRIu64 " register writes, %" PRIu64 " PTE rewrites, "
                   "%" PRIu64 " resets, %" PRIu64 " FLRs, %" PRIu64 " QMP",
                   round, total.steps, total.entries, total.mmio, total.ptes,
                   total.resets, total.flrs, total.qmps);
    g_assert_cmpuint(total.entries, >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86_64/sushi-accel/fuzz", test_fuzz);
    return g_test_run();
}
