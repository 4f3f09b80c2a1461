/* SPDX-License-Identifier: GPL-2.0-or-later */
/* time: vcpu_time_info is stable, monotonic and consistent with the TSC across updates. */
#include "xt.h"

const char xt_test_title[] = "time: system time from vcpu_time_info and the TSC";

/* TSC frequency the record implies: ((10^9 << 32) / mul) >> shift, in Hz. */
static uint64_t tsc_hz(const struct vcpu_time_info *t)
{
    uint64_t hz = (uint64_t)(((unsigned __int128)1000000000 << 32) / t->tsc_to_system_mul);

    return t->tsc_shift >= 0 ? hz >> t->tsc_shift : hz << -t->tsc_shift;
}

static void test_monotonic(void)
{
    uint64_t prev = xt_now(), now;
    unsigned int i;

    for (i = 0; i < 100000; i++) {
        now = xt_now();
        if (now < prev) {
            xt_check_true("system time never goes back", false);
            return;
        }
        prev = now;
    }
}

/* Block 50 ms so Xen refreshes the record, then compare with the old record's extrapolation. */
static void test_consistency(void)
{
    struct vcpu_time_info t0, t1;
    evtchn_port_t port;
    struct sched_poll p = { .nr_ports = 1 };
    uint64_t now0, tsc1, now1, predicted, elapsed, diff;

    if (!xt_require_rc("alloc_unbound", 0, xt_evtchn_alloc_unbound(DOMID_SELF, &port)))
        return;
    xt_time_snapshot(&xt_vcpu->time, &t0);
    now0 = xt_pvclock(&t0, xt_rdtsc());
    set_xen_guest_handle(p.ports, &port);
    p.timeout = now0 + XT_MS(50);
    HYPERVISOR_sched_op(SCHEDOP_poll, &p);
    xt_time_snapshot(&xt_vcpu->time, &t1);
    tsc1 = xt_rdtsc();
    now1 = xt_pvclock(&t1, tsc1);
    predicted = xt_pvclock(&t0, tsc1);
    elapsed = now1 - now0;
    diff = now1 > predicted ? now1 - predicted : predicted - now1;
    xt_printk("50 ms poll: %lu us elapsed, new record differs from the old one's "
              "extrapolation by %lu ns (versions %u -> %u)\n",
              elapsed / 1000, diff, t0.version, t1.version);
    xt_check_true("at least the 50 ms timeout elapsed (less timer_slop)", elapsed + XT_US(100) >= XT_MS(50));
    xt_check_true("old and new records agree within 1%", diff * 100 <= elapsed);
}

void test_main(void)
{
    struct vcpu_time_info t;
    uint64_t hz;

    xt_time_snapshot(&xt_vcpu->time, &t);
    xt_check_eq("version is even", 0, t.version & 1);
    if (!xt_check_true("tsc_to_system_mul is set", t.tsc_to_system_mul != 0))
        return;
    hz = tsc_hz(&t);
    xt_printk("TSC frequency from the record: %lu kHz\n", hz / 1000);
    xt_check_true("TSC frequency between 100 MHz and 10 GHz", hz >= 100000000UL && hz <= 10000000000UL);
    test_monotonic();
    test_consistency();
    xtf_success(NULL);
}
