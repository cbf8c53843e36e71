/*
 * sushi_accel.c - the sushi-accel PCIe endpoint (1af4:10f0): QOM type,
 * properties (the SushiAccel hardware configuration), BAR0 register file,
 * interrupts (MSI-X vectors job / error in BAR2, INTx fallback), reset and
 * function-level reset.  The command ring engine is sushi_accel_job.c, the
 * device MMU sushi_accel_mmu.c, the arithmetic and timing the SUSHI model
 * library (qemu-device/model/).  Guest interface: hw/sushi_accel_hw.h and
 * Documentation/hardware/registers.rst in the SUSHI checkout.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "migration/vmstate.h"
#include "sushi_accel.h"
#include "trace.h"

/* ------------------------------------------------------------ interrupts */

static void sushi_accel_update_intx(SushiAccelState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool level = !msix_enabled(pdev) && (s->int_status & s->int_mask);

    pci_set_irq(pdev, level);
}

static void sushi_accel_notify(SushiAccelState *s, uint32_t bits)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    bits &= s->int_mask;
    if (!msix_enabled(pdev)) {
        return;
    }
    if (bits & SUSHI_INT_JOB) {
        msix_notify(pdev, SUSHI_MSIX_VEC_JOB);
    }
    if (bits & SUSHI_INT_ERROR) {
        msix_notify(pdev, SUSHI_MSIX_VEC_ERROR);
    }
}

/* Set INT_STATUS bits; every event notifies its (enabled) MSI-X vector. */
void sushi_accel_raise(SushiAccelState *s, uint32_t bits)
{
    s->int_status |= bits;
    trace_sushi_irq(s->trace_id, bits, s->int_status,
                    msix_enabled(PCI_DEVICE(s)));
    sushi_accel_notify(s, bits);
    sushi_accel_update_intx(s);
}

void sushi_accel_record_error(SushiAccelState *s, uint32_t status,
                              uint64_t addr)
{
    s->error = status;
    s->error_addr = addr;
    sushi_accel_raise(s, SUSHI_INT_ERROR);
}

/* ----------------------------------------------------------------- reset */

/*
 * Stop the engine, wipe the PB, bump PB_GENERATION and return every register
 * to its reset value.  @write_aborted: a job in flight gets an ABORTED
 * completion record (CONTROL.RESET only: bus mastering is still on then).
 */
static void sushi_accel_do_reset(SushiAccelState *s, const char *why,
                                 bool write_aborted)
{
    sushi_job_stop(s, write_aborted);
    sushi_pb_reset(s->pb);
    if (s->act_sram) {
        memset(s->act_sram, 0, s->cfg.act_sram_bytes);
    }
    s->pb_generation++;
    s->control = 0;
    s->int_status = 0;
    s->int_mask = 0;
    s->error = SUSHI_HW_ST_OK;
    s->error_addr = 0;
    s->progress = 0;
    s->halted = false;
    s->ring_base = 0;
    s->ring_size = 0;
    s->ring_head = 0;
    s->ring_tail = 0;
    s->pt_root = 0;
    memset(s->cnt, 0, sizeof(s->cnt));
    memset(s->cnt_hi_latch, 0, sizeof(s->cnt_hi_latch));
    trace_sushi_reset(s->trace_id, why, s->pb_generation);
    sushi_accel_update_intx(s);
}

/* Resettable hold phase: system reset and FLR (pcie_cap_flr_write_config) */
static void sushi_accel_reset_hold(Object *obj, ResetType type)
{
    sushi_accel_do_reset(SUSHI_ACCEL(obj), "device", false);
}

/* ---------------------------------------------------------- BAR0 access */

static uint32_t sushi_accel_status(SushiAccelState *s)
{
    uint32_t v = SUSHI_STATUS_READY;

    if (s->busy || ((s->control & SUSHI_CONTROL_ENABLE) && !s->halted &&
                    s->ring_head != s->ring_tail)) {
        v |= SUSHI_STATUS_BUSY;
    }
    if (s->halted) {
        v |= SUSHI_STATUS_HALTED;
    }
    return v;
}

