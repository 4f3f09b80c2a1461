/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hypercall_bad: hypercall numbers with no handler return -ENOSYS. */
#include "xt.h"

const char xt_test_title[] = "hypercall_bad: unknown hypercall numbers";

void test_main(void)
{
    /*
     * 11 is a hole in the table, 56-63 lie past __HYPERVISOR_arch_7, 64 and
     * up are past NR_hypercalls (x86_64/entry.S: bad_hypercall; pv/hypercall.c).
     */
    static const unsigned long nrs[] = { 11, 56, 63, 64, 1000, (1UL << 32) | 17, ~0UL };
    unsigned int i;
    char what[64];

    for (i = 0; i < XT_ARRAY_SIZE(nrs); i++) {
        xt_snprintf(what, sizeof(what), "hypercall %#lx", nrs[i]);
        xt_check_rc(what, -XEN_ENOSYS, xt_hcall_syscall(nrs[i], 1, 2, 3, 4, 5));
    }
    xtf_success(NULL);
}
