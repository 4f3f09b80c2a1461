/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The trampoline area in the hypervisor hole: IDT, GDT, TSS, stubs, tables. */
#include <string.h>

#include "util/log.h"
#include "vmm/vmm.h"

#define PAGE 4096ULL
#define GiB (1ULL << 30)
#define MiB2 (2ULL << 20)

/* Page-table flags of the trampoline's own mappings: ring 0 only. */
#define HV_RW (PTE_P | PTE_RW | PTE_A | PTE_D)

static uint64_t div_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

uint64_t hv_tramp_gpa(struct vm *vm, uint64_t off)
{
    return (vm->d.hv_pfn << 12) + off;
}

static void *hv_ptr(struct vm *vm, uint64_t gpa)
{
    return pv_hv_gpa(&vm->d, gpa, 8);
}

/* Take n zeroed pages from the area after the trampoline-linear part. */
static uint64_t hv_alloc(struct vm *vm, uint64_t n)
{
    struct pv_domain *d = &vm->d;
    uint64_t gpa = (d->hv_pfn + d->hv_used) << 12;

    if (d->hv_used + n > d->hv_pages)
        log_fatalx("hv", "trampoline area too small (internal error)");
    d->hv_used += n;
    return gpa;
}

static void set_pte(struct vm *vm, uint64_t table_gpa, unsigned idx, uint64_t val)
{
    ((uint64_t *)hv_ptr(vm, table_gpa))[idx] = val;
}

/* Size the area: the linear trampoline part, the three hole mappings. */
static uint64_t hv_size_pages(struct vm *vm, uint64_t hv_gpa)
{
    uint64_t lin = (HV_VCPU_OFF + PV_MAX_VCPUS * HV_VCPU_SIZE) / PAGE;
    uint64_t m2p = div_up(vm->d.max_pfn * 8, PAGE);
    uint64_t tables = 3 + 2 + div_up(m2p, 512) + 1;
    uint64_t guess = lin + m2p + tables + 1;
    uint64_t direct = 1 + div_up(hv_gpa + (guess + 64) * PAGE, GiB);

    return guess + direct + 8;
}

/* slot 262: every guest-physical byte, 2 MiB pages, ring 0, no execute. */
static void map_direct(struct vm *vm)
{
    uint64_t end = (vm->d.hv_pfn + vm->d.hv_pages) << 12;
    uint64_t n2 = div_up(end, GiB);
    uint64_t l3 = hv_alloc(vm, 1);

    vm->d.hv_l3_direct_gpa = l3;
    for (uint64_t i = 0; i < n2; i++) {
        uint64_t l2 = hv_alloc(vm, 1);

        set_pte(vm, l3, i, l2 | HV_RW);
        for (unsigned j = 0; j < 512 && (i * GiB + j * MiB2) < end; j++)
            set_pte(vm, l2, j, (i * GiB + j * MiB2) | HV_RW | PTE_PSE | PTE_NX);
    }
}

/* slot 256: the M2P table, readable by the guest (user, read-only). */
static void map_m2p(struct vm *vm)
{
    uint64_t pages = div_up(vm->d.max_pfn * 8, PAGE);
    uint64_t l3 = hv_alloc(vm, 1), l2 = hv_alloc(vm, 1);
    uint64_t ro = PTE_P | PTE_US | PTE_A;
    uint64_t data = hv_alloc(vm, pages);

    vm->d.hv_l3_m2p_gpa = l3;
    vm->d.m2p = hv_ptr(vm, data);
    set_pte(vm, l3, 0, l2 | ro);
    for (uint64_t i = 0; i < div_up(pages, 512); i++) {
        uint64_t l1 = hv_alloc(vm, 1);

        set_pte(vm, l2, i, l1 | ro);
        for (uint64_t j = 0; j < 512 && i * 512 + j < pages; j++)
            set_pte(vm, l1, j, (data + (i * 512 + j) * PAGE) | ro);
    }
}

/* slot 261: the trampoline, mapped page by page from the linear part. */
static void map_tramp(struct vm *vm)
{
    uint64_t l3 = hv_alloc(vm, 1), l2 = hv_alloc(vm, 1), l1 = hv_alloc(vm, 1);
    uint64_t lin_pages = (HV_VCPU_OFF + PV_MAX_VCPUS * HV_VCPU_SIZE) / PAGE;

    vm->d.hv_l3_tramp_gpa = l3;
    vm->d.hv_l1_tramp_gpa = l1;
    set_pte(vm, l3, 0, l2 | HV_RW);
    set_pte(vm, l2, 0, l1 | HV_RW);
    for (uint64_t i = 0; i < lin_pages; i++)
        set_pte(vm, l1, i, hv_tramp_gpa(vm, i * PAGE) | HV_RW | (i ? PTE_NX : 0));
    /* The stub page is read-only code. */
    set_pte(vm, l1, 0, hv_tramp_gpa(vm, HV_STUBS_OFF) | PTE_P | PTE_A);
}