static uint32_t sushi_accel_cap(SushiAccelState *s, hwaddr addr, bool *ok)
{
    const struct sushi_model_config *c = &s->cfg;
    uint64_t v64;

    switch (addr) {
    case SUSHI_REG_CAP_PE_K:
        return c->pe_k;
    case SUSHI_REG_CAP_PE_C:
        return c->pe_c;
    case SUSHI_REG_CAP_WINDOW:
        return 9;
    case SUSHI_REG_CAP_DRAM_BPC:
        return c->dram_bytes_per_cycle;
    case SUSHI_REG_CAP_OVERHEAD:
        return c->overhead_cycles;
    case SUSHI_REG_CAP_FLAGS:
        return c->overlap ? SUSHI_CAP_F_OVERLAP : 0;
    case SUSHI_REG_CAP_PB_ENTRIES:
        return c->pb_entries;
    case SUSHI_REG_CAP_MAX_LAYERS:
        return s->max_layers;
    case SUSHI_REG_CAP_MAX_RING:
        return s->max_ring;
    case SUSHI_REG_CAP_VA_BITS:
        return SUSHI_MMU_VA_BITS;
    }
    switch (addr & ~7ull) {
    case SUSHI_REG_CAP_CLOCK_HZ:
        v64 = c->clock_hz;
        break;
    case SUSHI_REG_CAP_PB_BYTES:
        v64 = c->pb_bytes;
        break;
    case SUSHI_REG_CAP_E_MAC_FJ:
        v64 = c->e_mac_fj;
        break;
    case SUSHI_REG_CAP_E_DRAM_FJ:
        v64 = c->e_dram_fj;
        break;
    case SUSHI_REG_CAP_E_PB_FJ:
        v64 = c->e_pb_fj;
        break;
    case SUSHI_REG_CAP_E_BUF_FJ:
        v64 = c->e_buf_fj;
        break;
    case SUSHI_REG_CAP_P_STATIC_UW:
        v64 = c->p_static_uw;
        break;
    case SUSHI_REG_CAP_ACT_SRAM:
        v64 = c->act_sram_bytes;
        break;
    case SUSHI_REG_CAP_WORK_BUDGET:
        v64 = s->work_budget;
        break;
    case SUSHI_REG_CAP_MEM_BUDGET:
        v64 = s->mem_budget;
        break;
    default:
        *ok = false;
        return 0;
    }
    return addr & 4 ? v64 >> 32 : (uint32_t)v64;
}

/* One aligned 32-bit register read. */
static uint32_t sushi_accel_read32(SushiAccelState *s, hwaddr addr, bool *ok)
{
    *ok = true;
    if (addr >= SUSHI_REG_CNT_JOBS &&
        addr < SUSHI_REG_CNT_JOBS + 8 * SUSHI_CNT_NUM) {
        unsigned i = (addr - SUSHI_REG_CNT_JOBS) / 8;

        if (addr & 4) {
            return s->cnt_hi_latch[i];
        }
        s->cnt_hi_latch[i] = s->cnt[i] >> 32;
        return (uint32_t)s->cnt[i];
    }
    if (addr >= SUSHI_REG_CAP_PE_K) {
        return sushi_accel_cap(s, addr, ok);
    }
    switch (addr) {
    case SUSHI_REG_ID:
        return SUSHI_HW_ID;
    case SUSHI_REG_VERSION:
        return SUSHI_HW_VERSION;
    case SUSHI_REG_STATUS:
        return sushi_accel_status(s);
    case SUSHI_REG_CONTROL:
        return s->control;
    case SUSHI_REG_INT_STATUS:
        return s->int_status;
    case SUSHI_REG_INT_MASK:
        return s->int_mask;
    case SUSHI_REG_ERROR:
        return s->error;
    case SUSHI_REG_ERROR_ADDR_LO:
        return (uint32_t)s->error_addr;
    case SUSHI_REG_ERROR_ADDR_HI:
        return s->error_addr >> 32;
    case SUSHI_REG_PROGRESS:
        return s->progress;
    case SUSHI_REG_PB_GENERATION:
        return s->pb_generation;
    case SUSHI_REG_RING_BASE_LO:
        return (uint32_t)s->ring_base;
    case SUSHI_REG_RING_BASE_HI:
        return s->ring_base >> 32;
    case SUSHI_REG_RING_SIZE:
        return s->ring_size;
    case SUSHI_REG_RING_HEAD:
        return s->ring_head;
    case SUSHI_REG_RING_TAIL:
        return s->ring_tail;
    case SUSHI_REG_PT_ROOT_LO:
        return (uint32_t)s->pt_root;
    case SUSHI_REG_PT_ROOT_HI:
        return s->pt_root >> 32;
    }
    *ok = false;
    return 0;
}

