/*
 * sushi-accel-qos-test.c - the sushi-accel device as a node of the libqos
 * graph (as nvme-test does): a driver node that consumes "pci-bus" and
 * produces "pci-device", so that its tests run on every machine the graph
 * offers a PCI bus on (x86_64/pc today), built into QEMU's qos-test.  The
 * tests here need nothing but the node: identity and capabilities against
 * the model's defaults, properties on the edge, one NOP through the ring
 * in memory from the graph's allocator, and CONTROL.RESET.  The device's
 * deeper suites (jobs against the model, hostile jobs, fuzzing) boot q35
 * themselves (sushi-accel-test.c, -hostile-test.c, -fuzz-test.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/module.h"
#include "libqtest.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "libqos/libqos-malloc.h"
#include "standard-headers/linux/pci_regs.h"

#include "sushi_model.h"

typedef struct QSushi {
    QOSGraphObject obj;
    QPCIDevice dev;
} QSushi;

static void *sushi_get_driver(void *obj, const char *interface)
{
    QSushi *s = obj;

    if (!g_strcmp0(interface, "pci-device")) {
        return &s->dev;
    }
    fprintf(stderr, "%s not present in sushi-accel\n", interface);
    g_assert_not_reached();
}

static void *sushi_create(void *pci_bus, QGuestAllocator *alloc, void *addr)
{
    QSushi *s = g_new0(QSushi, 1);

    qpci_device_init(&s->dev, pci_bus, addr);
    s->obj.get_driver = sushi_get_driver;
    return &s->obj;
}

/* BAR0 of the node's device, enabled */
static QPCIBar sushi_bar(QPCIDevice *dev, uint64_t *size)
{
    qpci_device_enable(dev);
    return qpci_iomap(dev, SUSHI_BAR_REGS, size);
}

static uint64_t rd64(QPCIDevice *dev, QPCIBar bar, uint32_t off)
{
    uint64_t lo = qpci_io_readl(dev, bar, off);

    return lo | (uint64_t)qpci_io_readl(dev, bar, off + 4) << 32;
}

static void test_identity(void *obj, void *data, QGuestAllocator *alloc)
{
    QPCIDevice *dev = &((QSushi *)obj)->dev;
    uint64_t size;
    QPCIBar bar = sushi_bar(dev, &size);

    g_assert_cmphex(qpci_config_readw(dev, PCI_VENDOR_ID), ==,
                    SUSHI_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(dev, PCI_DEVICE_ID), ==,
                    SUSHI_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readw(dev, PCI_CLASS_DEVICE), ==, 0x1200);
    g_assert_cmpuint(size, ==, SUSHI_BAR_REGS_SIZE);
    g_assert_cmphex(qpci_io_readl(dev, bar, SUSHI_REG_ID), ==, SUSHI_HW_ID);
    g_assert_cmphex(qpci_io_readl(dev, bar, SUSHI_REG_VERSION), ==,
                    SUSHI_HW_VERSION);
    /* the default device is the model's default configuration */
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_CAP_PE_K), ==,
                     SUSHI_CFG_DEF_PE_K);
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_CAP_PE_C), ==,
                     SUSHI_CFG_DEF_PE_C);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CAP_CLOCK_HZ), ==,
                     SUSHI_CFG_DEF_CLOCK_HZ);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CAP_PB_BYTES), ==,
                     SUSHI_CFG_DEF_PB_BYTES);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CAP_ACT_SRAM), ==,
                     SUSHI_CFG_DEF_ACT_SRAM);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CAP_WORK_BUDGET), ==,
                     SUSHI_HW_DEFAULT_WORK_BUDGET);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CAP_MEM_BUDGET), ==,
                     SUSHI_HW_DEFAULT_MEM_BUDGET);
    qpci_iounmap(dev, bar);
}

/* Properties given on the graph's edge reach the capability block. */
static void test_props(void *obj, void *data, QGuestAllocator *alloc)
{
    QPCIDevice *dev = &((QSushi *)obj)->dev;
    QPCIBar bar = sushi_bar(dev, NULL);

    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_CAP_PE_K), ==, 32);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CAP_WORK_BUDGET), ==, 12345);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CAP_ACT_SRAM), ==, 0);
    qpci_iounmap(dev, bar);
}

