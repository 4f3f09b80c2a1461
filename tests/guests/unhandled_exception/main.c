/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unhandled_exception: an exception with no trap table entry crashes the domain. */
#include "xt.h"

const char xt_test_title[] = "unhandled_exception: #UD with an empty trap table";

void test_main(void)
{
    /* pv/callback.c: a NULL table clears the virtual IDT; pv/traps.c then has no bounce. */
    if (!xt_require_rc("clearing the trap table", 0, HYPERVISOR_set_trap_table(NULL)))
        return;
    xt_printk("unhandled_exception: executing ud2 with no trap handler\n");
    __asm__ volatile("ud2");
    xtf_failure("Fail: execution continued after an unhandled #UD\n");
}
