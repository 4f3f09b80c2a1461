/* SPDX-License-Identifier: GPL-2.0-or-later */
/* multicall: a batch of hypercalls with per-entry results, failing entries included. */
#include "xt.h"

const char xt_test_title[] = "multicall: per-entry results";

static multicall_entry_t xt_mc[6];
static struct evtchn_alloc_unbound xt_alloc;

static void fill(unsigned int i, unsigned long op, unsigned long a0, unsigned long a1,
                 unsigned long a2)
{
    xt_mc[i] = (multicall_entry_t){ .op = op, .result = 0xdeadbeef, .args = { a0, a1, a2 } };
}

void test_main(void)
{
    uint64_t *b = xt_alloc_page();
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);

    *b = 0xbbbb;
    xt_alloc = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    fill(0, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    fill(1, __HYPERVISOR_vm_assist, VMASST_CMD_enable, 30, 0);
    fill(2, 60, 0, 0, 0);
    fill(3, __HYPERVISOR_update_va_mapping, (unsigned long)xt_window,
         (xt_virt_to_mfn(b) << XT_PAGE_SHIFT) | XT_PTE_DATA, UVMF_INVLPG);
    fill(4, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, (unsigned long)&xt_alloc, 0);
    /* common/multicall.c: "Multicall reentry is disallowed". */
    fill(5, __HYPERVISOR_multicall, (unsigned long)xt_mc, 1, 0);

    xt_check_rc("multicall of 6 entries", 0, HYPERVISOR_multicall(xt_mc, 6));
    xt_check_rc("entry 0: xen_version", version, (long)xt_mc[0].result);
    xt_check_rc("entry 1: vm_assist with a bad type", -XEN_EINVAL, (long)xt_mc[1].result);
    xt_check_rc("entry 2: unused hypercall 60", -XEN_ENOSYS, (long)xt_mc[2].result);
    xt_check_rc("entry 3: update_va_mapping", 0, (long)xt_mc[3].result);
    xt_check_rc("entry 4: alloc_unbound", 0, (long)xt_mc[4].result);
    xt_check_rc("entry 5: nested multicall", -XEN_EINVAL, (long)xt_mc[5].result);
    xt_check_eq("entry 3 took effect", 0xbbbb, *(volatile uint64_t *)xt_window);
    if (!xt_mc[4].result)
        xt_check_rc("entry 4's port can be closed", 0, xt_evtchn_close(xt_alloc.port));
    xt_check_rc("empty multicall", 0, HYPERVISOR_multicall(xt_mc, 0));
    xt_check_rc("restoring the window", 0, xt_remap_rw(xt_window));
    xtf_success(NULL);
}
