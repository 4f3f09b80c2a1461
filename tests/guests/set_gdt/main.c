/* SPDX-License-Identifier: GPL-2.0-or-later */
/* set_gdt: a guest GDT frame, selector loads from it, update_descriptor and refusals. */
#include "xt.h"

const char xt_test_title[] = "set_gdt: guest GDT, descriptor checks, update_descriptor";

#define XT_DATA_DPL0 0x00cf92000000ffffUL   /* flat data, DPL 0, present */
#define XT_DATA_DPL3 0x00cff2000000ffffUL   /* the same after Xen's DPL fix-up */
#define XT_CODE_DPL0 0x00af9a000000ffffUL   /* 64-bit code, DPL 0 */
#define XT_CODE_DPL3 0x00affa000000ffffUL
#define XT_DATA_NP 0x00cf72000000ffffUL     /* DPL 3 data, not present */
#define XT_TSS 0x0000890000000067UL         /* available 64-bit TSS: a system descriptor */

static uint64_t *xt_gdt;

static long load_gdt(unsigned int entries)
{
    xen_ulong_t frames[1] = { xt_virt_to_mfn(xt_gdt) };

    return HYPERVISOR_set_gdt(frames, entries);
}

/* Load sel into %es and read it back; true if it did not fault. */
static bool load_es(uint16_t sel, uint16_t *back)
{
    unsigned int before = xt_fault.count;
    uint16_t b = 0xffff;

    __asm__ volatile("1: mov %w1, %%es\n\t"
                     "mov %%es, %w0\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "+r"(b)
                     : "r"(sel)
                     : "memory");
    *back = b;
    return xt_fault.count == before;
}

static void test_refusals(void)
{
    xt_check_rc("set_gdt while the frame is writable", -XEN_EINVAL, load_gdt(8));
    xt_gdt[5] = XT_TSS;
    if (!xt_require_rc("GDT frame read-only", 0, xt_remap_ro(xt_gdt)))
        return;
    /* descriptor-tables.c: every descriptor in the frame is checked. */
    xt_check_rc("set_gdt with a TSS descriptor in the frame", -XEN_EINVAL, load_gdt(4));
    xt_require_rc("GDT frame writable", 0, xt_remap_rw(xt_gdt));
    xt_gdt[5] = 0;
    xt_check_rc("set_gdt with too many entries", -XEN_EINVAL,
                load_gdt(FIRST_RESERVED_GDT_ENTRY + 1));
}

static bool guest_gdt_in_effect = true;

static uint32_t lar(uint16_t sel)
{
    uint32_t ar = 0;

    __asm__ volatile("lar %w1, %0" : "+r"(ar) : "r"(sel) : "cc");
    return ar;
}

static void test_loads(void)
{
    uint16_t back;

    xt_fault_clear();
    xt_check_true("load data selector 0x0b", load_es(0x0b, &back));
    if (back == 0 && lar(0x0b) == 0) {
        guest_gdt_in_effect = false;
        /* Nested PVM hosts run ring 3 on their own descriptor tables: the
         * load is checked but the selector is not kept. Nothing a
         * hypervisor can change; say so instead of passing. */
        xtf_skip("this CPU does not keep guest GDT selectors at ring 3 (nested PVM host)\n");
    } else {
        xt_check_eq("%es reads back", 0x0b, back);
    }
    xt_check_true("load a null selector", load_es(0, &back));
    xt_check_true("load not-present selector 0x1b", !load_es(0x1b, &back));
    xt_check_fault("not-present selector", X86_EXC_NP, 0x18);
    xt_fault_clear();
    xt_check_true("load selector 0x23 (an empty entry)", !load_es(0x23, &back));
    xt_check_fault("empty entry", X86_EXC_GP, 0x20);
    xt_fault_clear();
    xt_check_true("Xen's FLAT_RING3_DS32 still loads", load_es(FLAT_RING3_DS32, &back));
    load_es(0, &back);
}

static void test_update_descriptor(void)
{
    uint64_t ma = xt_virt_to_maddr(xt_gdt);

    xt_check_rc("update_descriptor of entry 2", 0, HYPERVISOR_update_descriptor(ma + 16, XT_DATA_DPL0));
    xt_check_eq("entry 2 written with DPL 3", XT_DATA_DPL3, xt_gdt[2]);
    xt_check_rc("update_descriptor with a TSS", -XEN_EINVAL, HYPERVISOR_update_descriptor(ma + 16, XT_TSS));
    xt_check_rc("update_descriptor misaligned", -XEN_EINVAL, HYPERVISOR_update_descriptor(ma + 12, XT_DATA_DPL0));
    if (!guest_gdt_in_effect)
        return; /* skipped above, with the reason */
    xt_check_eq("lar of 0x13: DPL 3 data", 0xf200, lar(0x13) & 0xff00);
}

void test_main(void)
{
    xt_gdt = xt_alloc_page();
    xt_gdt[1] = XT_DATA_DPL0;
    xt_gdt[2] = XT_CODE_DPL0;
    xt_gdt[3] = XT_DATA_NP;
    test_refusals();
    /* A failed validation may already have fixed some up: start afresh. */
    xt_gdt[1] = XT_DATA_DPL0;
    xt_gdt[2] = XT_CODE_DPL0;
    if (!xt_require_rc("GDT frame read-only", 0, xt_remap_ro(xt_gdt)))
        return;
    xt_check_rc("set_gdt with 4 entries", 0, load_gdt(4));
    /* check_descriptor raises DPL 0 to 3 for 64-bit guests, in the frame itself. */
    xt_check_eq("data descriptor DPL fixed up", XT_DATA_DPL3, xt_gdt[1]);
    xt_check_eq("code descriptor DPL fixed up", XT_CODE_DPL3, xt_gdt[2]);
    test_loads();
    test_update_descriptor();
    xtf_success(NULL);
}
