/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmuext_baseptr: MMUEXT_NEW_BASEPTR to another L4 and back; TLB flush and INVLPG. */
#include "xt.h"

const char xt_test_title[] = "mmuext_baseptr: NEW_BASEPTR, TLB_FLUSH_LOCAL, INVLPG_LOCAL";

#define XT_MARKER_VA 0x400000UL

static uint64_t *xt_a, *xt_b;

static bool read_marker(uint64_t *v)
{
    xt_fault_clear();
    return xt_probe_read((void *)XT_MARKER_VA, v);
}

/* A second L4: the kernel's guest slots plus slot 0 mapping a marker page. */
static uint64_t *make_l4(void)
{
    uint64_t *l4 = xt_alloc_page();
    unsigned int i;

    for (i = 0; i < 512; i++)
        if (i < xt_l4_index(HYPERVISOR_VIRT_START) || i >= xt_l4_index(HYPERVISOR_VIRT_END))
            l4[i] = xt_l4[i];
    if (!xt_require_rc("new L4 read-only", 0, xt_remap_ro(l4)) ||
        !xt_require_rc("pin the new L4", 0, xt_mmuext_mfn(MMUEXT_PIN_L4_TABLE, xt_virt_to_mfn(l4))) ||
        !xt_require_rc("marker in slot 0", 0,
                       xt_map_in_new_slot(xt_virt_to_mfn(l4), XT_MARKER_VA, xt_virt_to_mfn(xt_a),
                                          XT_PTE_DATA)))
        return NULL;
    return l4;
}

static void test_baseptr(void)
{
    uint64_t kernel_l4 = xt_virt_to_mfn(xt_l4), *l4 = make_l4(), v = 0;

    if (!l4)
        return;
    xt_check_true("marker not mapped in the boot L4", !read_marker(&v));
    xt_check_rc("NEW_BASEPTR to the new L4", 0, xt_mmuext_mfn(MMUEXT_NEW_BASEPTR, xt_virt_to_mfn(l4)));
    xt_check_true("marker mapped after the switch", read_marker(&v));
    xt_check_eq("marker value", 0xaaaa, v);
    xt_check_rc("NEW_BASEPTR back", 0, xt_mmuext_mfn(MMUEXT_NEW_BASEPTR, kernel_l4));
    xt_check_true("marker gone again", !read_marker(&v));
    xt_check_fault("marker read after switching back", X86_EXC_PF, 0);
    xt_check_rc("NEW_BASEPTR to a writable data page", -XEN_EINVAL,
                xt_mmuext_mfn(MMUEXT_NEW_BASEPTR, xt_virt_to_mfn(xt_b)));
}

/* mmu_update does not flush; the explicit flushes make the new entry visible. */
static void test_flush(void)
{
    uint64_t ma = xt_pte_maddr(xt_l4, (uint64_t)xt_window, 1);
    volatile uint64_t *w = (volatile uint64_t *)xt_window;

    xt_require_rc("window -> A", 0, xt_map_page(xt_window, xt_virt_to_mfn(xt_a), XT_PTE_DATA));
    (void)*w;
    xt_check_rc("L1 update to B", 0,
                xt_mmu_update(ma, (xt_virt_to_mfn(xt_b) << XT_PAGE_SHIFT) | XT_PTE_DATA));
    xt_check_rc("MMUEXT_TLB_FLUSH_LOCAL", 0, xt_mmuext_mfn(MMUEXT_TLB_FLUSH_LOCAL, 0));
    xt_check_eq("window reads B after the flush", 0xbbbb, *w);
    xt_check_rc("L1 update to A", 0,
                xt_mmu_update(ma, (xt_virt_to_mfn(xt_a) << XT_PAGE_SHIFT) | XT_PTE_DATA));
    xt_check_rc("MMUEXT_INVLPG_LOCAL", 0, xt_mmuext_va(MMUEXT_INVLPG_LOCAL, (uint64_t)xt_window));
    xt_check_eq("window reads A after INVLPG", 0xaaaa, *w);
    xt_check_rc("restoring the window", 0, xt_remap_rw(xt_window));
}

void test_main(void)
{
    xt_a = xt_alloc_page();
    xt_b = xt_alloc_page();
    *xt_a = 0xaaaa;
    *xt_b = 0xbbbb;
    test_baseptr();
    test_flush();
    xtf_success(NULL);
}