/* One NOP through a ring in guest memory from the graph's allocator. */
static void test_nop(void *obj, void *data, QGuestAllocator *alloc)
{
    QPCIDevice *dev = &((QSushi *)obj)->dev;
    QTestState *qts = dev->bus->qts;
    QPCIBar bar = sushi_bar(dev, NULL);
    const uint32_t entries = 4;
    uint64_t ring = guest_alloc(alloc, 64 * entries + 64);
    uint64_t compl = guest_alloc(alloc, 128);
    struct sushi_hw_ring_entry e = {
        .opcode = cpu_to_le32(SUSHI_CMD_NOP),
        .seqno = cpu_to_le64(77),
    };
    struct sushi_hw_completion c;

    ring = QEMU_ALIGN_UP(ring, 64);
    e.compl_addr = cpu_to_le64(compl);
    qtest_memset(qts, compl, 0xa5, sizeof(c));
    qtest_memwrite(qts, ring, &e, sizeof(e));
    qpci_io_writel(dev, bar, SUSHI_REG_RING_BASE_LO, (uint32_t)ring);
    qpci_io_writel(dev, bar, SUSHI_REG_RING_BASE_HI, ring >> 32);
    qpci_io_writel(dev, bar, SUSHI_REG_RING_SIZE, entries);
    qpci_io_writel(dev, bar, SUSHI_REG_CONTROL, SUSHI_CONTROL_ENABLE);
    qpci_io_writel(dev, bar, SUSHI_REG_RING_TAIL, 1);
    for (int i = 0; i < 1000 &&
         qpci_io_readl(dev, bar, SUSHI_REG_PROGRESS) != 1; i++) {
        qtest_clock_step_next(qts);
    }
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_PROGRESS), ==, 1);
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_RING_HEAD), ==, 1);
    qtest_memread(qts, compl, &c, sizeof(c));
    g_assert_cmpuint(le32_to_cpu(c.status), ==, SUSHI_HW_ST_OK);
    g_assert_cmpuint(le64_to_cpu(c.seqno), ==, 77);
    g_assert_cmpuint(le64_to_cpu(c.cycles), ==, SUSHI_CFG_DEF_OVERHEAD);
    g_assert_cmpuint(rd64(dev, bar, SUSHI_REG_CNT_JOBS), ==, 1);
    qpci_io_writel(dev, bar, SUSHI_REG_CONTROL, 0);
    qpci_iounmap(dev, bar);
    guest_free(alloc, compl);
}

/* CONTROL.RESET: a new PB generation, registers back to their reset value */
static void test_reset(void *obj, void *data, QGuestAllocator *alloc)
{
    QPCIDevice *dev = &((QSushi *)obj)->dev;
    QPCIBar bar = sushi_bar(dev, NULL);
    uint32_t gen = qpci_io_readl(dev, bar, SUSHI_REG_PB_GENERATION);

    qpci_io_writel(dev, bar, SUSHI_REG_INT_MASK, SUSHI_INT_JOB);
    qpci_io_writel(dev, bar, SUSHI_REG_RING_SIZE, 8);
    qpci_io_writel(dev, bar, SUSHI_REG_CONTROL, SUSHI_CONTROL_RESET);
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_PB_GENERATION), ==,
                     gen + 1);
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_INT_MASK), ==, 0);
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_RING_SIZE), ==, 0);
    g_assert_cmpuint(qpci_io_readl(dev, bar, SUSHI_REG_CONTROL), ==, 0);
    qpci_iounmap(dev, bar);
}

static void sushi_register_nodes(void)
{
    QOSGraphEdgeOptions opts = {
        .extra_device_opts = "addr=04.0",
    };

    add_qpci_address(&opts, &(QPCIAddress) { .devfn = QPCI_DEVFN(4, 0) });
    qos_node_create_driver("sushi-accel", sushi_create);
    qos_node_consumes("sushi-accel", "pci-bus", &opts);
    qos_node_produces("sushi-accel", "pci-device");

    qos_add_test("identity", "sushi-accel", test_identity, NULL);
    qos_add_test("props", "sushi-accel", test_props,
                 &(QOSGraphTestOptions) {
        .edge.extra_device_opts = "pe-k=32,job-work-budget=12345,"
                                  "act-sram-bytes=0",
    });
    qos_add_test("nop", "sushi-accel", test_nop, NULL);
    qos_add_test("reset", "sushi-accel", test_reset, NULL);
}

libqos_init(sushi_register_nodes);
