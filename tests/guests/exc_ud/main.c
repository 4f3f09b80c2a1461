/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_ud: ud2 and an invalid opcode reach vector 6 with rip on the instruction. */
#include "xt.h"

const char xt_test_title[] = "exc_ud: invalid opcode bounced to the trap table";

void test_main(void)
{
    uint64_t at;

    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: ud2\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at)::"memory");
    xt_check_fault("ud2", X86_EXC_UD, 0);
    xt_check_eq("ud2: rip", at, xt_fault.rip);

    /* 0x0f 0x0b followed by "xen" would be Xen's forced-emulation prefix; "abc" is not. */
    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: ud2; .ascii \"abc\"\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at)::"memory");
    xt_check_fault("ud2 followed by other bytes", X86_EXC_UD, 0);
    xt_check_eq("ud2 followed by other bytes: rip", at, xt_fault.rip);
    xtf_success(NULL);
}
