/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sched_poll: SCHEDOP_poll on pending, masked and timer ports, with timeouts and errors. */
#include "xt.h"

const char xt_test_title[] = "sched_poll: SCHEDOP_poll with and without timeout";

static long poll(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
    struct sched_poll p = { .nr_ports = n, .timeout = timeout };

    set_xen_guest_handle(p.ports, ports);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/* Polling works with events masked; a pending port returns at once. */
static void test_pending(evtchn_port_t a, evtchn_port_t b)
{
    uint64_t t0;

    xt_check_rc("send", 0, xt_evtchn_send(a));
    t0 = xt_now();
    xt_check_rc("poll on a pending port", 0, poll(&b, 1, t0 + XT_MS(2000)));
    xt_check_true("returned at once", xt_now() - t0 < XT_MS(1000));
    xt_check_true("port still pending (poll does not consume)", xt_port_pending(b));
    xt_check_eq("no upcall with events masked", 0, xt_port_hits[b]);
    xt_port_clear(b);
}

static void test_timeout(evtchn_port_t b)
{
    uint64_t t0 = xt_now(), t1;

    xt_check_rc("poll with a 20 ms timeout", 0, poll(&b, 1, t0 + XT_MS(20)));
    t1 = xt_now();
    xt_check_true("poll lasted the timeout (less timer_slop)", t1 + XT_US(100) >= t0 + XT_MS(20));
    xt_check_true("port not pending after the timeout", !xt_port_pending(b));
    t0 = xt_now();
    xt_check_rc("poll with a timeout in the past", 0, poll(&b, 1, 1));
    xt_check_true("returned at once", xt_now() - t0 < XT_MS(1000));
}

static void test_wakeup(void)
{
    evtchn_port_t t;
    uint64_t t0;

    if (!xt_require_rc("stop the periodic timer", 0,
                       HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL)) ||
        !xt_require_rc("bind VIRQ_TIMER", 0, xt_evtchn_bind_virq(VIRQ_TIMER, 0, &t)))
        return;
    xt_port_clear(t);
    t0 = xt_now();
    HYPERVISOR_set_timer_op(t0 + XT_MS(10));
    xt_check_rc("poll woken by the timer port", 0, poll(&t, 1, t0 + XT_MS(3000)));
    xt_check_true("woken by the timer, not the timeout", xt_now() - t0 < XT_MS(1500));
    xt_check_true("timer port pending", xt_port_pending(t));
}

void test_main(void)
{
    evtchn_port_t a, b, bad = XT_NR_PORTS, many[129];
    unsigned int i;

    xt_events_off();
    if (!xt_require_rc("loopback ports", 0, xt_evtchn_loopback(&a, &b)))
        return;
    test_pending(a, b);
    test_timeout(b);
    test_wakeup();
    /* sched/core.c do_poll: more than 128 ports, or a port past the limit -> -EINVAL. */
    for (i = 0; i < XT_ARRAY_SIZE(many); i++)
        many[i] = b;
    xt_check_rc("poll on 129 ports", -XEN_EINVAL, poll(many, 129, 1));
    xt_check_rc("poll on port 4096", -XEN_EINVAL, poll(&bad, 1, 1));
    xtf_success(NULL);
}
