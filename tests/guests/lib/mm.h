/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start_info, shared_info and page-table helpers (all frames are "machine" frames). */
#ifndef XT_MM_H
#define XT_MM_H

#define XT_PTE_P 0x001UL
#define XT_PTE_RW 0x002UL
#define XT_PTE_US 0x004UL
#define XT_PTE_A 0x020UL
#define XT_PTE_D 0x040UL
#define XT_PTE_PSE 0x080UL
#define XT_PTE_ADDR 0x000ffffffffff000UL
#define XT_PTE_DATA (XT_PTE_P | XT_PTE_RW | XT_PTE_A | XT_PTE_D)

/* Set up by setup.c before test_main(). */
extern start_info_t *xt_start_info;
extern shared_info_t *xt_shared;
extern struct vcpu_info *xt_vcpu;      /* vcpu 0's vcpu_info, wherever it lives */
extern uint64_t xt_boot_rsp;           /* %rsp the domain builder handed over */
extern uint64_t *xt_l4;                /* the L4 currently in use (initially pt_base) */

/* Page-aligned pages of the image that tests may remap freely. */
extern uint8_t xt_shared_info_page[XT_PAGE_SIZE];
extern uint8_t xt_window[XT_PAGE_SIZE];

static inline unsigned int xt_l4_index(uint64_t va) { return (va >> 39) & 511; }
static inline unsigned int xt_l3_index(uint64_t va) { return (va >> 30) & 511; }
static inline unsigned int xt_l2_index(uint64_t va) { return (va >> 21) & 511; }
static inline unsigned int xt_l1_index(uint64_t va) { return (va >> 12) & 511; }

/* pfn of an address in the bootstrap region, which is mapped 1:1 from VIRT_BASE. */
static inline uint64_t xt_va_to_pfn(const void *va)
{
    return ((uint64_t)va - XT_VIRT_BASE) >> XT_PAGE_SHIFT;
}

/* mfn of a bootstrap-region address, from the P2M list in start_info. */
uint64_t xt_virt_to_mfn(const void *va);
static inline uint64_t xt_virt_to_maddr(const void *va)
{
    return (xt_virt_to_mfn(va) << XT_PAGE_SHIFT) | ((uint64_t)va & (XT_PAGE_SIZE - 1));
}
/* Bootstrap-region address of a frame of ours, or NULL (searches the P2M). */
void *xt_mfn_to_virt(uint64_t mfn);

/*
 * Pointer to the page-table entry for va at level 4..1 in the tables rooted
 * at l4 (NULL when an upper level is not present). Machine address of the
 * same entry, for mmu_update, via xt_pte_maddr.
 */
uint64_t *xt_pte_ptr(const uint64_t *l4, uint64_t va, int level);
uint64_t xt_pte_maddr(const uint64_t *l4, uint64_t va, int level);
/* The L1 entry mapping va in the current tables, 0 when not mapped. */
uint64_t xt_l1e_of(const void *va);

/* A fresh zeroed page from the image's pool (never freed); panics when out. */
void *xt_alloc_page(void);

/* update_va_mapping with UVMF_INVLPG; the *_ro/_rw forms keep the frame. */
long xt_map_page(void *va, uint64_t mfn, uint64_t flags);
long xt_remap_ro(void *va);
long xt_remap_rw(void *va);
/* One mmuext_op with an mfn argument (pin, unpin, new baseptr...). */
long xt_mmuext_mfn(unsigned int cmd, uint64_t mfn);
long xt_mmuext_va(unsigned int cmd, uint64_t linear_addr);
/* One MMU_NORMAL_PT_UPDATE. */
long xt_mmu_update(uint64_t ptr, uint64_t val);

/*
 * Build va -> mfn in the tables rooted at the L4 with frame l4_mfn, in an
 * L4 slot that is empty there: L3/L2/L1 come from the pool, are made
 * read-only and hooked in with one mmu_update (Xen validates them then).
 */
long xt_map_in_new_slot(uint64_t l4_mfn, uint64_t va, uint64_t mfn, uint64_t flags);

#endif
