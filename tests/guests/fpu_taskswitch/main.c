/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fpu_taskswitch: CR0.TS set by the hypercall gives #NM once; Xen clears TS on delivery. */
#include "xt.h"

const char xt_test_title[] = "fpu_taskswitch: #NM after fpu_taskswitch(1), state kept";

static const uint64_t xt_pattern[2] __attribute__((aligned(16))) = {
    0x0123456789abcdefUL, 0xfedcba9876543210UL
};
static uint64_t xt_out[2] __attribute__((aligned(16)));

/* Store %xmm0; returns true if it did not fault. */
static bool store_xmm0(uint64_t *at)
{
    unsigned int before = xt_fault.count;

    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "1: movdqu %%xmm0, (%1)\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(*at)
                     : "r"(xt_out)
                     : "memory");
    return xt_fault.count == before;
}

static bool x87_fninit(void)
{
    unsigned int before = xt_fault.count;

    __asm__ volatile("1: fninit\n\t2:\n\t" XT_EXTABLE(1b, 2b) ::: "memory");
    return xt_fault.count == before;
}

void test_main(void)
{
    uint64_t at;

    xt_check_rc("fpu_taskswitch(0)", 0, HYPERVISOR_fpu_taskswitch(0));
    __asm__ volatile("movdqu (%0), %%xmm0" ::"r"(xt_pattern) : "memory");

    xt_check_rc("fpu_taskswitch(1)", 0, HYPERVISOR_fpu_taskswitch(1));
    xt_fault_clear();
    xt_check_true("SSE store with TS set faults", !store_xmm0(&at));
    xt_check_fault("SSE store with TS set", X86_EXC_NM, 0);
    xt_check_eq("#NM rip", at, xt_fault.rip);
    /* traps.c do_device_not_available: TS is cleared as #NM is delivered. */
    xt_fault_clear();
    xt_check_true("the same store again", store_xmm0(&at));
    xt_check_eq("xmm0 kept across #NM (low)", xt_pattern[0], xt_out[0]);
    xt_check_eq("xmm0 kept across #NM (high)", xt_pattern[1], xt_out[1]);

    xt_check_rc("fpu_taskswitch(1) again", 0, HYPERVISOR_fpu_taskswitch(1));
    xt_fault_clear();
    xt_check_true("x87 fninit with TS set faults", !x87_fninit());
    xt_check_fault("x87 with TS set", X86_EXC_NM, 0);
    xt_check_true("fninit again", x87_fninit());

    xt_check_rc("fpu_taskswitch(1) then", 0, HYPERVISOR_fpu_taskswitch(1));
    xt_check_rc("fpu_taskswitch(0)", 0, HYPERVISOR_fpu_taskswitch(0));
    xt_fault_clear();
    xt_check_true("SSE store after fpu_taskswitch(0)", store_xmm0(&at));
    xtf_success(NULL);
}
