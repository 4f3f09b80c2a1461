/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcpu_info: VCPUOP_register_vcpu_info moves vcpu 0's vcpu_info; Xen then uses the new copy. */
#include "xt.h"

const char xt_test_title[] = "vcpu_info: VCPUOP_register_vcpu_info";

#define XT_VI_OFFSET 192

static struct vcpu_info *register_at(uint8_t *page, long *rc)
{
    struct vcpu_register_vcpu_info r = { .mfn = xt_virt_to_mfn(page), .offset = XT_VI_OFFSET };

    *rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
    return (struct vcpu_info *)(page + XT_VI_OFFSET);
}

/* common/domain.c map_guest_area: the old contents are copied, all events marked pending. */
static void check_new_copy(const struct vcpu_info *v, const struct vcpu_time_info *old)
{
    struct vcpu_time_info t;
    uint64_t tsc, now_new, now_old, diff;

    xt_check_eq("pending_sel set to all ones", ~0UL, v->evtchn_pending_sel);
    xt_check_eq("upcall pending set", 1, v->evtchn_upcall_pending);
    xt_check_eq("upcall mask copied (1)", 1, v->evtchn_upcall_mask);
    xt_time_snapshot(&v->time, &t);
    if (!xt_check_true("time record present", t.tsc_to_system_mul != 0 && t.system_time != 0))
        return;
    tsc = xt_rdtsc();
    now_new = xt_pvclock(&t, tsc);
    now_old = xt_pvclock(old, tsc);
    diff = now_new > now_old ? now_new - now_old : now_old - now_new;
    xt_check_true("new copy's time agrees with the old record (within 1 ms)", diff < XT_MS(1));
}

/* Delivery now follows the new copy's mask, not shared_info's vcpu_info[0]. */
static void check_delivery(struct vcpu_info *v)
{
    evtchn_port_t a, b;

    if (!xt_require_rc("loopback ports", 0, xt_evtchn_loopback(&a, &b)))
        return;
    xt_port_unmask_bit(b);
    xt_events_on();                       /* takes the spurious upcall */
    xt_shared->vcpu_info[0].evtchn_upcall_mask = 1;
    xt_check_rc("send", 0, xt_evtchn_send(a));
    xt_check_eq("delivered with the old copy masked", 1, xt_port_hits[b]);
    xt_events_off();
    xt_shared->vcpu_info[0].evtchn_upcall_mask = 0;
    xt_check_rc("send", 0, xt_evtchn_send(a));
    xt_force_upcall();
    xt_check_eq("not delivered with the new copy masked", 1, xt_port_hits[b]);
    xt_check_eq("new copy's upcall pending", 1, v->evtchn_upcall_pending);
    xt_events_on();
    xt_check_eq("delivered once unmasked", 2, xt_port_hits[b]);
}

void test_main(void)
{
    uint8_t *page = xt_alloc_page();
    struct vcpu_time_info old;
    struct vcpu_info *v;
    long rc;

    xt_time_snapshot(&xt_vcpu->time, &old);
    v = register_at(page, &rc);
    if (!xt_check_rc("VCPUOP_register_vcpu_info", 0, rc))
        return;
    xt_vcpu = v;
    check_new_copy(v, &old);
    check_delivery(v);
    /* A second registration: -EINVAL before Xen 4.18, -EBUSY since (map_guest_area). */
    register_at(xt_alloc_page(), &rc);
    xt_check_true("second registration refused (-EINVAL or -EBUSY)",
                  rc == -XEN_EINVAL || rc == -XEN_EBUSY);
    xt_check_rc("VCPUOP_register_vcpu_info for vcpu 1000", -XEN_ENOENT,
                HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1000, NULL));
    xtf_success(NULL);
}
