/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV domain builder: kernel, boot modules, start_info and page tables. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xen/xen.h>

#include "builder/builder.h"

#define PAGE 4096ULL
#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_US 0x4ULL
#define PTE_A 0x20ULL
#define PTE_D 0x40ULL
#define MiB (1ULL << 20)

static uint64_t round_up(uint64_t x, uint64_t a)
{
    return (x + a - 1) & ~(a - 1);
}

/* Distinct aligned blocks of size 2^shift touched by [start, end). */
static uint64_t blocks(uint64_t start, uint64_t end, unsigned shift)
{
    return ((end - 1) >> shift) - (start >> shift) + 1;
}

uint64_t build_count_pt_pages(uint64_t virt_base, uint64_t end)
{
    return 1 + blocks(virt_base, end, 39) + blocks(virt_base, end, 30) +
           blocks(virt_base, end, 21);
}

void build_hypercall_page(uint8_t *page)
{
    for (unsigned i = 0; i < 128; i++) {
        uint8_t *p = page + i * 32;
        uint8_t *q = p;

        memset(p, 0xcc, 32); /* int3 padding */
        *q++ = 0x51;                       /* push %rcx */
        *q++ = 0x41; *q++ = 0x53;          /* push %r11 */
        if (i == __HYPERVISOR_iret)
            *q++ = 0x50;                   /* push %rax: iret takes its frame */
        *q++ = 0xb8;                       /* mov $i, %eax */
        memcpy(q, &i, 4);
        q += 4;
        *q++ = 0x0f; *q++ = 0x05;          /* syscall */
        if (i == __HYPERVISOR_iret)
            continue;                      /* iret does not come back */
        *q++ = 0x41; *q++ = 0x5b;          /* pop %r11 */
        *q++ = 0x59;                       /* pop %rcx */
        *q++ = 0xc3;                       /* ret */
    }
}

/* Bump allocator over the bootstrap region, in whole pages. */
struct region {
    uint64_t virt_base, next;
};

static uint64_t take(struct region *r, uint64_t bytes)
{
    uint64_t va = r->next;

    r->next += round_up(bytes ? bytes : 1, PAGE);
    return va;
}

static uint64_t pfn_of(const struct region *r, uint64_t va)
{
    return (va - r->virt_base) / PAGE;
}

/* Find how many page-table pages map the region including themselves,
 * the stack and the 512 KiB of padding, rounded to 4 MiB. */
static uint64_t size_tables(uint64_t virt_base, uint64_t pt_va, uint64_t *map_end)
{
    uint64_t n = 1;

    for (;;) {
        uint64_t end = pt_va + n * PAGE + PAGE /* stack */;
        uint64_t mend = round_up(end + 512 * 1024, 4 * MiB);
        uint64_t need = build_count_pt_pages(virt_base, mend);

        if (need <= n) {
            *map_end = mend;
            return n;
        }
        n = need;
    }
}

/* Write the page tables: one L4, then the L3s, L2s and L1s in address order. */
static void write_tables(uint8_t *ram, const struct build_layout *l)
{
    uint64_t vb = l->virt_base, end = l->map_end;
    uint64_t n3 = blocks(vb, end, 39), n2 = blocks(vb, end, 30);
    uint64_t l4 = l->pt_pfn, l3 = l4 + 1, l2 = l3 + n3, l1 = l2 + n2;
    uint64_t flags = PTE_P | PTE_RW | PTE_US | PTE_A;

    for (uint64_t va = vb; va < end; va += PAGE) {
        uint64_t *t4 = (uint64_t *)(ram + l4 * PAGE);
        uint64_t i3 = (va >> 39) - (vb >> 39), i2 = (va >> 30) - (vb >> 30);
        uint64_t i1 = (va >> 21) - (vb >> 21);
        uint64_t *t3 = (uint64_t *)(ram + (l3 + i3) * PAGE);
        uint64_t *t2 = (uint64_t *)(ram + (l2 + i2) * PAGE);
        uint64_t *t1 = (uint64_t *)(ram + (l1 + i1) * PAGE);
        uint64_t pfn = (va - vb) / PAGE;
        bool is_pt = pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt_frames;

        t4[(va >> 39) & 511] = ((l3 + i3) * PAGE) | flags;
        t3[(va >> 30) & 511] = ((l2 + i2) * PAGE) | flags;
        t2[(va >> 21) & 511] = ((l1 + i1) * PAGE) | flags;
        t1[(va >> 12) & 511] = (pfn * PAGE) | PTE_P | PTE_US | PTE_A | PTE_D |
                               (is_pt ? 0 : PTE_RW);
    }
}