static void set_gate(uint8_t *idt, unsigned vec, uint64_t target, unsigned dpl, unsigned ist)
{
    uint8_t *g = idt + vec * 16;
    uint32_t w[4];

    w[0] = (uint32_t)(target & 0xffff) | ((uint32_t)HV_SEL_CS0 << 16);
    w[1] = ist | (0x8e00 | (dpl << 13)) | (uint32_t)(target & 0xffff0000);
    w[2] = (uint32_t)(target >> 32);
    w[3] = 0;
    memcpy(g, w, 16);
}

static void build_idt(struct vm *vm)
{
    uint8_t *idt = hv_ptr(vm, hv_tramp_gpa(vm, HV_IDT_OFF));
    uint64_t stubs = HV_TRAMP_VA + HV_STUBS_OFF;

    for (unsigned v = 0; v < 32; v++)
        set_gate(idt, v, stubs + v * HV_STUB_SIZE, (v == 3 || v == 4) ? 3 : 0, v == 8);
    set_gate(idt, 0x80, stubs + HV_STUB_INT80, 3, 0);
    set_gate(idt, 0x82, stubs + HV_STUB_INT82, 1, 0);
    /* The relay's wake-up interrupt; a guest's int $N to it takes #GP. */
    set_gate(idt, HV_VEC_KICK, stubs + HV_STUB_KICK, 0, 0);
    set_gate(idt, 0xff, stubs + HV_STUB_SPURIOUS, 0, 0);
}

/* Xen's reserved descriptors, plus the trampoline's own and the TSS. */
static void build_gdt(struct vm *vm, unsigned cpu, uint64_t tss_va)
{
    uint64_t base = hv_tramp_gpa(vm, HV_VCPU_OFF + cpu * HV_VCPU_SIZE + HV_GDT_OFF);
    uint64_t *gdt = hv_ptr(vm, base + HV_GDT_GUEST_PAGES * PAGE);
    uint64_t *e = gdt - HV_GDT_GUEST_PAGES * 512; /* index as the CPU does */
    uint64_t tss_lo = 0x67 | ((tss_va & 0xffffff) << 16) | (0x8bULL << 40) |
                      (((tss_va >> 24) & 0xff) << 56);

    e[HV_SEL_CS0 >> 3] = 0x00af9b000000ffffULL;      /* ring 0, 64-bit code */
    e[HV_SEL_DS0 >> 3] = 0x00cf93000000ffffULL;      /* ring 0 data */
    e[FLAT_RING3_CS32 >> 3] = 0x00cffb000000ffffULL; /* ring 3, 32-bit code */
    e[FLAT_RING3_DS32 >> 3] = 0x00cff3000000ffffULL; /* ring 3 data/stack */
    e[FLAT_RING3_CS64 >> 3] = 0x00affb000000ffffULL; /* ring 3, 64-bit code */
    e[HV_SEL_CS1 >> 3] = 0x00afbb000000ffffULL;      /* ring 1, 64-bit code */
    e[HV_SEL_DS1 >> 3] = 0x00cfb3000000ffffULL;      /* ring 1 data/stack */
    e[HV_SEL_TSS >> 3] = tss_lo;                     /* busy 64-bit TSS */
    e[(HV_SEL_TSS >> 3) + 1] = tss_va >> 32;
}

static void setup_vcpu_block(struct vm *vm, unsigned cpu)
{
    uint64_t blk = HV_VCPU_OFF + cpu * HV_VCPU_SIZE;
    uint64_t tss_va = HV_TRAMP_VA + blk + HV_TSS_OFF;
    uint8_t *tss = hv_ptr(vm, hv_tramp_gpa(vm, blk + HV_TSS_OFF));
    uint64_t rsp0 = HV_TRAMP_VA + blk + HV_STACK_OFF + PAGE;
    uint64_t ist1 = HV_TRAMP_VA + blk + HV_DFSTK_OFF + PAGE;
    struct vcpu_host *vh = &vm->vcpu[cpu];

    memcpy(tss + 4, &rsp0, 8);
    memcpy(tss + 36, &ist1, 8);
    tss[102] = 104; /* I/O bitmap base past the limit: no bitmap */
    build_gdt(vm, cpu, tss_va);
    for (unsigned i = 0; i < HV_GDT_GUEST_PAGES; i++)
        set_pte(vm, vm->d.hv_l1_tramp_gpa, (blk + HV_GDT_OFF) / PAGE + i,
                vm->d.zero_gpa | PTE_P | PTE_A | PTE_NX);
    vh->ring0_stack_top = rsp0;
    vh->ring0_stack_host = hv_ptr(vm, hv_tramp_gpa(vm, blk + HV_STACK_OFF));
}

