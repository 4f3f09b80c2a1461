/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_gp: #GP from a non-canonical access and from loading a bad selector. */
#include "xt.h"

const char xt_test_title[] = "exc_gp: general protection bounced with its error code";

void test_main(void)
{
    uint64_t at, val = 0;

    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: mov (%2), %1\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at), "+r"(val)
                     : "r"(0x8000000000000000UL)
                     : "memory");
    xt_check_fault("non-canonical read", X86_EXC_GP, 0);
    xt_check_eq("non-canonical read: rip", at, xt_fault.rip);

    /* GDT entry 0x246 is not a data segment (no guest GDT is loaded): #GP(selector). */
    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: mov %w1, %%es\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at)
                     : "r"(0x1233)
                     : "memory");
    xt_check_fault("loading selector 0x1233 into %es", X86_EXC_GP, 0x1230);
    xt_check_eq("bad selector: rip", at, xt_fault.rip);
    xtf_success(NULL);
}
