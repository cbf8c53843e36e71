/*
 * sushi-accel-test.c - qtests of the sushi-accel PCIe device (qemu-device/):
 * identity, capability registers against the properties, BAR / MSI-X sizes,
 * partial and out-of-range MMIO, LAUNCH results against the SushiAccel model
 * library (bytes, cycles, DRAM / PB bytes, energy, exact virtual-time
 * latency), SGS pinning (PB_LOAD / PB_INVALIDATE / stale generation), every
 * documented error status, resets, and a bounded randomized ring fuzzer.
 * Expectations are computed with the model library (linked in), never
 * hard-coded.  Run by `make qemu-test` through qemu-device/run-qtest.sh.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sushi-qtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"

/* --------------------------------------------------- a small conv network */

#define NET_LAYERS 7

typedef struct Net {
    struct sushi_hw_layer l[NET_LAYERS];        /* host order */
    struct sushi_layer_geom g[NET_LAYERS];
    Buf act[NET_LAYERS + 1];            /* act[i] = input of layer i */
    Buf w[NET_LAYERS], epi[NET_LAYERS];
    Buf desc;
    uint8_t *wbytes[NET_LAYERS];                /* host copies of the weights */
    uint8_t *epibytes[NET_LAYERS];
    uint8_t *input;
} Net;

static void set_conv(struct sushi_hw_layer *l, uint32_t op, uint32_t in_c,
                     uint32_t hw, uint32_t out_c, uint32_t k, uint32_t stride,
                     uint32_t pad, uint32_t groups)
{
    uint32_t o = op == SUSHI_OP_FC ? 1 :
             k == 0 ? hw : (hw + 2 * pad - k) / stride + 1;     /* ADD */

    memset(l, 0, sizeof(*l));
    l->op = op;
    l->in_c = in_c;
    l->in_h = l->in_w = hw;
    l->out_c = out_c;
    l->out_h = l->out_w = o;
    l->kernel = k;
    l->stride = stride;
    l->pad = pad;
    l->groups = groups;
    l->in_zp = (uint32_t)-3;
    l->out_zp = 2;
    l->act_min = 2;             /* ReLU */
    l->act_max = 127;
}

static void fill_random(GRand *r, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = g_rand_int(r);
    }
}

/* Build the network in host memory and in the guest (mapped DVAs). */
static void net_build(T *t, Net *n, uint32_t seed)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(seed);
    struct sushi_hw_layer *l = n->l;
    struct sushi_hw_layer le[NET_LAYERS];
    uint32_t wpad[NET_LAYERS] = { 5, 0, 3, 0, 0, 0, 8 };

    set_conv(&l[0], SUSHI_OP_CONV, 3, 8, 16, 3, 1, 1, 1);       /* 8x8x16 */
    set_conv(&l[1], SUSHI_OP_CONV, 16, 8, 16, 3, 2, 1, 16);     /* dw 4x4 */
    set_conv(&l[2], SUSHI_OP_CONV, 16, 4, 24, 1, 1, 0, 1);      /* 4x4x24 */
    set_conv(&l[3], SUSHI_OP_ADD, 24, 4, 24, 0, 1, 0, 1);       /* x + x */
    l[3].add_mult_a = 1 << 14;
    l[3].add_mult_b = 3 << 13;
    l[3].add_shift = 15;
    l[3].in2_zp = (uint32_t)-3;
    set_conv(&l[4], SUSHI_OP_MAXPOOL, 24, 4, 24, 2, 2, 0, 1); /* 2x2 */
    set_conv(&l[5], SUSHI_OP_GAP, 24, 2, 24, 0, 1, 0, 1);
    l[5].out_h = l[5].out_w = 1;
    set_conv(&l[6], SUSHI_OP_FC, 24, 1, 10, 1, 1, 0, 1);
    l[6].act_min = (uint32_t)-128;      /* logits: no ReLU */
    for (int i = 3; i <= 5; i++) {
        l[i].in_zp = 2;         /* previous output's zero point */
    }
    l[3].in2_zp = 2;
    l[6].in_zp = 2;
    l[1].in_zp = l[2].in_zp = 2;

    /* activations, weights, epilogues */
    for (int i = 0; i < NET_LAYERS; i++) {
        struct sushi_layer_geom g;

        if (l[i].op == SUSHI_OP_CONV || l[i].op == SUSHI_OP_FC) {
            uint32_t red = l[i].in_c / l[i].groups *
                           l[i].kernel * l[i].kernel;

            l[i].w_stride = red + wpad[i];
        }
        g_assert_cmpint(sushi_layer_check(&l[i], &g), ==, 0);
        n->g[i] = g;
    }
    n->act[0] = balloc(t, n->g[0].in_bytes, false);
    n->input = g_malloc(n->g[0].in_bytes);
    fill_random(r, n->input, n->g[0].in_bytes);
    qtest_memwrite(t->qts, n->act[0].gpa, n->input, n->g[0].in_bytes);
    for (int i = 0; i < NET_LAYERS; i++) {
        struct sushi_layer_geom *g = &n->g[i];

        n->act[i + 1] = balloc(t, g->out_bytes, true);
        l[i].in_addr = n->act[i].dva;
        l[i].out_addr = n->act[i + 1].dva;
        if (l[i].op == SUSHI_OP_ADD) {
            l[i].in2_addr = n->act[i].dva;
        }
        if (!g->w_rows) {
            continue;
        }
        n->w[i] = balloc(t, g->w_span, false);
        n->wbytes[i] = g_malloc(g->w_span);
        fill_random(r, n->wbytes[i], g->w_span);
        qtest_memwrite(t->qts, n->w[i].gpa, n->wbytes[i], g->w_span);
        l[i].w_addr = n->w[i].dva;
        n->epi[i] = balloc(t, g->epi_bytes, false);
        n->epibytes[i] = g_malloc(g->epi_bytes);
        for (uint32_t c = 0; c < l[i].out_c; c++) {
            struct sushi_hw_epilogue e = {
                .bias = cpu_to_le32((int32_t)g_rand_int_range(r, -2000, 2000)),
                .mult = cpu_to_le32(g_rand_int_range(r, 1 << 19, 1 << 21)),
                .shift = cpu_to_le32(31),
            };
            memcpy(n->epibytes[i] + c * sizeof(e), &e, sizeof(e));
        }
        qtest_memwrite(t->qts, n->epi[i].gpa, n->epibytes[i],
                       g->epi_bytes);
        l[i].epi_addr = n->epi[i].dva;
    }
    for (int i = 0; i < NET_LAYERS; i++) {
        g_assert_cmpint(sushi_layer_check(&l[i], NULL), ==, 0);
        sushi_layer_to_le(&le[i], &l[i]);
    }
    n->desc = balloc(t, sizeof(le), false);
    qtest_memwrite(t->qts, n->desc.gpa, le, sizeof(le));
}

/* Reference outputs of every layer with the given weights (plain C kernels). */
static uint8_t **net_reference(Net *n, uint8_t **wbytes)
{
    uint8_t **out = g_new0(uint8_t *, NET_LAYERS);
    const uint8_t *in = n->input;

    for (int i = 0; i < NET_LAYERS; i++) {
        struct sushi_layer_io io = {
            .in = (const int8_t *)in,
            .in2 = n->l[i].op == SUSHI_OP_ADD ? (const int8_t *)in : NULL,
            .w = (const int8_t *)wbytes[i],
            .w_stride = n->l[i].w_stride,
            .epi = n->epibytes[i],
        };

        out[i] = g_malloc(n->g[i].out_bytes);
        io.out = (int8_t *)out[i];
        g_assert_cmpint(sushi_layer_compute(&n->l[i], &io, SUSHI_ISA_REF),
                        ==, 0);
        in = out[i];
    }
    return out;
}

