/*
 * sushi-accel-hostile-test.c - qtests of the sushi-accel device against a
 * hostile guest: the worst jobs the per-job host budgets allow and jobs
 * just over them (the largest pooling, the largest depthwise layer, the
 * deepest LAUNCH, the most PB gather pieces).  Over-budget jobs must fail
 * with OVER_BUDGET at the layer that passes the budget, before any
 * compute; the worst legal jobs must give the model's output and cost,
 * the main loop must answer QMP within 100 ms while one computes, and
 * QEMU's peak RSS must stay under its size before the jobs plus the
 * memory budget.  Tensors of up to tens of MiB are guest pages aliased at
 * many device addresses (every PTE of a tensor maps one page).  Costs
 * come from the shared model library, never hard-coded.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sushi-qtest.h"
#include "qobject/qdict.h"

#define QMP_BOUND_US    100000  /* the main loop answers within 100 ms */
#define DEEPEST         65536   /* the device's largest max-layers */

/* ------------------------------------------------------------ helpers */

/* @len bytes at a fresh DVA range whose every page maps one guest page */
static Buf alias_buf(T *t, uint64_t len, bool writable, const uint8_t *page)
{
    Buf b = { .dva = t->next_dva, .len = len };
    uint64_t pages = DIV_ROUND_UP(len ? len : 1, SUSHI_MMU_PAGE_SIZE);

    b.gpa = gpage(t, SUSHI_MMU_PAGE_SIZE);
    if (page) {
        qtest_memwrite(t->qts, b.gpa, page, SUSHI_MMU_PAGE_SIZE);
    }
    for (uint64_t i = 0; i < pages; i++) {
        map_page(t, b.dva + i * SUSHI_MMU_PAGE_SIZE, b.gpa, writable);
    }
    t->next_dva += (pages + 1) * SUSHI_MMU_PAGE_SIZE;
    return b;
}

/* What the device reads from an aliased tensor of @len bytes. */
static uint8_t *alias_content(const uint8_t *page, uint64_t len)
{
    uint8_t *v = g_malloc(len);

    for (uint64_t i = 0; i < len; i += SUSHI_MMU_PAGE_SIZE) {
        memcpy(v + i, page, MIN(SUSHI_MMU_PAGE_SIZE, len - i));
    }
    return v;
}

/* The guest page an aliased output ends up holding: its last page. */
static void check_alias_output(T *t, const Buf *out, const uint8_t *ref)
{
    uint64_t last = (out->len - 1) / SUSHI_MMU_PAGE_SIZE * SUSHI_MMU_PAGE_SIZE;
    uint64_t n = out->len - last;
    g_autofree uint8_t *got = g_malloc(n);

    qtest_memread(t->qts, out->gpa, got, n);
    g_assert_cmpmem(got, n, ref + last, n);
}

/* kB of a "Key:   N kB" line of QEMU's /proc/<pid>/status */
static uint64_t qemu_status_kb(T *t, const char *key)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status",
                                            (int)qtest_pid(t->qts));
    g_autofree char *text = NULL;
    const char *p;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    p = strstr(text, key);
    g_assert_nonnull(p);
    return g_ascii_strtoull(p + strlen(key), NULL, 10);
}

/* Wall time QEMU takes to answer a QMP command, in microseconds. */
static int64_t qmp_latency_us(T *t)
{
    int64_t t0 = g_get_monotonic_time();
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'query-status'}");

    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    return g_get_monotonic_time() - t0;
}

/* The job's host cost as the device computes it (descriptors + layers). */
static struct sushi_host_cost job_cost(const struct sushi_model_config *cfg,
                                       const struct sushi_hw_layer *l,
                                       uint32_t n)
{
    struct sushi_host_cost job;
    uint64_t desc;

    sushi_job_host_cost_init(n, &job);
    desc = job.mem;
    for (uint32_t i = 0; i < n; i++) {
        struct sushi_layer_geom g;
        struct sushi_host_cost c;

        g_assert_cmpint(sushi_layer_check(&l[i], &g), ==, 0);
        sushi_hw_layer_host_cost(&l[i], &g, cfg->pb_entries, &c);
        sushi_job_host_cost_add(&job, desc, &c);
    }
    return job;
}

