/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcpu_timers: VCPUOP single-shot and periodic timers, the default 100 Hz tick. */
#include "xt.h"

const char xt_test_title[] = "vcpu_timers: VCPUOP_set/stop_singleshot_timer and periodic timer";

static evtchn_port_t xt_tp;
static volatile uint64_t xt_fired_at;

static void on_timer(evtchn_port_t port, struct xt_regs *r)
{
    (void)port;
    (void)r;
    xt_fired_at = xt_now();
}

/* Timer events seen during ns of spinning. */
static unsigned int count_over(uint64_t ns)
{
    unsigned int before = xt_port_hits[xt_tp];

    xt_spin_ns(ns);
    return xt_port_hits[xt_tp] - before;
}

static long singleshot(uint64_t when, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = { .timeout_abs_ns = when, .flags = flags };

    return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
}

static void test_periodic(void)
{
    struct vcpu_set_periodic_timer p = { .period_ns = XT_MS(5) };
    unsigned int n;

    /* pv/domain.c: "PV guests by default have a 100Hz ticker". */
    n = count_over(XT_MS(100));
    xt_printk("default periodic timer: %u events in 100 ms\n", n);
    xt_check_true("default 100 Hz periodic timer (5..15 events in 100 ms)", n >= 5 && n <= 15);
    xt_check_rc("stop_periodic_timer", 0, HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL));
    count_over(XT_MS(5));
    xt_check_eq("no periodic events after stopping", 0, count_over(XT_MS(60)));
    xt_check_rc("set_periodic_timer 5 ms", 0, HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p));
    n = count_over(XT_MS(100));
    xt_printk("5 ms periodic timer: %u events in 100 ms\n", n);
    xt_check_true("5 ms period (10..30 events in 100 ms)", n >= 10 && n <= 30);
    xt_check_rc("stop_periodic_timer", 0, HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL));
    p.period_ns = XT_US(100);
    /* common/domain.c: periods under 1 ms -> -EINVAL. */
    xt_check_rc("set_periodic_timer 100 us", -XEN_EINVAL,
                HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p));
    count_over(XT_MS(5));
}

static void test_singleshot(void)
{
    unsigned int base = xt_port_hits[xt_tp];
    uint64_t deadline = xt_now() + XT_MS(20);
    long rc;

    xt_check_rc("set_singleshot_timer(now + 20 ms)", 0, singleshot(deadline, 0));
    xt_check_true("single-shot event", xt_wait_count(&xt_port_hits[xt_tp], base + 1, XT_MS(1000)));
    xt_check_true("no earlier than the deadline (less timer_slop)", xt_fired_at + XT_US(100) >= deadline);
    xt_check_rc("set_singleshot_timer(now + 10 ms)", 0, singleshot(xt_now() + XT_MS(10), 0));
    xt_check_rc("stop_singleshot_timer", 0, HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL));
    xt_check_eq("stopped timer does not fire", 0, count_over(XT_MS(40)));
    /* vcpu.h: VCPU_SSHOTTMR_future "return -ETIME if it's passed) but can be ignored". */
    base = xt_port_hits[xt_tp];
    rc = singleshot(1, VCPU_SSHOTTMR_future);
    if (rc == -XEN_ETIME)
        xt_check_eq("-ETIME: no event", 0, count_over(XT_MS(30)));
    else if (xt_check_rc("past deadline with VCPU_SSHOTTMR_future (-ETIME or 0)", 0, rc))
        xt_check_true("flag ignored: the event fires at once",
                      xt_wait_count(&xt_port_hits[xt_tp], base + 1, XT_MS(1000)));
    xt_check_rc("singleshot on a vcpu that does not exist", -XEN_ENOENT,
                HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 1000, NULL));
}

void test_main(void)
{
    if (!xt_require_rc("bind VIRQ_TIMER", 0, xt_evtchn_bind_virq(VIRQ_TIMER, 0, &xt_tp)))
        return;
    xt_evtchn_set_handler(xt_tp, on_timer);
    xt_port_unmask_bit(xt_tp);
    xt_events_on();
    test_periodic();
    test_singleshot();
    xtf_success(NULL);
}