static void net_free_ref(uint8_t **out)
{
    for (int i = 0; i < NET_LAYERS; i++) {
        g_free(out[i]);
    }
    g_free(out);
}

static void net_free(Net *n)
{
    for (int i = 0; i < NET_LAYERS; i++) {
        g_free(n->wbytes[i]);
        g_free(n->epibytes[i]);
    }
    g_free(n->input);
}

/* The guest's layer outputs equal @ref byte for byte. */
static void net_check_outputs(T *t, Net *n, uint8_t **ref)
{
    for (int i = 0; i < NET_LAYERS; i++) {
        g_autofree uint8_t *got = g_malloc(n->g[i].out_bytes);

        qtest_memread(t->qts, n->act[i + 1].gpa, got, n->g[i].out_bytes);
        g_assert_cmpmem(got, n->g[i].out_bytes, ref[i], n->g[i].out_bytes);
    }
}

static void net_clear_outputs(T *t, Net *n)
{
    for (int i = 0; i < NET_LAYERS; i++) {
        qtest_memset(t->qts, n->act[i + 1].gpa, 0x5a, n->g[i].out_bytes);
    }
}

static void net_cost(T *t, Net *n, const struct sushi_pb *pb,
                     struct sushi_cost *c)
{
    size_t bad = 0;

    memset(c, 0, sizeof(*c));
    g_assert_cmpint(sushi_model_layers_cost(&t->cfg, pb, n->l, NET_LAYERS,
                                            c, NULL, &bad), ==, 0);
}

/* ================================================================ tests */

/*
 * device-list-properties reports every property's default, and the defaults
 * are the model library's configuration and the device's budgets.
 */
static void test_prop_defaults(void)
{
    T *t = start(NULL);
    struct sushi_model_config d;
    QDict *rsp;
    QList *list;
    QListEntry *e;
    unsigned seen = 0;
    bool overlap_seen = false;

    sushi_model_config_default(&d);
    const struct { const char *name; uint64_t want; } props[] = {
        { "pe-k", d.pe_k }, { "pe-c", d.pe_c }, { "clock-hz", d.clock_hz },
        { "dram-bpc", d.dram_bytes_per_cycle },
        { "overhead-cycles", d.overhead_cycles }, { "pb-bytes", d.pb_bytes },
        { "pb-entries", d.pb_entries }, { "act-sram-bytes", d.act_sram_bytes },
        { "e-mac-fj", d.e_mac_fj }, { "e-dram-fj", d.e_dram_fj },
        { "e-pb-fj", d.e_pb_fj }, { "e-buf-fj", d.e_buf_fj },
        { "p-static-uw", d.p_static_uw }, { "max-ring", 4096 },
        { "max-layers", 1024 },
        { "job-work-budget", SUSHI_HW_DEFAULT_WORK_BUDGET },
        { "job-mem-budget", SUSHI_HW_DEFAULT_MEM_BUDGET },
    };

    rsp = qtest_qmp(t->qts, "{'execute': 'device-list-properties', "
                    "'arguments': {'typename': 'sushi-accel'}}");
    list = qdict_get_qlist(rsp, "return");
    g_assert_nonnull(list);
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *p = qobject_to(QDict, qlist_entry_obj(e));
        const char *name = qdict_get_str(p, "name");

        if (!strcmp(name, "overlap")) {
            g_assert_cmpint(qdict_get_bool(p, "default-value"), ==,
                            d.overlap);
            overlap_seen = true;
            continue;
        }
        for (unsigned i = 0; i < ARRAY_SIZE(props); i++) {
            if (strcmp(name, props[i].name)) {
                continue;
            }
            g_assert_true(qdict_haskey(p, "default-value"));
            g_assert_cmpuint(qnum_get_uint(qobject_to(QNum,
                             qdict_get(p, "default-value"))), ==,
                             props[i].want);
            seen++;
        }
    }
    g_assert_cmpuint(seen, ==, ARRAY_SIZE(props));
    g_assert_true(overlap_seen);
    qobject_unref(rsp);
    stop(t);
}

static void test_identity(void)
{
    T *t = start(NULL);
    struct sushi_model_config d;
    uint8_t cap;
    uint64_t size;
    QPCIBar msix;

    sushi_model_config_default(&d);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==, 0x10f0);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_REVISION_ID), ==,
                    SUSHI_PCI_REVISION);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_CLASS_DEVICE), ==, 0x1200);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_INTERRUPT_PIN), ==, 1);
    /* BAR0: 64-bit memory, 4 KiB */
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64);
    g_assert_cmpuint(t->bar_size, ==, SUSHI_BAR_REGS_SIZE);
    /* MSI-X: 2 vectors in BAR2 */
    g_assert_cmpuint(qpci_msix_table_size(t->dev), ==, SUSHI_MSIX_VECTORS);
    cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmpuint(qpci_config_readl(t->dev, cap + PCI_MSIX_TABLE) &
                     PCI_MSIX_TABLE_BIR, ==, SUSHI_BAR_MSIX);
    msix = qpci_iomap(t->dev, SUSHI_BAR_MSIX, &size);
    g_assert_cmpuint(size, ==, 4096);
    (void)msix;
    g_assert_cmpuint(qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0), !=, 0);

    g_assert_cmphex(rd(t, SUSHI_REG_ID), ==, SUSHI_HW_ID);
    g_assert_cmphex(rd(t, SUSHI_REG_VERSION), ==, SUSHI_HW_VERSION);
    g_assert_cmphex(rd(t, SUSHI_REG_STATUS), ==, SUSHI_STATUS_READY);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_PE_K), ==, d.pe_k);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_PE_C), ==, d.pe_c);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_WINDOW), ==, 9);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_DRAM_BPC), ==, d.dram_bytes_per_cycle);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_OVERHEAD), ==, d.overhead_cycles);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_FLAGS), ==,
                     d.overlap ? SUSHI_CAP_F_OVERLAP : 0);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_PB_ENTRIES), ==, d.pb_entries);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_VA_BITS), ==, SUSHI_MMU_VA_BITS);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_CLOCK_HZ), ==, d.clock_hz);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_PB_BYTES), ==, d.pb_bytes);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_MAC_FJ), ==, d.e_mac_fj);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_DRAM_FJ), ==, d.e_dram_fj);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_PB_FJ), ==, d.e_pb_fj);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_BUF_FJ), ==, d.e_buf_fj);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_P_STATIC_UW), ==, d.p_static_uw);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_MAX_RING), >=, RING_ENTRIES);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_MAX_LAYERS), >=, NET_LAYERS);
    stop(t);
}

