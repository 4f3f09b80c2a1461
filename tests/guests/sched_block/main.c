/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sched_block: SCHEDOP_yield, and SCHEDOP_block woken by a pending event or a timer. */
#include "xt.h"

const char xt_test_title[] = "sched_block: yield, block with an event pending, block until a timer";

static void test_block_pending(void)
{
    evtchn_port_t a, b;

    if (!xt_require_rc("loopback ports", 0, xt_evtchn_loopback(&a, &b)))
        return;
    xt_events_off();
    xt_port_unmask_bit(b);
    xt_check_rc("send", 0, xt_evtchn_send(a));
    xt_check_eq("event pending but not delivered while masked", 0, xt_port_hits[b]);
    xt_check_eq("evtchn_upcall_pending", 1, xt_vcpu->evtchn_upcall_pending);
    /* xen.h vcpu_info: "The mask is cleared when the VCPU requests to block". */
    xt_check_rc("SCHEDOP_block with an event pending", 0, HYPERVISOR_sched_op(SCHEDOP_block, NULL));
    xt_check_eq("upcall delivered on return from block", 1, xt_port_hits[b]);
    xt_check_eq("block cleared the upcall mask", 0, xt_vcpu->evtchn_upcall_mask);
}

static void test_block_timer(void)
{
    evtchn_port_t t;
    uint64_t deadline, woke;

    if (!xt_require_rc("stop the periodic timer", 0,
                       HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL)) ||
        !xt_require_rc("bind VIRQ_TIMER", 0, xt_evtchn_bind_virq(VIRQ_TIMER, 0, &t)))
        return;
    xt_port_clear(t);
    xt_port_unmask_bit(t);
    xt_events_off();
    deadline = xt_now() + XT_MS(20);
    xt_check_rc("set_timer_op", 0, HYPERVISOR_set_timer_op(deadline));
    xt_check_rc("SCHEDOP_block until the timer", 0, HYPERVISOR_sched_op(SCHEDOP_block, NULL));
    woke = xt_now();
    xt_check_eq("timer event delivered", 1, xt_port_hits[t]);
    /* Xen may fire a timer up to timer_slop (50 us by default) early. */
    xt_check_true("woken no earlier than the timer", woke + XT_US(100) >= deadline);
    xt_printk("blocked until %ld us after the deadline\n", (long)(woke - deadline) / 1000);
}

void test_main(void)
{
    xt_check_rc("SCHEDOP_yield", 0, HYPERVISOR_sched_op(SCHEDOP_yield, NULL));
    test_block_pending();
    test_block_timer();
    xt_check_rc("unknown SCHEDOP", -XEN_ENOSYS, HYPERVISOR_sched_op(99, NULL));
    xtf_success(NULL);
}
