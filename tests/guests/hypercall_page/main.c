/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hypercall_page: the page named by XEN_ELFNOTE_HYPERCALL_PAGE is filled and works. */
#include "xt.h"

const char xt_test_title[] = "hypercall_page: calls and iret through the hypercall page";

/* Our image fills the page with int3; the builder must have overwritten it. */
static bool page_filled(void)
{
    unsigned int i;

    for (i = 0; i < 32; i++)
        if (hypercall_page[__HYPERVISOR_xen_version * 32 + i] != 0xcc)
            return true;
    return false;
}

static void test_calls(void)
{
    long direct = xt_hcall_syscall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    evtchn_port_t port;

    xt_check_rc("xen_version through the page", direct,
                xt_hcall_page(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0));
    xt_check_rc("unused hypercall 60 through the page", -XEN_ENOSYS,
                xt_hcall_page(60, 0, 0, 0, 0, 0));
    xt_hcall_via_page = true;
    if (xt_check_rc("alloc_unbound through the page", 0, xt_evtchn_alloc_unbound(DOMID_SELF, &port)))
        xt_check_rc("close through the page", 0, xt_evtchn_close(port));
}

/* An exception handled through the exception table returns with iret via the page. */
static void test_iret(void)
{
    uint64_t at;

    xt_fault_clear();
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: ud2\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(at)::"memory");
    xt_check_fault("ud2 returning through the page's iret", X86_EXC_UD, 0);
    xt_check_eq("fault rip", at, xt_fault.rip);
}

void test_main(void)
{
    if (!xt_check_true("hypercall page was filled in", page_filled()))
        return;
    test_calls();
    test_iret();
    xt_hcall_via_page = false;
    xtf_success(NULL);
}
