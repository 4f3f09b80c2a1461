/* SPDX-License-Identifier: GPL-2.0-or-later */
/* System time from vcpu_time_info, as described in xen.h. */
#include "xt.h"

void xt_time_snapshot(const volatile struct vcpu_time_info *src, struct vcpu_time_info *dst)
{
    uint32_t v;

    do {
        v = src->version;
        xt_barrier();
        dst->tsc_timestamp = src->tsc_timestamp;
        dst->system_time = src->system_time;
        dst->tsc_to_system_mul = src->tsc_to_system_mul;
        dst->tsc_shift = src->tsc_shift;
        dst->flags = src->flags;
        xt_barrier();
    } while ((v & 1) || v != src->version);
    dst->version = v;
}

uint64_t xt_pvclock(const struct vcpu_time_info *t, uint64_t tsc)
{
    uint64_t delta = tsc - t->tsc_timestamp;

    if (t->tsc_shift >= 0)
        delta <<= t->tsc_shift;
    else
        delta >>= -t->tsc_shift;
    return t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

uint64_t xt_now(void)
{
    const volatile struct vcpu_time_info *src = &xt_vcpu->time;
    struct vcpu_time_info t;
    uint64_t tsc;
    uint32_t v;

    do {
        v = src->version;
        xt_barrier();
        xt_time_snapshot(src, &t);
        tsc = xt_rdtsc();
        xt_barrier();
    } while (v != src->version);
    return xt_pvclock(&t, tsc);
}

void xt_spin_ns(uint64_t ns)
{
    uint64_t end = xt_now() + ns;

    while (xt_now() < end)
        __asm__ volatile("pause");
}

bool xt_wait_count(const volatile uint32_t *counter, uint32_t target, uint64_t timeout_ns)
{
    uint64_t end = xt_now() + timeout_ns;

    while (*counter < target) {
        if (xt_now() > end)
            return *counter >= target;
        __asm__ volatile("pause");
    }
    return true;
}
