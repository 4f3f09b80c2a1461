/* SPDX-License-Identifier: GPL-2.0-or-later */
/* softint: int $N from guest kernel mode honours the trap table's DPL. */
#include "xt.h"

const char xt_test_title[] = "softint: software interrupts and trap_info DPL (kernel mode)";

static volatile unsigned int xt_hits[3];
static volatile uint64_t xt_hit_rip;

static void hook(struct xt_regs *r)
{
    xt_hits[r->vector - 0x30]++;
    xt_hit_rip = r->rip;
}

#define XT_INT(n)                                                         \
    ({                                                                    \
        uint64_t _after;                                                  \
        __asm__ volatile("lea 1f(%%rip), %0\n\tint $" #n "\n\t1:"         \
                         : "=&r"(_after)::"memory");                      \
        _after;                                                           \
    })

void test_main(void)
{
    uint64_t after, at;
    unsigned int v;

    /* Xen's x86.h: DPL 0 no one, 1-2 the kernel, 3 everyone. */
    for (v = 0; v < 3; v++) {
        static const unsigned int dpl[] = { 3, 0, 1 };

        xt_set_trap_hook(0x30 + v, hook);
        xt_require_rc("registering a software vector", 0, xt_trap_register(0x30 + v, dpl[v]));
    }
    after = XT_INT(0x30);
    xt_check_eq("int $0x30 (DPL 3) delivered", 1, xt_hits[0]);
    xt_check_eq("int $0x30 rip after the instruction", after, xt_hit_rip);
    after = XT_INT(0x32);
    xt_check_eq("int $0x32 (DPL 1) delivered to the kernel", 1, xt_hits[2]);
    xt_check_eq("int $0x32 rip after the instruction", after, xt_hit_rip);

    /* traps.c do_general_protection: not permitted -> #GP((vector << 3) | 2). */
    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: int $0x31\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at)::"memory");
    xt_check_fault("int $0x31 (DPL 0)", X86_EXC_GP, (0x31 << 3) | 2);
    xt_check_eq("int $0x31: rip is the int instruction", at, xt_fault.rip);
    xt_check_eq("int $0x31 handler not entered", 0, xt_hits[1]);
    xtf_success(NULL);
}
