/* SPDX-License-Identifier: GPL-2.0-or-later */
/* update_va_mapping: map, remap, unmap a page and the refusals. */
#include "xt.h"

const char xt_test_title[] = "update_va_mapping: UVMF flushes, unmapping and errors";

static uint64_t *xt_a, *xt_b;

static void test_maps(void)
{
    volatile uint64_t *w = (volatile uint64_t *)xt_window;
    uint64_t v;

    xt_check_rc("map A with UVMF_INVLPG", 0, HYPERVISOR_update_va_mapping(
                    (unsigned long)w, (xt_virt_to_mfn(xt_a) << XT_PAGE_SHIFT) | XT_PTE_DATA,
                    UVMF_INVLPG | UVMF_LOCAL));
    xt_check_eq("window reads A", 0xaaaa, *w);
    xt_check_rc("map B with UVMF_TLB_FLUSH", 0, HYPERVISOR_update_va_mapping(
                    (unsigned long)w, (xt_virt_to_mfn(xt_b) << XT_PAGE_SHIFT) | XT_PTE_DATA,
                    UVMF_TLB_FLUSH | UVMF_LOCAL));
    xt_check_eq("window reads B", 0xbbbb, *w);
    *w = 0xb0b0;
    xt_check_eq("write through the window lands in B", 0xb0b0, *xt_b);

    xt_check_rc("map A read-only", 0, HYPERVISOR_update_va_mapping(
                    (unsigned long)w, (xt_virt_to_mfn(xt_a) << XT_PAGE_SHIFT) | XT_PTE_P | XT_PTE_A,
                    UVMF_INVLPG));
    xt_fault_clear();
    xt_probe_write(w, 1);
    xt_check_fault("write to the read-only mapping", X86_EXC_PF, X86_PFEC_PRESENT | X86_PFEC_WRITE);

    xt_check_rc("unmap", 0, HYPERVISOR_update_va_mapping((unsigned long)w, 0, UVMF_INVLPG));
    xt_fault_clear();
    xt_probe_read(w, &v);
    xt_check_fault("read after unmapping", X86_EXC_PF, 0);
    xt_check_eq("cr2 after unmapping", (uint64_t)w, xt_fault.cr2);
}

/* mm.c __do_update_va_mapping: no L1 for va -> -EINVAL (map_guest_l1e fails). */
static void test_refusals(void)
{
    uint64_t a = (xt_virt_to_mfn(xt_a) << XT_PAGE_SHIFT) | XT_PTE_DATA;

    xt_check_rc("address with no L1 table", -XEN_EINVAL,
                HYPERVISOR_update_va_mapping(0x0000100000000000UL, a, UVMF_INVLPG));
    xt_check_rc("address in the hypervisor hole", -XEN_EINVAL,
                HYPERVISOR_update_va_mapping(HYPERVISOR_VIRT_START + 0x200000, a, UVMF_INVLPG));
    xt_check_rc("frame outside the domain", -XEN_EPERM,
                HYPERVISOR_update_va_mapping((unsigned long)xt_window,
                                             ((1UL << 36) << XT_PAGE_SHIFT) | XT_PTE_DATA, UVMF_INVLPG));
    xt_check_rc("writable mapping of the pinned L4", -XEN_EBUSY,
                HYPERVISOR_update_va_mapping((unsigned long)xt_window,
                                             (xt_virt_to_mfn(xt_l4) << XT_PAGE_SHIFT) | XT_PTE_DATA,
                                             UVMF_INVLPG));
}

void test_main(void)
{
    xt_a = xt_alloc_page();
    xt_b = xt_alloc_page();
    *xt_a = 0xaaaa;
    *xt_b = 0xbbbb;
    test_maps();
    test_refusals();
    xt_check_rc("restoring the window", 0, xt_remap_rw(xt_window));
    xtf_success(NULL);
}
