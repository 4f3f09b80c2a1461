/* SPDX-License-Identifier: GPL-2.0-or-later */
/* callbacks: CALLBACKOP_register/unregister and the legacy set_callbacks. */
#include "xt.h"

const char xt_test_title[] = "callbacks: CALLBACKOP and set_callbacks";

volatile unsigned int xt_alt_entries;
void xt_alt_event_entry(void);

/* An event entry that counts, then continues in the library's. */
__asm__(".pushsection .text\n\t"
        ".globl xt_alt_event_entry\n"
        "xt_alt_event_entry:\n\t"
        "lock incl xt_alt_entries(%rip)\n\t"
        "jmp xt_entry_event\n\t"
        ".popsection");

static long reg(uint16_t type, unsigned long address, uint16_t flags)
{
    struct callback_register cb = { .type = type, .flags = flags, .address = address };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static long unreg(uint16_t type)
{
    struct callback_unregister cb = { .type = type };

    return HYPERVISOR_callback_op(CALLBACKOP_unregister, &cb);
}

/* pv/callback.c: non-canonical -> -EINVAL, unknown type/command -> -ENOSYS. */
static void test_errors(void)
{
    xt_check_rc("event callback at a non-canonical address", -XEN_EINVAL,
                reg(CALLBACKTYPE_event, 0x8000000000000000UL, 0));
    xt_check_rc("unknown callback type 6", -XEN_ENOSYS, reg(6, (unsigned long)xt_entry_event, 0));
    xt_check_rc("unregister the event callback", -XEN_EINVAL, unreg(CALLBACKTYPE_event));
    xt_check_rc("unregister the syscall callback", -XEN_EINVAL, unreg(CALLBACKTYPE_syscall));
    xt_check_rc("register an NMI callback", 0, reg(CALLBACKTYPE_nmi, (unsigned long)xt_entry_event, 0));
    xt_check_rc("unregister the NMI callback", 0, unreg(CALLBACKTYPE_nmi));
    xt_check_rc("unregister type 99", -XEN_ENOSYS, unreg(99));
    xt_check_rc("unknown CALLBACKOP", -XEN_ENOSYS, HYPERVISOR_callback_op(99, NULL));
}

/* Events go to whichever address was registered last. */
static void test_event_address(void)
{
    evtchn_port_t a, b;

    if (!xt_require_rc("loopback ports", 0, xt_evtchn_loopback(&a, &b)))
        return;
    xt_port_unmask_bit(b);
    xt_events_on();
    xt_check_rc("set_callbacks with a new event address", 0,
                HYPERVISOR_set_callbacks((unsigned long)xt_alt_event_entry,
                                         (unsigned long)xt_entry_failsafe,
                                         (unsigned long)xt_entry_syscall));
    xt_check_rc("send", 0, xt_evtchn_send(a));
    xt_check_eq("event delivered", 1, xt_port_hits[b]);
    xt_check_eq("through the set_callbacks address", 1, xt_alt_entries);
    xt_check_rc("CALLBACKOP_register back to the library's entry", 0,
                reg(CALLBACKTYPE_event, (unsigned long)xt_entry_event, 0));
    xt_check_rc("send", 0, xt_evtchn_send(a));
    xt_check_eq("event delivered again", 2, xt_port_hits[b]);
    xt_check_eq("not through the old address", 1, xt_alt_entries);
}

void test_main(void)
{
    test_errors();
    test_event_address();
    xtf_success(NULL);
}
