/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmu_machphys: MMU_MACHPHYS_UPDATE changes the M2P entry, read where machphys_mapping says. */
#include "xt.h"

const char xt_test_title[] = "mmu_machphys: MMU_MACHPHYS_UPDATE and the read-only M2P";

static uint64_t m2p_start;

static bool read_m2p(uint64_t mfn, uint64_t *val)
{
    return xt_probe_read((const void *)(m2p_start + mfn * 8), val);
}

void test_main(void)
{
    uint64_t mfn = xt_virt_to_mfn(xt_window), pfn = xt_va_to_pfn(xt_window), v;
    struct xen_machphys_mapping m = { 0 };

    if (!xt_check_rc("XENMEM_machphys_mapping", 0, HYPERVISOR_memory_op(XENMEM_machphys_mapping, &m)))
        return;
    m2p_start = m.v_start;

    if (!xt_check_true("M2P entry of our frame is readable", read_m2p(mfn, &v)))
        return;
    xt_check_eq("M2P of the window frame", pfn, v);
    xt_check_rc("MMU_MACHPHYS_UPDATE", 0,
                xt_mmu_update((mfn << XT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0x12345));
    read_m2p(mfn, &v);
    xt_check_eq("M2P after the update", 0x12345, v);
    xt_check_rc("MMU_MACHPHYS_UPDATE back", 0,
                xt_mmu_update((mfn << XT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, pfn));
    read_m2p(mfn, &v);
    xt_check_eq("M2P restored", pfn, v);
    /* mm.c: a frame that is not the domain's -> -EINVAL. */
    xt_check_rc("MMU_MACHPHYS_UPDATE of a foreign frame", -XEN_EINVAL,
                xt_mmu_update(((1UL << 36) << XT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 1));
    xt_fault_clear();
    xt_check_true("writing the M2P faults", !xt_probe_write((void *)(m2p_start + mfn * 8), pfn));
    xt_check_fault("writing the M2P", X86_EXC_PF, X86_PFEC_PRESENT | X86_PFEC_WRITE);
    xtf_success(NULL);
}