static void test_caps_props(void)
{
    T *t = start("pe-k=8,pe-c=4,clock-hz=250000000,dram-bpc=32,"
                 "overhead-cycles=7,overlap=off,pb-bytes=65536,"
                 "pb-entries=3,e-mac-fj=11,e-dram-fj=22222,e-pb-fj=333,"
                 "e-buf-fj=44,p-static-uw=5555,max-ring=128,max-layers=9");

    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_PE_K), ==, 8);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_PE_C), ==, 4);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_CLOCK_HZ), ==, 250000000);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_DRAM_BPC), ==, 32);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_OVERHEAD), ==, 7);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_FLAGS), ==, 0);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_PB_BYTES), ==, 65536);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_PB_ENTRIES), ==, 3);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_MAC_FJ), ==, 11);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_DRAM_FJ), ==, 22222);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_PB_FJ), ==, 333);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_E_BUF_FJ), ==, 44);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_P_STATIC_UW), ==, 5555);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_MAX_RING), ==, 128);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_MAX_LAYERS), ==, 9);
    /* the device times jobs with its own configuration */
    {
        struct sushi_hw_ring_entry e = {
            .opcode = cpu_to_le32(SUSHI_CMD_NOP)
        };
        struct sushi_hw_completion c;
        struct sushi_cost x;

        t->cfg.pe_k = 8;
        t->cfg.pe_c = 4;
        t->cfg.clock_hz = 250000000;
        t->cfg.dram_bytes_per_cycle = 32;
        t->cfg.overhead_cycles = 7;
        t->cfg.overlap = false;
        t->cfg.pb_bytes = 65536;
        t->cfg.pb_entries = 3;
        t->cfg.e_mac_fj = 11;
        t->cfg.e_dram_fj = 22222;
        t->cfg.e_pb_fj = 333;
        t->cfg.e_buf_fj = 44;
        t->cfg.p_static_uw = 5555;
        sushi_model_simple_job_cost(&t->cfg, &x);
        run1(t, &e, &c);
        g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
        assert_cost(&c, &x);
    }
    /* a LAUNCH is timed and computed with this configuration too */
    {
        Net n;
        uint8_t **ref;
        struct sushi_cost x, xd;
        struct sushi_model_config d;
        struct sushi_hw_ring_entry e;
        struct sushi_hw_completion c;
        size_t bad;

        net_build(t, &n, 5);
        ref = net_reference(&n, n.wbytes);
        net_cost(t, &n, NULL, &x);
        sushi_model_config_default(&d);
        g_assert_cmpint(sushi_model_layers_cost(&d, NULL, n.l, NET_LAYERS,
                                                &xd, NULL, &bad), ==, 0);
        g_assert_cmpuint(x.cycles, !=, xd.cycles);
        e = launch_entry(n.desc.dva, NET_LAYERS);
        run1(t, &e, &c);
        g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
        assert_cost(&c, &x);
        net_check_outputs(t, &n, ref);
        /* max-layers=9 */
        e = launch_entry(n.desc.dva, 10);
        g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_BAD_ENTRY);
        net_free_ref(ref);
        net_free(&n);
    }
    stop(t);
}

/* Without MSI-X the device asserts INTx while INT_STATUS & INT_MASK. */
static void test_intx(void)
{
    T *t = start(NULL);
    struct sushi_hw_ring_entry e = { .opcode = cpu_to_le32(SUSHI_CMD_NOP) };
    int pin = -1;

    qpci_msix_disable(t->dev);
    for (int i = 0; i < 24; i++) {
        g_assert_false(qtest_get_irq(t->qts, i));
    }
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    for (int i = 0; i < 24; i++) {
        if (qtest_get_irq(t->qts, i)) {
            g_assert_cmpint(pin, ==, -1);       /* exactly one line */
            pin = i;
        }
    }
    g_assert_cmpint(pin, >=, 0);
    /* level-triggered: stays up until INT_STATUS is cleared */
    qtest_clock_step(t->qts, 1000);
    g_assert_true(qtest_get_irq(t->qts, pin));
    wr(t, SUSHI_REG_INT_STATUS, SUSHI_INT_JOB);
    g_assert_false(qtest_get_irq(t->qts, pin));
    /* masked: INT_STATUS is set, the line stays low until unmasked */
    wr(t, SUSHI_REG_INT_MASK, 0);
    e = (struct sushi_hw_ring_entry){ .opcode = cpu_to_le32(SUSHI_CMD_NOP) };
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    g_assert_cmphex(rd(t, SUSHI_REG_INT_STATUS), ==, SUSHI_INT_JOB);
    g_assert_false(qtest_get_irq(t->qts, pin));
    wr(t, SUSHI_REG_INT_MASK, SUSHI_INT_JOB);
    g_assert_true(qtest_get_irq(t->qts, pin));
    /* enabling MSI-X takes the line down */
    qpci_msix_enable(t->dev);
    g_assert_false(qtest_get_irq(t->qts, pin));
    stop(t);
}

/* An impossible configuration fails realize with a clear error. */
static void test_bad_props(void)
{
    const char *bad[] = { "pe-k=0", "clock-hz=5", "pb-entries=0",
                          "max-ring=3", "max-layers=0" };
    const char *bin = getenv("QTEST_QEMU_BINARY");

    g_assert_nonnull(bin);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *cmd = g_strdup_printf(
                "timeout 60 %s -M q35 -nodefaults -display none "
                "-accel qtest -S -device sushi-accel,%s", bin, bad[i]);
        g_autofree char *out = NULL, *err = NULL;
        int st = 0;

        g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &st,
                                                NULL));
        g_assert_true(WIFEXITED(st));
        g_assert_cmpint(WEXITSTATUS(st), ==, 1);
        g_assert_nonnull(strstr(err, "sushi-accel"));
    }
}

static void test_mmio_edges(void)
{
    T *t = start(NULL);

    /* sub-word, unaligned and 64-bit accesses */
    g_assert_cmphex(qpci_io_readb(t->dev, t->bar, SUSHI_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readw(t->dev, t->bar, SUSHI_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, SUSHI_REG_ID + 2), ==, 0);
    g_assert_cmphex(qpci_io_readq(t->dev, t->bar, SUSHI_REG_ID), ==,
                    SUSHI_HW_ID | (uint64_t)SUSHI_HW_VERSION << 32);
    g_assert_cmphex(qpci_io_readq(t->dev, t->bar, SUSHI_REG_ID + 4), ==, 0);
    /* holes and the last word of the BAR */
    g_assert_cmphex(rd(t, 0x800), ==, 0);
    g_assert_cmphex(rd(t, SUSHI_BAR_REGS_SIZE - 4), ==, 0);
    g_assert_cmphex(rd(t, SUSHI_REG_RING_SIZE + 4 * 64), ==, 0);
    /* writes to read-only registers and holes are ignored */
    wr(t, SUSHI_REG_ID, 0);
    wr(t, SUSHI_REG_CAP_PE_K, 1);
    wr(t, SUSHI_REG_RING_HEAD, 5);
    wr(t, 0x800, 0xffffffff);
    wr(t, SUSHI_BAR_REGS_SIZE - 4, 0xffffffff);
    g_assert_cmphex(rd(t, SUSHI_REG_ID), ==, SUSHI_HW_ID);
    g_assert_cmpuint(rd(t, SUSHI_REG_CAP_PE_K), ==, t->cfg.pe_k);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_HEAD), ==, 0);
    /* a partial write of a writable register is ignored */
    qpci_io_writeb(t->dev, t->bar, SUSHI_REG_INT_MASK, 0);
    qpci_io_writew(t->dev, t->bar, SUSHI_REG_INT_MASK, 0);
    g_assert_cmphex(rd(t, SUSHI_REG_INT_MASK), ==,
                    SUSHI_INT_JOB | SUSHI_INT_ERROR);
    /* 64-bit write = LO then HI */
    qpci_io_writeq(t->dev, t->bar, SUSHI_REG_PT_ROOT_LO, 0x123456789000ull);
    g_assert_cmphex(rd64(t, SUSHI_REG_PT_ROOT_LO), ==, 0x123456789000ull);
    /* ring registers are locked while enabled */
    wr(t, SUSHI_REG_RING_SIZE, 8);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_SIZE), ==, RING_ENTRIES);
    /* the device still works */
    ring_setup(t);
    nop_ok(t);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_JOBS), ==, 1);
    g_assert_cmpuint(qpci_io_readq(t->dev, t->bar, SUSHI_REG_CNT_CYCLES), ==,
                     t->cfg.overhead_cycles);
    stop(t);
}