static bool sushi_accel_ring_locked(SushiAccelState *s, hwaddr addr)
{
    if ((s->control & SUSHI_CONTROL_ENABLE) || s->busy) {
        qemu_log_mask(LOG_GUEST_ERROR, "sushi-accel: ring register 0x%"
                      HWADDR_PRIx " written while enabled or busy\n",
                      addr);
        return true;
    }
    return false;
}

static void sushi_accel_doorbell(SushiAccelState *s, uint32_t tail)
{
    if (tail >= s->ring_size) {
        /* rejected: TAIL keeps its value, the engine keeps running */
        trace_sushi_bad_doorbell(s->trace_id, tail, s->ring_size);
        s->cnt[SUSHI_CNT_ERRORS]++;
        sushi_accel_record_error(s, SUSHI_HW_ST_BAD_RING, tail);
        return;
    }
    s->ring_tail = tail;
    trace_sushi_doorbell(s->trace_id, tail, s->ring_head);
    sushi_job_kick(s);
}

/* One aligned 32-bit register write. */
static bool sushi_accel_write32(SushiAccelState *s, hwaddr addr, uint32_t v)
{
    switch (addr) {
    case SUSHI_REG_CONTROL:
        if (v & SUSHI_CONTROL_RESET) {
            sushi_accel_do_reset(s, "CONTROL.RESET", true);
            return true;
        }
        s->control = v & SUSHI_CONTROL_ENABLE;
        sushi_job_kick(s);
        return true;
    case SUSHI_REG_INT_STATUS:
        s->int_status &= ~v;
        sushi_accel_update_intx(s);
        return true;
    case SUSHI_REG_INT_MASK: {
        uint32_t newly = v & ~s->int_mask;

        s->int_mask = v & (SUSHI_INT_JOB | SUSHI_INT_ERROR);
        /* pending events whose source was just enabled fire now */
        sushi_accel_notify(s, newly & s->int_status);
        sushi_accel_update_intx(s);
        return true;
    }
    case SUSHI_REG_RING_BASE_LO:
        if (!sushi_accel_ring_locked(s, addr)) {
            s->ring_base = deposit64(s->ring_base, 0, 32, v);
        }
        return true;
    case SUSHI_REG_RING_BASE_HI:
        if (!sushi_accel_ring_locked(s, addr)) {
            s->ring_base = deposit64(s->ring_base, 32, 32, v);
        }
        return true;
    case SUSHI_REG_RING_SIZE:
        if (!sushi_accel_ring_locked(s, addr)) {
            s->ring_size = v;
            s->ring_head = 0;
            s->ring_tail = 0;
            s->halted = false;
        }
        return true;
    case SUSHI_REG_RING_TAIL:
        sushi_accel_doorbell(s, v);
        return true;
    case SUSHI_REG_PT_ROOT_LO:
        s->pt_root = deposit64(s->pt_root, 0, 32,
                               v & ~(SUSHI_MMU_PAGE_SIZE - 1));
        return true;
    case SUSHI_REG_PT_ROOT_HI:
        s->pt_root = deposit64(s->pt_root, 32, 32, v);
        return true;
    }
    return false;
}

/*
 * BAR0 accepts naturally aligned 32- and 64-bit accesses (a 64-bit access is
 * the LO register then the HI one).  Anything else, and any offset without a
 * register, reads as 0 and ignores writes, logged as a guest error.
 */
