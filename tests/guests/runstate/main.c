/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runstate: the runstate area is filled at registration and accounts blocked time. */
#include "xt.h"

const char xt_test_title[] = "runstate: VCPUOP_register_runstate_memory_area and get_runstate_info";

static struct vcpu_runstate_info xt_rs;

static long register_area(void *va)
{
    struct vcpu_register_runstate_memory_area a = { .addr.v = va };

    return HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
}

/* Block in SCHEDOP_poll for ns on an unbound port nobody sends on. */
static void block_for(uint64_t ns)
{
    evtchn_port_t port;
    struct sched_poll p = { .nr_ports = 1 };

    if (!xt_require_rc("alloc_unbound", 0, xt_evtchn_alloc_unbound(DOMID_SELF, &port)))
        return;
    set_xen_guest_handle(p.ports, &port);
    p.timeout = xt_now() + ns;
    HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static void check_snapshot(const char *what, const struct vcpu_runstate_info *r, uint64_t now)
{
    char buf[96];

    xt_snprintf(buf, sizeof(buf), "%s: state", what);
    xt_check_eq(buf, RUNSTATE_running, (uint64_t)r->state);
    xt_snprintf(buf, sizeof(buf), "%s: state_entry_time not in the future", what);
    xt_check_true(buf, (r->state_entry_time & ~XEN_RUNSTATE_UPDATE) <= now);
    xt_snprintf(buf, sizeof(buf), "%s: time spent running", what);
    xt_check_true(buf, r->time[RUNSTATE_running] > 0);
}

void test_main(void)
{
    struct vcpu_runstate_info info;
    uint64_t blocked0, t0, t1;

    memset(&xt_rs, 0xff, sizeof(xt_rs));
    if (!xt_check_rc("register_runstate_memory_area", 0, register_area(&xt_rs)))
        return;
    /* common/domain.c: the area is written at registration. */
    check_snapshot("area at registration", &xt_rs, xt_now());
    xt_check_rc("register an area in the hypervisor hole", -XEN_EFAULT,
                register_area((void *)HYPERVISOR_VIRT_START));

    xt_events_off();
    blocked0 = xt_rs.time[RUNSTATE_blocked];
    t0 = xt_now();
    block_for(XT_MS(30));
    t1 = xt_now();
    xt_printk("blocked time grew by %lu us over %lu us\n",
              (xt_rs.time[RUNSTATE_blocked] - blocked0) / 1000, (t1 - t0) / 1000);
    xt_check_true("blocked time accounted (>= 20 ms of 30)",
                  xt_rs.time[RUNSTATE_blocked] - blocked0 >= XT_MS(20));
    xt_check_true("blocked time <= elapsed time",
                  xt_rs.time[RUNSTATE_blocked] - blocked0 <= t1 - t0);
    check_snapshot("area after blocking", &xt_rs, xt_now());

    xt_check_rc("VCPUOP_get_runstate_info", 0, HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &info));
    check_snapshot("get_runstate_info", &info, xt_now());
    xt_check_true("get_runstate_info blocked time matches the area",
                  info.time[RUNSTATE_blocked] == xt_rs.time[RUNSTATE_blocked]);
    xtf_success(NULL);
}
