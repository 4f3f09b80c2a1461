/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_de: #DE from a divide by zero and a divide overflow reaches vector 0. */
#include "xt.h"

const char xt_test_title[] = "exc_de: divide error bounced to the trap table";

void test_main(void)
{
    uint32_t lo = 1, hi = 0;
    uint64_t at;

    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: divl %k3\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at), "+a"(lo), "+d"(hi)
                     : "c"(0)
                     : "memory");
    xt_check_fault("divide by zero", X86_EXC_DE, 0);
    xt_check_eq("divide by zero: rip is the faulting instruction", at, xt_fault.rip);

    lo = 0x80000000;
    hi = 0xffffffff;
    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: idivl %k3\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at), "+a"(lo), "+d"(hi)
                     : "c"(-1)
                     : "memory");
    xt_check_fault("divide overflow", X86_EXC_DE, 0);
    xt_check_eq("divide overflow: rip is the faulting instruction", at, xt_fault.rip);
    xtf_success(NULL);
}