static uint64_t sushi_accel_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    SushiAccelState *s = opaque;
    uint64_t v = 0;
    bool ok = false;

    if ((size == 4 || size == 8) && !(addr & (size - 1)) &&
        addr + size <= SUSHI_BAR_REGS_SIZE) {
        bool ok_hi = true;

        v = sushi_accel_read32(s, addr, &ok);
        if (size == 8) {
            v |= (uint64_t)sushi_accel_read32(s, addr + 4, &ok_hi) << 32;
        }
        ok = ok && ok_hi;
    }
    if (!ok) {
        trace_sushi_mmio_bad(s->trace_id, "read", addr, size);
        qemu_log_mask(LOG_GUEST_ERROR, "sushi-accel: bad read 0x%"
                      HWADDR_PRIx "/%u\n", addr, size);
        return 0;
    }
    trace_sushi_mmio_read(s->trace_id, addr, size, v);
    return v;
}

static void sushi_accel_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                   unsigned size)
{
    SushiAccelState *s = opaque;
    bool ok = false;

    trace_sushi_mmio_write(s->trace_id, addr, size, val);
    if ((size == 4 || size == 8) && !(addr & (size - 1)) &&
        addr + size <= SUSHI_BAR_REGS_SIZE) {
        ok = sushi_accel_write32(s, addr, (uint32_t)val);
        if (size == 8) {
            ok = sushi_accel_write32(s, addr + 4, val >> 32) && ok;
        }
    }
    if (!ok) {
        trace_sushi_mmio_bad(s->trace_id, "write", addr, size);
        qemu_log_mask(LOG_GUEST_ERROR, "sushi-accel: bad write 0x%"
                      HWADDR_PRIx "/%u\n", addr, size);
    }
}

static const MemoryRegionOps sushi_accel_mmio_ops = {
    .read = sushi_accel_mmio_read,
    .write = sushi_accel_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* ------------------------------------------------------------------ QOM */

static void sushi_accel_write_config(PCIDevice *pdev, uint32_t addr,
                                     uint32_t val, int len)
{
    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);    /* FLR -> reset */
    sushi_accel_update_intx(SUSHI_ACCEL(pdev)); /* MSI-X on/off */
}

static void sushi_accel_realize(PCIDevice *pdev, Error **errp)
{
    ERRP_GUARD();
    SushiAccelState *s = SUSHI_ACCEL(pdev);
    uint8_t *conf = pdev->config;
    int ret;

    if (sushi_model_config_check(&s->cfg)) {
        error_setg(errp, "sushi-accel: impossible configuration (pe-k %u "
                   "pe-c %u clock-hz %" PRIu64 " dram-bpc %u "
                   "overhead-cycles %u pb-bytes %" PRIu64 " pb-entries %u "
                   "act-sram-bytes %" PRIu64 "; see "
                   "Documentation/hardware/registers.rst)",
                   s->cfg.pe_k, s->cfg.pe_c, s->cfg.clock_hz,
                   s->cfg.dram_bytes_per_cycle, s->cfg.overhead_cycles,
                   s->cfg.pb_bytes, s->cfg.pb_entries,
                   s->cfg.act_sram_bytes);
        return;
    }
    if (s->max_ring < 1 || s->max_ring > SUSHI_DEV_LIMIT_MAX_RING ||
        !is_power_of_2(s->max_ring)) {
        error_setg(errp, "sushi-accel: max-ring must be a power of two "
                   "in 1..%u", SUSHI_DEV_LIMIT_MAX_RING);
        return;
    }
    if (s->max_layers < 1 || s->max_layers > SUSHI_DEV_LIMIT_MAX_LAYERS) {
        error_setg(errp, "sushi-accel: max-layers must be in 1..%u",
                   SUSHI_DEV_LIMIT_MAX_LAYERS);
        return;
    }
    if (s->work_budget < 1 || s->work_budget > SUSHI_HW_MAX_WORK_BUDGET ||
        s->mem_budget < 1 || s->mem_budget > SUSHI_HW_MAX_MEM_BUDGET) {
        error_setg(errp, "sushi-accel: job-work-budget must be in 1..%llu "
                   "and job-mem-budget in 1..%llu",
                   SUSHI_HW_MAX_WORK_BUDGET, SUSHI_HW_MAX_MEM_BUDGET);
        return;
    }
    s->pb = sushi_pb_new(s->cfg.pb_bytes, s->cfg.pb_entries, true);
    if (!s->pb) {
        error_setg(errp, "sushi-accel: cannot allocate a %" PRIu64
                   "-byte Persistent Buffer", s->cfg.pb_bytes);
        return;
    }
    if (s->cfg.act_sram_bytes) {
        s->act_sram = g_try_malloc0(s->cfg.act_sram_bytes);
        if (!s->act_sram) {
            error_setg(errp, "sushi-accel: cannot allocate a %" PRIu64
                       "-byte activation SRAM", s->cfg.act_sram_bytes);
            sushi_pb_free(s->pb);
            s->pb = NULL;
            return;
        }
    }

    pci_config_set_interrupt_pin(conf, 1);
    pcie_endpoint_cap_init(pdev, 0x80);
    pcie_cap_flr_init(pdev);

    memory_region_init_io(&s->mmio, OBJECT(s), &sushi_accel_mmio_ops, s,
                          "sushi-accel-regs", SUSHI_BAR_REGS_SIZE);
    pci_register_bar(pdev, SUSHI_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);

    ret = msix_init_exclusive_bar(pdev, SUSHI_MSIX_VECTORS, SUSHI_BAR_MSIX,
                                  errp);
    if (ret == -ENOTSUP) {
        /* no MSI-X on this machine: INTx only */
        warn_report_err(*errp);
        *errp = NULL;
    } else if (ret < 0) {
        sushi_pb_free(s->pb);
        s->pb = NULL;
        g_free(s->act_sram);
        s->act_sram = NULL;
        return;
    } else {
        msix_vector_use(pdev, SUSHI_MSIX_VEC_JOB);
        msix_vector_use(pdev, SUSHI_MSIX_VEC_ERROR);
    }
    if (!sushi_job_init(s, errp)) {
        msix_uninit_exclusive_bar(pdev);
        sushi_pb_free(s->pb);
        s->pb = NULL;
        g_free(s->act_sram);
        s->act_sram = NULL;
        return;
    }
    s->trace_id = g_strdup_printf("%s@%02x.%x",
                                  DEVICE(s)->id ? DEVICE(s)->id : "sushi-accel",
                                  PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn));
}

