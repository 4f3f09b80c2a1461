/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest user mode support: user page table and user-mode calls. */
#include "xt.h"

uint64_t *xt_user_l4;
uint8_t xt_user_stack[XT_USER_STACK_SIZE] __attribute__((aligned(XT_PAGE_SIZE)));

/* The L4 slots Xen reserves for itself (HYPERVISOR_VIRT_START..END). */
static bool xen_slot(unsigned int i)
{
    return i >= xt_l4_index(HYPERVISOR_VIRT_START) &&
           i < xt_l4_index(HYPERVISOR_VIRT_END);
}

long xt_user_init(void)
{
    unsigned int i;
    long rc;

    xt_user_l4 = xt_alloc_page();
    for (i = 0; i < 512; i++)
        if (!xen_slot(i))
            xt_user_l4[i] = xt_l4[i];
    rc = xt_remap_ro(xt_user_l4);
    if (rc)
        return rc;
    return xt_mmuext_mfn(MMUEXT_NEW_USER_BASEPTR, xt_virt_to_mfn(xt_user_l4));
}

void xt_exec_user(void (*fn)(void), uint64_t rflags)
{
    uint8_t mask = xt_vcpu->evtchn_upcall_mask;

    xt_exec_user_asm(fn, (uint64_t)(xt_user_stack + XT_USER_STACK_SIZE), rflags);
    if (mask)
        xt_events_off();
    else
        xt_events_on();
}