/* LAUNCH of a conv network: exact bytes, exact cost, exact latency. */
static void test_launch(void)
{
    T *t = start(NULL);
    Net n;
    uint8_t **ref;
    struct sushi_cost x;
    struct sushi_hw_ring_entry e;
    struct sushi_hw_completion c;
    uint64_t ns;
    uint32_t slot;

    net_build(t, &n, 1);
    ref = net_reference(&n, n.wbytes);
    net_cost(t, &n, NULL, &x);
    ns = sushi_model_cycles_to_ns(&t->cfg, x.cycles);
    g_assert_cmpuint(ns, >, 1);

    net_clear_outputs(t, &n);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    slot = put(t, &e);
    g_assert_false(qpci_msix_pending(t->dev, SUSHI_MSIX_VEC_JOB));
    doorbell(t);
    g_assert_cmphex(rd(t, SUSHI_REG_STATUS) & SUSHI_STATUS_BUSY, ==,
                    SUSHI_STATUS_BUSY);
    qtest_clock_step(t->qts, ns - 1);
    read_compl(t, slot, &c);
    g_assert_cmphex(le32_to_cpu(c.status), ==, POISON);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, 0);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_HEAD), ==, 0);
    g_assert_false(qpci_msix_pending(t->dev, SUSHI_MSIX_VEC_JOB));
    qtest_clock_step(t->qts, 1);
    read_compl(t, slot, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, 1);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_HEAD), ==, 1);
    g_assert_true(qpci_msix_pending(t->dev, SUSHI_MSIX_VEC_JOB));
    g_assert_false(qpci_msix_pending(t->dev, SUSHI_MSIX_VEC_ERROR));
    g_assert_cmphex(rd(t, SUSHI_REG_INT_STATUS), ==, SUSHI_INT_JOB);
    wr(t, SUSHI_REG_INT_STATUS, SUSHI_INT_JOB);
    g_assert_cmphex(rd(t, SUSHI_REG_INT_STATUS), ==, 0);
    g_assert_cmphex(rd(t, SUSHI_REG_STATUS), ==, SUSHI_STATUS_READY);
    g_assert_cmpuint(le64_to_cpu(c.seqno), ==, t->seqno);
    g_assert_cmpuint(le32_to_cpu(c.pb_gen), ==, rd(t, SUSHI_REG_PB_GENERATION));
    assert_cost(&c, &x);
    g_assert_cmpuint(x.pb_rd, ==, 0);
    net_check_outputs(t, &n, ref);
    /* counters */
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_JOBS), ==, 1);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_CYCLES), ==, x.cycles);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_MACS), ==, x.macs);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_DRAM_RD), ==, x.dram_rd);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_DRAM_WR), ==, x.dram_wr);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_ENERGY_FJ), ==, x.energy_fj);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_ERRORS), ==, 0);

    /* three jobs back to back: the third completes at exactly 3 x latency */
    net_clear_outputs(t, &n);
    for (int i = 0; i < 3; i++) {
        e = launch_entry(n.desc.dva, NET_LAYERS);
        slot = put(t, &e);
    }
    doorbell(t);
    qtest_clock_step(t->qts, 3 * ns - 1);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, 3);
    read_compl(t, slot, &c);
    g_assert_cmphex(le32_to_cpu(c.status), ==, POISON);
    qtest_clock_step(t->qts, 1);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, 4);
    read_compl(t, slot, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    assert_cost(&c, &x);
    net_check_outputs(t, &n, ref);
    net_free_ref(ref);
    net_free(&n);
    stop(t);
}

/* Write the host-order layers of @n back into its descriptor array. */
static void net_store_desc(T *t, Net *n)
{
    struct sushi_hw_layer le[NET_LAYERS];

    for (int i = 0; i < NET_LAYERS; i++) {
        sushi_layer_to_le(&le[i], &n->l[i]);
    }
    qtest_memwrite(t->qts, n->desc.gpa, le, sizeof(le));
}

/* Run the network once; its status, the completion record in @c. */
static uint32_t net_run(T *t, Net *n, struct sushi_hw_completion *c)
{
    struct sushi_hw_ring_entry e = launch_entry(n->desc.dva, NET_LAYERS);

    run1(t, &e, c);
    return le32_to_cpu(c->status);
}

/*
 * The activation SRAM: layer 0's output kept on chip and read by layer 1
 * gives the same bytes at the model's cost, never touching guest memory;
 * a range past the SRAM (or any SRAM use without one) is BAD_LAYER; and a
 * launch reads zeros where an earlier launch left activations.
 */
static void test_sram(void)
{
    T *t = start("act-sram-bytes=4096");
    g_autofree uint8_t *got = NULL, *zeros = NULL, *want = NULL;
    struct sushi_hw_completion c;
    struct sushi_cost all_dram, x;
    uint8_t **ref;
    Net n;

    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_ACT_SRAM), ==, 4096);
    g_assert_cmphex(rd(t, SUSHI_REG_VERSION), ==, SUSHI_HW_VERSION);
    t->cfg.act_sram_bytes = 4096;
    net_build(t, &n, 11);
    ref = net_reference(&n, n.wbytes);
    net_cost(t, &n, NULL, &all_dram);

    /* layer 0's 1024-byte output at SRAM 3072, read from there by layer 1 */
    n.l[0].flags = SUSHI_LAYER_F_OUT_SRAM;
    n.l[0].out_addr = 3072;
    n.l[1].flags = SUSHI_LAYER_F_IN_SRAM;
    n.l[1].in_addr = 3072;
    net_store_desc(t, &n);
    net_clear_outputs(t, &n);
    g_assert_cmpuint(net_run(t, &n, &c), ==, SUSHI_HW_ST_OK);
    net_cost(t, &n, NULL, &x);
    assert_cost(&c, &x);
    g_assert_cmpuint(x.dram_rd + x.dram_wr, ==,
                     all_dram.dram_rd + all_dram.dram_wr - 2 * 1024);
    g_assert_cmpuint(x.sram_bytes, ==, 2 * 1024);
    got = g_malloc(n.g[0].out_bytes);
    qtest_memread(t->qts, n.act[1].gpa, got, n.g[0].out_bytes);
    g_assert_cmpuint(got[0], ==, 0x5a);     /* guest memory untouched */
    for (int i = 1; i < NET_LAYERS; i++) {
        g_autofree uint8_t *o = g_malloc(n.g[i].out_bytes);

        qtest_memread(t->qts, n.act[i + 1].gpa, o, n.g[i].out_bytes);
        g_assert_cmpmem(o, n.g[i].out_bytes, ref[i], n.g[i].out_bytes);
    }

    /* one byte past the SRAM: refused before any layer runs */
    n.l[0].out_addr = n.l[1].in_addr = 3073;
    net_store_desc(t, &n);
    net_clear_outputs(t, &n);
    g_assert_cmpuint(net_run(t, &n, &c), ==, SUSHI_HW_ST_BAD_LAYER);
    g_assert_cmpuint(le32_to_cpu(c.layer), ==, 0);
    qtest_memread(t->qts, n.act[2].gpa, got, 1);
    g_assert_cmpuint(got[0], ==, 0x5a);

    /*
     * Isolation: layer 0 writes guest memory again, layer 1 still reads
     * SRAM 3072, which the previous good launch filled: it must read the
     * zeros every launch starts with.
     */
    n.l[0].out_addr = n.l[1].in_addr = 3072;
    net_store_desc(t, &n);
    g_assert_cmpuint(net_run(t, &n, &c), ==, SUSHI_HW_ST_OK);
    n.l[0].flags = 0;
    n.l[0].out_addr = n.act[1].dva;
    net_store_desc(t, &n);
    net_clear_outputs(t, &n);
    g_assert_cmpuint(net_run(t, &n, &c), ==, SUSHI_HW_ST_OK);
    zeros = g_malloc0(n.g[0].out_bytes);
    want = g_malloc(n.g[1].out_bytes);
    {
        struct sushi_layer_io io = {
            .in = (const int8_t *)zeros,
            .w = (const int8_t *)n.wbytes[1],
            .w_stride = n.l[1].w_stride,
            .epi = n.epibytes[1],
            .out = (int8_t *)want,
        };

        g_assert_cmpint(sushi_layer_compute(&n.l[1], &io, SUSHI_ISA_REF),
                        ==, 0);
    }
    g_free(got);
    got = g_malloc(n.g[1].out_bytes);
    qtest_memread(t->qts, n.act[2].gpa, got, n.g[1].out_bytes);
    g_assert_cmpmem(got, n.g[1].out_bytes, want, n.g[1].out_bytes);
    net_free_ref(ref);
    net_free(&n);
    stop(t);

    /* without an SRAM every placement there is a bad layer */
    t = start("act-sram-bytes=0");
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_ACT_SRAM), ==, 0);
    t->cfg.act_sram_bytes = 0;
    net_build(t, &n, 12);
    n.l[0].flags = SUSHI_LAYER_F_OUT_SRAM;
    n.l[0].out_addr = 0;
    n.l[1].flags = SUSHI_LAYER_F_IN_SRAM;
    n.l[1].in_addr = 0;
    net_store_desc(t, &n);
    g_assert_cmpuint(net_run(t, &n, &c), ==, SUSHI_HW_ST_BAD_LAYER);
    net_free(&n);
    stop(t);
}

