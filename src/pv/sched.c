/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Time, timers, runstate and scheduling: sched_op, set_timer_op, vcpu_op. */
#include <errno.h>

#include "pv/pv.h"
#include <xen/sched.h>
#include <xen/vcpu.h>

#define MS 1000000ULL
#define STIME_DELTA_MAX (1ULL << 62)

static uint64_t now(struct pv_vcpu *v)
{
    return v->d->host.now_ns(v->d->host.opaque);
}

/* tsc_to_system_mul and tsc_shift for a TSC of tsc_khz (Xen's scaling rule:
 * ns = ((tsc << shift) * mul) >> 32, shift may be negative). */
static void tsc_scale(uint64_t tsc_khz, uint32_t *mul, int8_t *shift)
{
    uint64_t tps = tsc_khz * 1000ULL, ns = 1000000000ULL;
    int s = 0;

    while (tps > 2 * ns) {
        tps >>= 1;
        s--;
    }
    while (tps <= ns) {
        tps <<= 1;
        s++;
    }
    *mul = (uint32_t)((ns << 32) / tps);
    *shift = (int8_t)s;
}

/* Publish system time for the vCPU, and the wallclock (seqlock protocol). */
/* How far back the published time pair lies (see pv_update_time). */
#define PV_TIME_MARGIN_MS 10ULL

void pv_update_time(struct pv_vcpu *v)
{
    struct pv_host *h = &v->d->host;
    struct vcpu_time_info *t = &pv_vcpu_info(v)->time;
    struct shared_info *s = pv_shared_info(v->d);
    uint64_t sec, tsc, ns, back_us;
    uint32_t nsec;

    __atomic_store_n(&t->version, t->version + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /*
     * The pair is taken up to PV_TIME_MARGIN_MS in the past: the guest computes
     * system_time + scale(its TSC - tsc_timestamp), and a TSC read a little
     * behind ours (another host CPU, the offset's error) must not give a
     * negative difference, which would read as centuries.
     */
    tsc = h->rdtsc(h->opaque);
    ns = h->now_ns(h->opaque);
    back_us = ns / 1000 < PV_TIME_MARGIN_MS * 1000 ? ns / 1000 : PV_TIME_MARGIN_MS * 1000;
    t->tsc_timestamp = tsc - back_us * v->d->tsc_khz / 1000;
    t->system_time = ns - back_us * 1000;
    if (!t->tsc_to_system_mul)
        tsc_scale(v->d->tsc_khz, &t->tsc_to_system_mul, &t->tsc_shift);
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&t->version, t->version + 1, __ATOMIC_RELEASE);
    if (v->time_area_gpa) { /* the vCPU is stopped: one copy is consistent */
        struct vcpu_time_info *copy = pv_gpa(v->d, v->time_area_gpa, sizeof(*copy));

        if (copy)
            pv_memcpy(copy, t, sizeof(*copy));
    }

    if (v->id)
        return;
    h->wallclock(h->opaque, &sec, &nsec);
    __atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_RELEASE);
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = nsec;
    __atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_RELEASE);
}

void pv_runstate_set(struct pv_vcpu *v, int state)
{
    uint64_t t = now(v);
    struct vcpu_runstate_info ri;

    if (v->runstate >= 0 && v->runstate < 4)
        v->runstate_time[v->runstate] += t - v->runstate_entry_ns;
    v->runstate = state;
    v->runstate_entry_ns = t;
    if (!v->runstate_gva)
        return;
    ri.state = state;
    ri.state_entry_time = t;
    for (int i = 0; i < 4; i++)
        ri.time[i] = v->runstate_time[i];
    /* A guest that unmapped its area loses updates, as on Xen. */
    pv_copy_to_guest(v, v->runstate_gva, &ri, sizeof(ri));
}

uint64_t pv_next_deadline(struct pv_vcpu *v)
{
    uint64_t a = v->timer_single_ns, b = v->timer_period_ns ? v->timer_period_next : 0;

    if (!a)
        return b;
    return (b && b < a) ? b : a;
}

void pv_timer_tick(struct pv_vcpu *v)
{
    uint64_t t = now(v);
    bool fire = false;

    if (v->timer_single_ns && v->timer_single_ns <= t) {
        v->timer_single_ns = 0;
        fire = true;
    }
    if (v->timer_period_ns && v->timer_period_next <= t) {
        /* Skip missed periods rather than replay them. */
        uint64_t missed = (t - v->timer_period_next) / v->timer_period_ns + 1;

        v->timer_period_next += missed * v->timer_period_ns;
        fire = true;
    }
    if (fire) {
        pv_update_time(v);
        pv_send_virq(v, VIRQ_TIMER);
    }
    v->d->host.timer_changed(v->d->host.opaque, v);
}