/* Layers within the budgets: how many copies of @l a job may hold. */
static uint32_t max_copies(T *t, const struct sushi_hw_layer *l,
                           uint64_t work, uint64_t mem)
{
    g_autofree struct sushi_hw_layer *v = NULL;
    uint32_t n = 0;

    for (;;) {
        struct sushi_host_cost c;

        v = g_renew(struct sushi_hw_layer, v, n + 1);
        v[n] = *l;
        c = job_cost(&t->cfg, v, n + 1);
        if (sushi_host_cost_over(&c, work, mem)) {
            return n;
        }
        n++;
    }
}

/* @n copies of @l as little-endian descriptors in guest memory. */
static Buf put_descs(T *t, const struct sushi_hw_layer *l, uint32_t n)
{
    g_autofree struct sushi_hw_layer *le = g_new(struct sushi_hw_layer, n);
    Buf d;

    for (uint32_t i = 0; i < n; i++) {
        sushi_layer_to_le(&le[i], l);
    }
    d = balloc(t, (uint64_t)n * sizeof(*le), false);
    qtest_memwrite(t->qts, d.gpa, le, (uint64_t)n * sizeof(*le));
    return d;
}

/* Run a LAUNCH of @n copies of @l; returns its completion. */
static void launch_copies(T *t, const struct sushi_hw_layer *l, uint32_t n,
                          struct sushi_hw_completion *c)
{
    Buf d = put_descs(t, l, n);
    struct sushi_hw_ring_entry e = launch_entry(d.dva, n);

    run1(t, &e, c);
}

static void expect_over_budget(T *t, const struct sushi_hw_layer *l,
                               uint32_t n, uint32_t layer)
{
    struct sushi_hw_completion c;

    launch_copies(t, l, n, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OVER_BUDGET);
    g_assert_cmpuint(le32_to_cpu(c.layer), ==, layer);
    /* rejected before any layer ran: one job overhead, no MACs */
    g_assert_cmpuint(le64_to_cpu(c.macs), ==, 0);
    g_assert_cmpuint(rd(t, SUSHI_REG_ERROR), ==, SUSHI_HW_ST_OVER_BUDGET);
}

/*
 * Run @l once as a job while timing QMP; check the model's cost and the
 * last page of the (aliased) output against the model on the aliased
 * input.  Returns the QMP latency in microseconds.
 */
