/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iret: HYPERVISOR_iret back to guest kernel mode with a hand-made frame. */
#include "xt.h"

const char xt_test_title[] = "iret: iret hypercall to kernel mode, flags and VGCF_in_syscall";

/* What the target label saw. */
static uint64_t xt_got_rax, xt_got_rcx, xt_got_r11, xt_got_rsp, xt_got_rflags, xt_got_rip;
static uint64_t xt_new_rsp;

/*
 * Push an iret_context (xen-x86_64.h) for a return to label 1 with the
 * given rflags and iret flags, on a stack 512 bytes lower; rax/rcx/r11 get
 * 0x1234abcd/0x22/0x11. Label 1 records what it finds, then restores rsp.
 */
static void do_iret(uint64_t rflags, uint64_t flags)
{
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "lea -512(%%rsp), %%rdx\n\t"
                     "and $~0xf, %%rdx\n\t"
                     "mov %%rdx, %[new_rsp]\n\t"
                     "push $%c[ss]\n\t"
                     "push %%rdx\n\t"
                     "push %[rflags]\n\t"
                     "push $%c[cs]\n\t"
                     "lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, %[rip]\n\t"
                     "push %%rax\n\t"
                     "push %[flags]\n\t"
                     "push $0x22\n\t"          /* rcx */
                     "push $0x11\n\t"          /* r11 */
                     "push $0x1234abcd\n\t"    /* rax */
                     "mov $%c[nr], %%eax\n\t"
                     "syscall\n\t"
                     "ud2\n\t"
                     "1: mov %%rax, %[rax]\n\t"
                     "mov %%rcx, %[rcx]\n\t"
                     "mov %%r11, %[r11]\n\t"
                     "mov %%rsp, %[rsp]\n\t"
                     "pushfq\n\t"
                     "popq %[fl]\n\t"
                     "mov %%rbx, %%rsp\n\t"
                     : [rax] "=m"(xt_got_rax), [rcx] "=m"(xt_got_rcx), [r11] "=m"(xt_got_r11),
                       [rsp] "=m"(xt_got_rsp), [fl] "=m"(xt_got_rflags), [rip] "=m"(xt_got_rip),
                       [new_rsp] "=m"(xt_new_rsp)
                     : [rflags] "r"(rflags), [flags] "r"(flags), [ss] "i"(FLAT_KERNEL_SS),
                       [cs] "i"(XT_KERNEL_FRAME_CS), [nr] "i"(__HYPERVISOR_iret)
                     : "rax", "rbx", "rcx", "rdx", "r11", "memory", "cc");
}

static void check_common(const char *what)
{
    char buf[96];

    xt_snprintf(buf, sizeof(buf), "%s: rax comes from the frame", what);
    xt_check_eq(buf, 0x1234abcd, xt_got_rax);
    xt_snprintf(buf, sizeof(buf), "%s: rsp comes from the frame", what);
    xt_check_eq(buf, xt_new_rsp, xt_got_rsp);
    xt_snprintf(buf, sizeof(buf), "%s: rflags.CF comes from the frame", what);
    xt_check_eq(buf, X86_EFLAGS_CF, xt_got_rflags & X86_EFLAGS_CF);
}

void test_main(void)
{
    /* pv/iret.c: rcx/r11 from the frame unless VGCF_in_syscall; mask = !IF. */
    xt_events_off();
    do_iret(X86_EFLAGS_IF | X86_EFLAGS_CF | X86_EFLAGS_FIXED, 0);
    check_common("iret with IF set");
    xt_check_eq("iret with IF set: rcx from the frame", 0x22, xt_got_rcx);
    xt_check_eq("iret with IF set: r11 from the frame", 0x11, xt_got_r11);
    xt_check_eq("iret with IF set: upcall mask cleared", 0, xt_vcpu->evtchn_upcall_mask);

    do_iret(X86_EFLAGS_CF | X86_EFLAGS_FIXED, 0);
    check_common("iret with IF clear");
    xt_check_eq("iret with IF clear: upcall mask set", 1, xt_vcpu->evtchn_upcall_mask);

    /* VGCF_in_syscall: Xen returns like sysret, so rcx = rip and r11 = rflags. */
    do_iret(X86_EFLAGS_CF | X86_EFLAGS_FIXED, VGCF_in_syscall);
    check_common("iret with VGCF_in_syscall");
    xt_check_eq("VGCF_in_syscall: rcx is the return rip", xt_got_rip, xt_got_rcx);
    xt_check_eq("VGCF_in_syscall: r11 is the rflags Xen loaded",
                X86_EFLAGS_IF | X86_EFLAGS_CF | X86_EFLAGS_FIXED, xt_got_r11);
    xtf_success(NULL);
}