/* SGS: PB_LOAD makes the same LAUNCH cheaper, exactly as the model says. */
static void test_pb(void)
{
    T *t = start(NULL);
    Net n;
    uint8_t **ref, **ref2;
    struct sushi_cost x0, x1, xl;
    struct sushi_pb *pb = sushi_pb_new(t->cfg.pb_bytes, t->cfg.pb_entries,
                                       false);
    struct sushi_hw_ring_entry e;
    struct sushi_hw_completion c;
    uint64_t off = 0;
    int pinned[] = { 0, 2, 6 };
    uint32_t gen;
    uint8_t *w0new;

    net_build(t, &n, 2);
    ref = net_reference(&n, n.wbytes);
    net_cost(t, &n, NULL, &x0);

    for (unsigned k = 0; k < ARRAY_SIZE(pinned); k++) {
        int i = pinned[k];
        struct sushi_pb_range r = {
            .dva = n.l[i].w_addr, .row_stride = n.l[i].w_stride,
            .row_bytes = n.g[i].w_row_bytes, .rows = n.g[i].w_rows,
            .pb_offset = off,
        };

        e = pb_load_entry(r.dva, r.row_stride, r.row_bytes, r.rows, off);
        run1(t, &e, &c);
        g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
        sushi_model_pb_load_cost(&t->cfg, n.g[i].w_bytes, &xl);
        assert_cost(&c, &xl);
        g_assert_cmpint(sushi_pb_insert(pb, &r, NULL), ==, 0);
        off += n.g[i].w_bytes;
    }
    net_cost(t, &n, pb, &x1);
    g_assert_cmpuint(x1.cycles, <, x0.cycles);
    g_assert_cmpuint(x1.dram_rd, <, x0.dram_rd);
    g_assert_cmpuint(x1.pb_rd, ==, off);

    /* the PB holds a snapshot: new weights in DRAM do not matter */
    w0new = g_malloc(n.g[0].w_span);
    memset(w0new, 0x11, n.g[0].w_span);
    qtest_memwrite(t->qts, n.w[0].gpa, w0new, n.g[0].w_span);
    net_clear_outputs(t, &n);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    run1(t, &e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    assert_cost(&c, &x1);
    net_check_outputs(t, &n, ref);

    /* with the right generation the launch runs; a stale one fails */
    gen = rd(t, SUSHI_REG_PB_GENERATION);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    e.flags = cpu_to_le32(SUSHI_CMD_F_CHECK_PB_GEN);
    e.arg.launch.pb_gen = cpu_to_le32(gen);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    e.flags = cpu_to_le32(SUSHI_CMD_F_CHECK_PB_GEN);
    e.arg.launch.pb_gen = cpu_to_le32(gen - 1);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_STALE_PB);

    /* PB_INVALIDATE of layer 0's rows: DRAM weights are used again */
    e = pb_inval_entry(n.l[0].w_addr, 1);
    run1(t, &e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    g_assert_cmpuint(sushi_pb_invalidate(pb, n.l[0].w_addr, 1), ==, 1);
    {
        uint8_t *wb[NET_LAYERS];
        struct sushi_cost x2;

        memcpy(wb, n.wbytes, sizeof(wb));
        wb[0] = w0new;
        ref2 = net_reference(&n, wb);
        net_cost(t, &n, pb, &x2);
        net_clear_outputs(t, &n);
        e = launch_entry(n.desc.dva, NET_LAYERS);
        run1(t, &e, &c);
        g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
        assert_cost(&c, &x2);
        g_assert_cmpuint(x2.dram_rd, >, x1.dram_rd);
        net_check_outputs(t, &n, ref2);
        net_free_ref(ref2);
    }
    /* invalidate everything: the unpinned numbers come back */
    qtest_memwrite(t->qts, n.w[0].gpa, n.wbytes[0], n.g[0].w_span);
    e = pb_inval_entry(0, UINT64_MAX);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    net_clear_outputs(t, &n);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    run1(t, &e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    assert_cost(&c, &x0);
    net_check_outputs(t, &n, ref);

    /* a partial pin: half of layer 2's rows, half of each row */
    g_assert_cmpuint(sushi_pb_invalidate(pb, 0, UINT64_MAX), >, 0);
    {
        struct sushi_pb_range r = {
            .dva = n.l[2].w_addr + 4, .row_stride = n.l[2].w_stride,
            .row_bytes = n.g[2].w_row_bytes / 2,
            .rows = n.g[2].w_rows / 2, .pb_offset = 100,
        };
        struct sushi_cost x3;

        e = pb_load_entry(r.dva, r.row_stride, r.row_bytes, r.rows,
                          r.pb_offset);
        g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
        g_assert_cmpint(sushi_pb_insert(pb, &r, NULL), ==, 0);
        net_cost(t, &n, pb, &x3);
        g_assert_cmpuint(x3.pb_rd, ==, (uint64_t)r.rows * r.row_bytes);
        g_assert_cmpuint(x3.dram_rd, <, x0.dram_rd);
        net_clear_outputs(t, &n);
        e = launch_entry(n.desc.dva, NET_LAYERS);
        run1(t, &e, &c);
        g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
        assert_cost(&c, &x3);
        net_check_outputs(t, &n, ref);
    }

    g_free(w0new);
    sushi_pb_free(pb);
    net_free_ref(ref);
    net_free(&n);
    stop(t);
}

/*
 * Deliver and clear a pending (masked) MSI-X vector: point it at a scratch
 * guest page, unmask it (the pending message is sent), mask it again.
 */
static void msix_clear_pending(T *t, uint16_t vec)
{
    uint64_t off = t->dev->msix_table_off + vec * PCI_MSIX_ENTRY_SIZE;

    if (!t->scratch) {
        t->scratch = gpage(t, SUSHI_MMU_PAGE_SIZE);
    }
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)t->scratch);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_UPPER_ADDR, t->scratch >> 32);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   PCI_MSIX_ENTRY_CTRL_MASKBIT);
    g_assert_false(qpci_msix_pending(t->dev, vec));
}

