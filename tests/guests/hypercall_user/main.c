/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hypercall_user: a "hypercall" from guest user mode is a syscall for the guest kernel. */
#include "xt.h"

const char xt_test_title[] = "hypercall_user: hypercalls from user mode go to the syscall callback";

static unsigned int xt_calls;
static uint64_t xt_seen_rax[2], xt_seen_rdi[2];
static long xt_u_ret[2];

/*
 * x86_64/entry.S, syscall_enter: from guest user mode, `syscall` switches to
 * the guest kernel's syscall callback; only kernel mode makes hypercalls.
 */
static void syscall_hook(struct xt_regs *r)
{
    if (xt_calls < 2) {
        xt_seen_rax[xt_calls] = r->rax;
        xt_seen_rdi[xt_calls] = r->rdi;
    }
    xt_calls++;
    r->rax = (uint64_t)-4242;
    r->iret_flags = VGCF_in_syscall;
}

static void user_fn(void)
{
    xt_u_ret[0] = xt_hcall_syscall(__HYPERVISOR_set_segment_base, SEGBASE_FS, 0x1000, 0, 0, 0);
    xt_u_ret[1] = xt_hcall_page(__HYPERVISOR_set_segment_base, SEGBASE_FS, 0x2000, 0, 0, 0);
}

static uint64_t read_fs0(void)
{
    uint64_t v;

    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

void test_main(void)
{
    static uint64_t fs_word = 0xf5f5f5f5UL;

    if (!xt_require_rc("user page table", 0, xt_user_init()) ||
        !xt_require_rc("FS base", 0, HYPERVISOR_set_segment_base(SEGBASE_FS, (uint64_t)&fs_word)))
        return;
    xt_set_trap_hook(XT_VEC_SYSCALL, syscall_hook);
    xt_exec_user(user_fn, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
    xt_check_eq("syscall callback entered for both calls", 2, xt_calls);
    xt_check_eq("via syscall: rax is the hypercall number", __HYPERVISOR_set_segment_base,
                xt_seen_rax[0]);
    xt_check_eq("via syscall: rdi", SEGBASE_FS, xt_seen_rdi[0]);
    xt_check_eq("via the hypercall page: rax is the hypercall number",
                __HYPERVISOR_set_segment_base, xt_seen_rax[1]);
    xt_check_rc("via syscall: the kernel's return value", -4242, xt_u_ret[0]);
    xt_check_rc("via the hypercall page: the kernel's return value", -4242, xt_u_ret[1]);
    xt_check_eq("Xen did not run set_segment_base", fs_word, read_fs0());
    HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
    xtf_success(NULL);
}
