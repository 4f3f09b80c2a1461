/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_hole: the hypervisor hole's trampoline, relay pages and frames stay out of the guest's reach. */
#include "xt.h"
#include "xenner/hv-abi.h"

const char xt_test_title[] = "hv_hole: the trampoline and the relay pages cannot be reached";

/* The window's L1 entry, for mapping attempts. */
static uint64_t win_l1e_ma;

static void no_access(const char *what, uint64_t va)
{
    char buf[96];
    uint64_t val;

    xt_fault_clear();
    xt_snprintf(buf, sizeof(buf), "read of %s", what);
    xt_check_true(buf, !xt_probe_read((void *)va, &val));
    xt_snprintf(buf, sizeof(buf), "write to %s", what);
    xt_check_true(buf, !xt_probe_write((void *)va, 0x5a5a));
}

/* Every frame from the end of the guest's own and Xen's pages up to the
 * 2 MiB boundary where the hole's frames begin, and far beyond: none may
 * be mapped, read-only or writable. */
static void no_mapping(void)
{
    uint64_t first = xt_start_info->nr_pages + 1 + 32; /* shared_info and grant frames */
    uint64_t hv = ((first << XT_PAGE_SHIFT) + (2ULL << 20) - 1) >> XT_PAGE_SHIFT & ~511ULL;
    unsigned refused = 0, tried = 0;

    for (uint64_t pfn = first; pfn < hv + 4096; pfn += (pfn < hv ? 1 : 7)) {
        long ro = xt_mmu_update(win_l1e_ma, (pfn << XT_PAGE_SHIFT) | XT_PTE_P | XT_PTE_A);
        long rw = xt_mmu_update(win_l1e_ma, (pfn << XT_PAGE_SHIFT) | XT_PTE_DATA);

        tried++;
        refused += ro < 0 && rw < 0;
    }
    xt_check_eq("hole frames refused for mapping (of those tried)", tried, refused);
}

void test_main(void)
{
    uint64_t blk = HV_TRAMP_VA + HV_VCPU_OFF;

    no_access("the stub page", HV_TRAMP_VA + HV_STUBS_OFF);
    no_access("the IDT", HV_TRAMP_VA + HV_IDT_OFF);
    no_access("the local APIC", HV_TRAMP_VA + HV_LAPIC_OFF);
    no_access("Xen's GDT entries", blk + HV_GDT_OFF + HV_GDT_GUEST_PAGES * XT_PAGE_SIZE);
    no_access("the TSS", blk + HV_TSS_OFF);
    no_access("the ring-0 stack", blk + HV_STACK_OFF);
    no_access("the relay page", blk + HV_RELAY_OFF);
    no_access("the combined L4", blk + HV_COMB_OFF);
    no_access("the direct map", HV_DIRECT_VA + (xt_start_info->nr_pages << XT_PAGE_SHIFT));

    /* No L4 entry of the hole can be replaced. */
    xt_check_rc("L4 update of the trampoline slot", -XEN_EINVAL,
                xt_mmu_update(xt_virt_to_maddr(xt_l4) + HV_L4_SLOT_TRAMP * 8, 0));
    xt_check_rc("L4 update of the direct-map slot", -XEN_EINVAL,
                xt_mmu_update(xt_virt_to_maddr(xt_l4) + HV_L4_SLOT_DIRECT * 8, 0));

    win_l1e_ma = xt_pte_maddr(xt_l4, (uint64_t)xt_window, 1);
    no_mapping();
    xt_check_rc("restoring the window", 0, xt_remap_rw(xt_window));
    xtf_success(NULL);
}