long pv_set_timer_op(struct pv_vcpu *v, uint64_t deadline)
{
    v->timer_single_ns = deadline;
    pv_timer_tick(v); /* a deadline in the past fires now */
    return 0;
}

void pv_shutdown(struct pv_domain *d, unsigned reason)
{
    static const enum pv_stop map[] = {
        [SHUTDOWN_poweroff] = PV_STOP_POWEROFF, [SHUTDOWN_reboot] = PV_STOP_REBOOT,
        [SHUTDOWN_suspend] = PV_STOP_SUSPEND,   [SHUTDOWN_crash] = PV_STOP_CRASH,
        [SHUTDOWN_watchdog] = PV_STOP_WATCHDOG,
    };
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog" };

    if (reason >= PV_ARRAY_SIZE(map)) {
        pv_crash(d, PV_STOP_CRASH, "guest shut down with unknown reason %u", reason);
        return;
    }
    pv_crash(d, map[reason], "guest shut down: %s", names[reason]);
}

/* Wait until one of the ports is pending, or events are pending, or a
 * deadline; `ports` NULL means any unmasked event (SCHEDOP_block). */
static void wait_for(struct pv_vcpu *v, const uint32_t *ports, unsigned n, uint64_t until)
{
    struct vcpu_info *vi = pv_vcpu_info(v);

    pv_runstate_set(v, RUNSTATE_blocked);
    while (v->d->stop == PV_RUNNING) {
        uint64_t dl = pv_next_deadline(v);
        bool ready = false;

        pv_timer_tick(v);
        if (!ports)
            ready = __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE);
        for (unsigned i = 0; ports && i < n; i++)
            ready |= pv_evtchn_pending(v->d, ports[i]);
        if (ready || (until && now(v) >= until))
            break;
        dl = pv_next_deadline(v);
        if (until && (!dl || until < dl))
            dl = until;
        v->d->host.block(v->d->host.opaque, v, dl);
    }
    pv_runstate_set(v, RUNSTATE_running);
}

static long sched_poll(struct pv_vcpu *v, uint64_t arg)
{
    struct sched_poll p;
    uint32_t ports[128];

    if (pv_copy_from_guest(v, &p, arg, sizeof(p)))
        return -EFAULT;
    if (p.nr_ports > 128)
        return -EINVAL;
    if (pv_copy_from_guest(v, ports, PV_HANDLE(p.ports), p.nr_ports * sizeof(ports[0])))
        return -EFAULT;
    for (unsigned i = 0; i < p.nr_ports; i++)
        if (ports[i] >= PV_NR_EVTCHN)
            return -EINVAL;
    wait_for(v, ports, p.nr_ports, p.timeout);
    return 0;
}

long pv_sched_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg)
{
    switch (cmd) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        pv_vcpu_info(v)->evtchn_upcall_mask = 0; /* block enables events */
        wait_for(v, NULL, 0, 0);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;

        if (pv_copy_from_guest(v, &s, arg, sizeof(s)))
            return -EFAULT;
        pv_shutdown(v->d, s.reason);
        return 0;
    }
    case SCHEDOP_poll:
        return sched_poll(v, arg);
    case SCHEDOP_remote_shutdown:
        return -EPERM;
    default:
        return -ENOSYS;
    }
}

static long register_vcpu_info(struct pv_vcpu *v, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    struct vcpu_info *old = pv_vcpu_info(v), *nv;
    uint64_t gpa;

    if (pv_copy_from_guest(v, &r, arg, sizeof(r)))
        return -EFAULT;
    if (v->vcpu_info_gpa != (v->d->xen_pfn << PV_PAGE_SHIFT) +
                                __builtin_offsetof(struct shared_info, vcpu_info) +
                                v->id * sizeof(struct vcpu_info))
        return -EINVAL; /* once only */
    if (r.offset & 7 || r.offset + sizeof(struct vcpu_info) > PV_PAGE_SIZE ||
        !pv_pfn_is_ram(v->d, r.mfn) || pv_pfn_typed(v->d, r.mfn))
        return -EINVAL; /* a page table must not be written by xenner */
    gpa = (r.mfn << PV_PAGE_SHIFT) + r.offset;
    nv = pv_gpa(v->d, gpa, sizeof(*nv));
    pv_memcpy(nv, old, sizeof(*nv));
    v->vcpu_info_gpa = gpa;
    /* Everything is pending on the new copy until the guest looks. */
    nv->evtchn_upcall_pending = 1;
    nv->evtchn_pending_sel = ~0ULL;
    pv_update_time(v);
    return 0;
}

