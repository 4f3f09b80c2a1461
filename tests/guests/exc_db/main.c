/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_db: single-stepping with rflags.TF raises #DB after the next instruction. */
#include "xt.h"

const char xt_test_title[] = "exc_db: single-step debug trap";

static volatile unsigned int xt_db_hits;
static volatile uint64_t xt_db_rip, xt_db_rflags, xt_db_dr6;

static void db_hook(struct xt_regs *r)
{
    xt_db_hits++;
    xt_db_rip = r->rip;
    xt_db_rflags = r->rflags;
    xt_db_dr6 = (uint64_t)HYPERVISOR_get_debugreg(6);
    r->rflags &= ~X86_EFLAGS_TF;
}

void test_main(void)
{
    uint64_t after;

    xt_set_trap_hook(X86_EXC_DB, db_hook);
    /* TF set by popf takes effect after the next instruction (the nop). */
    __asm__ volatile("pushfq\n\t"
                     "orq $0x100, (%%rsp)\n\t"
                     "popfq\n\t"
                     "nop\n\t"
                     "1: lea 1b(%%rip), %0\n\t"
                     : "=&r"(after)::"memory");
    xt_check_eq("#DB delivered once", 1, xt_db_hits);
    xt_check_eq("#DB rip: after the stepped instruction", after, xt_db_rip);
    xt_check_eq("#DB frame rflags.TF", X86_EFLAGS_TF, xt_db_rflags & X86_EFLAGS_TF);
    xt_check_eq("DR6.BS (get_debugreg 6)", 1UL << 14, xt_db_dr6 & (1UL << 14));
    xt_check_eq("TF clear again", 0, xt_read_rflags() & X86_EFLAGS_TF);
    HYPERVISOR_set_debugreg(6, 0xffff0ff0UL);
    xtf_success(NULL);
}
