/* SPDX-License-Identifier: GPL-2.0-or-later */
/* C entry: map shared_info, mask events, install traps and callbacks, run the test. */
#include "xt.h"

volatile bool xt_hcall_via_page;

void xt_setup(start_info_t *si, uint64_t boot_rsp) XT_NORETURN;

static void map_shared_info(void)
{
    long rc = HYPERVISOR_update_va_mapping((unsigned long)xt_shared_info_page,
                                           xt_start_info->shared_info | XT_PTE_DATA,
                                           UVMF_INVLPG);

    if (rc)
        xt_panic("Error: mapping shared_info: expected 0, got %ld\n", rc);
    xt_shared = (shared_info_t *)xt_shared_info_page;
    xt_vcpu = &xt_shared->vcpu_info[0];
}

/* Events stay off until a test turns them on; every port starts masked. */
static void mask_events(void)
{
    unsigned int i;

    xt_events_off();
    for (i = 0; i < XT_ARRAY_SIZE(xt_shared->evtchn_mask); i++)
        xt_shared->evtchn_mask[i] = ~0UL;
}

static void register_callback(uint16_t type, void (*fn)(void), uint16_t flags)
{
    struct callback_register cb = { .type = type, .flags = flags,
                                    .address = (unsigned long)fn };
    long rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);

    if (rc)
        xt_panic("Error: registering callback %u: expected 0, got %ld\n", type, rc);
}

static void install_traps(void)
{
    extern uint8_t xt_kernel_stack_top[];
    long rc = HYPERVISOR_set_trap_table(xt_default_traps());

    if (rc)
        xt_panic("Error: set_trap_table: expected 0, got %ld\n", rc);
    rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (unsigned long)xt_kernel_stack_top);
    if (rc)
        xt_panic("Error: stack_switch: expected 0, got %ld\n", rc);
    register_callback(CALLBACKTYPE_event, xt_entry_event, 0);
    register_callback(CALLBACKTYPE_failsafe, xt_entry_failsafe, CALLBACKF_mask_events);
    register_callback(CALLBACKTYPE_syscall, xt_entry_syscall, CALLBACKF_mask_events);
}

void xt_setup(start_info_t *si, uint64_t boot_rsp)
{
    xt_start_info = si;
    xt_boot_rsp = boot_rsp;
    xt_l4 = (uint64_t *)si->pt_base;
    xt_printk("--- xenner test guest ---\n%s\n", xt_test_title);
    map_shared_info();
    mask_events();
    install_traps();
    test_main();
    xt_exit();
}
