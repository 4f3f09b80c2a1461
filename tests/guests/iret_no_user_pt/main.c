/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iret_no_user_pt: iret to user mode without a user page table crashes the domain. */
#include "xt.h"

const char xt_test_title[] = "iret_no_user_pt: iret to user mode with no user page table";

static void user_fn(void)
{
}

void test_main(void)
{
    /* pv/iret.c: "Guest switching to user mode with no user page tables". */
    xt_printk("iret_no_user_pt: entering user mode without MMUEXT_NEW_USER_BASEPTR\n");
    xt_exec_user(user_fn, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
    xtf_failure("Fail: user mode was entered without a user page table\n");
}
