/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timer_op: HYPERVISOR_set_timer_op fires VIRQ_TIMER at the deadline; 0 cancels. */
#include "xt.h"

const char xt_test_title[] = "timer_op: set_timer_op and VIRQ_TIMER delivery";

static evtchn_port_t xt_timer_port;
static volatile uint64_t xt_fired_at;

static void on_timer(evtchn_port_t port, struct xt_regs *r)
{
    (void)port;
    (void)r;
    xt_fired_at = xt_now();
}

static unsigned int hits(void)
{
    return xt_port_hits[xt_timer_port];
}

static void test_deadline(void)
{
    uint64_t deadline = xt_now() + XT_MS(20);

    xt_check_rc("set_timer_op(now + 20 ms)", 0, HYPERVISOR_set_timer_op(deadline));
    xt_check_eq("no event before the deadline", 0, hits());
    xt_check_true("event within a second", xt_wait_count(&xt_port_hits[xt_timer_port], 1, XT_MS(1000)));
    /* Xen may fire a timer up to timer_slop (50 us by default) early. */
    xt_check_true("event no earlier than the deadline", xt_fired_at + XT_US(100) >= deadline);
    xt_spin_ns(XT_MS(30));
    xt_check_eq("a single-shot timer fires once", 1, hits());
}

static void test_cancel_and_past(void)
{
    xt_check_rc("set_timer_op(now + 10 ms)", 0, HYPERVISOR_set_timer_op(xt_now() + XT_MS(10)));
    xt_check_rc("set_timer_op(0) cancels", 0, HYPERVISOR_set_timer_op(0));
    xt_spin_ns(XT_MS(40));
    xt_check_eq("no event after cancelling", 1, hits());
    /* A deadline in the past fires at once (sched/core.c do_set_timer_op). */
    xt_check_rc("set_timer_op(1 ns after boot)", 0, HYPERVISOR_set_timer_op(1));
    xt_check_true("event for a past deadline", xt_wait_count(&xt_port_hits[xt_timer_port], 2, XT_MS(1000)));
}

void test_main(void)
{
    if (!xt_require_rc("stop the periodic timer", 0,
                       HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL)) ||
        !xt_require_rc("bind VIRQ_TIMER", 0, xt_evtchn_bind_virq(VIRQ_TIMER, 0, &xt_timer_port)))
        return;
    xt_evtchn_set_handler(xt_timer_port, on_timer);
    xt_port_clear(xt_timer_port);
    xt_port_unmask_bit(xt_timer_port);
    xt_events_on();
    test_deadline();
    test_cancel_and_past();
    xtf_success(NULL);
}
