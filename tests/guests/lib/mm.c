/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Page-table walking and small PV MMU helpers. */
#include "xt.h"

#define XT_POOL_PAGES 48

start_info_t *xt_start_info;
shared_info_t *xt_shared;
struct vcpu_info *xt_vcpu;
uint64_t xt_boot_rsp;
uint64_t *xt_l4;

uint8_t xt_shared_info_page[XT_PAGE_SIZE] __attribute__((aligned(XT_PAGE_SIZE)));
uint8_t xt_window[XT_PAGE_SIZE] __attribute__((aligned(XT_PAGE_SIZE)));
static uint8_t xt_pool[XT_POOL_PAGES][XT_PAGE_SIZE] __attribute__((aligned(XT_PAGE_SIZE)));
static unsigned int xt_pool_next;

uint64_t xt_virt_to_mfn(const void *va)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)xt_start_info->mfn_list;

    return p2m[xt_va_to_pfn(va)];
}

void *xt_mfn_to_virt(uint64_t mfn)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)xt_start_info->mfn_list;
    uint64_t n = xt_start_info->nr_pages, pfn;

    if (mfn < n && p2m[mfn] == mfn)
        return (void *)(XT_VIRT_BASE + (mfn << XT_PAGE_SHIFT));
    for (pfn = 0; pfn < n; pfn++)
        if (p2m[pfn] == mfn)
            return (void *)(XT_VIRT_BASE + (pfn << XT_PAGE_SHIFT));
    return NULL;
}

static unsigned int level_index(uint64_t va, int level)
{
    return (va >> (XT_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

/* The table at `level` (4..1) for va, or NULL if not present. */
static uint64_t *table_at(const uint64_t *l4, uint64_t va, int level)
{
    const uint64_t *t = l4;
    int l;

    for (l = 4; l > level; l--) {
        uint64_t e = t[level_index(va, l)];

        if (!(e & XT_PTE_P) || (e & XT_PTE_PSE))
            return NULL;
        t = xt_mfn_to_virt((e & XT_PTE_ADDR) >> XT_PAGE_SHIFT);
        if (!t)
            return NULL;
    }
    return (uint64_t *)t;
}

uint64_t *xt_pte_ptr(const uint64_t *l4, uint64_t va, int level)
{
    uint64_t *t = table_at(l4, va, level);

    return t ? &t[level_index(va, level)] : NULL;
}

uint64_t xt_pte_maddr(const uint64_t *l4, uint64_t va, int level)
{
    uint64_t *t = table_at(l4, va, level);

    if (!t)
        return 0;
    return (xt_virt_to_mfn(t) << XT_PAGE_SHIFT) + level_index(va, level) * 8;
}

uint64_t xt_l1e_of(const void *va)
{
    uint64_t *e = xt_pte_ptr(xt_l4, (uint64_t)va, 1);

    return e ? *e : 0;
}

void *xt_alloc_page(void)
{
    void *p;

    if (xt_pool_next >= XT_POOL_PAGES)
        xt_panic("Error: page pool exhausted\n");
    p = xt_pool[xt_pool_next++];
    memset(p, 0, XT_PAGE_SIZE);
    return p;
}

long xt_map_page(void *va, uint64_t mfn, uint64_t flags)
{
    return HYPERVISOR_update_va_mapping((unsigned long)va,
                                        (mfn << XT_PAGE_SHIFT) | flags, UVMF_INVLPG);
}

long xt_remap_ro(void *va)
{
    return xt_map_page(va, xt_virt_to_mfn(va), XT_PTE_P | XT_PTE_A);
}

long xt_remap_rw(void *va)
{
    return xt_map_page(va, xt_virt_to_mfn(va), XT_PTE_DATA);
}

long xt_mmuext_mfn(unsigned int cmd, uint64_t mfn)
{
    mmuext_op_t op = { .cmd = cmd, .arg1.mfn = mfn };

    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long xt_mmuext_va(unsigned int cmd, uint64_t linear_addr)
{
    mmuext_op_t op = { .cmd = cmd, .arg1.linear_addr = linear_addr };

    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long xt_mmu_update(uint64_t ptr, uint64_t val)
{
    mmu_update_t u = { .ptr = ptr, .val = val };

    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

long xt_map_in_new_slot(uint64_t l4_mfn, uint64_t va, uint64_t mfn, uint64_t flags)
{
    uint64_t *l3 = xt_alloc_page(), *l2 = xt_alloc_page(), *l1 = xt_alloc_page();
    const uint64_t table = XT_PTE_P | XT_PTE_RW | XT_PTE_US | XT_PTE_A;
    long rc;

    l1[xt_l1_index(va)] = (mfn << XT_PAGE_SHIFT) | flags;
    l2[xt_l2_index(va)] = (xt_virt_to_mfn(l1) << XT_PAGE_SHIFT) | table;
    l3[xt_l3_index(va)] = (xt_virt_to_mfn(l2) << XT_PAGE_SHIFT) | table;
    if ((rc = xt_remap_ro(l1)) || (rc = xt_remap_ro(l2)) || (rc = xt_remap_ro(l3)))
        return rc;
    return xt_mmu_update((l4_mfn << XT_PAGE_SHIFT) + xt_l4_index(va) * 8,
                         (xt_virt_to_mfn(l3) << XT_PAGE_SHIFT) | table);
}
