/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bad_bounce_frame: an exception whose frame cannot be written crashes the domain. */
#include "xt.h"

const char xt_test_title[] = "bad_bounce_frame: exception with the stack in the hypervisor hole";

void test_main(void)
{
    /* x86_64/entry.S create_bounce_frame: a stack in Xen's range -> domain crash. */
    xt_printk("bad_bounce_frame: raising #UD with %%rsp in the hypervisor hole\n");
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "ud2"
                     :
                     : "r"(HYPERVISOR_VIRT_START + 0x10000)
                     : "memory");
    xtf_failure("Fail: execution continued after a bad bounce frame\n");
}
