/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark guest: the cost of a hypercall and of a user syscall bounce. */
#include "xt.h"

const char xt_test_title[] = "pvcost: hypercall round trip and user-to-kernel syscall bounce";

#define N_HCALL 2000
#define N_SYSCALL 1000

static void syscall_hook(struct xt_regs *r)
{
    r->iret_flags = VGCF_in_syscall; /* straight back, sysret-style */
}

/* In guest user mode: N_SYSCALL syscalls, each bounced to the kernel and back. */
static void user_loop(void)
{
    for (unsigned i = 0; i < N_SYSCALL; i++)
        __asm__ volatile("syscall" ::: "rax", "rcx", "r11", "memory");
}

static void report(const char *what, uint64_t ns, unsigned n)
{
    xt_printk("bench: %s: %lu ns per operation (%u operations)\n", what, ns / n, n);
}

void test_main(void)
{
    uint64_t t0, t1;

    t0 = xt_now();
    for (unsigned i = 0; i < N_HCALL; i++)
        HYPERVISOR_xen_version(XENVER_version, NULL);
    t1 = xt_now();
    report("hypercall round trip (xen_version)", t1 - t0, N_HCALL);

    if (!xt_require_rc("user page table", 0, xt_user_init()))
        return;
    xt_set_trap_hook(XT_VEC_SYSCALL, syscall_hook);
    t0 = xt_now();
    xt_exec_user(user_loop, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
    t1 = xt_now();
    report("user syscall bounced to the kernel and back", t1 - t0, N_SYSCALL);
    xtf_success(NULL);
}