static void sushi_accel_exit(PCIDevice *pdev)
{
    SushiAccelState *s = SUSHI_ACCEL(pdev);

    sushi_job_fini(s);
    msix_uninit_exclusive_bar(pdev);
    sushi_pb_free(s->pb);
    s->pb = NULL;
    g_free(s->act_sram);
    s->act_sram = NULL;
    g_free(s->trace_id);
    s->trace_id = NULL;
}

/* Defaults: the model's (SUSHI_CFG_DEF_*), visible in device-list-properties */
static const Property sushi_accel_props[] = {
    DEFINE_PROP_UINT32("pe-k", SushiAccelState, cfg.pe_k, SUSHI_CFG_DEF_PE_K),
    DEFINE_PROP_UINT32("pe-c", SushiAccelState, cfg.pe_c, SUSHI_CFG_DEF_PE_C),
    DEFINE_PROP_UINT64("clock-hz", SushiAccelState, cfg.clock_hz,
                       SUSHI_CFG_DEF_CLOCK_HZ),
    DEFINE_PROP_UINT32("dram-bpc", SushiAccelState, cfg.dram_bytes_per_cycle,
                       SUSHI_CFG_DEF_DRAM_BPC),
    DEFINE_PROP_UINT32("overhead-cycles", SushiAccelState,
                       cfg.overhead_cycles, SUSHI_CFG_DEF_OVERHEAD),
    DEFINE_PROP_BOOL("overlap", SushiAccelState, cfg.overlap,
                     SUSHI_CFG_DEF_OVERLAP),
    DEFINE_PROP_UINT64("pb-bytes", SushiAccelState, cfg.pb_bytes,
                       SUSHI_CFG_DEF_PB_BYTES),
    DEFINE_PROP_UINT32("pb-entries", SushiAccelState, cfg.pb_entries,
                       SUSHI_CFG_DEF_PB_ENTRIES),
    DEFINE_PROP_UINT64("act-sram-bytes", SushiAccelState, cfg.act_sram_bytes,
                       SUSHI_CFG_DEF_ACT_SRAM),
    DEFINE_PROP_UINT64("e-mac-fj", SushiAccelState, cfg.e_mac_fj,
                       SUSHI_CFG_DEF_E_MAC_FJ),
    DEFINE_PROP_UINT64("e-dram-fj", SushiAccelState, cfg.e_dram_fj,
                       SUSHI_CFG_DEF_E_DRAM_FJ),
    DEFINE_PROP_UINT64("e-pb-fj", SushiAccelState, cfg.e_pb_fj,
                       SUSHI_CFG_DEF_E_PB_FJ),
    DEFINE_PROP_UINT64("e-buf-fj", SushiAccelState, cfg.e_buf_fj,
                       SUSHI_CFG_DEF_E_BUF_FJ),
    DEFINE_PROP_UINT64("p-static-uw", SushiAccelState, cfg.p_static_uw,
                       SUSHI_CFG_DEF_P_STATIC_UW),
    DEFINE_PROP_UINT32("max-ring", SushiAccelState, max_ring,
                       SUSHI_DEV_DEFAULT_MAX_RING),
    DEFINE_PROP_UINT32("max-layers", SushiAccelState, max_layers,
                       SUSHI_DEV_DEFAULT_MAX_LAYERS),
    DEFINE_PROP_UINT64("job-work-budget", SushiAccelState, work_budget,
                       SUSHI_HW_DEFAULT_WORK_BUDGET),
    DEFINE_PROP_UINT64("job-mem-budget", SushiAccelState, mem_budget,
                       SUSHI_HW_DEFAULT_MEM_BUDGET),
};