/* Run @e, expect @status at @fault, then two NOPs (the entry is at TAIL - 3) */
static void expect_error(T *t, struct sushi_hw_ring_entry *e, uint32_t status,
                         uint64_t fault)
{
    struct sushi_hw_completion c;
    uint64_t errs = rd64(t, SUSHI_REG_CNT_ERRORS);

    msix_clear_pending(t, SUSHI_MSIX_VEC_ERROR);

    run1(t, e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, status);
    g_assert_cmpuint(le64_to_cpu(c.fault_addr), ==, fault);
    g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), ==, status);
    g_assert_cmphex(rd64(t, SUSHI_REG_ERROR_ADDR_LO), ==, fault);
    g_assert_cmphex(rd(t, SUSHI_REG_INT_STATUS), ==,
                    SUSHI_INT_JOB | SUSHI_INT_ERROR);
    g_assert_true(qpci_msix_pending(t->dev, SUSHI_MSIX_VEC_ERROR));
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_ERRORS), ==, errs + 1);
    wr(t, SUSHI_REG_INT_STATUS, SUSHI_INT_JOB | SUSHI_INT_ERROR);
    /* a successful job does not signal the error vector */
    msix_clear_pending(t, SUSHI_MSIX_VEC_ERROR);
    nop_ok(t);
    g_assert_false(qpci_msix_pending(t->dev, SUSHI_MSIX_VEC_ERROR));
    g_assert_true(qpci_msix_pending(t->dev, SUSHI_MSIX_VEC_JOB));
    /* failed jobs cost one job overhead (plus what ran) */
    g_assert_cmpuint(le64_to_cpu(c.cycles), >=, t->cfg.overhead_cycles);
    nop_ok(t);
}

