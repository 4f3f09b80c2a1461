/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmuext_pin: pinning and unpinning L1..L4 tables, and the refusals. */
#include "xt.h"

const char xt_test_title[] = "mmuext_pin: MMUEXT_PIN_L*_TABLE and MMUEXT_UNPIN_TABLE";

#define XT_TABLE (XT_PTE_P | XT_PTE_RW | XT_PTE_US | XT_PTE_A)

static uint64_t mfn_of(void *p)
{
    return xt_virt_to_mfn(p);
}

/* A four-level chain mapping VA 0 to a data page, all pages read-only. */
static uint64_t *xt_l4t, *xt_l3t, *xt_l2t, *xt_l1t, *xt_data;

static bool build_chain(void)
{
    xt_l4t = xt_alloc_page();
    xt_l3t = xt_alloc_page();
    xt_l2t = xt_alloc_page();
    xt_l1t = xt_alloc_page();
    xt_data = xt_alloc_page();
    xt_l1t[0] = (mfn_of(xt_data) << XT_PAGE_SHIFT) | XT_PTE_P | XT_PTE_A;
    xt_l2t[0] = (mfn_of(xt_l1t) << XT_PAGE_SHIFT) | XT_TABLE;
    xt_l3t[0] = (mfn_of(xt_l2t) << XT_PAGE_SHIFT) | XT_TABLE;
    xt_l4t[0] = (mfn_of(xt_l3t) << XT_PAGE_SHIFT) | XT_TABLE;
    return xt_require_rc("L1 read-only", 0, xt_remap_ro(xt_l1t)) &&
           xt_require_rc("L2 read-only", 0, xt_remap_ro(xt_l2t)) &&
           xt_require_rc("L3 read-only", 0, xt_remap_ro(xt_l3t)) &&
           xt_require_rc("L4 read-only", 0, xt_remap_ro(xt_l4t));
}

static void test_levels(void)
{
    xt_check_rc("pin L4 (validates the whole chain)", 0, xt_mmuext_mfn(MMUEXT_PIN_L4_TABLE, mfn_of(xt_l4t)));
    xt_check_rc("pin the L4 again", -XEN_EINVAL, xt_mmuext_mfn(MMUEXT_PIN_L4_TABLE, mfn_of(xt_l4t)));
    xt_check_rc("pin the L1 of the chain", 0, xt_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn_of(xt_l1t)));
    xt_check_rc("pin the L2 of the chain", 0, xt_mmuext_mfn(MMUEXT_PIN_L2_TABLE, mfn_of(xt_l2t)));
    xt_check_rc("pin the L3 of the chain", 0, xt_mmuext_mfn(MMUEXT_PIN_L3_TABLE, mfn_of(xt_l3t)));
    /* The page is an L2 now: it cannot also be pinned as an L1. */
    xt_check_rc("pin the L2 as an L1", -XEN_EINVAL, xt_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn_of(xt_l2t)));
    /* mm.c get_page_from_l1e: a page-table page mapped writable -> -EBUSY. */
    xt_check_rc("writable mapping of the pinned L1", -XEN_EBUSY, xt_remap_rw(xt_l1t));
    xt_check_rc("unpin L1", 0, xt_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn_of(xt_l1t)));
    xt_check_rc("unpin L1 again", -XEN_EINVAL, xt_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn_of(xt_l1t)));
    xt_check_rc("unpin L2", 0, xt_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn_of(xt_l2t)));
    xt_check_rc("unpin L3", 0, xt_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn_of(xt_l3t)));
    xt_check_rc("unpin L4", 0, xt_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn_of(xt_l4t)));
    xt_check_rc("the L1 is writable once unpinned and unreferenced", 0, xt_remap_rw(xt_l1t));
}

static void test_refusals(void)
{
    uint64_t *w = xt_alloc_page(), *bad = xt_alloc_page(), *l2 = xt_alloc_page();

    /* A writable page has the wrong type for a page table. */
    xt_check_rc("pin a writable-mapped page as L1", -XEN_EINVAL, xt_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn_of(w)));
    /* Validation fails on an entry for a frame the domain may not map. */
    bad[3] = ((1UL << 36) << XT_PAGE_SHIFT) | XT_PTE_P;
    if (xt_require_rc("read-only bad L1", 0, xt_remap_ro(bad)))
        xt_check_rc("pin an L1 mapping a non-RAM frame", -XEN_EPERM,
                    xt_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn_of(bad)));
    /* An L2 entry pointing at a writable data page cannot make it an L1. */
    l2[0] = (mfn_of(w) << XT_PAGE_SHIFT) | XT_TABLE;
    if (xt_require_rc("read-only L2", 0, xt_remap_ro(l2)))
        xt_check_rc("pin an L2 whose L1 is a writable page", -XEN_EINVAL,
                    xt_mmuext_mfn(MMUEXT_PIN_L2_TABLE, mfn_of(l2)));
    xt_check_rc("pin a frame outside the domain", -XEN_EINVAL,
                xt_mmuext_mfn(MMUEXT_PIN_L1_TABLE, 1UL << 36));
    xt_check_rc("unknown mmuext command", -XEN_ENOSYS, xt_mmuext_mfn(99, mfn_of(w)));
}

void test_main(void)
{
    if (!build_chain())
        return;
    test_levels();
    test_refusals();
    xtf_success(NULL);
}