/* The PB content, the in-flight job and its timer are not migrated. */
static const VMStateDescription sushi_accel_vmstate = {
    .name = TYPE_SUSHI_ACCEL,
    .unmigratable = 1,
};

/* "-device sushi-accel,help" says what each property means */
static void sushi_accel_class_describe(ObjectClass *oc)
{
    static const char *const what[][2] = {
        { "pe-k", "output-channel lanes Kp" },
        { "pe-c", "input-channel lanes Cp" },
        { "clock-hz", "clock in Hz" },
        { "dram-bpc", "DRAM bytes per cycle" },
        { "overhead-cycles", "cycles per layer and job" },
        { "overlap", "DRAM streaming overlaps compute" },
        { "pb-bytes", "Persistent Buffer bytes" },
        { "pb-entries", "PB table entries" },
        { "act-sram-bytes", "activation SRAM bytes (0: tensors via DRAM)" },
        { "e-mac-fj", "fJ per MAC" },
        { "e-dram-fj", "fJ per DRAM byte" },
        { "e-pb-fj", "fJ per PB or activation SRAM byte" },
        { "e-buf-fj", "fJ per buffer byte" },
        { "p-static-uw", "static power in uW" },
        { "max-ring", "ring entries, power of two" },
        { "max-layers", "layer descriptors per LAUNCH" },
        { "job-work-budget", "host work units per job (a MAC, a pooling "
          "tap, a byte moved, ...; more fails with OVER_BUDGET)" },
        { "job-mem-budget", "host bytes per job (more fails with "
          "OVER_BUDGET)" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(what); i++) {
        object_class_property_set_description(oc, what[i][0], what[i][1]);
    }
}

static void sushi_accel_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->realize = sushi_accel_realize;
    pc->exit = sushi_accel_exit;
    pc->config_write = sushi_accel_write_config;
    pc->vendor_id = SUSHI_PCI_VENDOR_ID;
    pc->device_id = SUSHI_PCI_DEVICE_ID;
    pc->revision = SUSHI_PCI_REVISION;
    pc->class_id = SUSHI_PCI_CLASS_ACCEL;
    dc->desc = "SUSHI SushiAccel DNN accelerator (SubGraph Stationary)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, sushi_accel_props);
    sushi_accel_class_describe(oc);
    rc->phases.hold = sushi_accel_reset_hold;
    dc->vmsd = &sushi_accel_vmstate;
}

static const TypeInfo sushi_accel_info = {
    .name = TYPE_SUSHI_ACCEL,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(SushiAccelState),
    .class_init = sushi_accel_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void sushi_accel_register_types(void)
{
    type_register_static(&sushi_accel_info);
}

type_init(sushi_accel_register_types)