static void test_errors(void)
{
    T *t = start("pb-bytes=4096,pb-entries=2,max-layers=16");
    Net n;
    uint8_t **ref;
    struct sushi_hw_ring_entry e;
    struct sushi_hw_completion c;
    struct sushi_hw_layer le[NET_LAYERS], bad;
    Buf desc2, ro;
    uint32_t progress, tail;

    t->cfg.pb_bytes = 4096;
    t->cfg.pb_entries = 2;
    t->max_layers = 16;
    net_build(t, &n, 3);
    ref = net_reference(&n, n.wbytes);
    qtest_memread(t->qts, n.desc.gpa, le, sizeof(le));
    desc2 = balloc(t, sizeof(le), false);

    /* opcodes */
    for (uint32_t op = 0; op < 8; op += 5) {
        e = (struct sushi_hw_ring_entry){ .opcode = cpu_to_le32(op) };
        expect_error(t, &e, SUSHI_HW_ST_BAD_OPCODE, 0);
    }
    e = (struct sushi_hw_ring_entry){ .opcode = cpu_to_le32(0xffffffff) };
    expect_error(t, &e, SUSHI_HW_ST_BAD_OPCODE, 0);
    /* reserved bits and words */
    e = (struct sushi_hw_ring_entry){ .opcode = cpu_to_le32(SUSHI_CMD_NOP),
                                      .flags = cpu_to_le32(1) };
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = (struct sushi_hw_ring_entry){ .opcode = cpu_to_le32(SUSHI_CMD_NOP) };
    e.arg.raw[4] = cpu_to_le64(1);
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    e.flags = cpu_to_le32(2);
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    e.arg.raw[3] = cpu_to_le64(1);
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = launch_entry(n.desc.dva, 0);
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = launch_entry(n.desc.dva, 17);
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = pb_inval_entry(0, 1);
    e.arg.raw[2] = cpu_to_le64(1);
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = pb_load_entry(n.l[0].w_addr, 32, 27, 0, 0);
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);
    e = pb_load_entry(n.l[0].w_addr, 16, 27, 2, 0);     /* stride < row */
    expect_error(t, &e, SUSHI_HW_ST_BAD_ENTRY, 0);

    /* a bad descriptor: layer 1 gets an unknown op */
    bad = le[1];
    le[1].op = cpu_to_le32(99);
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_BAD_LAYER, 0);
    read_compl(t, (t->tail + RING_ENTRIES - 3) % RING_ENTRIES, &c);
    g_assert_cmpuint(le32_to_cpu(c.layer), ==, 1);
    le[1] = bad;
    le[2].kernel = cpu_to_le32(2);              /* even kernel */
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_BAD_LAYER, 0);
    read_compl(t, (t->tail + RING_ENTRIES - 3) % RING_ENTRIES, &c);
    g_assert_cmpuint(le32_to_cpu(c.layer), ==, 2);
    le[2].kernel = cpu_to_le32(1);
    /*
     * a layer of 1.5 x 2^34 MACs (1x1 conv, 65536 -> 65536 channels, 2x3
     * pixels): refused before anything runs, so no guest can make the
     * device compute for hours under the BQL
     */
    bad = le[2];
    memset(&le[2], 0, sizeof(le[2]));
    le[2].op = cpu_to_le32(SUSHI_OP_CONV);
    le[2].in_c = le[2].out_c = cpu_to_le32(65536);
    le[2].in_h = le[2].out_h = cpu_to_le32(2);
    le[2].in_w = le[2].out_w = cpu_to_le32(3);
    le[2].kernel = le[2].stride = le[2].groups = cpu_to_le32(1);
    le[2].w_stride = cpu_to_le64(65536);
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_BAD_LAYER, 0);
    read_compl(t, (t->tail + RING_ENTRIES - 3) % RING_ENTRIES, &c);
    g_assert_cmpuint(le32_to_cpu(c.layer), ==, 2);
    le[2] = bad;

    /* unmapped: the descriptor list, an input, beyond the VA space */
    e = launch_entry(n.desc.dva + SUSHI_MMU_PAGE_SIZE, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_PAGE_FAULT,
                 n.desc.dva + SUSHI_MMU_PAGE_SIZE);
    le[3].in_addr = cpu_to_le64(0x3000);        /* never mapped */
    le[3].in2_addr = cpu_to_le64(0x3000);
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_PAGE_FAULT, 0x3000);
    le[3].in_addr = cpu_to_le64((1ull << SUSHI_MMU_VA_BITS) + 0x1000);
    le[3].in2_addr = le[3].in_addr;
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_PAGE_FAULT,
                 (1ull << SUSHI_MMU_VA_BITS) + 0x1000);
    /* an output on a read-only page */
    le[3].in_addr = le[3].in2_addr = cpu_to_le64(n.act[3].dva);
    ro = balloc(t, n.g[4].out_bytes, false);
    le[4].out_addr = cpu_to_le64(ro.dva);
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_PAGE_FAULT, ro.dva);
    read_compl(t, (t->tail + RING_ENTRIES - 3) % RING_ENTRIES, &c);
    g_assert_cmpuint(le32_to_cpu(c.layer), ==, 4);
    /* a page mapped to a bus address without memory: DMA error */
    map_page(t, 0x5000, 1ull << 44, false);
    le[4].out_addr = cpu_to_le64(n.act[5].dva);
    le[5].in_addr = cpu_to_le64(0x5000);
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_DMA_ERROR, 1ull << 44);

    /* DMA aimed at the device's own registers fails, nothing re-enters */
    map_page(t, 0x7000, t->bar.addr & ~(uint64_t)(SUSHI_MMU_PAGE_SIZE - 1),
             true);
    le[5].in_addr = cpu_to_le64(n.act[5].dva);
    le[5].out_addr = cpu_to_le64(0x7000 + SUSHI_REG_RING_BASE_LO);
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_DMA_ERROR,
                 t->bar.addr + SUSHI_REG_RING_BASE_LO);
    le[5].out_addr = cpu_to_le64(n.act[6].dva);
    le[5].in_addr = cpu_to_le64(0x7000);
    qtest_memwrite(t->qts, desc2.gpa, le, sizeof(le));
    e = launch_entry(desc2.dva, NET_LAYERS);
    expect_error(t, &e, SUSHI_HW_ST_DMA_ERROR, t->bar.addr);
    progress = rd(t, SUSHI_REG_PROGRESS);
    e = (struct sushi_hw_ring_entry){ .opcode = cpu_to_le32(SUSHI_CMD_NOP) };
    e.compl_addr = cpu_to_le64(t->bar.addr + SUSHI_REG_RING_BASE_LO);
    put(t, &e);
    doorbell(t);
    wait_progress(t, progress + 1);
    g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), ==, SUSHI_HW_ST_DMA_ERROR);
    g_assert_cmphex(rd64(t, SUSHI_REG_ERROR_ADDR_LO), ==,
                    t->bar.addr + SUSHI_REG_RING_BASE_LO);
    g_assert_cmphex(rd64(t, SUSHI_REG_RING_BASE_LO), ==, t->ring);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_SIZE), ==, RING_ENTRIES);
    nop_ok(t);

    /* PB: too large, overlapping, table full, unmapped source */
    e = pb_load_entry(n.l[0].w_addr, 0, 4097, 1, 0);
    expect_error(t, &e, SUSHI_HW_ST_PB_NO_SPACE, 0);
    e = pb_load_entry(n.l[0].w_addr, 0, 64, 1, 4096 - 63);
    expect_error(t, &e, SUSHI_HW_ST_PB_NO_SPACE, 0);
    e = pb_load_entry(n.l[0].w_addr, 0, 64, 1, 0);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    e = pb_load_entry(n.l[0].w_addr + 32, 0, 64, 1, 64);        /* same DVAs */
    expect_error(t, &e, SUSHI_HW_ST_PB_OVERLAP, 0);
    e = pb_load_entry(n.l[2].w_addr, 0, 64, 1, 32);     /* same PB bytes */
    expect_error(t, &e, SUSHI_HW_ST_PB_OVERLAP, 0);
    e = pb_load_entry(n.l[2].w_addr, 0, 64, 1, 64);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    e = pb_load_entry(n.l[6].w_addr, 0, 64, 1, 128);
    expect_error(t, &e, SUSHI_HW_ST_PB_TABLE_FULL, 0);
    e = pb_inval_entry(0, UINT64_MAX);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    e = pb_load_entry(0x3000, 0, 64, 1, 0);
    expect_error(t, &e, SUSHI_HW_ST_PAGE_FAULT, 0x3000);

    /* a misaligned completion address: no record, ERROR says why */
    progress = rd(t, SUSHI_REG_PROGRESS);
    e = (struct sushi_hw_ring_entry){ .opcode = cpu_to_le32(SUSHI_CMD_NOP) };
    e.compl_addr = cpu_to_le64(compl_gpa(t, t->tail) + 4);
    put(t, &e);
    doorbell(t);
    wait_progress(t, progress + 1);
    read_compl(t, (t->tail + RING_ENTRIES - 1) % RING_ENTRIES, &c);
    g_assert_cmphex(le32_to_cpu(c.status), ==, POISON);
    g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), ==, SUSHI_HW_ST_BAD_ENTRY);
    nop_ok(t);

    /* a tail beyond the ring is rejected and reported; work goes on */
    tail = rd(t, SUSHI_REG_RING_TAIL);
    wr(t, SUSHI_REG_INT_STATUS, 3);
    wr(t, SUSHI_REG_RING_TAIL, RING_ENTRIES);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_TAIL), ==, tail);
    g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), ==, SUSHI_HW_ST_BAD_RING);
    g_assert_cmphex(rd(t, SUSHI_REG_INT_STATUS), ==, SUSHI_INT_ERROR);
    wr(t, SUSHI_REG_RING_TAIL, 0xffffffff);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_TAIL), ==, tail);
    nop_ok(t);

    /* a misaligned ring base halts the ring until it is reprogrammed */
    wr(t, SUSHI_REG_CONTROL, 0);
    wr(t, SUSHI_REG_RING_BASE_LO, (uint32_t)t->ring + 8);
    wr(t, SUSHI_REG_RING_SIZE, RING_ENTRIES);
    wr(t, SUSHI_REG_CONTROL, SUSHI_CONTROL_ENABLE);
    wr(t, SUSHI_REG_RING_TAIL, 1);
    qtest_clock_step(t->qts, 1000);
    g_assert_cmphex(rd(t, SUSHI_REG_STATUS) & SUSHI_STATUS_HALTED, ==,
                    SUSHI_STATUS_HALTED);
    g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), ==, SUSHI_HW_ST_BAD_RING);
    ring_setup(t);
    g_assert_cmphex(rd(t, SUSHI_REG_STATUS), ==, SUSHI_STATUS_READY);
    /* a ring size that is not a power of two, or above max-ring */
    wr(t, SUSHI_REG_CONTROL, 0);
    wr(t, SUSHI_REG_RING_SIZE, 48);
    wr(t, SUSHI_REG_CONTROL, SUSHI_CONTROL_ENABLE);
    wr(t, SUSHI_REG_RING_TAIL, 1);
    qtest_clock_step(t->qts, 1000);
    g_assert_cmphex(rd(t, SUSHI_REG_STATUS) & SUSHI_STATUS_HALTED, ==,
                    SUSHI_STATUS_HALTED);
    ring_setup(t);
    nop_ok(t);

    /* after all that, the network still computes the right bytes */
    net_clear_outputs(t, &n);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
    net_check_outputs(t, &n, ref);
    net_free_ref(ref);
    net_free(&n);
    stop(t);
}

static void pin_layer0(T *t, Net *n)
{
    struct sushi_hw_ring_entry e = pb_load_entry(n->l[0].w_addr,
                                                 n->l[0].w_stride,
                                                 n->g[0].w_row_bytes,
                                                 n->g[0].w_rows, 0);

    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);
}

