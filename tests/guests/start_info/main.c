/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start_info: the start-of-day layout rules of xen.h, checked from inside. */
#include "xt.h"

const char xt_test_title[] = "start_info: magic, fields and the bootstrap memory layout";

#define XT_MB(x) ((uint64_t)(x) << 20)

extern uint8_t xt_image_end[];

static void test_fields(const start_info_t *si)
{
    xt_check_true("magic starts with xen-3.0-x86_64",
                  !memcmp(si->magic, "xen-3.0-x86_64", 14));
    xt_check_true("magic is NUL-terminated", strnlen(si->magic, sizeof(si->magic)) < sizeof(si->magic));
    xt_check_eq("flags SIF_PRIVILEGED|SIF_INITDOMAIN (a domU)", 0,
                si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN));
    xt_check_true("cmd_line is NUL-terminated",
                  strnlen((const char *)si->cmd_line, MAX_GUEST_CMDLINE) < MAX_GUEST_CMDLINE);
    xt_check_eq("mod_len (no module given)", 0, si->mod_len);
    xt_check_true("store mfn is set", si->store_mfn != 0);
    xt_check_true("store evtchn is set", si->store_evtchn != 0);
    xt_check_true("console mfn is set", si->console.domU.mfn != 0);
    xt_check_true("console evtchn is set", si->console.domU.evtchn != 0);
    xt_check_true("store and console evtchns differ",
                  si->store_evtchn != si->console.domU.evtchn);
    xt_check_eq("shared_info is page aligned", 0, si->shared_info & (XT_PAGE_SIZE - 1));
    xt_check_eq("pt_base is page aligned", 0, si->pt_base & (XT_PAGE_SIZE - 1));
    xt_check_true("nr_pt_frames >= 4 (L4, L3, L2, L1)", si->nr_pt_frames >= 4);
}

/* xen.h "Start-of-day memory layout", 3.a-h: the order of bootstrap elements. */
static void test_order(const start_info_t *si)
{
    uint64_t store = (uint64_t)xt_mfn_to_virt(si->store_mfn);
    uint64_t cons = (uint64_t)xt_mfn_to_virt(si->console.domU.mfn);

    xt_check_true("mfn_list follows the kernel image", si->mfn_list >= (uint64_t)xt_image_end);
    xt_check_true("start_info follows mfn_list",
                  (uint64_t)si >= si->mfn_list + si->nr_pages * sizeof(xen_pfn_t));
    xt_check_true("xenstore page follows start_info", store > (uint64_t)si);
    xt_check_true("console page follows the xenstore page", cons > store);
    xt_check_true("page tables follow the console page", si->pt_base > cons);
    xt_check_true("boot stack follows the page tables",
                  xt_boot_rsp > si->pt_base + si->nr_pt_frames * XT_PAGE_SIZE);
}

static bool check_pfn_mapping(const start_info_t *si, uint64_t pfn, uint64_t l1e)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;
    char what[96];

    if ((l1e & XT_PTE_ADDR) >> XT_PAGE_SHIFT == p2m[pfn])
        return true;
    /* The library remapped one page of its image onto shared_info. */
    if ((l1e & XT_PTE_ADDR) == si->shared_info)
        return true;
    xt_snprintf(what, sizeof(what), "mapping of pfn %#lx agrees with mfn_list", pfn);
    return xt_check_eq(what, p2m[pfn], (l1e & XT_PTE_ADDR) >> XT_PAGE_SHIFT);
}

/*
 * The bootstrap region maps VIRT_BASE + pfn to mfn_list[pfn] for every pfn
 * up to its end, which is 4 MiB aligned, at least 512 KiB past the stack.
 */
static void test_region(const start_info_t *si)
{
    uint64_t va, pfn, end = 0;

    for (va = XT_VIRT_BASE; va < XT_VIRT_BASE + si->nr_pages * XT_PAGE_SIZE; va += XT_PAGE_SIZE) {
        uint64_t l1e = xt_l1e_of((void *)va);

        if (!(l1e & XT_PTE_P)) {
            end = va;
            break;
        }
        pfn = xt_va_to_pfn((void *)va);
        if (!check_pfn_mapping(si, pfn, l1e))
            return;
    }
    if (!end)
        end = XT_VIRT_BASE + si->nr_pages * XT_PAGE_SIZE;
    xt_printk("bootstrap region %#lx-%#lx, boot stack top %#lx\n", XT_VIRT_BASE, end, xt_boot_rsp);
    xt_check_eq("region end is 4 MiB aligned", 0, end & (XT_MB(4) - 1));
    xt_check_true("512 KiB padding after the boot stack", end >= xt_boot_rsp + 512 * 1024);
    xt_check_true("boot stack inside the region", xt_boot_rsp <= end && xt_boot_rsp > XT_VIRT_BASE);
}

/* All bootstrap elements are mapped writable, except the page tables. */
static void test_page_tables(const start_info_t *si)
{
    uint64_t i, l1e;
    char what[96];

    for (i = 0; i < si->nr_pt_frames; i++) {
        l1e = xt_l1e_of((void *)(si->pt_base + i * XT_PAGE_SIZE));
        xt_snprintf(what, sizeof(what), "page-table frame %lu mapped read-only", i);
        xt_check_eq(what, XT_PTE_P, l1e & (XT_PTE_P | XT_PTE_RW));
    }
    l1e = xt_l1e_of(si);
    xt_check_eq("start_info mapped writable", XT_PTE_P | XT_PTE_RW, l1e & (XT_PTE_P | XT_PTE_RW));
    l1e = xt_l1e_of((void *)si->mfn_list);
    xt_check_eq("mfn_list mapped writable", XT_PTE_P | XT_PTE_RW, l1e & (XT_PTE_P | XT_PTE_RW));
    l1e = xt_l1e_of((void *)((uint64_t)xt_image_end - XT_PAGE_SIZE));
    xt_check_eq("image .bss mapped writable", XT_PTE_P | XT_PTE_RW, l1e & (XT_PTE_P | XT_PTE_RW));
}

void test_main(void)
{
    const start_info_t *si = xt_start_info;

    xt_printk("magic %s nr_pages %#lx pt_base %#lx nr_pt_frames %lu mfn_list %#lx\n",
              si->magic, si->nr_pages, si->pt_base, si->nr_pt_frames, si->mfn_list);
    test_fields(si);
    test_order(si);
    test_region(si);
    test_page_tables(si);
    xtf_success(NULL);
}
