/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_bp: int3 and int $3 reach vector 3 as traps, rip after the instruction. */
#include "xt.h"

const char xt_test_title[] = "exc_bp: breakpoint bounced to the trap table";

void test_main(void)
{
    uint64_t after;

    /* #BP is a trap: the table entry is on the instruction after int3. */
    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "int3\n\t"
                     "1: nop\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(after)::"memory");
    xt_check_fault("int3", X86_EXC_BP, 0);
    xt_check_eq("int3: rip after the instruction", after, xt_fault.rip);

    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     ".byte 0xcd, 0x03\n\t"
                     "1: nop\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(after)::"memory");
    xt_check_fault("int $3", X86_EXC_BP, 0);
    xt_check_eq("int $3: rip after the instruction", after, xt_fault.rip);
    xtf_success(NULL);
}