/* CONTROL.RESET and FLR stop work, wipe the PB, bump the generation. */
static void test_reset(void)
{
    T *t = start(NULL);
    Net n;
    struct sushi_cost x0, x1;
    struct sushi_pb *pb = sushi_pb_new(t->cfg.pb_bytes, t->cfg.pb_entries,
                                       false);
    struct sushi_pb_range r;
    struct sushi_hw_ring_entry e;
    struct sushi_hw_completion c;
    uint32_t gen, slot;
    uint8_t exp;

    net_build(t, &n, 4);
    net_cost(t, &n, NULL, &x0);
    r = (struct sushi_pb_range){ .dva = n.l[0].w_addr,
            .row_stride = n.l[0].w_stride, .row_bytes = n.g[0].w_row_bytes,
            .rows = n.g[0].w_rows };
    g_assert_cmpint(sushi_pb_insert(pb, &r, NULL), ==, 0);
    net_cost(t, &n, pb, &x1);
    g_assert_cmpuint(x1.cycles, <, x0.cycles);

    /* CONTROL.RESET in the middle of a job: ABORTED, no completion later */
    pin_layer0(t, &n);
    gen = rd(t, SUSHI_REG_PB_GENERATION);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    slot = put(t, &e);
    doorbell(t);
    qtest_clock_step(t->qts, 10);
    wr(t, SUSHI_REG_CONTROL, SUSHI_CONTROL_RESET);
    read_compl(t, slot, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_ABORTED);
    g_assert_cmpuint(rd(t, SUSHI_REG_PB_GENERATION), ==, gen + 1);
    g_assert_cmpuint(rd(t, SUSHI_REG_CONTROL), ==, 0);
    g_assert_cmpuint(rd(t, SUSHI_REG_RING_SIZE), ==, 0);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, 0);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CNT_JOBS), ==, 0);
    qtest_clock_step(t->qts, 1000000000);
    read_compl(t, slot, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_ABORTED);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, 0);
    /* the PB was wiped: the launch pays for its weights again */
    ring_setup(t);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    run1(t, &e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    assert_cost(&c, &x0);
    g_assert_cmpuint(le32_to_cpu(c.pb_gen), ==, gen + 1);

    /* pinned again, then a function-level reset */
    pin_layer0(t, &n);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    run1(t, &e, &c);
    assert_cost(&c, &x1);
    {
        uint8_t exp_cap = qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0);

        g_assert_cmpuint(qpci_config_readl(t->dev, exp_cap + PCI_EXP_DEVCAP) &
                         PCI_EXP_DEVCAP_FLR, !=, 0);
        exp = exp_cap;
    }
    g_assert_cmpuint(flr(t), ==, exp);
    g_assert_cmpuint(rd(t, SUSHI_REG_PB_GENERATION), ==, gen + 2);
    g_assert_cmpuint(rd(t, SUSHI_REG_CONTROL), ==, 0);
    ring_setup(t);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    e.flags = cpu_to_le32(SUSHI_CMD_F_CHECK_PB_GEN);
    e.arg.launch.pb_gen = cpu_to_le32(gen + 1);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_STALE_PB);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    run1(t, &e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    assert_cost(&c, &x0);

    /* a machine reset (device reset) in the middle of a job */
    pin_layer0(t, &n);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    slot = put(t, &e);
    doorbell(t);
    qtest_clock_step(t->qts, 10);
    qtest_system_reset(t->qts);
    /* no firmware runs under qtest: map the BARs again */
    t->bar = qpci_iomap(t->dev, SUSHI_BAR_REGS, NULL);
    qpci_device_enable(t->dev);
    qpci_msix_enable(t->dev);
    g_assert_cmpuint(rd(t, SUSHI_REG_PB_GENERATION), ==, gen + 3);
    read_compl(t, slot, &c);
    g_assert_cmphex(le32_to_cpu(c.status), ==, POISON);   /* no record */
    qtest_clock_step(t->qts, 1000000000);
    read_compl(t, slot, &c);
    g_assert_cmphex(le32_to_cpu(c.status), ==, POISON);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, 0);
    ring_setup(t);
    e = launch_entry(n.desc.dva, NET_LAYERS);
    run1(t, &e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    assert_cost(&c, &x0);
    g_assert_cmpuint(le32_to_cpu(c.pb_gen), ==, gen + 3);

    sushi_pb_free(pb);
    net_free(&n);
    stop(t);
}

/* ------------------------------------------------------ randomized test */

static void test_random(void)
{
    const unsigned entries = 3000;
    T *t = start("pb-bytes=65536,pb-entries=8,max-layers=8,"
                 "act-sram-bytes=4096");
    g_autoptr(GRand) r = g_rand_new_with_seed(20261127);
    Buf pool, descs;
    unsigned done = 0, ok = 0, ok_launch = 0, st_count[16] = { 0 };
    uint32_t ops_of[RING_ENTRIES];

    random_pool(t, r, &pool, &descs);
    while (done < entries) {
        unsigned batch = MIN(entries - done, g_rand_int_range(r, 1, 16));
        uint32_t first = t->tail, p0 = rd(t, SUSHI_REG_PROGRESS);

        for (unsigned i = 0; i < batch; i++) {
            struct sushi_hw_ring_entry e = { 0 };
            uint32_t op = random_entry(t, r, &pool, &descs, &e);

            ops_of[put(t, &e)] = op;
            /* a LAUNCH reads its descriptors when it runs */
            if (op == SUSHI_CMD_LAUNCH) {
                break;
            }
        }
        batch = (t->tail + RING_ENTRIES - first) % RING_ENTRIES;
        if (g_rand_int_range(r, 0, 64) == 0) {
            wr(t, SUSHI_REG_RING_TAIL,
               RING_ENTRIES + g_rand_int_range(r, 0, 9));
            g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), ==,
                             SUSHI_HW_ST_BAD_RING);
        }
        doorbell(t);
        wait_progress(t, p0 + batch);
        for (unsigned i = 0; i < batch; i++) {
            struct sushi_hw_completion c;
            uint32_t st;

            read_compl(t, (first + i) % RING_ENTRIES, &c);
            st = le32_to_cpu(c.status);
            if (st == POISON) { /* misaligned compl_addr only */
                continue;
            }
            g_assert_cmpuint(st, <=, SUSHI_HW_ST_ABORTED);
            g_assert_cmpuint(st, !=, SUSHI_HW_ST_ABORTED);
            g_assert_cmpuint(le64_to_cpu(c.seqno), ==,
                             t->seqno - batch + 1 + i);
            st_count[st]++;
            ok += st == SUSHI_HW_ST_OK;
            ok_launch += st == SUSHI_HW_ST_OK &&
                         ops_of[(first + i) % RING_ENTRIES] ==
                         SUSHI_CMD_LAUNCH;
        }
        done += batch;
        wr(t, SUSHI_REG_INT_STATUS, 3);
    }
    g_test_message("random: %u entries, %u OK (%u LAUNCH), bad opcode %u, "
                   "bad entry %u, "
                   "bad layer %u, page fault %u, PB errors %u, stale %u",
                   done, ok, ok_launch, st_count[1], st_count[2], st_count[3],
                   st_count[4], st_count[6] + st_count[7] + st_count[8],
                   st_count[9]);
    g_assert_cmpuint(ok, >, 0);
    g_assert_cmpuint(ok_launch, >, 0);
    g_assert_cmpuint(st_count[SUSHI_HW_ST_BAD_LAYER], >, 0);
    g_assert_cmpuint(st_count[SUSHI_HW_ST_PAGE_FAULT], >, 0);
    g_assert_cmpuint(rd(t, SUSHI_REG_PROGRESS), ==, done);
    g_assert_cmphex(rd(t, SUSHI_REG_ID), ==, SUSHI_HW_ID);
    nop_ok(t);
    stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* explicit paths: QTEST_QEMU_BINARY carries -L options after the name */
    g_test_add_func("/x86_64/sushi-accel/identity", test_identity);
    g_test_add_func("/x86_64/sushi-accel/caps-props", test_caps_props);
    g_test_add_func("/x86_64/sushi-accel/prop-defaults", test_prop_defaults);
    g_test_add_func("/x86_64/sushi-accel/bad-props", test_bad_props);
    g_test_add_func("/x86_64/sushi-accel/mmio-edges", test_mmio_edges);
    g_test_add_func("/x86_64/sushi-accel/intx", test_intx);
    g_test_add_func("/x86_64/sushi-accel/launch", test_launch);
    g_test_add_func("/x86_64/sushi-accel/pb", test_pb);
    g_test_add_func("/x86_64/sushi-accel/sram", test_sram);
    g_test_add_func("/x86_64/sushi-accel/errors", test_errors);
    g_test_add_func("/x86_64/sushi-accel/reset", test_reset);
    g_test_add_func("/x86_64/sushi-accel/random", test_random);
    return g_test_run();
}