static int64_t run_worst(T *t, struct sushi_hw_layer *l, const Buf *out,
                         const uint8_t *in_page, const uint8_t *w,
                         const uint8_t *epi)
{
    struct sushi_layer_geom g;
    struct sushi_layer_io io = { 0 };
    struct sushi_cost x = { 0 };
    struct sushi_hw_completion c;
    struct sushi_hw_ring_entry e;
    g_autofree uint8_t *in = NULL, *ref = NULL;
    uint32_t p = rd(t, SUSHI_REG_PROGRESS), slot;
    int64_t lat, t0;
    Buf d;

    g_assert_cmpint(sushi_layer_check(l, &g), ==, 0);
    in = alias_content(in_page, g.in_bytes);
    ref = g_malloc(g.out_bytes);
    io.in = (const int8_t *)in;
    io.w = (const int8_t *)w;
    io.w_stride = l->w_stride;
    io.epi = epi;
    io.out = (int8_t *)ref;
    g_assert_cmpint(sushi_layer_compute(l, &io, SUSHI_ISA_AUTO), ==, 0);
    g_assert_cmpint(sushi_model_layer_cost(&t->cfg, NULL, l, &x), ==, 0);

    d = put_descs(t, l, 1);
    e = launch_entry(d.dva, 1);
    slot = put(t, &e);
    t0 = g_get_monotonic_time();
    doorbell(t);
    lat = qmp_latency_us(t);
    wait_progress(t, p + 1);
    g_test_message("worst legal %s job: %.2f s of host compute, QMP "
                   "answered in %.1f ms meanwhile",
                   l->op == SUSHI_OP_CONV ? "depthwise" : "pooling",
                   (g_get_monotonic_time() - t0) / 1e6, lat / 1e3);
    read_compl(t, slot, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    assert_cost(&c, &x);
    check_alias_output(t, out, ref);
    return lat;
}

/* ------------------------------------------------------------- pooling */

/* A k x k max pooling (no padding) of @c channels over @hw x @hw. */
static void maxpool_layer(struct sushi_hw_layer *l, uint32_t c, uint32_t hw,
                          uint32_t k, uint32_t stride)
{
    memset(l, 0, sizeof(*l));
    l->op = SUSHI_OP_MAXPOOL;
    l->in_c = l->out_c = c;
    l->in_h = l->in_w = hw;
    l->out_h = l->out_w = (hw - k) / stride + 1;
    l->kernel = k;
    l->stride = stride;
    l->groups = 1;
    l->act_min = (uint32_t)-128;
    l->act_max = 127;
}

/*
 * The measured attack: 16 MAXPOOL layers, k = 8, C = 1, 4096 x 4096
 * output (20 s of main loop before the budgets).
 */
static void test_pool(void)
{
    T *t = start(NULL);
    uint64_t rss0 = qemu_status_kb(t, "VmRSS:"), hwm;
    struct sushi_hw_layer l;
    uint8_t page[SUSHI_MMU_PAGE_SIZE];
    uint32_t n;
    Buf in, out;

    for (unsigned i = 0; i < sizeof(page); i++) {
        page[i] = (uint8_t)(i * 37 + (i >> 5));
    }
    maxpool_layer(&l, 1, 4096 + 7, 8, 1);
    in = alias_buf(t, (uint64_t)l.in_h * l.in_w, false, page);
    out = alias_buf(t, (uint64_t)l.out_h * l.out_w, true, NULL);
    l.in_addr = in.dva;
    l.out_addr = out.dva;

    n = max_copies(t, &l, SUSHI_HW_DEFAULT_WORK_BUDGET,
                   SUSHI_HW_DEFAULT_MEM_BUDGET);
    g_assert_cmpuint(n, >=, 1);
    g_assert_cmpuint(n, <, 16);
    expect_over_budget(t, &l, 16, n);
    expect_over_budget(t, &l, n + 1, n);

    /* the worst legal pooling job: n such layers (one suffices here) */
    g_assert_cmpint(run_worst(t, &l, &out, page, NULL, NULL), <,
                    QMP_BOUND_US);
    hwm = qemu_status_kb(t, "VmHWM:");
    g_test_message("QEMU RSS %" PRIu64 " kB before, peak %" PRIu64 " kB",
                   rss0, hwm);
    g_assert_cmpuint(hwm, <=, rss0 + SUSHI_HW_DEFAULT_MEM_BUDGET / 1024);
    stop(t);
}

/* ----------------------------------------------------------- depthwise */

/* A depthwise 3x3 stride-2 layer with channel multiplier 7 on @hw^2. */
static void dw_layer(struct sushi_hw_layer *l, uint32_t hw)
{
    memset(l, 0, sizeof(*l));
    l->op = SUSHI_OP_CONV;
    l->in_c = l->groups = 2;
    l->out_c = 14;
    l->in_h = l->in_w = hw;
    l->out_h = l->out_w = (hw + 2 - 3) / 2 + 1;
    l->kernel = 3;
    l->stride = 2;
    l->pad = 1;
    l->act_min = (uint32_t)-128;
    l->act_max = 127;
    l->w_stride = 9;
}

/*
 * The measured attack (16384 x 16384, 4.8 GiB of QEMU before the budgets)
 * and the largest depthwise layer the memory budget allows.
 */
static void test_depthwise(void)
{
    T *t = start(NULL);
    uint64_t rss0 = qemu_status_kb(t, "VmRSS:"), hwm;
    struct sushi_hw_layer l;
    struct sushi_layer_geom g;
    struct sushi_hw_epilogue epi[14];
    uint8_t page[SUSHI_MMU_PAGE_SIZE], w[14 * 9];
    uint32_t hw;
    Buf in, out, wb, eb;

    dw_layer(&l, 16384);
    expect_over_budget(t, &l, 1, 0);

    /* the largest square input whose layer fits the memory budget */
    for (hw = 16384; hw > 8; hw -= 8) {
        dw_layer(&l, hw);
        if (max_copies(t, &l, SUSHI_HW_DEFAULT_WORK_BUDGET,
                       SUSHI_HW_DEFAULT_MEM_BUDGET) >= 1) {
            break;
        }
    }
    dw_layer(&l, hw + 8);
    expect_over_budget(t, &l, 1, 0);
    dw_layer(&l, hw);
    g_assert_cmpint(sushi_layer_check(&l, &g), ==, 0);

    for (unsigned i = 0; i < sizeof(page); i++) {
        page[i] = (uint8_t)(i * 11 + 5);
    }
    for (unsigned i = 0; i < sizeof(w); i++) {
        w[i] = (uint8_t)(i * 7 - 60);
    }
    for (unsigned i = 0; i < 14; i++) {
        epi[i].bias = cpu_to_le32(100 * i - 700);
        epi[i].mult = cpu_to_le32(1 << 20);
        epi[i].shift = cpu_to_le32(24);
    }
    in = alias_buf(t, g.in_bytes, false, page);
    out = alias_buf(t, g.out_bytes, true, NULL);
    wb = balloc(t, sizeof(w), false);
    eb = balloc(t, sizeof(epi), false);
    qtest_memwrite(t->qts, wb.gpa, w, sizeof(w));
    qtest_memwrite(t->qts, eb.gpa, epi, sizeof(epi));
    l.in_addr = in.dva;
    l.out_addr = out.dva;
    l.w_addr = wb.dva;
    l.epi_addr = eb.dva;
    g_test_message("largest legal depthwise: %ux%u x2 -> %ux%u x14", hw, hw,
                   l.out_h, l.out_w);
    run_worst(t, &l, &out, page, w, (const uint8_t *)epi);
    hwm = qemu_status_kb(t, "VmHWM:");
    g_test_message("QEMU RSS %" PRIu64 " kB before, peak %" PRIu64 " kB",
                   rss0, hwm);
    g_assert_cmpuint(hwm, <=, rss0 + SUSHI_HW_DEFAULT_MEM_BUDGET / 1024);
    stop(t);
}

/* --------------------------------------------------------------- depth */

/*
 * The deepest LAUNCH the device takes (max-layers=65536) of small layers:
 * well within the budgets, it runs; one descriptor more is refused.
 */
static void test_deepest(void)
{
    T *t = start("max-layers=65536");
    struct sushi_hw_layer l;
    struct sushi_hw_completion c;
    struct sushi_cost x;
    uint8_t page[SUSHI_MMU_PAGE_SIZE];
    Buf in, out, d;
    struct sushi_hw_ring_entry e;
    g_autofree struct sushi_hw_layer *le = NULL;
    const uint32_t n = DEEPEST;
    const uint32_t per_page = SUSHI_MMU_PAGE_SIZE / sizeof(*le);

    for (unsigned i = 0; i < sizeof(page); i++) {
        page[i] = (uint8_t)(i * 5 + 1);
    }
    maxpool_layer(&l, 64, 4, 2, 2);
    in = alias_buf(t, 4 * 4 * 64, false, page);
    out = alias_buf(t, 2 * 2 * 64, true, NULL);
    l.in_addr = in.dva;
    l.out_addr = out.dva;
    g_assert_false(sushi_host_cost_over(&(struct sushi_host_cost)
                                        { job_cost(&t->cfg, &l, 1).work * n,
                                          0 },
                                        SUSHI_HW_DEFAULT_WORK_BUDGET,
                                        SUSHI_HW_DEFAULT_MEM_BUDGET));

    /* one page of identical descriptors behind all 2048 pages of the list */
    le = g_new(struct sushi_hw_layer, per_page);
    for (uint32_t i = 0; i < per_page; i++) {
        sushi_layer_to_le(&le[i], &l);
    }
    d = alias_buf(t, (uint64_t)n * sizeof(*le), false, (uint8_t *)le);

    g_assert_cmpint(sushi_model_layer_cost(&t->cfg, NULL, &l, &x), ==, 0);
    e = launch_entry(d.dva, n);
    run1(t, &e, &c);
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    g_assert_cmpuint(le64_to_cpu(c.cycles), ==, x.cycles * n);
    g_assert_cmpuint(le64_to_cpu(c.macs), ==, 0);

    e = launch_entry(d.dva, n + 1);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_BAD_ENTRY);
    stop(t);
}