static void fill_start_info(const struct build_args *a, const struct build_layout *l)
{
    start_info_t *si = (start_info_t *)(a->ram + l->start_info_pfn * PAGE);

    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = a->nr_pages;
    si->shared_info = a->shared_info_mfn * PAGE;
    si->flags = 0;
    si->store_mfn = l->store_pfn;
    si->store_evtchn = a->store_evtchn;
    si->console.domU.mfn = l->console_pfn;
    si->console.domU.evtchn = a->console_evtchn;
    si->pt_base = l->pt_va;
    si->nr_pt_frames = l->nr_pt_frames;
    si->mfn_list = l->p2m_va;
    si->mod_start = l->mod_start;
    si->mod_len = l->mod_len;
    snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s", a->cmdline ? a->cmdline : "");
}

static int check_fits(const struct build_args *a, uint64_t bytes, char *err)
{
    if (bytes <= a->nr_pages * PAGE)
        return 0;
    snprintf(err, BUILD_ERR_LEN, "guest needs at least %llu MiB for its kernel and boot "
             "modules but has %llu MiB (raise -m)",
             (unsigned long long)((bytes + MiB - 1) / MiB),
             (unsigned long long)(a->nr_pages * PAGE / MiB));
    return -1;
}

int build_pv_domain(const struct build_args *a, struct build_layout *l, char err[BUILD_ERR_LEN])
{
    const struct kernel_info *ki = a->info;
    struct region r = { ki->virt_base, 0 };
    char kerr[KERNEL_ERR_LEN];

    memset(l, 0, sizeof(*l));
    if (ki->kstart < ki->virt_base) {
        snprintf(err, BUILD_ERR_LEN, "kernel loads below its virt_base");
        return -1;
    }
    l->virt_base = ki->virt_base;
    l->kernel_start = ki->kstart;
    l->kernel_end = round_up(ki->kend, PAGE);
    if (check_fits(a, l->kernel_end - ki->virt_base + a->initrd_len, err))
        return -1;
    r.next = l->kernel_end;
    if (a->initrd_len) {
        l->mod_start = take(&r, a->initrd_len);
        l->mod_len = a->initrd_len;
    }
    l->p2m_va = take(&r, a->nr_pages * 8);
    l->start_info_va = take(&r, PAGE);
    l->start_info_pfn = pfn_of(&r, l->start_info_va);
    l->store_pfn = pfn_of(&r, take(&r, PAGE));
    l->console_pfn = pfn_of(&r, take(&r, PAGE));
    l->pt_va = r.next;
    l->nr_pt_frames = size_tables(ki->virt_base, l->pt_va, &l->map_end);
    take(&r, l->nr_pt_frames * PAGE);
    l->pt_pfn = pfn_of(&r, l->pt_va);
    l->stack_va = take(&r, PAGE);
    if (check_fits(a, l->map_end - ki->virt_base, err))
        return -1;

    if (kernel_load_elf(a->image, a->image_len, ki, a->ram + pfn_of(&r, ki->kstart) * PAGE,
                        l->kernel_end - ki->kstart, kerr)) {
        snprintf(err, BUILD_ERR_LEN, "%s", kerr);
        return -1;
    }
    if (ki->has_hypercall_page)
        build_hypercall_page(a->ram + pfn_of(&r, ki->hypercall_page) * PAGE);
    if (a->initrd_len)
        memcpy(a->ram + pfn_of(&r, l->mod_start) * PAGE, a->initrd, a->initrd_len);
    for (uint64_t i = 0; i < a->nr_pages; i++)
        ((uint64_t *)(a->ram + pfn_of(&r, l->p2m_va) * PAGE))[i] = i; /* identity P2M */
    fill_start_info(a, l);
    write_tables(a->ram, l);
    l->entry = ki->entry;
    l->rsp = l->stack_va + PAGE;
    l->rsi = l->start_info_va;
    return 0;
}
