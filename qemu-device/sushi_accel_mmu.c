/*
 * sushi_accel_mmu.c - the sushi-accel device MMU: translates device virtual
 * addresses through the two-level page table at PT_ROOT (format in
 * hw/sushi_accel_hw.h) and performs job-data DMA page by page.  Every table
 * and data access checks its MemTxResult; a missing or malformed mapping is
 * a PAGE_FAULT on the device address, a failed bus access a DMA_ERROR on the
 * bus address.  It runs in the worker thread without the BQL: the table is
 * the one latched at the job's start (job_pt_root), and every access is a
 * RAM-only transaction (MemTxAttrs.memory), so the device's DMA never
 * reaches MMIO (its own BAR or another device's): that is a DMA_ERROR.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_device.h"
#include "sushi_accel.h"
#include "trace.h"

#define SUSHI_PTE_RSVD_L1 (~(SUSHI_MMU_PTE_ADDR_MASK | SUSHI_MMU_PTE_VALID))
#define SUSHI_PTE_RSVD_L2 (~(SUSHI_MMU_PTE_ADDR_MASK | SUSHI_MMU_PTE_VALID | \
                             SUSHI_MMU_PTE_WRITE))

/* Bus transactions restricted to memory: never MMIO, never the BQL. */
const MemTxAttrs sushi_dma_attrs = { .memory = 1 };

/* Translate one page; returns 0 or a status with *fault set. */
static uint32_t sushi_mmu_translate(SushiAccelState *s, uint64_t dva,
                                    bool write, uint64_t *pa, uint64_t *fault)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint64_t l1a, l2a, pte;
    MemTxResult r;

    if (dva >> SUSHI_MMU_VA_BITS) {
        *fault = dva;
        trace_sushi_mmu_fault(s->trace_id, dva, write, "beyond the VA space");
        return SUSHI_HW_ST_PAGE_FAULT;
    }
    l1a = s->job_pt_root +
          8 * ((dva >> SUSHI_MMU_L1_SHIFT) & SUSHI_MMU_IDX_MASK);
    r = ldq_le_pci_dma(pdev, l1a, &pte, sushi_dma_attrs);
    if (r != MEMTX_OK) {
        *fault = l1a;
        trace_sushi_dma_error(s->trace_id, l1a, "L1 table read");
        return SUSHI_HW_ST_DMA_ERROR;
    }
    if (!(pte & SUSHI_MMU_PTE_VALID) || (pte & SUSHI_PTE_RSVD_L1)) {
        *fault = dva;
        trace_sushi_mmu_fault(s->trace_id, dva, write, "L1 entry invalid");
        return SUSHI_HW_ST_PAGE_FAULT;
    }
    l2a = (pte & SUSHI_MMU_PTE_ADDR_MASK) +
          8 * ((dva >> SUSHI_MMU_L2_SHIFT) & SUSHI_MMU_IDX_MASK);
    r = ldq_le_pci_dma(pdev, l2a, &pte, sushi_dma_attrs);
    if (r != MEMTX_OK) {
        *fault = l2a;
        trace_sushi_dma_error(s->trace_id, l2a, "L2 table read");
        return SUSHI_HW_ST_DMA_ERROR;
    }
    if (!(pte & SUSHI_MMU_PTE_VALID) || (pte & SUSHI_PTE_RSVD_L2)) {
        *fault = dva;
        trace_sushi_mmu_fault(s->trace_id, dva, write, "L2 entry invalid");
        return SUSHI_HW_ST_PAGE_FAULT;
    }
    if (write && !(pte & SUSHI_MMU_PTE_WRITE)) {
        *fault = dva;
        trace_sushi_mmu_fault(s->trace_id, dva, write, "read-only page");
        return SUSHI_HW_ST_PAGE_FAULT;
    }
    *pa = (pte & SUSHI_MMU_PTE_ADDR_MASK) |
          (dva & (SUSHI_MMU_PAGE_SIZE - 1));
    return SUSHI_HW_ST_OK;
}

static uint32_t sushi_mmu_rw(SushiAccelState *s, uint64_t dva, void *buf,
                             uint64_t len, bool write, uint64_t *fault)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint8_t *p = buf;

    /* The whole range must lie in the VA space (no wrap). */
    if (len > (1ull << SUSHI_MMU_VA_BITS) ||
        dva > (1ull << SUSHI_MMU_VA_BITS) - len) {
        *fault = dva >> SUSHI_MMU_VA_BITS ? dva :
             (1ull << SUSHI_MMU_VA_BITS);
        trace_sushi_mmu_fault(s->trace_id, *fault, write,
                              "range beyond the VA space");
        return SUSHI_HW_ST_PAGE_FAULT;
    }
    while (len) {
        uint64_t off = dva & (SUSHI_MMU_PAGE_SIZE - 1);
        uint64_t chunk = MIN(len, SUSHI_MMU_PAGE_SIZE - off);
        uint64_t pa;
        uint32_t st = sushi_mmu_translate(s, dva, write, &pa, fault);
        MemTxResult r;

        if (st) {
            return st;
        }
        r = pci_dma_rw(pdev, pa, p, chunk,
                       write ? DMA_DIRECTION_FROM_DEVICE
                             : DMA_DIRECTION_TO_DEVICE, sushi_dma_attrs);
        if (r != MEMTX_OK) {
            *fault = pa;
            trace_sushi_dma_error(s->trace_id, pa,
                                  write ? "data write" : "data read");
            return SUSHI_HW_ST_DMA_ERROR;
        }
        dva += chunk;
        p += chunk;
        len -= chunk;
    }
    return SUSHI_HW_ST_OK;
}

uint32_t sushi_mmu_read(SushiAccelState *s, uint64_t dva, void *buf,
                        uint64_t len, uint64_t *fault)
{
    return sushi_mmu_rw(s, dva, buf, len, false, fault);
}

uint32_t sushi_mmu_write(SushiAccelState *s, uint64_t dva, const void *buf,
                         uint64_t len, uint64_t *fault)
{
    return sushi_mmu_rw(s, dva, (void *)buf, len, true, fault);
}