/* -------------------------------------------------------------- gather */

#define G_ROWS          64      /* weight rows (output channels) */
#define G_RED           512     /* reduction: bytes per weight row */

/*
 * A PB entry pinning every other byte of an FC layer's weights: each
 * weight row is G_RED / 2 pinned pieces and G_RED / 2 + 1 reads between
 * them.  A work budget of exactly the layer's static cost plus those
 * pieces runs it (output = the model's); one unit less fails with
 * OVER_BUDGET.
 */
static void run_gather(uint64_t slack_units, bool expect_ok)
{
    struct sushi_model_config cfg;
    struct sushi_hw_layer l;
    struct sushi_host_cost hc;
    struct sushi_hw_completion c;
    struct sushi_hw_epilogue epi[G_ROWS];
    g_autofree uint8_t *w = g_malloc(G_ROWS * G_RED);
    g_autofree uint8_t *ref = g_malloc(G_ROWS);
    g_autofree uint8_t *got = g_malloc(G_ROWS);
    uint8_t x[G_RED];
    struct sushi_layer_io io = { 0 };
    struct sushi_hw_ring_entry e;
    g_autofree char *props = NULL;
    const uint64_t pieces = (uint64_t)G_ROWS * (G_RED + 1);
    uint64_t budget;
    Buf wb, eb, in, out;
    T *t;

    memset(&l, 0, sizeof(l));
    l.op = SUSHI_OP_FC;
    l.in_c = G_RED;
    l.in_h = l.in_w = l.out_h = l.out_w = 1;
    l.out_c = G_ROWS;
    l.kernel = l.stride = l.groups = 1;
    l.act_min = (uint32_t)-128;
    l.act_max = 127;
    l.w_stride = G_RED;
    sushi_model_config_default(&cfg);
    hc = job_cost(&cfg, &l, 1);
    budget = hc.work + pieces * SUSHI_HW_WORK_PER_PIECE - slack_units;
    props = g_strdup_printf("job-work-budget=%" PRIu64, budget);
    t = start(props);

    for (unsigned i = 0; i < G_ROWS * G_RED; i++) {
        w[i] = (uint8_t)(i * 13 + 7);
    }
    for (unsigned i = 0; i < G_RED; i++) {
        x[i] = (uint8_t)(i * 3 + 1);
    }
    for (unsigned i = 0; i < G_ROWS; i++) {
        epi[i].bias = cpu_to_le32(i * 10);
        epi[i].mult = cpu_to_le32(1 << 20);
        epi[i].shift = cpu_to_le32(28);
    }
    wb = balloc(t, G_ROWS * G_RED, false);
    eb = balloc(t, sizeof(epi), false);
    in = balloc(t, G_RED, false);
    out = balloc(t, G_ROWS, true);
    qtest_memwrite(t->qts, wb.gpa, w, G_ROWS * G_RED);
    qtest_memwrite(t->qts, eb.gpa, epi, sizeof(epi));
    qtest_memwrite(t->qts, in.gpa, x, G_RED);
    l.w_addr = wb.dva;
    l.epi_addr = eb.dva;
    l.in_addr = in.dva;
    l.out_addr = out.dva;

    /* every other weight byte pinned: rows of 1 byte at stride 2 */
    e = pb_load_entry(wb.dva, 2, 1, G_ROWS * G_RED / 2, 0);
    g_assert_cmpuint(run_status(t, &e), ==, SUSHI_HW_ST_OK);

    launch_copies(t, &l, 1, &c);
    if (!expect_ok) {
        g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OVER_BUDGET);
        g_assert_cmpuint(le32_to_cpu(c.layer), ==, 0);
        stop(t);
        return;
    }
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    io.in = (const int8_t *)x;
    io.w = (const int8_t *)w;
    io.w_stride = G_RED;
    io.epi = (const uint8_t *)epi;
    io.out = (int8_t *)ref;
    g_assert_cmpint(sushi_layer_compute(&l, &io, SUSHI_ISA_AUTO), ==, 0);
    qtest_memread(t->qts, out.gpa, got, G_ROWS);
    g_assert_cmpmem(got, G_ROWS, ref, G_ROWS);
    stop(t);
}

static void test_gather(void)
{
    run_gather(0, true);
    run_gather(SUSHI_HW_WORK_PER_PIECE, false);
}

/* -------------------------------------------------------------- budgets */

/* The budgets are properties, reported in the capabilities. */
static void test_budget_props(void)
{
    T *t = start("job-work-budget=12345,job-mem-budget=67890");

    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_WORK_BUDGET), ==, 12345);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_MEM_BUDGET), ==, 67890);
    stop(t);
    t = start(NULL);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_WORK_BUDGET), ==,
                     SUSHI_HW_DEFAULT_WORK_BUDGET);
    g_assert_cmpuint(rd64(t, SUSHI_REG_CAP_MEM_BUDGET), ==,
                     SUSHI_HW_DEFAULT_MEM_BUDGET);
    stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86_64/sushi-accel/hostile/budget-props",
                    test_budget_props);
    g_test_add_func("/x86_64/sushi-accel/hostile/pool", test_pool);
    g_test_add_func("/x86_64/sushi-accel/hostile/depthwise",
                    test_depthwise);
    g_test_add_func("/x86_64/sushi-accel/hostile/deepest", test_deepest);
    g_test_add_func("/x86_64/sushi-accel/hostile/gather", test_gather);
    return g_test_run();
}