void hv_layout(struct vm *vm)
{
    struct pv_domain *d = &vm->d;
    uint64_t hv_gpa = ((d->xen_pfn + PV_NR_XEN_PAGES) * PAGE + MiB2 - 1) & ~(MiB2 - 1);

    d->hv_pfn = hv_gpa / PAGE;
    d->hv_pages = hv_size_pages(vm, hv_gpa);
}

/*
 * Software CPU, once the relay runs: leave in the trampoline only what the
 * CPU and the relay need, read-only where they only read it. A guest kernel
 * running at ring 1 (src/accel/tcg.c) is a supervisor to the page tables,
 * so every page left writable here is writable to it: the ring-0 stacks
 * (which hold nothing between two entries) and the relay page (whose every
 * field the relay uses is written by xenner right before, while the guest
 * cannot run).
 */
void hv_protect_tramp(struct vm *vm)
{
    uint64_t lin_pages = (HV_VCPU_OFF + PV_MAX_VCPUS * HV_VCPU_SIZE) / PAGE;
    uint64_t l1 = vm->d.hv_l1_tramp_gpa;

    for (uint64_t i = 1; i < lin_pages; i++) {
        uint64_t off = i * PAGE, in_blk = (off - HV_VCPU_OFF) % HV_VCPU_SIZE;
        uint64_t pte = hv_tramp_gpa(vm, off) | PTE_P | PTE_A | PTE_NX;

        if (off == HV_LAPIC_OFF || off == HV_IOAPIC_OFF)
            continue;
        if (off < HV_VCPU_OFF) {
            set_pte(vm, l1, i, off == HV_IDT_OFF ? pte : 0);
            continue;
        }
        if (in_blk < HV_GDT_GUEST_PAGES * PAGE)
            continue; /* the guest's GDT frames: read-only already */
        if (in_blk < HV_TSS_OFF + PAGE)
            set_pte(vm, l1, i, pte); /* Xen's GDT entries and the TSS */
        else if (in_blk == HV_STACK_OFF || in_blk == HV_DFSTK_OFF || in_blk == HV_RELAY_OFF)
            set_pte(vm, l1, i, pte | PTE_RW | PTE_D);
        else
            set_pte(vm, l1, i, 0);
    }
}

uint64_t hv_build_boot_tables(struct vm *vm)
{
    uint64_t l4 = hv_alloc(vm, 1), l3 = hv_alloc(vm, 1), l2 = hv_alloc(vm, 1);
    uint64_t mmio = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PCD | PTE_PWT | PTE_NX;

    set_pte(vm, vm->d.hv_l1_tramp_gpa, HV_LAPIC_OFF / PAGE, HV_LAPIC_GPA | mmio);
    set_pte(vm, vm->d.hv_l1_tramp_gpa, HV_IOAPIC_OFF / PAGE, HV_IOAPIC_GPA | mmio);
    set_pte(vm, l4, 0, l3 | HV_RW);
    set_pte(vm, l3, 3, l2 | HV_RW);
    set_pte(vm, l2, 511, 0xffe00000ULL | HV_RW | PTE_PSE); /* the firmware */
    set_pte(vm, l4, HV_L4_SLOT_TRAMP, vm->d.hv_l3_tramp_gpa | HV_RW);
    set_pte(vm, l4, HV_L4_SLOT_DIRECT, vm->d.hv_l3_direct_gpa | HV_RW);
    return l4;
}

void hv_build(struct vm *vm)
{
    struct pv_domain *d = &vm->d;
    size_t stub_len;
    const uint8_t *stubs = vm->accel->stub_code(&stub_len);

    d->hv_used = (HV_VCPU_OFF + PV_MAX_VCPUS * HV_VCPU_SIZE) / PAGE;
    d->zero_gpa = hv_alloc(vm, 1);
    memcpy(d->hv + HV_STUBS_OFF, stubs, stub_len);
    map_tramp(vm);
    map_m2p(vm);
    map_direct(vm);
    build_idt(vm);
    for (unsigned i = 0; i < PV_MAX_VCPUS; i++)
        setup_vcpu_block(vm, i);
}