static long set_periodic(struct pv_vcpu *v, uint64_t arg)
{
    struct vcpu_set_periodic_timer t;

    if (pv_copy_from_guest(v, &t, arg, sizeof(t)))
        return -EFAULT;
    if (t.period_ns < MS || t.period_ns > STIME_DELTA_MAX)
        return -EINVAL;
    v->timer_period_ns = t.period_ns;
    v->timer_period_next = now(v) + t.period_ns;
    v->d->host.timer_changed(v->d->host.opaque, v);
    return 0;
}

static long set_singleshot(struct pv_vcpu *v, uint64_t arg)
{
    struct vcpu_set_singleshot_timer t;

    if (pv_copy_from_guest(v, &t, arg, sizeof(t)))
        return -EFAULT;
    if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < now(v))
        return -ETIME;
    v->timer_single_ns = t.timeout_abs_ns ? t.timeout_abs_ns : 1;
    pv_timer_tick(v);
    return 0;
}

static long get_runstate(struct pv_vcpu *v, uint64_t arg)
{
    struct vcpu_runstate_info ri = { .state = v->runstate,
                                     .state_entry_time = v->runstate_entry_ns };

    for (int i = 0; i < 4; i++)
        ri.time[i] = v->runstate_time[i];
    ri.time[v->runstate] += now(v) - v->runstate_entry_ns;
    return pv_copy_to_guest(v, arg, &ri, sizeof(ri)) ? -EFAULT : 0;
}

/*
 * VCPUOP_register_vcpu_time_memory_area: a second copy of the time info,
 * which Linux maps to user space for its vDSO clock. The address is
 * translated once, here; 0 as the address turns the copy off.
 */
static long register_time_area(struct pv_vcpu *v, uint64_t arg)
{
    struct vcpu_register_time_memory_area r;
    uint64_t gva, gpa;

    if (pv_copy_from_guest(v, &r, arg, sizeof(r)))
        return -EFAULT;
    gva = r.addr.p;
    if (!gva) {
        v->time_area_gpa = 0;
        return 0;
    }
    if ((gva & 0xfff) + sizeof(struct vcpu_time_info) > PV_PAGE_SIZE ||
        !pv_guest_range_ok(gva, sizeof(struct vcpu_time_info)) ||
        pv_gva_to_gpa(v, gva, true, &gpa))
        return -EFAULT;
    v->time_area_gpa = gpa;
    pv_update_time(v);
    return 0;
}

long pv_vcpu_op(struct pv_vcpu *v, unsigned cmd, unsigned id, uint64_t arg)
{
    struct pv_vcpu *t;

    if (id >= v->d->nr_vcpus)
        return -ENOENT;
    t = v->d->vcpu[id];
    if (t != v && cmd != VCPUOP_is_up && cmd != VCPUOP_get_runstate_info)
        return -EINVAL; /* other vCPUs: not until SMP */
    switch (cmd) {
    case VCPUOP_is_up: return t->up;
    case VCPUOP_up: return t->up ? 0 : -EINVAL;
    case VCPUOP_register_vcpu_info: return register_vcpu_info(v, arg);
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area r;

        if (pv_copy_from_guest(v, &r, arg, sizeof(r)))
            return -EFAULT;
        if (!pv_guest_range_ok(PV_HANDLE(r.addr), sizeof(struct vcpu_runstate_info)))
            return -EFAULT;
        v->runstate_gva = PV_HANDLE(r.addr);
        pv_runstate_set(v, RUNSTATE_running);
        return 0;
    }
    case VCPUOP_register_vcpu_time_memory_area: return register_time_area(v, arg);
    case VCPUOP_get_runstate_info: return get_runstate(t, arg);
    case VCPUOP_get_physid: return -EINVAL; /* only the hardware domain sees CPUs */
    case VCPUOP_set_periodic_timer: return set_periodic(v, arg);
    case VCPUOP_stop_periodic_timer:
        v->timer_period_ns = 0;
        v->d->host.timer_changed(v->d->host.opaque, v);
        return 0;
    case VCPUOP_set_singleshot_timer: return set_singleshot(v, arg);
    case VCPUOP_stop_singleshot_timer:
        v->timer_single_ns = 0;
        v->d->host.timer_changed(v->d->host.opaque, v);
        return 0;
    default:
        return -ENOSYS;
    }
}
