/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Xen system time (vcpu_time_info and the TSC) and simple waiting. */
#ifndef XT_XTIME_H
#define XT_XTIME_H

#define XT_MS(x) ((uint64_t)(x) * 1000000ULL)
#define XT_US(x) ((uint64_t)(x) * 1000ULL)

/* A consistent copy of a time record (version even and unchanged). */
void xt_time_snapshot(const volatile struct vcpu_time_info *src, struct vcpu_time_info *dst);
/* System time in ns that record t gives for the TSC value tsc. */
uint64_t xt_pvclock(const struct vcpu_time_info *t, uint64_t tsc);
/* Current system time from vcpu 0's record. */
uint64_t xt_now(void);

/* Spin for ns of system time. */
void xt_spin_ns(uint64_t ns);
/* Spin until *counter reaches target (true) or timeout_ns passes (false). */
bool xt_wait_count(const volatile uint32_t *counter, uint32_t target, uint64_t timeout_ns);

#endif
