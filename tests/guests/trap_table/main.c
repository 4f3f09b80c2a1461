/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trap_table: HYPERVISOR_set_trap_table entries, partial tables and its errors. */
#include "xt.h"

const char xt_test_title[] = "trap_table: set_trap_table, valid and invalid tables";

static volatile unsigned int xt_hits[4];
static volatile uint64_t xt_hit_rip, xt_hit_cs;

static void soft_hook(struct xt_regs *r)
{
    xt_hits[r->vector - 0x40]++;
    xt_hit_rip = r->rip;
    xt_hit_cs = r->cs;
}

/* int $N from kernel mode, returns the address after the instruction. */
#define XT_INT(n)                                                         \
    ({                                                                    \
        uint64_t _after;                                                  \
        __asm__ volatile("lea 1f(%%rip), %0\n\tint $" #n "\n\t1:"         \
                         : "=&r"(_after)::"memory");                      \
        _after;                                                           \
    })

static void test_single_entry(void)
{
    uint64_t after;

    xt_check_rc("set_trap_table with one entry", 0, xt_trap_register(0x40, 3));
    after = XT_INT(0x40);
    xt_check_eq("int $0x40 reached its handler", 1, xt_hits[0]);
    xt_check_eq("int $0x40 frame rip (after the instruction)", after, xt_hit_rip);
    xt_check_eq("int $0x40 frame cs (kernel, events were masked)", 0x100000000UL | XT_KERNEL_FRAME_CS,
                xt_hit_cs);
}

/* pv/callback.c do_set_trap_table: entries before a bad one stay installed. */
static void test_non_canonical(void)
{
    struct trap_info t[3] = {
        { .vector = 0x41, .flags = 3, .cs = FLAT_KERNEL_CS, .address = xt_stub_address(0x41) },
        { .vector = 0x42, .flags = 3, .cs = FLAT_KERNEL_CS, .address = 0x8000000000000000UL },
        { 0 },
    };

    xt_check_rc("entry with a non-canonical address", -XEN_EINVAL, HYPERVISOR_set_trap_table(t));
    XT_INT(0x41);
    xt_check_eq("entry before the bad one was installed", 1, xt_hits[1]);
    xt_fault_clear();
    __asm__ volatile("1: int $0x42\n\t2:\n\t" XT_EXTABLE(1b, 2b) ::: "memory");
    xt_check_fault("int $0x42 (never installed)", X86_EXC_GP, (0x42 << 3) | 2);
}

static void test_unmapped_table(void)
{
    uint8_t *p = xt_alloc_page(), *q = xt_alloc_page();
    struct trap_info *last = (struct trap_info *)(q - sizeof(struct trap_info));

    xt_check_rc("table at an unmapped address", -XEN_EFAULT,
                HYPERVISOR_set_trap_table((struct trap_info *)0x1000));
    if (!xt_require_rc("pool pages are adjacent", (long)(p + XT_PAGE_SIZE), (long)q) ||
        !xt_require_rc("unmapping the second page", 0,
                       HYPERVISOR_update_va_mapping((unsigned long)q, 0, UVMF_INVLPG)))
        return;
    *last = (struct trap_info){ .vector = 0x43, .flags = 3, .cs = FLAT_KERNEL_CS,
                                .address = xt_stub_address(0x43) };
    xt_check_rc("table running into an unmapped page", -XEN_EFAULT, HYPERVISOR_set_trap_table(last));
    XT_INT(0x43);
    xt_check_eq("entry read before the fault was installed", 1, xt_hits[3]);
}

void test_main(void)
{
    static const struct trap_info empty[1] = { { 0 } };
    unsigned int v;

    for (v = 0x40; v < 0x44; v++)
        xt_set_trap_hook(v, soft_hook);
    test_single_entry();
    test_non_canonical();
    test_unmapped_table();
    xt_check_rc("empty table", 0, HYPERVISOR_set_trap_table(empty));
    xtf_success(NULL);
}
