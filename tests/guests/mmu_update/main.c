/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmu_update: MMU_NORMAL_PT_UPDATE and PRESERVE_AD on an L1 entry, and its errors. */
#include "xt.h"

const char xt_test_title[] = "mmu_update: page-table updates, batches and refusals";

/* A frame no machine has as RAM (256 TiB up): not ours, not RAM, no iomem access. */
#define XT_FOREIGN_MFN (1UL << 36)

static uint64_t *xt_a, *xt_b;
static uint64_t xt_win_l1e_ma;

static long update(uint64_t mfn, uint64_t flags, unsigned int cmd)
{
    return xt_mmu_update(xt_win_l1e_ma | cmd, (mfn << XT_PAGE_SHIFT) | flags);
}

static uint64_t window_word(void)
{
    xt_mmuext_va(MMUEXT_INVLPG_LOCAL, (uint64_t)xt_window);
    return XT_READ_ONCE(*(volatile uint64_t *)xt_window);
}

static void test_normal(void)
{
    uint64_t l1e;

    xt_check_rc("L1 update to page B", 0, update(xt_virt_to_mfn(xt_b), XT_PTE_DATA, MMU_NORMAL_PT_UPDATE));
    xt_check_eq("window reads page B", 0xbbbb, window_word());
    l1e = xt_l1e_of(xt_window);
    xt_check_eq("L1 entry frame", xt_virt_to_mfn(xt_b), (l1e & XT_PTE_ADDR) >> XT_PAGE_SHIFT);
    xt_check_eq("L1 entry present and writable", XT_PTE_P | XT_PTE_RW, l1e & (XT_PTE_P | XT_PTE_RW));
}

/* MMU_PT_UPDATE_PRESERVE_AD ORs the current A/D bits into the new entry. */
static void test_preserve_ad(void)
{
    uint64_t l1e;

    xt_check_rc("L1 update without A/D", 0, update(xt_virt_to_mfn(xt_a), XT_PTE_P | XT_PTE_RW,
                                                   MMU_NORMAL_PT_UPDATE));
    xt_check_eq("window reads page A", 0xaaaa, window_word());
    l1e = xt_l1e_of(xt_window);
    if (!(l1e & XT_PTE_A)) {
        xtf_error("Error: the CPU did not set the accessed bit, cannot check PRESERVE_AD\n");
        return;
    }
    xt_check_rc("PRESERVE_AD update", 0, update(xt_virt_to_mfn(xt_a), XT_PTE_P | XT_PTE_RW,
                                                MMU_PT_UPDATE_PRESERVE_AD));
    xt_check_eq("accessed bit preserved", XT_PTE_A, xt_l1e_of(xt_window) & XT_PTE_A);
}

/* mm.c get_page_from_l1e: not RAM and no iomem permission -> -EPERM;
 * a page-table page mapped writable -> -EBUSY (could_not_pin). */
static void test_refusals(void)
{
    uint64_t l4_mfn = xt_virt_to_mfn((void *)xt_start_info->pt_base);

    xt_check_rc("mapping a frame outside the domain", -XEN_EPERM,
                update(XT_FOREIGN_MFN, XT_PTE_DATA, MMU_NORMAL_PT_UPDATE));
    xt_check_rc("writable mapping of the pinned L4", -XEN_EBUSY,
                update(l4_mfn, XT_PTE_DATA, MMU_NORMAL_PT_UPDATE));
    xt_check_rc("read-only mapping of the pinned L4", 0,
                update(l4_mfn, XT_PTE_P | XT_PTE_A, MMU_NORMAL_PT_UPDATE));
    window_word();
    xt_check_eq("window reads the L4 (slot 511)", xt_l4[511],
                ((volatile uint64_t *)xt_window)[511]);
    xt_check_rc("ptr in a frame outside the domain", -XEN_EINVAL,
                xt_mmu_update(XT_FOREIGN_MFN << XT_PAGE_SHIFT, 0));
}

/* A batch stops at the first failure; done counts the applied requests. */
static void test_batch(void)
{
    mmu_update_t req[3] = {
        { xt_win_l1e_ma, (xt_virt_to_mfn(xt_a) << XT_PAGE_SHIFT) | XT_PTE_DATA },
        { xt_win_l1e_ma, (XT_FOREIGN_MFN << XT_PAGE_SHIFT) | XT_PTE_DATA },
        { xt_win_l1e_ma, (xt_virt_to_mfn(xt_b) << XT_PAGE_SHIFT) | XT_PTE_DATA },
    };
    unsigned int done = 77;

    xt_check_rc("batch with a bad second request", -XEN_EPERM,
                HYPERVISOR_mmu_update(req, 3, &done, DOMID_SELF));
    xt_check_eq("batch: done", 1, done);
    xt_check_eq("batch: first request applied, third not", 0xaaaa, window_word());
    done = 77;
    xt_check_rc("empty batch", 0, HYPERVISOR_mmu_update(req, 0, &done, DOMID_SELF));
    xt_check_eq("empty batch: done", 0, done);
}

void test_main(void)
{
    xt_a = xt_alloc_page();
    xt_b = xt_alloc_page();
    *xt_a = 0xaaaa;
    *xt_b = 0xbbbb;
    xt_win_l1e_ma = xt_pte_maddr(xt_l4, (uint64_t)xt_window, 1);
    test_normal();
    test_preserve_ad();
    test_refusals();
    test_batch();
    xt_check_rc("restoring the window", 0, xt_remap_rw(xt_window));
    xtf_success(NULL);
}
